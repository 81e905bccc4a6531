package validate

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/text/currency"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// email checks one bare address: no display name, no angle brackets, no list, a dotted domain.
func (c *checker) email(field string, s *string, n need) {
	if !c.text(field, s, n, 0, 0) {
		return
	}
	// A value of at most MaxEmail bytes has at most as many characters: no count needed.
	if len(*s) > api.MaxEmail && !c.length(field, *s, 0, api.MaxEmail) {
		return
	}
	if bareAddress(*s) {
		return // net/mail would read it as itself, and its domain has a dot
	}
	a, err := mail.ParseAddress(*s)
	if err != nil || a.Name != "" || a.Address != *s {
		c.fail(field, CodeInvalidEmail, "%s %s is not a valid address (one bare address like name@example.com)", label(field), plain(*s))
		return
	}
	if domain := (*s)[strings.LastIndexByte(*s, '@')+1:]; !strings.Contains(domain, ".") {
		c.fail(field, CodeInvalidEmail, "%s %s is not a valid address: its domain %s has no dot", label(field), plain(*s), plain(domain))
	}
}

// bareAddress reports whether s is plainly one bare address with a dotted domain: printable
// ASCII atext (RFC 5322) dot-atoms, no dot leading, trailing or doubled, on both sides of its one
// @. net/mail.ParseAddress reads such a value as itself with no name, so email needs no parse
// (and its allocations) for it; anything else goes through net/mail. It reads s once:
// TestBareAddressAsDotAtoms holds it to the dot-atom reading it stands for.
func bareAddress(s string) bool {
	at, dots := -1, 0 // where the @ is; the domain's dots
	prev := byte('.') // a dot or an @ before: no dot may follow (nor start the address)
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == '.':
			if prev == '.' || prev == '@' {
				return false
			}
			if at >= 0 {
				dots++
			}
		case b == '@':
			if at >= 0 || prev == '.' { // a second @, or an empty or dot-ended local part
				return false
			}
			at = i
		case !atext[b]:
			return false
		}
		prev = s[i]
	}
	return at >= 0 && dots > 0 && prev != '.' && prev != '@'
}

// atext marks the ASCII bytes of an RFC 5322 dot-atom: printable, not a special, or a dot.
var atext = func() (t [256]bool) {
	for b := '!'; b <= '~'; b++ {
		t[b] = !strings.ContainsRune(`()<>[]:;@\,"`, b)
	}
	return t
}()

// website checks an absolute http(s) URL with a host.
func (c *checker) website(field string, s *string) {
	if !c.text(field, s, optional, 0, 0) {
		return
	}
	u, err := url.Parse(*s)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Hostname() == "" || strings.ContainsAny(*s, " \t\r\n") {
		c.fail(field, CodeInvalidURL, "%s %s is not a full web address: write it with http:// or https://, e.g. https://abc.com", label(field), plain(*s))
	}
}

// currency checks an ISO 4217 code and uppercases it.
func (c *checker) currency(field string, s *string, n need) bool {
	if !c.text(field, s, n, 0, 0) {
		return false
	}
	u := strings.ToUpper(*s)
	if !isoCurrency(u) {
		c.fail(field, CodeInvalidCurrency, "%s %s is not an ISO 4217 currency code such as USD or CAD", label(field), quoted(*s))
		return false
	}
	*s = u
	return true
}

// isoCurrency reports whether u is a three-letter code currency.ParseISO knows. The codes of
// A-Z are looked up in a table of its answers made once (17,576 of them), not parsed each time.
func isoCurrency(u string) bool {
	if len(u) != 3 {
		return false
	}
	if i, ok := currencyIndex(u); ok {
		return isoCurrencies()[i]
	}
	_, err := currency.ParseISO(u)
	return err == nil
}

// currencyIndex numbers a code of three letters A-Z.
func currencyIndex(u string) (int, bool) {
	i := 0
	for j := 0; j < 3; j++ {
		if u[j] < 'A' || u[j] > 'Z' {
			return 0, false
		}
		i = i*26 + int(u[j]-'A')
	}
	return i, true
}

var isoCurrencies = sync.OnceValue(func() *[26 * 26 * 26]bool {
	var known [26 * 26 * 26]bool
	code := []byte("AAA")
	for i := range known {
		code[0], code[1], code[2] = byte('A'+i/676), byte('A'+i/26%26), byte('A'+i%26)
		_, err := currency.ParseISO(string(code))
		known[i] = err == nil
	}
	return &known
})

// socialID checks socialId with its country (p are the customer's paths). It never echoes the id.
func (c *checker) socialID(p *personPaths, ic *api.IndividualCustomer) {
	country := c.country(p.socialIDCountry, &ic.SocialIDCountryCode, optional)
	if !c.text(p.socialID, &ic.SocialID, optional, 0, 0) {
		return
	}
	switch {
	case ic.SocialIDCountryCode == "":
		c.fail(p.socialIDCountry, CodeConditionalRequired, "social ID country is required when a social ID is given")
		c.length(p.socialID, ic.SocialID, 0, 50)
	case country == "USA":
		c.ssn(p.socialID, &ic.SocialID)
	default:
		c.length(p.socialID, ic.SocialID, 0, 50)
	}
}

// ssn checks a US Social Security Number and sends it as NNN-NN-NNNN. Messages say what is
// wrong without a single digit of it.
func (c *checker) ssn(field string, s *string) {
	// The digits are gathered on the stack, and an SSN already written NNN-NN-NNNN is kept as it
	// is: no string is made for the usual row.
	var d [9]byte
	n, ok := 0, true
	for _, r := range *s {
		switch {
		case r >= '0' && r <= '9':
			if n < len(d) {
				d[n] = byte(r)
			}
			n++
		case r == ' ' || r == '-':
		default:
			ok = false
		}
		if !ok {
			break
		}
	}
	switch {
	case !ok:
		c.fail(field, CodeInvalidSSN, "SSN may hold only digits, dashes and spaces")
	case n == 8:
		c.fail(field, CodeInvalidSSN, "SSN has 8 digits; it needs 9: a leading zero was probably lost (the column was a number); format the column as text and export again")
	case n != 9:
		c.fail(field, CodeInvalidSSN, "SSN has %s; it needs 9", digitsWord(n))
	case string(d[:3]) == "000" || string(d[:3]) == "666" || d[0] == '9':
		c.fail(field, CodeInvalidSSN, "SSN is not a valid number: its first three digits (area) cannot be 000, 666 or 900-999")
	case string(d[3:5]) == "00":
		c.fail(field, CodeInvalidSSN, "SSN is not a valid number: its middle two digits (group) cannot be 00")
	case string(d[5:]) == "0000":
		c.fail(field, CodeInvalidSSN, "SSN is not a valid number: its last four digits (serial) cannot be 0000")
	case len(*s) == 11 && (*s)[3] == '-' && (*s)[6] == '-':
		// 9 digits and two dashes in 11 bytes, the dashes in place: NNN-NN-NNNN already.
	default:
		*s = string(d[:3]) + "-" + string(d[3:5]) + "-" + string(d[5:])
	}
}

// taxID checks taxId with its country. It never echoes the id.
func (c *checker) taxID(b *api.BusinessCustomer) {
	c.country("taxIdCountryCode", &b.TaxIDCountryCode, optional)
	if c.text("taxId", &b.TaxID, optional, 0, 50) && b.TaxIDCountryCode == "" {
		c.fail("taxIdCountryCode", CodeConditionalRequired, "tax ID country is required when a tax ID is given")
	}
}

// cardNumber removes spaces and dashes and checks 11..19 digits and the Luhn check digit. A
// message names at most the last 4 digits.
func (c *checker) cardNumber(field string, s *string) {
	if !c.text(field, s, required, 0, 0) {
		return
	}
	d, ok := digitsOnly(*s, " -")
	switch {
	case !ok && sciNotation.MatchString(*s):
		c.fail(field, CodeInvalidCardNumber, "card number is in scientific notation: the spreadsheet lost its digits; format the column as text and export again")
	case !ok:
		c.fail(field, CodeInvalidCardNumber, "card number may hold only digits, spaces and dashes")
	case len(d) < 11 || len(d) > 19:
		c.fail(field, CodeInvalidCardNumber, "card number has %s; a card number has 11 to 19", digitsWord(len(d)))
	case !redact.Luhn(d):
		c.fail(field, CodeInvalidCardNumber, "card number %s fails the check-digit test: a digit is wrong, missing or swapped", redact.PAN(d))
	default:
		*s = d
	}
}

// digitsOnly drops the separators in sep and reports whether only ASCII digits remain. A value
// of digits alone is returned as it is, without a copy.
func digitsOnly(s, sep string) (string, bool) {
	if allDigits(s) {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(sep, r):
		default:
			return "", false
		}
	}
	return b.String(), true
}

// allDigits reports whether s is ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return true
}

// contacts checks a business's contacts: at least one, each complete, at least one primary.
func (c *checker) contacts(b *api.BusinessCustomer) {
	if len(b.Contacts) == 0 {
		c.contact("contacts[0].", &api.Contact{}) // report the missing contact's required leaves
		return
	}
	primary := false
	for i := range b.Contacts {
		ct := &b.Contacts[i]
		c.contact(fmt.Sprintf("contacts[%d].", i), ct)
		primary = primary || (ct.Primary != nil && *ct.Primary)
	}
	if !primary {
		c.fail("contacts[0].primary", CodeConditionalRequired, "no contact is marked primary: mark one contact as primary")
	}
}

func (c *checker) contact(p string, ct *api.Contact) {
	c.text(p+"firstName", &ct.FirstName, required, 1, 40)
	c.text(p+"middleName", &ct.MiddleName, optional, 1, 40)
	c.text(p+"lastName", &ct.LastName, required, 1, 40)
	c.phone(newPhonePaths(p+"primaryPhoneNumber"), &ct.PrimaryPhoneNumber, 40)
	c.emailObject(p+"primaryEmail.value", ct.PrimaryEmail)
}

// amount is a non-negative decimal as a spreadsheet writes it; JSON takes no leading zeros.
var amount = regexp.MustCompile(`^(\d*)(?:\.(\d+))?$`)

// limits checks a business's debit limits and their currency. A limit with no amount is dropped,
// and limits with none left become nil.
func (c *checker) limits(b *api.BusinessCustomer) {
	given := false
	if l := b.Limits; l != nil {
		for _, e := range []struct {
			name string
			lim  **api.Limit
		}{{"MONTHLY", &l.Monthly}, {"WEEKLY", &l.Weekly}, {"DAILY", &l.Daily}, {"SINGLE", &l.Single}} {
			if *e.lim == nil {
				continue
			}
			if !c.amount("limits."+e.name+".amount", &(*e.lim).Amount) {
				*e.lim = nil
				continue
			}
			given = true
		}
		if l.Monthly == nil && l.Weekly == nil && l.Daily == nil && l.Single == nil {
			b.Limits = nil
		}
	}
	if !c.currency("limitsCurrencyCode", &b.LimitsCurrencyCode, optional) && b.LimitsCurrencyCode == "" && given {
		c.fail("limitsCurrencyCode", CodeConditionalRequired, "limits currency is required when a limit is given")
	}
}

// amount trims and checks one limit amount; it reports whether one is there (valid or not).
func (c *checker) amount(field string, n *json.Number) bool {
	s := strings.TrimSpace(string(*n))
	*n = json.Number(s)
	if s == "" {
		return false
	}
	m := amount.FindStringSubmatch(s)
	if m == nil || m[1]+m[2] == "" {
		why := "is not a number"
		if strings.HasPrefix(s, "-") {
			why = "is negative"
		}
		c.fail(field, CodeInvalidFormat, "%s %s %s: write a non-negative amount like 5000.00, without currency signs or thousands separators", label(field), plain(s), why)
		return true
	}
	whole := strings.TrimLeft(m[1], "0")
	if whole == "" {
		whole = "0"
	}
	if m[2] != "" {
		whole += "." + m[2]
	}
	*n = json.Number(whole)
	return true
}
