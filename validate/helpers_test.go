package validate

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
)

// pinnedNow is every test's clock: 15 June 2025.
var pinnedNow = time.Date(2025, time.June, 15, 10, 30, 0, 0, time.UTC)

// newV returns a Validator on the pinned clock, with opts changed by the given functions.
func newV(t testing.TB, change ...func(*Options)) *Validator {
	t.Helper()
	opts := Options{Now: func() time.Time { return pinnedNow }}
	for _, f := range change {
		f(&opts)
	}
	v, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func validEWA() *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID:        "E-1001",
		EligibilityStatus: "NEW",
		ProgramID:         "prog-123",
		CustomerData: &api.IndividualCustomer{
			Type:                "INDIVIDUAL",
			FirstName:           "Sarah",
			LastName:            "Green",
			PrimaryPhoneNumber:  &api.Phone{Number: "+14155552671", Type: "MOBILE"},
			PrimaryEmail:        &api.Email{Value: "sgreen@abc.com"},
			DateOfBirth:         "1991-06-21",
			SocialID:            "123-45-6789",
			SocialIDCountryCode: "USA",
		},
		FinancialAccountData: &api.FinancialAccountData{
			Name:     "Payroll card",
			Subtype:  "DEBIT",
			Currency: "USD",
			Card: &api.Card{
				FirstName:  "Sarah",
				LastName:   "Green",
				CardNumber: "4242424242424242",
				Expiry:     "2027-12",
				BillingAddress: &api.BillingAddress{
					AddressLine1: "100 Main St",
					City:         "Greenville",
					StateCode:    "MO",
					CountryCode:  "USA",
					PostalCode:   "63368",
				},
			},
		},
	}
}

func validIndividual() *api.IndividualCustomer {
	return &api.IndividualCustomer{
		ExternalID:         "E-1001",
		Type:               "INDIVIDUAL",
		FirstName:          "Sarah",
		LastName:           "Green",
		PrimaryPhoneNumber: &api.Phone{Number: "+14155552671", Type: "WORK"},
		PrimaryEmail:       &api.Email{Value: "sgreen@abc.com"},
		Addresses: []api.Address{{
			Type:        "PHYSICAL",
			StreetLine1: "400 Richmond St",
			CityName:    "New York",
			StateCode:   "NY",
			CountryCode: "USA",
			ZipCode:     "10001",
			Primary:     api.Bool(true),
		}},
		Metadata: map[string]string{"department": "Sales"},
	}
}

func validBusiness() *api.BusinessCustomer {
	return &api.BusinessCustomer{
		ExternalID:   "B-77",
		Type:         "BUSINESS",
		BusinessName: "ACME",
		Contacts: []api.Contact{{
			FirstName:          "Jack",
			LastName:           "Smith",
			Primary:            api.Bool(true),
			PrimaryPhoneNumber: &api.Phone{Number: "+14155552671", Type: "WORK"},
			PrimaryEmail:       &api.Email{Value: "jsmith@acme.com"},
		}},
		Addresses: []api.Address{{
			Type:        "MAILING",
			StreetLine1: "100 Main St",
			CityName:    "Greenville",
			StateCode:   "MO",
			CountryCode: "USA",
			ZipCode:     "63368",
			Primary:     api.Bool(true),
		}},
		TaxID:              "12-3456789",
		TaxIDCountryCode:   "USA",
		LimitsCurrencyCode: "USD",
		Limits:             &api.Limits{Monthly: &api.Limit{Amount: "5000.00"}},
	}
}

// fieldCase is one value put in one field: accepted (code "") with the value sent, or rejected
// with the one error code expected on that field.
type fieldCase struct {
	name    string
	in      string
	code    string // the one error expected on the field, "" for none at all
	want    string // the value after normalisation (checked when code is "")
	warn    string // the one warning expected on the field, "" for none at all
	country string // Hint.Country, when the case needs one
}

// runner validates a request with in put in the field, returning the result and the value the
// field holds afterwards.
type runner func(in, country string) (Result, string)

func ewaRunner(v *Validator, set func(*api.CustomerProfileRequest, string), get func(*api.CustomerProfileRequest) string) runner {
	return func(in, country string) (Result, string) {
		r := validEWA()
		set(r, in)
		res := v.EWA(r, Hint{Country: country})
		return res, get(r)
	}
}

func individualRunner(v *Validator, set func(*api.IndividualCustomer, string), get func(*api.IndividualCustomer) string) runner {
	return func(in, country string) (Result, string) {
		r := validIndividual()
		set(r, in)
		res := v.Individual(r, Hint{Country: country})
		return res, get(r)
	}
}

func businessRunner(v *Validator, set func(*api.BusinessCustomer, string), get func(*api.BusinessCustomer) string) runner {
	return func(in, country string) (Result, string) {
		r := validBusiness()
		set(r, in)
		res := v.Business(r, Hint{Country: country})
		return res, get(r)
	}
}

// runField runs the cases against one field: exactly the expected error (or none) and exactly the
// expected warning (or none), both on that field, and the normalised value.
func runField(t *testing.T, field string, run runner, cases []fieldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, got := run(tc.in, tc.country)
			var wantErrs, wantWarns []string
			if tc.code != "" {
				wantErrs = []string{field + " " + tc.code}
			}
			if tc.warn != "" {
				wantWarns = []string{field + " " + tc.warn}
			}
			expectProblems(t, "errors", res.Errors, wantErrs)
			expectProblems(t, "warnings", res.Warnings, wantWarns)
			if tc.code == "" && got != tc.want {
				t.Errorf("%s: %q normalised to %q, want %q", field, tc.in, got, tc.want)
			}
		})
	}
}

// expectProblems checks that ps are exactly want ("field code" each, in any order) and that every
// problem has a one-line message.
func expectProblems(t *testing.T, what string, ps []Problem, want []string) {
	t.Helper()
	got := keys(ps)
	w := slices.Clone(want)
	slices.Sort(got)
	slices.Sort(w)
	if !slices.Equal(got, w) {
		t.Errorf("%s = %q, want %q\n%s", what, got, w, describe(ps))
	}
	for _, p := range ps {
		if p.Message == "" || strings.ContainsAny(p.Message, "\n\r") {
			t.Errorf("%s %s: message %q is empty or not one line", p.Field, p.Code, p.Message)
		}
	}
}

func keys(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field+" "+p.Code)
	}
	return out
}

func describe(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\t" + p.Field + " " + p.Code + ": " + p.Message + "\n")
	}
	return b.String()
}

// findProblem returns the problem on field with code.
func findProblem(ps []Problem, field, code string) (Problem, bool) {
	for _, p := range ps {
		if p.Field == field && p.Code == code {
			return p, true
		}
	}
	return Problem{}, false
}
