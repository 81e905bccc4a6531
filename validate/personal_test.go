package validate

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

func TestShow(t *testing.T) {
	t.Parallel()
	x20, x25 := strings.Repeat("x", 20), strings.Repeat("x", 25)
	tests := []struct {
		name, in, plain, quoted string
	}{
		{"ordinary", "63368", "63368", `"63368"`},
		{"spaces", "(415) 555-2671", `"(415) 555-2671"`, `"(415) 555-2671"`},
		{"card", "4111111111111111", "****1111", `"****1111"`},
		{"card spaced", "4111 1111 1111 1111", "****1111", `"****1111"`},
		{"card dotted", "4111.1111.1111.1111", "****1111", `"****1111"`},
		{"card slashed", "4111/1111/1111/1111", "****1111", `"****1111"`},
		{"ssn", "123-45-6789", "***-**-6789", `"***-**-6789"`},
		{"ssn bare", "123456789", "***-**-6789", `"***-**-6789"`},
		{"ssn dotted", "123.45.6789", "***-**-6789", `"***-**-6789"`},
		{"expiry MM/YY", "12/27", monthYearShown, monthYearShown},
		{"expiry yyyy-MM", "2027-12", monthYearShown, monthYearShown},
		{"expiry MM/YYYY, spaced", " 12 / 2027 ", monthYearShown, monthYearShown},
		{"expiry M/YY", "1/27", monthYearShown, monthYearShown},
		{"expiry inside", "call 12/27", `"call ` + monthYearShown + `"`, `"call ` + monthYearShown + `"`},
		{"card and expiry", "4111111111111111 12/27", `"****1111 ` + monthYearShown + `"`, `"****1111 ` + monthYearShown + `"`},
		{"a date is shown", "12/27/2024", "12/27/2024", `"12/27/2024"`},
		{"an ISO date is shown", "2024-01-15", "2024-01-15", `"2024-01-15"`},
		{"not a month", "13/27", "13/27", `"13/27"`},
		{"amount", "5000.00", "5000.00", `"5000.00"`},
		// Cutting first would leave "4111 1111 1111": twelve digits of the card, no longer a
		// card number to the scanner.
		{"masked before the cut", x25 + " 4111 1111 1111 1111", `"` + x25 + ` ****1111"`, `"` + x25 + ` ****1111"`},
		// "4111 1111 1111 11110" is no card number, but the cut leaves one.
		{"masked after the cut", x20 + " 4111 1111 1111 11110", `"` + x20 + ` ****1111…"`, `"` + x20 + ` ****1111…"`},
		// Quoting escapes the figure space as \u2007, whose digits would run into the next ones.
		{"masked after quoting", "\u20074111111119", `"\u****1119"`, `"\u****1119"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := plain(tt.in); got != tt.plain {
				t.Errorf("plain(%q) = %q, want %q", tt.in, got, tt.plain)
			}
			if got := quoted(tt.in); got != tt.quoted {
				t.Errorf("quoted(%q) = %q, want %q", tt.in, got, tt.quoted)
			}
		})
	}
}

// leaf is one string of a request (a field, a json.Number, a metadata key or value) and how to
// set it.
type leaf struct {
	path string
	set  func(string)
}

// leaves finds every string a request holds, so that a field added to the API is covered too.
func leaves(v reflect.Value, path string) []leaf {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	var out []leaf
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			out = leaves(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			out = append(out, leaves(v.Field(i), join(name))...)
		}
	case reflect.Slice:
		for i := range v.Len() {
			out = append(out, leaves(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			out = append(out,
				leaf{join(k.String()), func(s string) { v.SetMapIndex(k, reflect.ValueOf(s)) }},
				leaf{join(k.String()) + " (key)", func(s string) {
					val := v.MapIndex(k)
					v.SetMapIndex(k, reflect.Value{})
					v.SetMapIndex(reflect.ValueOf(s), val)
				}})
		}
	case reflect.String:
		if v.CanSet() {
			out = append(out, leaf{path, func(s string) { v.SetString(s) }})
		}
	}
	return out
}

// fullEWA, fullIndividual and fullBusiness are valid requests with every optional object and
// field given, so that every text field can be tried.
func fullEWA() *api.CustomerProfileRequest {
	r := validEWA()
	fillPerson(r.CustomerData)
	card := r.FinancialAccountData.Card
	card.MiddleName = "Ann"
	card.BillingAddress.AddressLine2, card.BillingAddress.AddressLine3 = "Apt 1", "Floor 2"
	return r
}

func fullIndividual() *api.IndividualCustomer {
	c := validIndividual()
	fillPerson(c)
	c.Addresses = append(c.Addresses, api.Address{
		Type: "SHIPPING", Name: &api.PersonName{FirstName: "Sarah", MiddleName: "Ann", LastName: "Green"},
		StreetLine1: "1 Elm St", StreetLine2: "Unit 2", StreetLine3: "Block 3", StreetLine4: "Wing 4", StreetLine5: "Door 5",
		ApartmentNumber: "5B", CityName: "Boston", StateCode: "MA", CountryCode: "USA", ZipCode: "02134", Primary: api.Bool(true),
	})
	return c
}

func fillPerson(c *api.IndividualCustomer) {
	c.MiddleName, c.Prefix, c.Suffix, c.Sex, c.Gender, c.Pronoun = "Ann", "Dr", "Jr", "FEMALE", "female", "she"
	c.SecurityQuestion, c.SecurityAnswer = "First pet?", "Rex"
	c.PrimaryPhoneNumber.Provider, c.PrimaryPhoneNumber.Extension = "Acme Mobile", "12"
	c.DateOfBirth = "1991-06-21"
	c.PlaceOfBirth = &api.PlaceOfBirth{City: "Boston", CountryCode: "USA"}
	c.SocialID, c.SocialIDCountryCode, c.CitizenshipCountryCode = "123-45-6789", "USA", "USA"
	c.Metadata = map[string]string{"department": "Sales"}
}

func fullBusiness() *api.BusinessCustomer {
	b := validBusiness()
	b.DoingBusinessAsName, b.LegalName, b.RegisteredStateCode = "Acme Shop", "Acme LLC", "MO"
	b.PrimaryPhone, b.PrimaryEmail, b.Website = "+14155552671", "info@acme.com", "https://acme.com"
	b.DateOfFormation, b.LegalEntityType = "2010-01-31", "LLC"
	b.Limits = &api.Limits{Monthly: &api.Limit{Amount: "5000"}, Weekly: &api.Limit{Amount: "1000"},
		Daily: &api.Limit{Amount: "200"}, Single: &api.Limit{Amount: "50.5"}}
	ct := &b.Contacts[0]
	ct.MiddleName = "Q"
	ct.PrimaryPhoneNumber.Provider, ct.PrimaryPhoneNumber.Extension = "Acme Mobile", "12"
	a := &b.Addresses[0]
	a.StreetLine2, a.StreetLine3, a.StreetLine4, a.StreetLine5, a.ApartmentNumber = "Unit 2", "Block 3", "Wing 4", "Door 5", "5B"
	b.Metadata = map[string]string{"region": "West"}
	return b
}

// requestKind is a kind of request, its full form and its validation.
type requestKind struct {
	name  string
	build func() any
	run   func(v *Validator, req any, h Hint) Result
}

var requestKinds = []requestKind{
	{"ewa", func() any { return fullEWA() }, func(v *Validator, r any, h Hint) Result { return v.EWA(r.(*api.CustomerProfileRequest), h) }},
	{"individual", func() any { return fullIndividual() }, func(v *Validator, r any, h Hint) Result { return v.Individual(r.(*api.IndividualCustomer), h) }},
	{"business", func() any { return fullBusiness() }, func(v *Validator, r any, h Hint) Result { return v.Business(r.(*api.BusinessCustomer), h) }},
}

// pathLocator places every field in a column named after its path, as metadata columns are
// ("metadata.costCenter").
type pathLocator struct{}

func (pathLocator) Locate(field string) (string, string) { return field, "A1" }

// TestNoPersonalDataInProblems puts a card number, an SSN and a card expiry, each written in
// several ways, into every text field of each kind of request in turn, and checks that no
// problem shows them in its message, field or column.
func TestNoPersonalDataInProblems(t *testing.T) {
	t.Parallel()
	v := newV(t)
	const cardDigits, ssnDigits = "4111111111111111", "123456789"
	values := []struct {
		written string
		hidden  []string // what no problem may hold
	}{
		{"4111111111111111", []string{cardDigits}},
		{"4111 1111 1111 1111", []string{"4111 1111 1111 1111", cardDigits}},
		{"4111-1111-1111-1111", []string{"4111-1111-1111-1111", cardDigits}},
		{"4111.1111.1111.1111", []string{"4111.1111.1111.1111", cardDigits}},
		{"4111/1111/1111/1111", []string{"4111/1111/1111/1111", cardDigits}},
		{"123-45-6789", []string{"123-45-6789", ssnDigits}},
		{"123456789", []string{ssnDigits}},
		{"123.45.6789", []string{"123.45.6789", ssnDigits}},
		{"12/27", []string{"12/27"}},
		{"2027-12", []string{"2027-12"}},
		{"12/2027", []string{"12/2027"}},
	}
	for _, kind := range requestKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			if res := kind.run(v, kind.build(), Hint{}); !res.Valid() || len(res.Warnings) > 0 {
				t.Fatalf("the full request is not valid:\n%s", describe(append(res.Errors, res.Warnings...)))
			}
			paths := leaves(reflect.ValueOf(kind.build()), "")
			if len(paths) < 30 {
				t.Fatalf("only %d text fields found", len(paths))
			}
			problems := 0
			for i, l := range paths {
				t.Run(l.path, func(t *testing.T) {
					for _, val := range values {
						req := kind.build()
						leaves(reflect.ValueOf(req), "")[i].set(val.written)
						res := kind.run(v, req, Hint{Loc: pathLocator{}})
						for _, p := range append(res.Errors, res.Warnings...) {
							problems++
							for _, h := range val.hidden {
								if strings.Contains(p.Message, h) || strings.Contains(p.Field, h) || strings.Contains(p.Column, h) {
									t.Errorf("%q in %s shows %q: %+v", val.written, l.path, h, p)
								}
							}
							for _, s := range []string{p.Message, p.Field, p.Column} {
								if redact.Text(s) != s {
									t.Errorf("%q in %s: %q holds what redact.Text masks", val.written, l.path, s)
								}
							}
						}
					}
				})
			}
			if problems < len(paths) {
				t.Errorf("only %d problems from %d fields: the values are not reaching the checks", problems, len(paths))
			}
		})
	}
}

func TestPersonalExternalID(t *testing.T) {
	t.Parallel()
	v := newV(t)
	type tc struct {
		name string
		id   string
		own  string // the row's SSN (business: tax id); "" keeps the valid request's
		want string // the message; "" when the id is allowed
	}
	employee := []tc{
		{name: "card", id: "4111111111111111", want: msgEmployeeIDCard},
		{name: "card spaced", id: "4111 1111 1111 1111", want: msgEmployeeIDCard},
		{name: "card dashed", id: "4111-1111-1111-1111", want: msgEmployeeIDCard},
		{name: "card dotted", id: "4111.1111.1111.1111", want: msgEmployeeIDCard},
		{name: "card slashed", id: "4111/1111/1111/1111", want: msgEmployeeIDCard},
		{name: "card inside", id: "EMP-5555555555554444", want: msgEmployeeIDCard},
		{name: "ssn", id: "987-65-4321", want: msgEmployeeIDSSN},
		{name: "ssn spaced", id: "987 65 4321", want: msgEmployeeIDSSN},
		{name: "ssn dotted", id: "987.65.4321", want: msgEmployeeIDSSN},
		{name: "ssn mixed inside", id: "E/987 65-4321", want: msgEmployeeIDSSN},
		{name: "own ssn bare", id: "123456789", want: msgEmployeeIDOwnSSN},
		{name: "own ssn after letters", id: "EMP123456789", want: msgEmployeeIDOwnSSN},
		{name: "own ssn in a longer number", id: "0123456789", want: msgEmployeeIDOwnSSN},
		{name: "ssn shape says so before own ssn", id: "E 246-80-1357 x", own: "246801357", want: msgEmployeeIDSSN},
		{name: "nine digits not the row's", id: "987654321"},
		{name: "nine digits, row has no ssn", id: "123456789", own: "none"},
		{name: "employee number", id: "E-1001"},
		{name: "long employee number", id: "2000000001"},
		{name: "ein shape not the row's", id: "98-7654321"},
		{name: "date", id: "2024-01-15"},
	}
	ewaOnly := []tc{
		{name: "part of own card", id: "424242424242", want: msgEmployeeIDOwnCard},
		{name: "own card in groups says card", id: "E-42424242-42424242-X", want: msgEmployeeIDCard},
	}
	business := []tc{
		{name: "card", id: "4111 1111 1111 1111", want: msgBusinessIDCard},
		{name: "ssn", id: "987-65-4321", want: msgBusinessIDSSN},
		{name: "own tax id", id: "12-3456789", want: msgBusinessIDOwnTaxID},
		{name: "own tax id bare", id: "B123456789", want: msgBusinessIDOwnTaxID},
		{name: "nine digits not the tax id", id: "987654321"},
		{name: "business number", id: "B-77"},
	}
	check := func(t *testing.T, c tc, res Result) {
		t.Helper()
		var got []Problem
		for _, p := range res.Errors {
			if p.Field == "externalId" {
				got = append(got, p)
			}
		}
		if c.want == "" {
			if len(got) > 0 || slices.ContainsFunc(res.Errors, IDIsPersonalData) {
				t.Fatalf("id %q refused:\n%s", c.id, describe(res.Errors))
			}
			return
		}
		if len(got) != 1 || got[0].Code != CodeInvalidFormat || got[0].Message != c.want || !IDIsPersonalData(got[0]) {
			t.Fatalf("id %q: externalId problems\n%swant one %s: %s", c.id, describe(got), CodeInvalidFormat, c.want)
		}
		d := string(appendDigits(nil, c.id))
		for _, p := range res.Errors {
			if strings.Contains(p.Message, c.id) || len(d) >= 4 && strings.Contains(p.Message, d) {
				t.Errorf("message quotes the id: %+v", p)
			}
		}
	}
	for _, c := range append(employee, ewaOnly...) {
		t.Run("ewa/"+c.name, func(t *testing.T) {
			t.Parallel()
			r := validEWA()
			r.ExternalID = c.id
			switch c.own {
			case "":
			case "none":
				r.CustomerData.SocialID, r.CustomerData.SocialIDCountryCode = "", ""
			default:
				r.CustomerData.SocialID = c.own
			}
			check(t, c, v.EWA(r, Hint{}))
		})
	}
	for _, c := range employee {
		t.Run("individual/"+c.name, func(t *testing.T) {
			t.Parallel()
			r := validIndividual()
			r.ExternalID = c.id
			if c.own != "none" {
				r.SocialID, r.SocialIDCountryCode = "123-45-6789", "USA"
				if c.own != "" {
					r.SocialID = c.own
				}
			}
			check(t, c, v.Individual(r, Hint{}))
		})
	}
	for _, c := range business {
		t.Run("business/"+c.name, func(t *testing.T) {
			t.Parallel()
			b := validBusiness() // tax id 12-3456789
			b.ExternalID = c.id
			check(t, c, v.Business(b, Hint{}))
		})
	}
}

func TestIDIsPersonalData(t *testing.T) {
	t.Parallel()
	v := newV(t)
	r := validEWA()
	r.ExternalID = "4111 1111 1111 1111"
	r.CustomerData.ExternalID = "123-45-6789" // refused too, but as customerData's, not the id
	res := v.EWA(r, Hint{})
	var personal []Problem
	for _, p := range res.Errors {
		if IDIsPersonalData(p) {
			personal = append(personal, p)
		}
	}
	if len(personal) != 1 || personal[0].Field != "externalId" {
		t.Errorf("personal-data problems %+v, want the one on externalId\n%s", personal, describe(res.Errors))
	}
	for _, p := range []Problem{
		{Field: "externalId", Code: CodeRequired, Message: "external ID is required"},
		{Field: "externalId", Code: CodeInvalidFormat, Message: "something else"},
		{Field: "customerData.externalId", Code: CodeInvalidFormat, Message: msgEmployeeIDCard},
		{Field: "externalId", Code: CodeDuplicate, Message: msgEmployeeIDCard},
	} {
		if IDIsPersonalData(p) {
			t.Errorf("IDIsPersonalData(%+v) = true", p)
		}
	}
	r = validEWA()
	r.ExternalID = ""
	if slices.ContainsFunc(v.EWA(r, Hint{}).Errors, IDIsPersonalData) {
		t.Error("a missing id is personal data")
	}
}

// TestPersonalDataInsideValues puts card numbers, SSNs and expiries inside longer values, where
// a message shows part of the value (an extension split off a phone number) or all of it.
func TestPersonalDataInsideValues(t *testing.T) {
	t.Parallel()
	v := newV(t)
	hidden := []string{"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "123456789", "123-45-6789", "123.45.6789", "12/27"}
	long := strings.Repeat("x", api.MaxMetadataValue+1)
	tests := []struct {
		name, field string // field: the problem expected
		run         func() Result
	}{
		{"card as a phone extension", "customerData.primaryPhoneNumber.number", func() Result {
			r := validEWA()
			r.CustomerData.PrimaryPhoneNumber.Number = "(415) 555-2671 x4111111111111111"
			return v.EWA(r, Hint{})
		}},
		{"ssn as a phone extension against the extension field", "customerData.primaryPhoneNumber.number", func() Result {
			r := validEWA()
			r.CustomerData.PrimaryPhoneNumber.Number, r.CustomerData.PrimaryPhoneNumber.Extension = "415-555-2671 ext. 123456789", "12"
			return v.EWA(r, Hint{})
		}},
		{"card as a business phone extension", "primaryPhone", func() Result {
			b := validBusiness()
			b.PrimaryPhone = "415-555-2671 #4111111111111111"
			return v.Business(b, Hint{})
		}},
		{"ssn after a zip", "addresses[0].zipCode", func() Result {
			c := validIndividual()
			c.Addresses[0].ZipCode = "10001 123-45-6789"
			return v.Individual(c, Hint{})
		}},
		{"card in an email", "customerData.primaryEmail.value", func() Result {
			r := validEWA()
			r.CustomerData.PrimaryEmail.Value = "card 4111 1111 1111 1111 <s@x.com>"
			return v.EWA(r, Hint{})
		}},
		{"card and expiry in a website", "website", func() Result {
			b := validBusiness()
			b.Website = "x.com/?card=4111-1111-1111-1111&exp=12/27"
			return v.Business(b, Hint{})
		}},
		{"ssn before a date", "customerData.dateOfBirth", func() Result {
			r := validEWA()
			r.CustomerData.DateOfBirth = "123.45.6789 1991-06-21"
			return v.EWA(r, Hint{})
		}},
		{"card in a country", "citizenshipCountryCode", func() Result {
			c := validIndividual()
			c.CitizenshipCountryCode = "USA 4111111111111111"
			return v.Individual(c, Hint{})
		}},
		{"card in a limit amount", "limits.DAILY.amount", func() Result {
			b := validBusiness()
			b.Limits.Daily = &api.Limit{Amount: "4111111111111111$"}
			return v.Business(b, Hint{})
		}},
		{"ssn in a metadata key", "metadata.ssn ***-**-6789", func() Result {
			c := validIndividual()
			c.Metadata = map[string]string{"ssn 123-45-6789": long}
			return v.Individual(c, Hint{Loc: pathLocator{}})
		}},
		{"expiry in a metadata key", "metadata.exp " + monthYearShown, func() Result {
			c := validIndividual()
			c.Metadata = map[string]string{"exp 12/27": long}
			return v.Individual(c, Hint{Loc: pathLocator{}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tt.run()
			all := append(res.Errors, res.Warnings...)
			found := false
			for _, p := range all {
				found = found || p.Field == tt.field
				for _, h := range hidden {
					if strings.Contains(p.Message, h) || strings.Contains(p.Field, h) || strings.Contains(p.Column, h) {
						t.Errorf("shows %q: %+v", h, p)
					}
				}
			}
			if !found {
				t.Errorf("no problem on %s:\n%s", tt.field, describe(all))
			}
		})
	}
}
