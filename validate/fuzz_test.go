package validate

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// knownCodes are every code a Problem may carry: errors, then warnings.
var knownCodes = map[string]bool{
	CodeRequired: true, CodeTooShort: true, CodeTooLong: true, CodeInvalidEnum: true, CodeInvalidFormat: true,
	CodeInvalidPhone: true, CodeInvalidEmail: true, CodeInvalidDate: true, CodeInvalidCountry: true,
	CodeInvalidState: true, CodeInvalidZip: true, CodeInvalidSSN: true, CodeInvalidCardNumber: true,
	CodeCardExpired: true, CodeInvalidCurrency: true, CodeInvalidURL: true, CodeTooManyMetadata: true,
	CodeConditionalRequired: true,
}

var knownWarnings = map[string]bool{
	WarnZipPadded: true, WarnCountryNormalised: true, WarnPhoneNormalised: true, WarnStateNormalised: true,
}

// checkProblems asserts the shape every problem must have, and that none holds what
// redact.Text masks (a card number, an SSN-shaped value) in its message, field or column.
func checkProblems(t *testing.T, res Result) {
	t.Helper()
	for _, p := range append(res.Errors, res.Warnings...) {
		for _, s := range []string{p.Message, p.Field, p.Column} {
			if redact.Text(s) != s {
				t.Errorf("%s %s: %q holds a card number or an SSN", p.Field, p.Code, s)
			}
		}
	}
	for _, p := range res.Errors {
		if p.Field == "" || p.Message == "" || !knownCodes[p.Code] || strings.ContainsAny(p.Message, "\r\n") {
			t.Errorf("malformed error %+v", p)
		}
	}
	for _, p := range res.Warnings {
		if p.Field == "" || p.Message == "" || !knownWarnings[p.Code] || strings.ContainsAny(p.Message, "\r\n") {
			t.Errorf("malformed warning %+v", p)
		}
	}
}

// checkSecret asserts no message holds secret, unless the secret is too short to tell apart from
// ordinary words and counts, or another input (which may be echoed) holds it too.
func checkSecret(t *testing.T, res Result, what, secret string, others ...string) {
	t.Helper()
	d, _ := digitsOnly(strings.TrimSpace(secret), " -")
	for _, s := range []string{strings.TrimSpace(secret), d} {
		if len(s) < 6 {
			continue
		}
		echoed := false
		for _, o := range others {
			echoed = echoed || strings.Contains(o, s)
		}
		if echoed {
			continue
		}
		for _, p := range append(res.Errors, res.Warnings...) {
			if strings.Contains(p.Message, s) {
				t.Errorf("%s %q shown in %s %s: %q", what, s, p.Field, p.Code, p.Message)
			}
		}
	}
}

func FuzzEWA(f *testing.F) {
	f.Add("E-1", "Sarah", "+14155552671", "US", "sgreen@abc.com", "1991-06-21", "123-45-6789", "USA", "4242424242424242", "2027-12", "63368", "MO", "USA", "USD", "DEBIT", "Sales")
	f.Add(" E-2 ", " Zoë ", "(415) 555-2671 x12", "United States", " a@b.co ", "6/21/1991", "123456789", "us", "4242 4242 4242 4242", "12/27", "2134", "Missouri", "United States", "usd", "credit", "")
	f.Add("", "", "4.16E+09", "Narnia", "Sarah <s@x.com>", "33410", "666-12-3456", "", "4242424242424241", "2020-01", "1234X", "ZZ", "XX", "US$", "PREPAID", strings.Repeat("x", 1025))
	f.Add("E-3", "Jean", "020 7946 0018", "GB", "j@x.fr", "1800-01-01", "046 454 286", "CAN", "4.24242E+15", "13/2027", "v5k0a1", "Québec", "CAN", "CAD", "debit", "k")
	f.Add("E-4", "\x00", "555-1234", "CA", "a@@b", "2030-01-01", "123-45-678O", "USA", "12345678903", "2027-02-30", "21345555", "", "DEU", "EUR", "DEBIT", "\n")
	// Personal numbers where they do not belong: the id, the phone, the ZIP, a date, the email.
	f.Add("4111.1111.1111.1111", "Sam", "4111/1111/1111/1111", "US", "4111111111111111@x.com", "12/27", "123.45.6789", "USA", "4242424242424242", "12/2027", "123 45-6789", "MO", "USA", "USD", "DEBIT", "5555 - 5555 - 5555 - 4444")
	f.Add("123456789", "Sam", "(415) 555-2671 x4111111111111111", "US", "s@x.com", "2027-12", "123-45-6789", "USA", "4242 4242 4242 4242", "12/27", "12-3456789", "MO", "USA", "USD", "DEBIT", "ssn 123/45/6789")
	f.Add("E-123-45-6789", "4111_1111_1111_1111", "123456789", "US", "s@x.com", "1991-06-21", "987654321", "USA", "4242424242424242", "2027-12", "02134", "4111–1111–1111–1111", "4111 1111 1111 1111", "4111111111111111", "123-45-6789", "x")
	f.Fuzz(func(t *testing.T, extID, first, phone, country, email, dob, ssn, ssnCountry, card, expiry, zip, state, billCountry, currency, subtype, meta string) {
		v := fuzzValidator(t)
		r := validEWA()
		r.ExternalID = extID
		r.CustomerData.FirstName = first
		r.CustomerData.PrimaryPhoneNumber.Number = phone
		r.CustomerData.PrimaryEmail.Value = email
		r.CustomerData.DateOfBirth = dob
		r.CustomerData.SocialID = ssn
		r.CustomerData.SocialIDCountryCode = ssnCountry
		r.CustomerData.Metadata = map[string]string{"note": meta}
		r.FinancialAccountData.Currency = currency
		r.FinancialAccountData.Subtype = subtype
		r.FinancialAccountData.Card.CardNumber = card
		r.FinancialAccountData.Card.Expiry = expiry
		b := r.FinancialAccountData.Card.BillingAddress
		b.PostalCode, b.StateCode, b.CountryCode = zip, state, billCountry

		h := Hint{Country: country}
		res := v.EWA(r, h)
		checkProblems(t, res)
		echoable := []string{extID, first, phone, country, email, dob, zip, state, billCountry, currency, subtype, meta, ssnCountry}
		checkSecret(t, res, "card number", card, append(echoable, ssn)...)
		checkSecret(t, res, "SSN", ssn, append(echoable, card)...)
		if !res.Valid() {
			return
		}
		once, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("a valid request does not encode: %v", err)
		}
		again := v.EWA(r, h)
		if !again.Valid() {
			t.Fatalf("normalised request %s is no longer valid:\n%s", once, describe(again.Errors))
		}
		if twice, _ := json.Marshal(r); string(twice) != string(once) {
			t.Fatalf("normalising twice changed the request:\n%s\n%s", once, twice)
		}
	})
}

func FuzzBusiness(f *testing.F) {
	f.Add("B-1", "ACME", "+14155552671", "info@acme.com", "https://acme.com", "12-3456789", "USA", "5000.00", "USD", "MO", "1/31/2010", "63368", "USA", "llc", "Jack")
	f.Add(" B-2 ", "Ünïcode GmbH", "030 1234567 x5", "x", "www.acme.com", strings.Repeat("9", 51), "", "-5", "usd", "Bavaria", "2030-01-01", "10115", "Germany", "INC", "")
	f.Add("", "", "4.16E+09", "a@b", "ftp://x", "", "XX", "007", "", "missouri", "33410", "2134", "us", "", " ")
	f.Add("12-3456789", "ACME 4111.1111.1111.1111", "4111/1111/1111/1111", "123456789@acme.com", "https://acme.com/123-45-6789", "12-3456789", "USA", "4111111111111111", "12/27", "123.45.6789", "2027-12", "12/2027", "USA", "4111 1111 1111 1111", "123 45 6789")
	f.Fuzz(func(t *testing.T, extID, name, phone, email, website, taxID, taxCountry, limit, currency, state, formed, zip, country, entity, contact string) {
		v := fuzzValidator(t)
		b := validBusiness()
		b.ExternalID, b.BusinessName, b.PrimaryPhone, b.PrimaryEmail, b.Website = extID, name, phone, email, website
		b.TaxID, b.TaxIDCountryCode, b.LimitsCurrencyCode = taxID, taxCountry, currency
		b.Limits.Daily = &api.Limit{Amount: json.Number(limit)}
		b.RegisteredStateCode, b.DateOfFormation, b.LegalEntityType = state, formed, entity
		b.Addresses[0].ZipCode, b.Addresses[0].CountryCode, b.Addresses[0].StateCode = zip, country, state
		b.Contacts[0].FirstName = contact
		b.Contacts[0].PrimaryPhoneNumber.Number = phone

		res := v.Business(b, Hint{Country: country})
		checkProblems(t, res)
		checkSecret(t, res, "tax id", taxID, extID, name, phone, email, website, taxCountry, limit, currency, state, formed, zip, country, entity, contact)
		if !res.Valid() {
			return
		}
		once, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("a valid request does not encode: %v", err)
		}
		again := v.Business(b, Hint{Country: country})
		if !again.Valid() {
			t.Fatalf("normalised request %s is no longer valid:\n%s", once, describe(again.Errors))
		}
		if twice, _ := json.Marshal(b); string(twice) != string(once) {
			t.Fatalf("normalising twice changed the request:\n%s\n%s", once, twice)
		}
	})
}

// fuzzV is shared by fuzz iterations, as the pipeline shares one Validator, so the phone cache
// is exercised across inputs.
var fuzzV = sync.OnceValues(func() (*Validator, error) {
	return New(Options{Now: func() time.Time { return pinnedNow }})
})

func fuzzValidator(t *testing.T) *Validator {
	v, err := fuzzV()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzPhoneFast holds the phone fast path to phonenumbers: whatever digits and pluses are read in
// whichever supported region, a number fastPhone proves valid is valid for parsePhone with the
// same E.164 form.
func FuzzPhoneFast(f *testing.F) {
	regions := phoneDiffRegions()
	at := func(r string) uint { return uint(slices.Index(regions, r)) }
	for _, s := range []struct {
		region, digits string
	}{
		{"US", "4155552671"}, {"US", "14155552671"}, {"US", "+14155552671"}, {"US", "0114420794600181"},
		{"GB", "02079460018"}, {"GB", "+442079460018"}, {"GB", "00442079460018"}, {"DE", "0301234567"},
		{"AR", "01115123456"}, {"AR", "+5491123456789"}, {"BR", "011961234567"}, {"MX", "0445512345678"},
		{"TT", "8682211234"}, {"AG", "4601234"}, {"IT", "0212345678"}, {"JP", "0312345678"},
		{"CX", "0891640289"}, {"ZZ", "+80012345678"}, {"FR", "++33123456789"}, {"IN", "+1+415"},
	} {
		f.Add(at(s.region), s.digits)
	}
	f.Fuzz(func(t *testing.T, idx uint, s string) {
		region := regions[idx%uint(len(regions))]
		var b strings.Builder
		for _, r := range s { // the canon form lookupPhone is given: digits and pluses
			if r >= '0' && r <= '9' || r == '+' {
				b.WriteRune(r)
			}
		}
		canon := b.String()
		if len(canon) > maxPhoneInput {
			canon = canon[:maxPhoneInput]
		}
		got, ok := fastPhone(region, canon)
		if !ok {
			return
		}
		if want := parsePhone(region, canon); want.status != phoneValid || want.e164 != got {
			t.Fatalf("%s %q: fast path says valid %s, phonenumbers says status %d %s", region, canon, got, want.status, want.e164)
		}
	})
}
