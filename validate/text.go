package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// need says whether an empty value is an error.
type need bool

const (
	optional need = false
	required need = true
)

// text trims *s and checks that it is there when required and least..most characters long (0:
// no bound). It reports whether a value is there. It never echoes the value, since text fields
// include secrets (social and tax ids, security answers).
func (c *checker) text(field string, s *string, n need, least, most int) bool {
	v := *s
	if len(v) > 0 && (!visibleASCII(v[0]) || !visibleASCII(v[len(v)-1])) {
		// Written back only when trimmed: an unchanged value costs no write (and its barrier).
		if t := strings.TrimSpace(v); len(t) != len(v) {
			v, *s = t, t
		}
	}
	if v == "" {
		if n == required {
			c.fail(field, CodeRequired, "%s is required", label(field))
		}
		return false
	}
	if printableASCII(v) { // the usual cell: no control character, a character per byte
		if least > 0 || most > 0 {
			c.lengthIs(field, len(v), least, most)
		}
		return true
	}
	if c.control(field, v) {
		return false
	}
	c.length(field, v, least, most)
	return true
}

// visibleASCII reports whether b is an ASCII character other than a space or a control: one
// that TrimSpace keeps at either end.
func visibleASCII(b byte) bool { return b > ' ' && b < utf8.RuneSelf }

// printableASCII reports whether s is all printable ASCII (space to '~'): then it holds no
// control character and its length in characters is its length in bytes, found in one pass
// rather than a rune-by-rune search and count. (A test of eight bytes at a time measured
// slower on the short values of a roster.)
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' || b > '~' {
			return false
		}
	}
	return true
}

// control fails a single-line value that holds a control character inside it (a line break
// pasted into an address, a tab from a copied cell): the platform would store it as it is and
// print it on a card or a letter. It names the character, never the value. It reports whether
// it failed.
func (c *checker) control(field, s string) bool {
	i := strings.IndexFunc(s, unicode.IsControl)
	if i < 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	c.fail(field, CodeInvalidFormat, "%s holds %s: a single-line field must not; remove it from the cell", label(field), controlName(r))
	return true
}

// controlName names a control character the way a clerk would know it.
func controlName(r rune) string {
	switch r {
	case '\n', '\r', '\u0085':
		return "a line break"
	case '\t':
		return "a tab"
	}
	return fmt.Sprintf("a control character (U+%04X)", r)
}

// length checks a value's length in characters (runes), so accented names count as written.
func (c *checker) length(field, s string, least, most int) bool {
	return c.lengthIs(field, utf8.RuneCountInString(s), least, most)
}

// lengthIs checks a value of n characters against least..most (0: no bound).
func (c *checker) lengthIs(field string, n, least, most int) bool {
	switch {
	case least > 0 && n < least:
		c.fail(field, CodeTooShort, "%s is %s; at least %d needed", label(field), chars(n), least)
	case most > 0 && n > most:
		c.fail(field, CodeTooLong, "%s is %s; at most %d allowed", label(field), chars(n), most)
	default:
		return true
	}
	return false
}

func chars(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}

// enum trims and uppercases *s and checks it is one of allowed. It reports whether a valid value
// is there.
func (c *checker) enum(field string, s *string, n need, allowed []string) bool {
	if !c.text(field, s, n, 0, 0) {
		return false
	}
	// The value as written is usually one of allowed, whose values are upper case already
	// (TestEnumListsAreUpperCase): ToUpper would return it unchanged.
	if slices.Contains(allowed, *s) {
		return true
	}
	if u := strings.ToUpper(*s); slices.Contains(allowed, u) {
		*s = u
		return true
	}
	if len(allowed) == 1 {
		c.fail(field, CodeInvalidEnum, "%s %s is not allowed; it must be %s", label(field), quoted(*s), allowed[0])
	} else {
		c.fail(field, CodeInvalidEnum, "%s %s is not one of %s", label(field), quoted(*s), strings.Join(allowed, ", "))
	}
	return false
}

// metadata trims keys and values, drops empty values, and checks the key count and value lengths.
// An empty map becomes nil (omitted).
func (c *checker) metadata(field string, m *map[string]string, most int) {
	if len(*m) == 0 {
		*m = nil
		return
	}
	keys := make([]string, 0, len(*m))
	for k := range *m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // problems come out in the same order on every run
	clean := make(map[string]string, len(keys))
	for _, k := range keys {
		key, val := strings.TrimSpace(k), strings.TrimSpace((*m)[k])
		switch {
		case val == "":
			continue // an empty optional value is omitted
		case key == "":
			c.fail(field, CodeInvalidFormat, "a metadata value has no key")
			continue
		}
		if _, dup := clean[key]; dup {
			c.fail(field+"."+key, CodeInvalidFormat, "metadata key %s is given twice", quoted(key))
			continue
		}
		if !c.control(field+"."+key, val) {
			c.length(field+"."+key, val, 0, api.MaxMetadataValue)
		}
		clean[key] = val
	}
	if len(clean) > most {
		c.fail(field, CodeTooManyMetadata, "%d metadata keys given; at most %d allowed", len(clean), most)
	}
	if len(clean) == 0 {
		clean = nil
	}
	*m = clean
}

// labels name a field's last path segment in the words a payroll clerk uses.
var labels = map[string]string{
	"externalId":             "external ID",
	"programId":              "program ID",
	"eligibilityStatus":      "eligibility status",
	"firstName":              "first name",
	"middleName":             "middle name",
	"lastName":               "last name",
	"prefix":                 "name prefix",
	"suffix":                 "name suffix",
	"securityQuestion":       "security question",
	"securityAnswer":         "security answer",
	"number":                 "phone number",
	"extension":              "phone extension",
	"provider":               "phone provider",
	"value":                  "email",
	"dateOfBirth":            "date of birth",
	"city":                   "city",
	"cityName":               "city",
	"countryCode":            "country",
	"socialId":               "social ID",
	"socialIdCountryCode":    "social ID country",
	"citizenshipCountryCode": "citizenship country",
	"subtype":                "card subtype",
	"cardNumber":             "card number",
	"expiry":                 "card expiry",
	"addressLine1":           "address line 1",
	"addressLine2":           "address line 2",
	"addressLine3":           "address line 3",
	"streetLine1":            "street line 1",
	"streetLine2":            "street line 2",
	"streetLine3":            "street line 3",
	"streetLine4":            "street line 4",
	"streetLine5":            "street line 5",
	"apartmentNumber":        "apartment number",
	"stateCode":              "state",
	"zipCode":                "ZIP/postal code",
	"postalCode":             "ZIP/postal code",
	"primary":                "primary flag",
	"businessName":           "business name",
	"doingBusinessAsName":    "doing-business-as name",
	"registeredStateCode":    "registered state",
	"legalName":              "legal name",
	"primaryPhone":           "business phone",
	"primaryEmail":           "business email",
	"dateOfFormation":        "date of formation",
	"legalEntityType":        "legal entity type",
	"taxId":                  "tax ID",
	"taxIdCountryCode":       "tax ID country",
	"limitsCurrencyCode":     "limits currency",
}

// label names a field for a message: "customerData.primaryPhoneNumber.type" -> "phone type".
func label(field string) string {
	if i := strings.Index(field, "metadata."); i >= 0 {
		return "metadata value " + quoted(field[i+len("metadata."):])
	}
	segs := strings.Split(field, ".")
	last := segs[len(segs)-1]
	parent := ""
	if len(segs) > 1 {
		parent = segs[len(segs)-2]
		if i := strings.IndexByte(parent, '['); i >= 0 {
			parent = parent[:i]
		}
	}
	switch {
	case last == "type" && parent == "primaryPhoneNumber":
		return "phone type"
	case last == "type" && parent == "addresses":
		return "address type"
	case last == "type":
		return "customer type"
	case last == "name" && parent == "financialAccountData":
		return "account name"
	case last == "amount":
		return parent + " limit amount"
	case parent == "name" && (last == "firstName" || last == "lastName" || last == "middleName"):
		return "shipping contact " + labels[last]
	case parent == "card" && (last == "firstName" || last == "lastName" || last == "middleName"):
		return "cardholder " + labels[last]
	case parent == "contacts" && (last == "firstName" || last == "lastName" || last == "middleName"):
		return "contact " + labels[last]
	case parent == "billingAddress" && labels[last] != "":
		return "billing " + labels[last]
	}
	if l, ok := labels[last]; ok {
		return l
	}
	return last
}

const maxShown = 40 // characters of a value a message echoes

// monthYearShown stands in a message for a value shaped like a card expiry, which is not shown.
const monthYearShown = "(a month-year, not shown)"

// plain returns an ordinary value (a phone, a ZIP, a date, an email) for a message, bare when it
// is one word of printable characters and quoted otherwise. See show.
func plain(s string) string { return show(s, false) }

// quoted returns a value for a message in double quotes, escaped to one line. See show.
func quoted(s string) string { return show(s, true) }

// show is the one way a cell value enters a message (plain and quoted are its two forms). A
// value shaped like a card expiry (MM/YY, MM/YYYY, yyyy-MM: a month and a year, no day) is not
// shown at all: monthYearShown stands for it. Otherwise the value's card numbers and SSN-shaped
// values are masked (redact.Text) before it is cut to maxShown characters, since a cut could
// leave most of a card number that no longer passes the Luhn check; it is masked again after
// the cut (a cut group can make a new card-like run) and after quoting (an escape such as
// \u2007 adds digits), and month-years inside it are replaced by monthYearShown.
func show(s string, quote bool) string {
	if redact.IsMonthYear(strings.TrimSpace(s)) {
		return monthYearShown
	}
	v := redact.Text(s)
	if c := cut(v); c != v {
		v = redact.Text(c)
	}
	v = redact.MonthYears(v, monthYearShown)
	if !quote {
		for _, r := range v {
			if r == '"' || !unicode.IsGraphic(r) || unicode.IsSpace(r) {
				quote = true
				break
			}
		}
	}
	if quote {
		v = redact.Text(strconv.Quote(v))
	}
	return v
}

func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown]) + "…"
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// digitsWord counts digits in words: "1 digit", "8 digits".
func digitsWord(n int) string {
	if n == 1 {
		return "1 digit"
	}
	return fmt.Sprintf("%d digits", n)
}
