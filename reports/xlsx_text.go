package reports

// The text a cell or comment may hold: XML-safe, masked, within Excel's length, escaped.

import (
	"bufio"
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/redact"
)

// cleanText makes s fit for a cell or comment: characters XML 1.0 does not allow dropped
// (invalid UTF-8 becomes U+FFFD), card numbers and SSNs written as such (123-45-6789) masked,
// since a roster column that no field takes, a second SSN column or a note is shown through
// here, and at most limit characters, the last "…" when cut. Text that needs none of it comes
// back as it is, without allocating.
func cleanText(s string, limit int) string {
	s = scanPersonal(xmlChars(s))
	if t, cut := truncateUTF16(s, limit); cut {
		// Cutting may leave the start of a longer digit run that is a card number or an SSN
		// by itself.
		s = scanPersonal(t)
	}
	return s
}

func scanPersonal(s string) string { return redact.Text(s) }

// xmlChars returns s without the characters XML 1.0 does not allow: control characters other
// than tab, LF and CR, U+FFFE and U+FFFF; invalid UTF-8 becomes U+FFFD.
func xmlChars(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return rebuildXMLChars(s, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			return rebuildXMLChars(s, i)
		}
		i += size
	}
	return s
}

func rebuildXMLChars(s string, from int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:from])
	for i := from; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncateUTF16 cuts s to at most limit UTF-16 code units (Excel's measure), ending it with "…"
// when it cuts.
func truncateUTF16(s string, limit int) (string, bool) {
	if len(s) <= limit { // a UTF-16 unit takes at least one byte of UTF-8
		return s, false
	}
	units := 0
	cut := -1
	for i, r := range s {
		u := 1
		if r > 0xFFFF {
			u = 2
		}
		if cut < 0 && units+u > limit-1 {
			cut = i // where "…" goes, if the whole does not fit
		}
		units += u
		if units > limit {
			return s[:cut] + "…", true
		}
	}
	return s, false
}

// writeT writes text as a <t> element: XML-escaped, CR kept as a character reference (a parser
// would turn a bare one into LF), and a literal "_x0041_" escaped as Excel does ("_x005F_x0041_")
// so that Excel does not read it as an escaped character.
func writeT(b *bufio.Writer, s string) {
	if s != "" && (isSpace(s[0]) || isSpace(s[len(s)-1]) || strings.IndexByte(s, '\n') >= 0) {
		b.WriteString(`<t xml:space="preserve">`)
	} else {
		b.WriteString(`<t>`)
	}
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		case '_':
			if isExcelEscape(s[i:]) {
				esc = "_x005F_"
			}
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
	b.WriteString(`</t>`)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isExcelEscape reports whether s starts with "_xHHHH_".
func isExcelEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
