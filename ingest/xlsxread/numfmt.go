package xlsxread

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// builtInDate reports whether a built-in number format id shows a date. Ids 18-21, 32-35, 45-47,
// 55 and 56 are built in too, but show a time of day or a duration only (h:mm, mm:ss, the CJK
// h"时"mm"分" forms): their values are not dates and stay numbers.
func builtInDate(id int) bool {
	switch {
	case id >= 14 && id <= 17, id == 22: // m/d/yyyy, d-mmm-yy, d-mmm, mmm-yy, m/d/yyyy h:mm
		return true
	case id >= 27 && id <= 31, id == 36: // CJK locale dates
		return true
	case id >= 50 && id <= 54, id == 57, id == 58: // CJK locale dates
		return true
	}
	return false
}

// isDateFormat reports whether a custom number format code shows a date: it has a year, day or
// month token outside quoted text, [brackets] (colours, locales, [h] elapsed time), backslash
// escapes and _x / *x padding. A bare m is a month unless an hour or second is there too, where
// it is minutes (h:mm, mm:ss). Only the first section (positive numbers) counts.
func isDateFormat(code string) bool {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case ';':
			i = len(code) // first section only
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '[':
			if j := strings.IndexByte(code[i+1:], ']'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++ // the next character is literal or padding
		default:
			b.WriteByte(c | 0x20) // ASCII lower case; other bytes do not matter here
		}
	}
	s := b.String()
	s = strings.ReplaceAll(s, "am/pm", "")
	s = strings.ReplaceAll(s, "a/p", "")
	if strings.ContainsAny(s, "yd") {
		return true
	}
	return strings.ContainsRune(s, 'm') && !strings.ContainsAny(s, "hs")
}

// maxDateSerial is 9999-12-31, the last day Excel shows as a date.
const maxDateSerial = 2958465

// dateValue turns a date serial into "2006-01-02" (the day part only), or reports false when the
// value is not a serial Excel would show as a date.
func dateValue(v string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= maxDateSerial+1 || (!date1904 && f < 1) {
		return "", false // below 1 in the 1900 system is Excel's "day 0", 1900-01-00: no date
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// isoDate turns the text of a t="d" cell (ISO 8601: 2024-03-05 or 2024-03-05T10:00:00Z) into its
// date part, or reports false.
func isoDate(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) < 10 || (len(v) > 10 && v[10] != 'T' && v[10] != ' ') {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, v[:10]); err != nil {
		return "", false
	}
	return v[:10], true
}

// numberValue renders a numeric cell's stored value as text with every digit: an integer
// literal is kept as written (4155551234, a 16-digit card number), anything else (a decimal,
// an exponent such as 4.155551234E+09) is expanded without an exponent and rounded to the 15
// significant digits Excel shows, so 0.30000000000000004 reads 0.3. Text that is not a number
// is returned trimmed, as is.
func numberValue(v string) string {
	v = strings.TrimSpace(v)
	if isIntLiteral(v) {
		v = strings.TrimPrefix(v, "+")
		if strings.TrimLeft(v, "-0") == "" {
			return "0"
		}
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		return "0" // also -0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// isIntLiteral reports whether s is an optional sign and one or more ASCII digits.
func isIntLiteral(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// boolValue renders a t="b" cell.
func boolValue(v string) string {
	switch strings.TrimSpace(v) {
	case "1", "true":
		return "TRUE"
	case "0", "false":
		return "FALSE"
	}
	return v
}

// unescapeXString decodes the _xHHHH_ escapes OOXML uses for characters XML cannot carry
// (_x000D_ is a carriage return, _x005F_ an underscore, so _x005F_x000D_ is the text _x000D_).
func unescapeXString(s string) string {
	i := strings.Index(s, "_x")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		r, ok := hex4(s[i:])
		if !ok {
			b.WriteString("_x")
			s = s[i+2:]
		} else {
			s = s[i+7:]
			if utf16.IsSurrogate(r) {
				if r2, ok2 := hex4(s); ok2 {
					if d := utf16.DecodeRune(r, r2); d != '\uFFFD' {
						r = d
						s = s[7:]
					}
				}
			}
			b.WriteRune(r)
		}
		i = strings.Index(s, "_x")
	}
	b.WriteString(s)
	return b.String()
}

// hex4 parses "_xHHHH_" at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	n, err := strconv.ParseUint(s[2:6], 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
