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
	var t time.Time
	var err error
	for _, l := range c.v.layouts {
		if t, err = time.Parse(l, in); err == nil {
			break
		}
	}
	if err != nil {
		if excelSerial.MatchString(*s) {
			c.fail(field, CodeInvalidDate, "%s %s looks like an Excel date serial number, not a date: format the column as a date and export again", label(field), plain(*s))
			return
		}
		forms := make([]string, len(c.v.layouts))
		for i, l := range c.v.layouts {
			forms[i] = layoutWords.Replace(l)
		}
		c.fail(field, CodeInvalidDate, "%s %s is not a date written as %s", label(field), plain(*s), strings.Join(forms, " or "))
		return
	}
	y, m, d := t.Date()
	iso := fmt.Sprintf("%04d-%02d-%02d", y, int(m), d)
	ymd := y*10000 + int(m)*100 + d
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
	*s = fmt.Sprintf("%04d-%02d", y, mo)
}

// parseExpiry reads the forms an expiry comes in; mo is out of 1..12 when it reads none.
func parseExpiry(s string) (y, mo int) {
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
