package validate

import (
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
)

// columns is a Locator for tests: each field path its (column, cell).
type columns map[string][2]string

func (c columns) Locate(field string) (string, string) { return c[field][0], c[field][1] }

func TestDateMessagesIssue11(t *testing.T) {
	v := newV(t)
	cases := []struct {
		name, in, code, want string
	}{
		{"unpadded ISO is read", "1985-3-7", "", "1985-03-07"},
		{"padded ISO still read", "1985-03-07", "", "1985-03-07"},
		{"February 30", "1991-02-30", CodeInvalidDate, "date of birth 1991-02-30 is not a real date (February 1991 has 28 days)"},
		{"February 29 of a leap year", "2000-02-29", "", "2000-02-29"},
		{"February 29 of a common year, US form", "2/29/1991", CodeInvalidDate, "is not a real date (February 1991 has 28 days)"},
		{"April 31", "1991-04-31", CodeInvalidDate, "is not a real date (April 1991 has 30 days)"},
		{"two-digit year", "3/7/85", CodeInvalidDate, `has a two-digit year: write the year in full (yyyy-MM-dd or M/d/yyyy), or add "1/2/06" to the mapping's dateFormats`},
		{"two-digit year with dashes", "3-7-85", CodeInvalidDate, `add "1-2-06" to the mapping's dateFormats`},
		{"month 13 is not a day past the end", "1991-13-01", CodeInvalidDate, "is not a date written as yyyy-MM-dd or M/d/yyyy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validEWA()
			r.CustomerData.DateOfBirth = tc.in
			res := v.EWA(r, Hint{})
			if tc.code == "" {
				expectProblems(t, "errors", res.Errors, nil)
				if r.CustomerData.DateOfBirth != tc.want {
					t.Errorf("sent %q, want %q", r.CustomerData.DateOfBirth, tc.want)
				}
				return
			}
			expectProblems(t, "errors", res.Errors, []string{"customerData.dateOfBirth " + tc.code})
			if p, _ := findProblem(res.Errors, "customerData.dateOfBirth", tc.code); !strings.Contains(p.Message, tc.want) {
				t.Errorf("message %q lacks %q", p.Message, tc.want)
			}
		})
	}
}

// A mapping that opts into two-digit years reads each as the latest year not in the future
// (the tests' clock is June 2025).
func TestTwoDigitYearLayout(t *testing.T) {
	v := newV(t, func(o *Options) { o.DateLayouts = []string{"1/2/06"} })
	cases := []struct{ name, in, want string }{
		{"eighties", "3/7/85", "1985-03-07"},
		{"this century", "3/7/05", "2005-03-07"},
		{"would be in the future", "3/7/50", "1950-03-07"},
		{"Go's pivot year", "3/7/68", "1968-03-07"},
		{"today", "6/15/25", "2025-06-15"},
		{"tomorrow is a century ago", "6/16/25", "1925-06-16"},
		{"ISO still read", "1985-03-07", "1985-03-07"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validEWA()
			r.CustomerData.DateOfBirth = tc.in
			res := v.EWA(r, Hint{})
			expectProblems(t, "errors", res.Errors, nil)
			if r.CustomerData.DateOfBirth != tc.want {
				t.Errorf("sent %q, want %q", r.CustomerData.DateOfBirth, tc.want)
			}
		})
	}
}

func TestSSNLeadingZeroHint(t *testing.T) {
	v := newV(t)
	cases := []struct{ name, in, want string }{
		{"eight digits", "12345678", "a leading zero was probably lost"},
		{"seven digits", "1234567", "SSN has 7 digits; it needs 9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validEWA()
			r.CustomerData.SocialID = tc.in
			res := v.EWA(r, Hint{})
			p, ok := findProblem(res.Errors, "customerData.socialId", CodeInvalidSSN)
			if !ok || !strings.Contains(p.Message, tc.want) {
				t.Fatalf("errors %s, want invalid_ssn saying %q", describe(res.Errors), tc.want)
			}
			if strings.Contains(p.Message, tc.in) {
				t.Errorf("message %q shows the SSN", p.Message)
			}
		})
	}
}

func TestControlCharacters(t *testing.T) {
	v := newV(t)
	cases := []struct {
		name  string
		set   func(*api.CustomerProfileRequest)
		field string
		want  string // in the message; "" means valid
	}{
		{"newline in an address", func(r *api.CustomerProfileRequest) {
			r.FinancialAccountData.Card.BillingAddress.AddressLine1 = "100 Main St\nApt 4"
		}, "financialAccountData.card.billingAddress.addressLine1", "holds a line break"},
		{"tab in a last name", func(r *api.CustomerProfileRequest) { r.CustomerData.LastName = "Gre\ten" },
			"customerData.lastName", "last name holds a tab"},
		{"bell in a city", func(r *api.CustomerProfileRequest) { r.FinancialAccountData.Card.BillingAddress.City = "Green\aville" },
			"financialAccountData.card.billingAddress.city", "control character (U+0007)"},
		{"carriage return in an email", func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryEmail.Value = "s\rgreen@abc.com" },
			"customerData.primaryEmail.value", "holds a line break"},
		{"newline in a required-by-country state: one problem", func(r *api.CustomerProfileRequest) {
			r.FinancialAccountData.Card.BillingAddress.StateCode = "M\nO"
		}, "financialAccountData.card.billingAddress.stateCode", "holds a line break"},
		{"tab in a required-by-country ZIP: one problem", func(r *api.CustomerProfileRequest) {
			r.FinancialAccountData.Card.BillingAddress.PostalCode = "63\t368"
		}, "financialAccountData.card.billingAddress.postalCode", "holds a tab"},
		{"trailing newline is trimmed", func(r *api.CustomerProfileRequest) { r.CustomerData.LastName = "Green\n" }, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validEWA()
			tc.set(r)
			res := v.EWA(r, Hint{})
			if tc.want == "" {
				expectProblems(t, "errors", res.Errors, nil)
				return
			}
			expectProblems(t, "errors", res.Errors, []string{tc.field + " " + CodeInvalidFormat})
			if p, _ := findProblem(res.Errors, tc.field, CodeInvalidFormat); !strings.Contains(p.Message, tc.want) {
				t.Errorf("message %q lacks %q", p.Message, tc.want)
			}
		})
	}
	t.Run("metadata value", func(t *testing.T) {
		r := validIndividual()
		r.Metadata = map[string]string{"department": "Sales\nEast"}
		res := v.Individual(r, Hint{})
		expectProblems(t, "errors", res.Errors, []string{"metadata.department " + CodeInvalidFormat})
	})
}

// One cell that feeds two fields is reported once, on the first; two fields on two cells are both.
func TestOneProblemPerCell(t *testing.T) {
	v := newV(t)
	long := strings.Repeat("x", 41)
	cases := []struct {
		name string
		loc  columns
		errs []string
	}{
		{"first name feeds the cardholder's", columns{
			"customerData.firstName":                   {"First Name", "C2"},
			"financialAccountData.card.firstName":      {"First Name", "C2"},
			"financialAccountData.card.lastName":       {"Last Name", "D2"},
			"customerData.lastName":                    {"Last Name", "D2"},
			"financialAccountData.card.billingAddress": {"Street", "E2"},
		}, []string{"customerData.firstName too_long"}},
		{"a cardholder column of its own", columns{
			"customerData.firstName":              {"First Name", "C2"},
			"financialAccountData.card.firstName": {"Cardholder First Name", "H2"},
		}, []string{"customerData.firstName too_long", "financialAccountData.card.firstName too_long"}},
		{"no source at all (the emulator)", nil, []string{"customerData.firstName too_long", "financialAccountData.card.firstName too_long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validEWA()
			r.CustomerData.FirstName, r.FinancialAccountData.Card.FirstName = long, long
			h := Hint{}
			if tc.loc != nil {
				h.Loc = tc.loc
			}
			res := v.EWA(r, h)
			expectProblems(t, "errors", res.Errors, tc.errs)
		})
	}
	t.Run("one country column, two warnings", func(t *testing.T) {
		r := validEWA()
		r.CustomerData.SocialIDCountryCode, r.FinancialAccountData.Card.BillingAddress.CountryCode = "US", "US"
		loc := columns{
			"customerData.socialIdCountryCode":                     {"Country", "L2"},
			"financialAccountData.card.billingAddress.countryCode": {"Country", "L2"},
		}
		res := v.EWA(r, Hint{Loc: loc})
		expectProblems(t, "warnings", res.Warnings, []string{"customerData.socialIdCountryCode " + WarnCountryNormalised})
		if r.FinancialAccountData.Card.BillingAddress.CountryCode != "USA" {
			t.Errorf("billing country sent as %q, want USA: a dropped message must not skip normalisation", r.FinancialAccountData.Card.BillingAddress.CountryCode)
		}
	})
}

// The card's billing address taken from the home address columns is not called "billing".
func TestHomeAddressNotCalledBilling(t *testing.T) {
	v := newV(t)
	const field = "financialAccountData.card.billingAddress.stateCode"
	cases := []struct{ name, column, want string }{
		{"home address column", "State", "state is required when the country is USA"},
		{"billing column", "Billing State", "billing state is required when the country is USA"},
		{"a default (no column)", "", "billing state is required when the country is USA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validEWA()
			r.FinancialAccountData.Card.BillingAddress.StateCode = ""
			loc := columns{}
			if tc.column != "" {
				loc[field] = [2]string{tc.column, "J2"}
			}
			res := v.EWA(r, Hint{Loc: loc})
			p, ok := findProblem(res.Errors, field, CodeConditionalRequired)
			if !ok || p.Message != tc.want {
				t.Errorf("message %q, want %q", p.Message, tc.want)
			}
		})
	}
}
