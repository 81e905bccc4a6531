package validate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateKind says which range checks a date gets.
type dateKind int

const (
	birthDate     dateKind = iota // not in the future, not more than 120 years ago
	formationDate                 // not in the future
)

var (
	// excelSerial is a date that reached us as Excel's day count (a date cell read as text).
	excelSerial = regexp.MustCompile(`^\d{5}$`)
	// midnight is an ISO date with a zero time, as date cells are sometimes written out.
	midnight = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?Z?$`)
)

// layoutWords spells a Go layout the way a clerk reads a date format.
var layoutWords = strings.NewReplacer("2006", "yyyy", "January", "Month", "Jan", "Mon", "01", "MM", "02", "dd", "06", "yy", "_2", "d", "1", "M", "2", "d")

// isoLoose reads ISO dates with or without zero padding: 1985-3-7 as well as 1985-03-07.
const isoLoose = "2006-1-2"

// twoDigitYear is a date written M/D/YY (or with dots or dashes): the year's century is a guess,
// so it is read only by a layout the mapping opts into.
var twoDigitYear = regexp.MustCompile(`^\d{1,2}([/.-])\d{1,2}([/.-])\d{2}$`)

// civilDate is a day of the proleptic Gregorian calendar as a date reads: year, month, day.
type civilDate struct{ y, m, d int }

// dateOf is t's day.
func dateOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, int(m), d}
}

// parseDate reads s with the validator's layouts in order; short says the layout that read it
// has a two-digit year; ok that one did.
func (v *Validator) parseDate(s string) (t civilDate, short, ok bool) {
	for i, l := range v.layouts {
		if l == isoDate {
			if !isoShaped(s) {
				continue // time.Parse would fail, at the cost of an error value
			}
			l = isoLoose
		}
		if l == usDate {
			if t, ok := parseUSDate(s); ok {
				return t, v.short[i], true
			}
		}
		if t, err := time.Parse(l, s); err == nil {
			return dateOf(t), v.short[i], true
		}
	}
	return civilDate{}, false, false
}

// usDate is the default layout besides ISO: M/D/YYYY.
const usDate = "1/2/2006"

// parseUSDate reads the usual US date, M/D/YYYY with one or two digits of month and day, as
// time.Parse(usDate) does, without its layout walk and its time.Time; ok false leaves any other
// value to it (which reads a date parseUSDate does not only when it has a signed year).
func parseUSDate(s string) (civilDate, bool) {
	m, rest, ok := cutNumber(s, '/')
	if !ok {
		return civilDate{}, false
	}
	d, y, ok := cutNumber(rest, '/')
	if !ok || len(y) != 4 || !allDigits(y) {
		return civilDate{}, false
	}
	year := int(y[0]-'0')*1000 + int(y[1]-'0')*100 + int(y[2]-'0')*10 + int(y[3]-'0')
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, year) {
		return civilDate{}, false
	}
	return civilDate{year, m, d}, true
}

// cutNumber reads one or two digits then sep off the start of s.
func cutNumber(s string, sep byte) (n int, rest string, ok bool) {
	switch {
	case len(s) >= 2 && isASCIIDigit(s[0]) && s[1] == sep:
		return int(s[0] - '0'), s[2:], true
	case len(s) >= 3 && isASCIIDigit(s[0]) && isASCIIDigit(s[1]) && s[2] == sep:
		return int(s[0]-'0')*10 + int(s[1]-'0'), s[3:], true
	}
	return 0, "", false
}

// daysIn is the number of days of month m (1 to 12) in year y, by the Gregorian rules
// time.Date follows.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isoShaped reports whether s opens as isoLoose needs: a four-character year (time.Parse reads
// a sign and three digits too) and a dash. A value that does not cannot parse.
func isoShaped(s string) bool {
	return len(s) > 4 && (isASCIIDigit(s[0]) || s[0] == '+' || s[0] == '-') && allDigits(s[1:4]) && s[4] == '-'
}

// shortYear reports whether a Go layout writes the year in two digits.
func shortYear(layout string) bool {
	return strings.Contains(strings.ReplaceAll(layout, "2006", ""), "06")
}

// badDate fails a date no layout reads (in is s without a zero time), saying why as closely as it can.
func (c *checker) badDate(field, s, in string) {
	if excelSerial.MatchString(s) {
		c.fail(field, CodeInvalidDate, "%s %s looks like an Excel date serial number, not a date: format the column as a date and export again", label(field), plain(s))
		return
	}
	if y, m, ok := c.v.monthOf(in); ok {
		days := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
		c.fail(field, CodeInvalidDate, "%s %s is not a real date (%s %d has %d days)", label(field), plain(s), m, y, days)
		return
	}
	forms := make([]string, len(c.v.layouts))
	for i, l := range c.v.layouts {
		forms[i] = layoutWords.Replace(l)
	}
	if m := twoDigitYear.FindStringSubmatch(in); m != nil {
		c.fail(field, CodeInvalidDate, "%s %s has a two-digit year: write the year in full (%s), or add %q to the mapping's dateFormats to read such years as the latest year not in the future",
			label(field), plain(s), strings.Join(forms, " or "), "1"+m[1]+"2"+m[2]+"06")
		return
	}
	c.fail(field, CodeInvalidDate, "%s %s is not a date written as %s", label(field), plain(s), strings.Join(forms, " or "))
}

// monthOf finds the year and month of a date a layout reads but for a day past the month's
// end (1991-02-30): it puts day 1 in place of each one- or two-digit number from 29 to 31 in
// turn, and takes the first that reads as the 1st of a month.
func (v *Validator) monthOf(s string) (int, time.Month, bool) {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isASCIIDigit(s[j]) {
			j++
		}
		if j == i {
			i++
			continue
		}
		if n := atoi(s[i:j]); j-i == 2 && n >= 29 && n <= 31 {
			if t, _, ok := v.parseDate(s[:i] + "01" + s[j:]); ok && t.d == 1 {
				return t.y, time.Month(t.m), true
			}
		}
		i = j
	}
	return 0, 0, false
}

// date trims *s, parses it with the validator's layouts and sends it as yyyy-MM-dd.
func (c *checker) date(field string, s *string, n need, kind dateKind) {
	if !c.text(field, s, n, 0, 0) {
		return
	}
	in := *s
	if len(in) > len(isoDate) {
		if m := midnight.FindStringSubmatch(in); m != nil {
			in = m[1]
		}
	}
	t, short, ok := c.v.parseDate(in)
	if !ok {
		c.badDate(field, *s, in)
		return
	}
	y, m, d := t.y, t.m, t.d
	ymd := y*10000 + m*100 + d
	if short && ymd > c.today {
		y, ymd = y-100, ymd-100*10000 // a two-digit year is the latest not in the future: 3/7/50 is 1950
	}
	iso := yearMonth(*s, y, m, d)
	switch {
	case ymd > c.today:
		c.fail(field, CodeInvalidDate, "%s %s is in the future", label(field), plain(iso))
		return
	case kind == birthDate && ymd < c.today-120*10000:
		c.fail(field, CodeInvalidDate, "%s %s is more than 120 years ago", label(field), plain(iso))
		return
	}
	*s = iso
}

var (
	expiryISO   = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)             // yyyy-MM
	expirySlash = regexp.MustCompile(`^(\d{1,2})\s*/\s*(\d{2}|\d{4})$`) // MM/YY, MM/YYYY, M/YYYY
	expiryDay   = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)       // an Excel date cell, 1st of the month
)

// expiry trims a card expiry and sends it as yyyy-MM. Its value is never echoed: with the card
// number it is what a fraudster needs.
func (c *checker) expiry(field string, s *string) {
	if !c.text(field, s, required, 0, 0) {
		return
	}
	in := *s
	if len(in) > len(isoDate) {
		if m := midnight.FindStringSubmatch(in); m != nil {
			in = m[1]
		}
	}
	y, mo := parseExpiry(in)
	if mo < 1 || mo > 12 {
		c.fail(field, CodeInvalidFormat, "%s is not a month in a known form (yyyy-MM, MM/YY or MM/YYYY)", label(field))
		return
	}
	if y*12+mo < c.month {
		c.fail(field, CodeCardExpired, "the card has expired: its expiry month is in the past")
		return
	}
	*s = yearMonth(*s, y, mo, 0)
}

// yearMonth returns yyyy-MM, or yyyy-MM-dd when day is not 0, as fmt's %04d-%02d-%02d writes
// it; it returns was itself when was is written so already (the usual row: no new string).
func yearMonth(was string, y, mo, day int) string {
	if y < 0 || y > 9999 || mo < 0 || mo > 99 || day < 0 || day > 99 {
		if day == 0 {
			return fmt.Sprintf("%04d-%02d", y, mo)
		}
		return fmt.Sprintf("%04d-%02d-%02d", y, mo, day)
	}
	var b [10]byte
	out := append(b[:0], byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		'-', byte('0'+mo/10), byte('0'+mo%10))
	if day != 0 {
		out = append(out, '-', byte('0'+day/10), byte('0'+day%10))
	}
	if string(out) == was {
		return was
	}
	return string(out)
}

// parseExpiry reads the forms an expiry comes in; mo is out of 1..12 when it reads none.
func parseExpiry(s string) (y, mo int) {
	// yyyy-M and yyyy-MM, the usual form, read without the regexp (expiryISO's language).
	if len(s) >= 6 && len(s) <= 7 && allDigits(s[:4]) && s[4] == '-' && allDigits(s[5:]) {
		return atoi(s[:4]), atoi(s[5:])
	}
	if m := expiryISO.FindStringSubmatch(s); m != nil {
		return atoi(m[1]), atoi(m[2])
	}
	if m := expirySlash.FindStringSubmatch(s); m != nil {
		y, mo = atoi(m[2]), atoi(m[1])
		if len(m[2]) == 2 {
			y += 2000 // a card that expired in the 1900s is long gone: YY is this century
		}
		return y, mo
	}
	if m := expiryDay.FindStringSubmatch(s); m != nil {
		if _, err := time.Parse(isoDate, s); err == nil {
			return atoi(m[1]), atoi(m[2])
		}
	}
	return 0, 0
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
