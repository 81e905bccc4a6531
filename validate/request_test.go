package validate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/rosterload/rosterload/api"
)

func TestEWARequired(t *testing.T) {
	t.Parallel()
	v := newV(t)
	billingLeaves := []string{
		"financialAccountData.card.billingAddress.addressLine1 required",
		"financialAccountData.card.billingAddress.city required",
		"financialAccountData.card.billingAddress.countryCode required",
		"financialAccountData.card.billingAddress.postalCode required",
	}
	cardLeaves := append([]string{
		"financialAccountData.card.firstName required",
		"financialAccountData.card.lastName required",
		"financialAccountData.card.cardNumber required",
		"financialAccountData.card.expiry required",
	}, billingLeaves...)
	for _, tc := range []struct {
		name   string
		change func(*api.CustomerProfileRequest)
		want   []string
	}{
		{name: "complete", change: func(*api.CustomerProfileRequest) {}},
		{name: "externalId", change: func(r *api.CustomerProfileRequest) { r.ExternalID = " " }, want: []string{"externalId required"}},
		{name: "programId", change: func(r *api.CustomerProfileRequest) { r.ProgramID = "" }, want: []string{"programId required"}},
		{name: "no customerData", change: func(r *api.CustomerProfileRequest) { r.CustomerData = nil }, want: []string{
			"customerData.type required",
			"customerData.firstName required",
			"customerData.lastName required",
			"customerData.primaryPhoneNumber.number required",
			"customerData.primaryPhoneNumber.type required",
			"customerData.primaryEmail.value required",
		}},
		{name: "no phone object", change: func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryPhoneNumber = nil }, want: []string{
			"customerData.primaryPhoneNumber.number required",
			"customerData.primaryPhoneNumber.type required",
		}},
		{name: "no email object", change: func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryEmail = nil }, want: []string{
			"customerData.primaryEmail.value required",
		}},
		{name: "no financialAccountData", change: func(r *api.CustomerProfileRequest) { r.FinancialAccountData = nil }, want: append([]string{
			"financialAccountData.name required",
			"financialAccountData.subtype required",
		}, cardLeaves...)},
		{name: "no card", change: func(r *api.CustomerProfileRequest) { r.FinancialAccountData.Card = nil }, want: cardLeaves},
		{name: "no billing address", change: func(r *api.CustomerProfileRequest) { r.FinancialAccountData.Card.BillingAddress = nil }, want: billingLeaves},
		{name: "customerData with another externalId", change: func(r *api.CustomerProfileRequest) { r.CustomerData.ExternalID = "E-1" },
			want: []string{"customerData.externalId invalid_format"}},
		{name: "customerData repeating the externalId: dropped", change: func(r *api.CustomerProfileRequest) {
			r.ExternalID, r.CustomerData.ExternalID = " E-1 ", "E-1"
		}},
		{name: "customerData with addresses", change: func(r *api.CustomerProfileRequest) {
			r.CustomerData.Addresses = validIndividual().Addresses
		}, want: []string{"customerData.addresses invalid_format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := validEWA()
			tc.change(r)
			before := fmt.Sprintf("%v %v", r.CustomerData == nil, r.FinancialAccountData == nil)
			res := v.EWA(r, Hint{})
			expectProblems(t, "errors", res.Errors, tc.want)
			if after := fmt.Sprintf("%v %v", r.CustomerData == nil, r.FinancialAccountData == nil); after != before {
				t.Errorf("a missing object was filled in: %s -> %s", before, after)
			}
		})
	}
}

func TestNilRequests(t *testing.T) {
	t.Parallel()
	v := newV(t)
	for name, res := range map[string]Result{
		"ewa":        v.EWA(nil, Hint{}),
		"individual": v.Individual(nil, Hint{}),
		"business":   v.Business(nil, Hint{}),
	} {
		if res.Valid() {
			t.Errorf("%s: a nil request is valid", name)
		}
		if _, ok := findProblem(res.Errors, "externalId", CodeRequired); !ok {
			t.Errorf("%s: no externalId required among\n%s", name, describe(res.Errors))
		}
	}
}

func TestIndividualRequired(t *testing.T) {
	t.Parallel()
	v := newV(t)
	res := v.Individual(&api.IndividualCustomer{}, Hint{})
	expectProblems(t, "errors", res.Errors, []string{
		"externalId required",
		"type required",
		"firstName required",
		"lastName required",
		"primaryPhoneNumber.number required",
		"primaryPhoneNumber.type required",
		"primaryEmail.value required",
	})
}

func TestBusinessContacts(t *testing.T) {
	t.Parallel()
	v := newV(t)
	second := func() api.Contact {
		return api.Contact{
			FirstName:          "Ann",
			LastName:           "Lee",
			PrimaryPhoneNumber: &api.Phone{Number: "(212) 555-1234 ext 7", Type: "work"},
			PrimaryEmail:       &api.Email{Value: " ann@acme.com "},
		}
	}
	for _, tc := range []struct {
		name      string
		change    func(*api.BusinessCustomer)
		wantErrs  []string
		wantWarns []string
		check     func(*testing.T, *api.BusinessCustomer)
	}{
		{name: "no contacts: the missing contact's required leaves", change: func(b *api.BusinessCustomer) { b.Contacts = nil }, wantErrs: []string{
			"contacts[0].firstName required",
			"contacts[0].lastName required",
			"contacts[0].primaryPhoneNumber.number required",
			"contacts[0].primaryPhoneNumber.type required",
			"contacts[0].primaryEmail.value required",
		}},
		{name: "no primary contact", change: func(b *api.BusinessCustomer) { b.Contacts[0].Primary = nil },
			wantErrs: []string{"contacts[0].primary conditional_required"}},
		{name: "primary false", change: func(b *api.BusinessCustomer) { b.Contacts[0].Primary = api.Bool(false) },
			wantErrs: []string{"contacts[0].primary conditional_required"}},
		{name: "second contact normalised, first primary", change: func(b *api.BusinessCustomer) { b.Contacts = append(b.Contacts, second()) },
			wantWarns: []string{"contacts[1].primaryPhoneNumber.number phone_normalised"},
			check: func(t *testing.T, b *api.BusinessCustomer) {
				ph := b.Contacts[1].PrimaryPhoneNumber
				if ph.Number != "+12125551234" || ph.Extension != "7" || ph.Type != "WORK" || b.Contacts[1].PrimaryEmail.Value != "ann@acme.com" {
					t.Errorf("second contact = %+v %+v", *ph, *b.Contacts[1].PrimaryEmail)
				}
			}},
		{name: "only the second contact is primary", change: func(b *api.BusinessCustomer) {
			b.Contacts[0].Primary = nil
			c := second()
			c.Primary = api.Bool(true)
			b.Contacts = append(b.Contacts, c)
		}, wantWarns: []string{"contacts[1].primaryPhoneNumber.number phone_normalised"}},
		{name: "two primaries are accepted", change: func(b *api.BusinessCustomer) {
			c := second()
			c.Primary = api.Bool(true)
			b.Contacts = append(b.Contacts, c)
		}, wantWarns: []string{"contacts[1].primaryPhoneNumber.number phone_normalised"}},
		{name: "problems indexed by contact", change: func(b *api.BusinessCustomer) {
			c := second()
			c.PrimaryEmail.Value = "ann at acme"
			c.PrimaryPhoneNumber = nil
			c.FirstName = ""
			b.Contacts = append(b.Contacts, c)
		}, wantErrs: []string{
			"contacts[1].firstName required",
			"contacts[1].primaryEmail.value invalid_email",
			"contacts[1].primaryPhoneNumber.number required",
			"contacts[1].primaryPhoneNumber.type required",
		}},
		{name: "contact phone invalid", change: func(b *api.BusinessCustomer) { b.Contacts[0].PrimaryPhoneNumber.Number = "4.16E+09" },
			wantErrs: []string{"contacts[0].primaryPhoneNumber.number invalid_phone"}},
		{name: "contact extension of 40 is fine", change: func(b *api.BusinessCustomer) {
			b.Contacts[0].PrimaryPhoneNumber.Number = "4155552671 x" + strings.Repeat("1", 40)
		}, wantWarns: []string{"contacts[0].primaryPhoneNumber.number phone_normalised"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := validBusiness()
			tc.change(b)
			res := v.Business(b, Hint{})
			expectProblems(t, "errors", res.Errors, tc.wantErrs)
			expectProblems(t, "warnings", res.Warnings, tc.wantWarns)
			if tc.check != nil {
				tc.check(t, b)
			}
		})
	}
}

func TestConditional(t *testing.T) {
	t.Parallel()
	v := newV(t)
	shipping := api.Address{Type: "SHIPPING", StreetLine1: "200 King St", CountryCode: "USA", StateCode: "MO", ZipCode: "63368", Primary: api.Bool(true)}
	for _, tc := range []struct {
		name   string
		change func(*api.IndividualCustomer)
		want   []string
	}{
		{name: "US address without state", change: func(c *api.IndividualCustomer) { c.Addresses[0].StateCode = "" },
			want: []string{"addresses[0].stateCode conditional_required"}},
		{name: "US address without ZIP", change: func(c *api.IndividualCustomer) { c.Addresses[0].ZipCode = " " },
			want: []string{"addresses[0].zipCode conditional_required"}},
		{name: "Canadian address without state or postal code", change: func(c *api.IndividualCustomer) {
			c.Addresses[0].CountryCode, c.Addresses[0].StateCode, c.Addresses[0].ZipCode = "CAN", "", ""
		}, want: []string{"addresses[0].stateCode conditional_required", "addresses[0].zipCode conditional_required"}},
		{name: "German address needs neither", change: func(c *api.IndividualCustomer) {
			c.Addresses[0].CountryCode, c.Addresses[0].StateCode, c.Addresses[0].ZipCode = "DEU", "", ""
		}},
		{name: "address without a country needs neither", change: func(c *api.IndividualCustomer) {
			c.Addresses[0].CountryCode, c.Addresses[0].StateCode, c.Addresses[0].ZipCode = "", "", ""
		}},
		{name: "SHIPPING without a name", change: func(c *api.IndividualCustomer) { c.Addresses = append(c.Addresses, shipping) },
			want: []string{"addresses[1].name.firstName conditional_required", "addresses[1].name.lastName conditional_required"}},
		{name: "SHIPPING with a blank name", change: func(c *api.IndividualCustomer) {
			s := shipping
			s.Name = &api.PersonName{FirstName: " ", LastName: ""}
			c.Addresses = append(c.Addresses, s)
		}, want: []string{"addresses[1].name.firstName conditional_required", "addresses[1].name.lastName conditional_required"}},
		{name: "SHIPPING with half a name", change: func(c *api.IndividualCustomer) {
			s := shipping
			s.Name = &api.PersonName{FirstName: "Sarah"}
			c.Addresses = append(c.Addresses, s)
		}, want: []string{"addresses[1].name.lastName required"}},
		{name: "SHIPPING with a name", change: func(c *api.IndividualCustomer) {
			s := shipping
			s.Name = &api.PersonName{FirstName: "Sarah", LastName: "Green"}
			c.Addresses = append(c.Addresses, s)
		}},
		{name: "a type without a primary address", change: func(c *api.IndividualCustomer) {
			m := c.Addresses[0]
			m.Type, m.Primary = "MAILING", nil
			c.Addresses = append(c.Addresses, m, m)
		}, want: []string{"addresses[1].primary conditional_required"}},
		{name: "the only address not primary", change: func(c *api.IndividualCustomer) { c.Addresses[0].Primary = api.Bool(false) },
			want: []string{"addresses[0].primary conditional_required"}},
		{name: "one primary among two of a type", change: func(c *api.IndividualCustomer) {
			m := c.Addresses[0]
			m.Primary = nil
			c.Addresses = append(c.Addresses, m)
		}},
		{name: "socialId without its country", change: func(c *api.IndividualCustomer) { c.SocialID = "123-45-6789" },
			want: []string{"socialIdCountryCode conditional_required"}},
		{name: "country without socialId is harmless", change: func(c *api.IndividualCustomer) { c.SocialIDCountryCode = "USA" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validIndividual()
			tc.change(c)
			expectProblems(t, "errors", v.Individual(c, Hint{}).Errors, tc.want)
		})
	}
	for _, tc := range []struct {
		name   string
		change func(*api.BusinessCustomer)
		want   []string
	}{
		{name: "taxId without its country", change: func(b *api.BusinessCustomer) { b.TaxIDCountryCode = "" },
			want: []string{"taxIdCountryCode conditional_required"}},
		{name: "limits without currency", change: func(b *api.BusinessCustomer) { b.LimitsCurrencyCode = "" },
			want: []string{"limitsCurrencyCode conditional_required"}},
		{name: "currency without limits is harmless", change: func(b *api.BusinessCustomer) { b.Limits = nil }},
		{name: "empty limits need no currency", change: func(b *api.BusinessCustomer) {
			b.LimitsCurrencyCode, b.Limits = "", &api.Limits{Daily: &api.Limit{Amount: " "}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := validBusiness()
			tc.change(b)
			expectProblems(t, "errors", v.Business(b, Hint{}).Errors, tc.want)
		})
	}
	t.Run("billing state for USA", func(t *testing.T) {
		t.Parallel()
		r := validEWA()
		r.FinancialAccountData.Card.BillingAddress.StateCode = ""
		expectProblems(t, "errors", v.EWA(r, Hint{}).Errors, []string{"financialAccountData.card.billingAddress.stateCode conditional_required"})
	})
}

func TestBusinessLimits(t *testing.T) {
	t.Parallel()
	v := newV(t)
	for _, tc := range []struct {
		name string
		in   string
		code string
		want string // the amount sent; "-" when the limit is dropped
	}{
		{name: "decimal", in: "5000.00", want: "5000.00"},
		{name: "integer", in: " 2000 ", want: "2000"},
		{name: "zero", in: "0", want: "0"},
		{name: "leading zeros dropped (JSON has none)", in: "007.50", want: "7.50"},
		{name: "leading dot", in: ".5", want: "0.5"},
		{name: "blank drops the limit", in: "  ", want: "-"},
		{name: "negative", in: "-5", code: CodeInvalidFormat},
		{name: "thousands separator", in: "1,000", code: CodeInvalidFormat},
		{name: "currency sign", in: "$500", code: CodeInvalidFormat},
		{name: "exponent", in: "1e3", code: CodeInvalidFormat},
		{name: "trailing dot", in: "5.", code: CodeInvalidFormat},
		{name: "word", in: "unlimited", code: CodeInvalidFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := validBusiness()
			b.Limits.Weekly = &api.Limit{Amount: json.Number(tc.in)}
			res := v.Business(b, Hint{})
			var want []string
			if tc.code != "" {
				want = []string{"limits.WEEKLY.amount " + tc.code}
			}
			expectProblems(t, "errors", res.Errors, want)
			if tc.code != "" {
				return
			}
			switch {
			case tc.want == "-" && b.Limits.Weekly != nil:
				t.Errorf("blank limit kept: %+v", b.Limits.Weekly)
			case tc.want != "-" && (b.Limits.Weekly == nil || string(b.Limits.Weekly.Amount) != tc.want):
				t.Errorf("amount = %+v, want %q", b.Limits.Weekly, tc.want)
			}
			if _, err := json.Marshal(b); err != nil {
				t.Errorf("normalised request does not encode: %v", err)
			}
		})
	}
}

func TestEmptyOptional(t *testing.T) {
	t.Parallel()
	v := newV(t)
	c := validIndividual()
	c.MiddleName, c.Prefix, c.Gender, c.Pronoun = "  ", "\t", " ", ""
	c.PlaceOfBirth = &api.PlaceOfBirth{City: " ", CountryCode: ""}
	c.Metadata = map[string]string{"note": "  "}
	c.Addresses = append(c.Addresses, api.Address{Type: "MAILING", CountryCode: "USA", Primary: api.Bool(true), StreetLine1: " "})
	res := v.Individual(c, Hint{})
	expectProblems(t, "errors", res.Errors, nil)
	if c.PlaceOfBirth != nil || c.Metadata != nil || len(c.Addresses) != 1 {
		t.Errorf("empty optional objects kept: placeOfBirth %+v, metadata %v, %d addresses", c.PlaceOfBirth, c.Metadata, len(c.Addresses))
	}
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"middleName"`, `"prefix"`, `"gender"`, `"pronoun"`, `"placeOfBirth"`, `"metadata"`, `"MAILING"`} {
		if strings.Contains(string(out), key) {
			t.Errorf("request still sends %s: %s", key, out)
		}
	}

	b := validBusiness()
	b.Limits = &api.Limits{Monthly: &api.Limit{Amount: ""}}
	b.Addresses = []api.Address{{Type: "PHYSICAL", Primary: api.Bool(true)}}
	expectProblems(t, "errors", v.Business(b, Hint{}).Errors, nil)
	if b.Limits != nil || b.Addresses != nil {
		t.Errorf("empty limits or addresses kept: %+v %+v", b.Limits, b.Addresses)
	}
}

// fakeLocator places every field in a column named after it, on row 7.
type fakeLocator map[string][2]string

func (f fakeLocator) Locate(field string) (string, string) {
	l, ok := f[field]
	if !ok {
		return "", ""
	}
	return l[0], l[1]
}

func TestLocator(t *testing.T) {
	t.Parallel()
	v := newV(t)
	loc := fakeLocator{
		"customerData.primaryEmail.value":                     {"Work Email", "E7"},
		"financialAccountData.card.billingAddress.postalCode": {"Zip", "K7"},
		"customerData.primaryPhoneNumber.number":              {"Mobile Phone", "F7"},
	}
	r := validEWA()
	r.CustomerData.PrimaryEmail.Value = "not-an-email"
	r.FinancialAccountData.Card.BillingAddress.PostalCode = "2134"
	r.CustomerData.PrimaryPhoneNumber = nil
	res := v.EWA(r, Hint{Loc: loc})
	for _, tc := range []struct {
		ps          []Problem
		field, code string
		col, cell   string
	}{
		{res.Errors, "customerData.primaryEmail.value", CodeInvalidEmail, "Work Email", "E7"},
		{res.Warnings, "financialAccountData.card.billingAddress.postalCode", WarnZipPadded, "Zip", "K7"},
		{res.Errors, "customerData.primaryPhoneNumber.number", CodeRequired, "Mobile Phone", "F7"},
		{res.Errors, "customerData.primaryPhoneNumber.type", CodeRequired, "", ""}, // no column feeds it
	} {
		p, ok := findProblem(tc.ps, tc.field, tc.code)
		if !ok || p.Column != tc.col || p.Cell != tc.cell {
			t.Errorf("%s %s: column %q cell %q, want %q %q (found %v)", tc.field, tc.code, p.Column, p.Cell, tc.col, tc.cell, ok)
		}
	}
	// Without a Locator (the API emulator) the problems are the same, unlocated.
	r2 := validEWA()
	r2.CustomerData.PrimaryEmail.Value = "not-an-email"
	for _, p := range v.EWA(r2, Hint{}).Errors {
		if p.Column != "" || p.Cell != "" {
			t.Errorf("located without a Locator: %+v", p)
		}
	}
}

// TestNoSecretsInMessages feeds card numbers, SSNs, expiries and tax ids that are wrong in every
// way and checks that no message repeats them.
func TestNoSecretsInMessages(t *testing.T) {
	t.Parallel()
	v := newV(t)
	const (
		expiryMark = "2019-07" // expired
		taxID      = "98-7654321"
	)
	cards := []string{"4242424242424241", "4242-4242-4242-4241", "42424242424242424242", "4242 4242 4242 424X", "4.24242E+15", "424242424"}
	ssns := []string{"666-12-3456", "987-65-4321", "123-00-4567", "123-45-0000", "12345678", "1234567890", "123-45-678O", "123-45-6789 "}
	expiries := []string{expiryMark, "13/2031", "2031-02-30", "07/19", "1 Jul 2031"}
	var all []Problem
	for i := range max(len(cards), len(ssns), len(expiries)) {
		r := validEWA()
		r.FinancialAccountData.Card.CardNumber = cards[i%len(cards)]
		r.CustomerData.SocialID = ssns[i%len(ssns)]
		r.FinancialAccountData.Card.Expiry = expiries[i%len(expiries)]
		res := v.EWA(r, Hint{})
		all = append(all, res.Errors...)
		all = append(all, res.Warnings...)
		// A non-US social id that is too long is not echoed either.
		r = validEWA()
		r.CustomerData.SocialIDCountryCode = "GBR"
		r.CustomerData.SocialID = strings.Repeat(ssns[i%len(ssns)], 6)
		all = append(all, v.EWA(r, Hint{}).Errors...)
	}
	b := validBusiness()
	b.TaxID = strings.Repeat(taxID, 6) // too long
	all = append(all, v.Business(b, Hint{}).Errors...)
	if len(all) < 20 {
		t.Fatalf("only %d problems: the inputs are not as bad as meant\n%s", len(all), describe(all))
	}
	var secrets []string
	for _, c := range cards {
		secrets = append(secrets, c, strings.NewReplacer(" ", "", "-", "").Replace(c))
	}
	for _, s := range ssns {
		secrets = append(secrets, strings.TrimSpace(s), strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	}
	secrets = append(secrets, expiries...)
	secrets = append(secrets, "07/2019", "2019", "2031", taxID, "987654321")
	for _, p := range all {
		for _, s := range secrets {
			if strings.Contains(p.Message, s) {
				t.Errorf("%s %s: message %q contains %q", p.Field, p.Code, p.Message, s)
			}
		}
	}
}

// TestConcurrent shares one Validator among goroutines; run with -race. Every goroutine must get
// what a lone call gets.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	v := newV(t)
	variants := []func(*api.CustomerProfileRequest){
		func(*api.CustomerProfileRequest) {},
		func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryPhoneNumber.Number = "(415) 555-2671 x5" },
		func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryPhoneNumber.Number = "555-1234" },
		func(r *api.CustomerProfileRequest) { r.FinancialAccountData.Card.BillingAddress.PostalCode = "2134" },
		func(r *api.CustomerProfileRequest) { r.FinancialAccountData.Card.BillingAddress.CountryCode = "Canada" },
		func(r *api.CustomerProfileRequest) { r.CustomerData.SocialID = "666-12-3456" },
		func(r *api.CustomerProfileRequest) { r.CustomerData.DateOfBirth = "6/21/1991" },
	}
	outcome := func(i int) string {
		r := validEWA()
		variants[i%len(variants)](r)
		r.CustomerData.PrimaryPhoneNumber.Number = strings.Replace(r.CustomerData.PrimaryPhoneNumber.Number, "2671", fmt.Sprintf("%04d", 2600+i%40), 1)
		res := v.EWA(r, Hint{Country: []string{"", "US", "United States"}[i%3]})
		out, _ := json.Marshal(r)
		return fmt.Sprintf("%s %v %v", out, res.Errors, res.Warnings)
	}
	want := make([]string, 280)
	for i := range want {
		want[i] = outcome(i)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range want {
				j := (i + g*37) % len(want)
				if got := outcome(j); got != want[j] {
					t.Errorf("goroutine %d, case %d:\n got %s\nwant %s", g, j, got, want[j])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestIdempotent validates normalised requests again: no errors and no further change.
func TestIdempotent(t *testing.T) {
	t.Parallel()
	v := newV(t)
	e := validEWA()
	e.CustomerData.PrimaryPhoneNumber.Number = " (415) 555-2671 ext. 12 "
	e.CustomerData.DateOfBirth = "6/21/1991"
	e.CustomerData.SocialID = "123 45 6789"
	e.CustomerData.SocialIDCountryCode = "United States"
	e.FinancialAccountData.Card.CardNumber = "4242 4242 4242 4242"
	e.FinancialAccountData.Card.Expiry = "12/27"
	e.FinancialAccountData.Card.BillingAddress.PostalCode = "2134"
	e.FinancialAccountData.Card.BillingAddress.StateCode = "Missouri"
	e.FinancialAccountData.Subtype = "debit"
	ic := validIndividual()
	ic.Addresses[0].ZipCode = "21345555"
	ic.Addresses[0].CountryCode = "us"
	b := validBusiness()
	b.Limits.Monthly.Amount = "0050"
	b.RegisteredStateCode = "missouri"
	b.Website = " https://acme.com "
	for _, tc := range []struct {
		name string
		req  any
		run  func() Result
	}{
		{"ewa", e, func() Result { return v.EWA(e, Hint{Country: "US"}) }},
		{"individual", ic, func() Result { return v.Individual(ic, Hint{}) }},
		{"business", b, func() Result { return v.Business(b, Hint{}) }},
	} {
		first := tc.run()
		if !first.Valid() {
			t.Fatalf("%s: first pass\n%s", tc.name, describe(first.Errors))
		}
		once, _ := json.Marshal(tc.req)
		second := tc.run()
		twice, _ := json.Marshal(tc.req)
		if !second.Valid() || len(second.Warnings) != 0 {
			t.Errorf("%s: second pass\n%s%s", tc.name, describe(second.Errors), describe(second.Warnings))
		}
		if string(once) != string(twice) {
			t.Errorf("%s: changed again:\n%s\n%s", tc.name, once, twice)
		}
	}
	want := validEWA()
	want.CustomerData.PrimaryPhoneNumber.Extension = "12"
	want.FinancialAccountData.Card.BillingAddress.PostalCode = "02134"
	if !reflect.DeepEqual(e, want) {
		g, _ := json.Marshal(e)
		w, _ := json.Marshal(want)
		t.Errorf("normalised EWA\n got %s\nwant %s", g, w)
	}
}
