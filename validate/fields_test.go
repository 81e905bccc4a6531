package validate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
)

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		opts    Options
		wantErr bool
		region  string
	}{
		{name: "zero options", opts: Options{}, region: ""},
		{name: "alpha-3 default country", opts: Options{DefaultCountry: "CAN"}, region: "CA"},
		{name: "alpha-2 default country", opts: Options{DefaultCountry: "gb"}, region: "GB"},
		{name: "English name default country", opts: Options{DefaultCountry: "United States"}, region: "US"},
		{name: "custom layouts", opts: Options{DateLayouts: []string{"02.01.2006", "Jan 2, 2006"}}},
		{name: "not a country", opts: Options{DefaultCountry: "Narnia"}, wantErr: true},
		{name: "empty layout", opts: Options{DateLayouts: []string{"2006-01-02", " "}}, wantErr: true},
		{name: "layout without a day", opts: Options{DateLayouts: []string{"01/2006"}}, wantErr: true},
		{name: "layout that is no date", opts: Options{DateLayouts: []string{"hello"}}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := New(tc.opts)
			if tc.wantErr {
				if !errors.Is(err, ErrOption) {
					t.Fatalf("err = %v, want one wrapping ErrOption", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if v.defRegion != tc.region {
				t.Errorf("phone region = %q, want %q", v.defRegion, tc.region)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.CustomerData.PrimaryEmail.Value = s },
		func(r *api.CustomerProfileRequest) string { return r.CustomerData.PrimaryEmail.Value })
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 251) + ".com" // 320 characters
	runField(t, "customerData.primaryEmail.value", run, []fieldCase{
		{name: "plain", in: "sgreen@abc.com", want: "sgreen@abc.com"},
		{name: "trimmed", in: "  sgreen@abc.com\t", want: "sgreen@abc.com"},
		{name: "plus and subdomain", in: "s.green+pay@mail.abc.co.uk", want: "s.green+pay@mail.abc.co.uk"},
		{name: "accented local part kept", in: "zoë@example.fr", want: "zoë@example.fr"},
		{name: "320 characters", in: long, want: long},
		{name: "321 characters", in: "a" + long, code: CodeTooLong},
		{name: "display name", in: "Sarah Green <sgreen@abc.com>", code: CodeInvalidEmail},
		{name: "angle brackets", in: "<sgreen@abc.com>", code: CodeInvalidEmail},
		{name: "a list", in: "sgreen@abc.com, jsmith@abc.com", code: CodeInvalidEmail},
		{name: "two separated by semicolon", in: "sgreen@abc.com;jsmith@abc.com", code: CodeInvalidEmail},
		{name: "no at sign", in: "sgreen.abc.com", code: CodeInvalidEmail},
		{name: "domain without a dot", in: "sgreen@localhost", code: CodeInvalidEmail},
		{name: "space inside", in: "s green@abc.com", code: CodeInvalidEmail},
		{name: "double at", in: "sgreen@@abc.com", code: CodeInvalidEmail},
		{name: "comment", in: "sgreen@abc.com (Sarah)", code: CodeInvalidEmail},
		{name: "empty", in: " ", code: CodeRequired},
	})
}

func TestBusinessEmail(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := businessRunner(v,
		func(b *api.BusinessCustomer, s string) { b.PrimaryEmail = s },
		func(b *api.BusinessCustomer) string { return b.PrimaryEmail })
	runField(t, "primaryEmail", run, []fieldCase{
		{name: "valid", in: " info@acme.com ", want: "info@acme.com"},
		{name: "optional", in: "", want: ""},
		{name: "invalid", in: "info at acme", code: CodeInvalidEmail},
	})
}

func TestDates(t *testing.T) {
	t.Parallel()
	v := newV(t) // today is 2025-06-15
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.CustomerData.DateOfBirth = s },
		func(r *api.CustomerProfileRequest) string { return r.CustomerData.DateOfBirth })
	runField(t, "customerData.dateOfBirth", run, []fieldCase{
		{name: "ISO", in: "1991-06-21", want: "1991-06-21"},
		{name: "US M/D/YYYY", in: "6/1/1991", want: "1991-06-01"},
		{name: "US MM/DD/YYYY", in: "06/21/1991", want: "1991-06-21"},
		{name: "trimmed", in: " 1991-06-21 ", want: "1991-06-21"},
		{name: "date cell written with a midnight time", in: "1991-06-21T00:00:00", want: "1991-06-21"},
		{name: "date cell written with a space and time", in: "1991-06-21 00:00:00", want: "1991-06-21"},
		{name: "born today", in: "2025-06-15", want: "2025-06-15"},
		{name: "exactly 120 years ago", in: "1905-06-15", want: "1905-06-15"},
		{name: "optional", in: "", want: ""},
		{name: "tomorrow is in the future", in: "2025-06-16", code: CodeInvalidDate},
		{name: "more than 120 years ago", in: "1905-06-14", code: CodeInvalidDate},
		{name: "excel serial number", in: "33410", code: CodeInvalidDate},
		{name: "no such day", in: "1991-02-30", code: CodeInvalidDate},
		{name: "day first is not a US date", in: "21/06/1991", code: CodeInvalidDate},
		{name: "words", in: "June 21st 1991", code: CodeInvalidDate},
		{name: "time that is not midnight", in: "1991-06-21T13:00:00", code: CodeInvalidDate},
	})
}

func TestDateMessages(t *testing.T) {
	t.Parallel()
	v := newV(t)
	for _, tc := range []struct{ in, want string }{
		{"33410", "Excel date serial"},
		{"33410", "format the column as a date"},
		{"2030-01-01", "in the future"},
		{"1800-01-01", "more than 120 years ago"},
		{"21/06/1991", "yyyy-MM-dd or M/d/yyyy"},
	} {
		t.Run(tc.in+"/"+tc.want, func(t *testing.T) {
			t.Parallel()
			r := validEWA()
			r.CustomerData.DateOfBirth = tc.in
			res := v.EWA(r, Hint{})
			if p, _ := findProblem(res.Errors, "customerData.dateOfBirth", CodeInvalidDate); !strings.Contains(p.Message, tc.want) {
				t.Errorf("message %q does not say %q", p.Message, tc.want)
			}
		})
	}
}

func TestDatesCustomLayouts(t *testing.T) {
	t.Parallel()
	v := newV(t, func(o *Options) { o.DateLayouts = []string{"02.01.2006", "2 Jan 2006"} })
	run := individualRunner(v,
		func(r *api.IndividualCustomer, s string) { r.DateOfBirth = s },
		func(r *api.IndividualCustomer) string { return r.DateOfBirth })
	runField(t, "dateOfBirth", run, []fieldCase{
		{name: "first layout", in: "21.06.1991", want: "1991-06-21"},
		{name: "second layout", in: "21 Jun 1991", want: "1991-06-21"},
		{name: "ISO is always read, so normalised output validates again", in: "1991-06-21", want: "1991-06-21"},
		{name: "US layout not configured", in: "6/21/1991", code: CodeInvalidDate},
	})
}

func TestDateOfFormation(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := businessRunner(v,
		func(b *api.BusinessCustomer, s string) { b.DateOfFormation = s },
		func(b *api.BusinessCustomer) string { return b.DateOfFormation })
	runField(t, "dateOfFormation", run, []fieldCase{
		{name: "US date", in: "1/31/2010", want: "2010-01-31"},
		{name: "old is fine for a business", in: "1850-01-01", want: "1850-01-01"},
		{name: "future", in: "2026-01-01", code: CodeInvalidDate},
		{name: "not a date", in: "2010", code: CodeInvalidDate},
	})
}

func TestCountry(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := individualRunner(v,
		func(r *api.IndividualCustomer, s string) { r.CitizenshipCountryCode = s },
		func(r *api.IndividualCustomer) string { return r.CitizenshipCountryCode })
	runField(t, "citizenshipCountryCode", run, []fieldCase{
		{name: "alpha-3", in: "CAN", want: "CAN"},
		{name: "alpha-3 lower case: no warning", in: " usa ", want: "USA"},
		{name: "alpha-2", in: "US", want: "USA", warn: WarnCountryNormalised},
		{name: "alpha-2 lower case", in: "ca", want: "CAN", warn: WarnCountryNormalised},
		{name: "English name", in: "United States", want: "USA", warn: WarnCountryNormalised},
		{name: "English name any case", in: "cANADA", want: "CAN", warn: WarnCountryNormalised},
		{name: "alias United States of America", in: "United States of America", want: "USA", warn: WarnCountryNormalised},
		{name: "dotted U.S.A.", in: "U.S.A.", want: "USA", warn: WarnCountryNormalised},
		{name: "dotted U.S.", in: "U.S.", want: "USA", warn: WarnCountryNormalised},
		{name: "UK", in: "UK", want: "GBR", warn: WarnCountryNormalised},
		{name: "Great Britain", in: "great britain", want: "GBR", warn: WarnCountryNormalised},
		{name: "accented name", in: "Côte d’Ivoire", want: "CIV", warn: WarnCountryNormalised},
		{name: "name without accents", in: "Cote d'Ivoire", want: "CIV", warn: WarnCountryNormalised},
		{name: "ampersand written out", in: "Trinidad and Tobago", want: "TTO", warn: WarnCountryNormalised},
		{name: "St. written Saint", in: "Saint Lucia", want: "LCA", warn: WarnCountryNormalised},
		{name: "leading The", in: "The Netherlands", want: "NLD", warn: WarnCountryNormalised},
		{name: "Mexico", in: "Mexico", want: "MEX", warn: WarnCountryNormalised},
		{name: "optional", in: "", want: ""},
		{name: "unknown", in: "Narnia", code: CodeInvalidCountry},
		{name: "private use code", in: "XK", code: CodeInvalidCountry},
		{name: "a group, not a country", in: "EU", code: CodeInvalidCountry},
		{name: "withdrawn code", in: "DDR", code: CodeInvalidCountry},
		{name: "reserved code without ISO alpha-3", in: "AC", code: CodeInvalidCountry},
		{name: "numeric code", in: "840", code: CodeInvalidCountry},
	})
}

func TestCountryTables(t *testing.T) {
	t.Parallel()
	tab := countries()
	// ISO 3166-1 assigns 249 codes; x/text must give each an alpha-3 and an English name.
	if n := len(tab.alpha2Of); n != 249 {
		t.Errorf("%d countries, want the 249 of ISO 3166-1", n)
	}
	for a2, a3 := range tab.alpha3Of {
		if tab.alpha2Of[a3] != a2 {
			t.Errorf("%s -> %s -> %s: tables disagree", a2, a3, tab.alpha2Of[a3])
		}
	}
}

func TestCountryEveryField(t *testing.T) {
	t.Parallel()
	v := newV(t)
	r := validIndividual()
	r.Addresses[0].CountryCode = "us"
	r.PlaceOfBirth = &api.PlaceOfBirth{City: "Houston", CountryCode: "United States"}
	r.SocialIDCountryCode = "US"
	r.SocialID = "123456789"
	r.CitizenshipCountryCode = "Canada"
	res := v.Individual(r, Hint{})
	expectProblems(t, "errors", res.Errors, nil)
	expectProblems(t, "warnings", res.Warnings, []string{
		"addresses[0].countryCode country_normalised",
		"placeOfBirth.countryCode country_normalised",
		"socialIdCountryCode country_normalised",
		"citizenshipCountryCode country_normalised",
	})
	got := []string{r.Addresses[0].CountryCode, r.PlaceOfBirth.CountryCode, r.SocialIDCountryCode, r.CitizenshipCountryCode, r.SocialID}
	want := []string{"USA", "USA", "USA", "CAN", "123-45-6789"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	v := newV(t)
	const field = "financialAccountData.card.billingAddress.stateCode"
	in := func(country string) runner {
		return ewaRunner(v,
			func(r *api.CustomerProfileRequest, s string) {
				b := r.FinancialAccountData.Card.BillingAddress
				b.StateCode, b.CountryCode, b.PostalCode = s, country, "A1"
				if country == "USA" {
					b.PostalCode = "63368"
				} else if country == "CAN" {
					b.PostalCode = "V5K 0A1"
				}
			},
			func(r *api.CustomerProfileRequest) string {
				return r.FinancialAccountData.Card.BillingAddress.StateCode
			})
	}
	t.Run("USA", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("USA"), []fieldCase{
			{name: "code", in: "MO", want: "MO"},
			{name: "lower case code", in: " mo ", want: "MO"},
			{name: "full name", in: "Missouri", want: "MO", warn: WarnStateNormalised},
			{name: "full name any case", in: "NEW YORK", want: "NY", warn: WarnStateNormalised},
			{name: "District of Columbia", in: "District of Columbia", want: "DC", warn: WarnStateNormalised},
			{name: "dotted D.C.", in: "D.C.", want: "DC", warn: WarnStateNormalised},
			{name: "ISO 3166-2 form", in: "US-CA", want: "CA"},
			{name: "territory", in: "PR", want: "PR"},
			{name: "minor outlying islands", in: "UM", want: "UM"},
			{name: "military", in: "AE", want: "AE"},
			{name: "not a state", in: "ZZ", code: CodeInvalidState},
			{name: "a Canadian province", in: "ON", code: CodeInvalidState},
			{name: "misspelt name", in: "Missoury", code: CodeInvalidState},
			{name: "missing", in: "", code: CodeConditionalRequired},
		})
	})
	t.Run("CAN", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("CAN"), []fieldCase{
			{name: "code", in: "bc", want: "BC"},
			{name: "name", in: "Ontario", want: "ON", warn: WarnStateNormalised},
			{name: "accented name", in: "Québec", want: "QC", warn: WarnStateNormalised},
			{name: "name without accent", in: "Quebec", want: "QC", warn: WarnStateNormalised},
			{name: "a US state", in: "MO", code: CodeInvalidState},
			{name: "missing", in: " ", code: CodeConditionalRequired},
		})
	})
	t.Run("other country", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("DEU"), []fieldCase{
			{name: "two letters", in: "by", want: "BY"},
			{name: "three alphanumerics", in: "NW1", want: "NW1"},
			{name: "optional", in: "", want: ""},
			{name: "a name is too long", in: "Bavaria", code: CodeTooLong},
			{name: "one letter", in: "B", code: CodeTooShort},
			{name: "punctuation", in: "B-Y", code: CodeInvalidState},
		})
	})
}

func TestRegisteredState(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := businessRunner(v,
		func(b *api.BusinessCustomer, s string) { b.RegisteredStateCode = s },
		func(b *api.BusinessCustomer) string { return b.RegisteredStateCode })
	runField(t, "registeredStateCode", run, []fieldCase{
		{name: "code", in: "mo", want: "MO"},
		{name: "name", in: "Delaware", want: "DE", warn: WarnStateNormalised},
		{name: "optional", in: "", want: ""},
		{name: "not a US state", in: "ON", code: CodeInvalidState},
	})
}

func TestZip(t *testing.T) {
	t.Parallel()
	v := newV(t)
	const field = "financialAccountData.card.billingAddress.postalCode"
	in := func(country, state string) runner {
		return ewaRunner(v,
			func(r *api.CustomerProfileRequest, s string) {
				b := r.FinancialAccountData.Card.BillingAddress
				b.PostalCode, b.CountryCode, b.StateCode = s, country, state
			},
			func(r *api.CustomerProfileRequest) string {
				return r.FinancialAccountData.Card.BillingAddress.PostalCode
			})
	}
	t.Run("USA", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("USA", "MA"), []fieldCase{
			{name: "5 digits", in: "63368", want: "63368"},
			{name: "5-4", in: "63368-5555", want: "63368-5555"},
			{name: "9 digits in a run", in: "633685555", want: "63368-5555"},
			{name: "5 space 4", in: "63368 5555", want: "63368-5555"},
			{name: "4 digits padded", in: "2134", want: "02134", warn: WarnZipPadded},
			{name: "3 digits padded", in: "501", want: "00501", warn: WarnZipPadded},
			{name: "8 digits padded to 5-4", in: "21345555", want: "02134-5555", warn: WarnZipPadded},
			{name: "letters", in: "1234X", code: CodeInvalidZip},
			{name: "6 digits", in: "123456", code: CodeInvalidZip},
			{name: "2 digits", in: "12", code: CodeInvalidZip},
			{name: "bad 5-4 split", in: "6336-85555", code: CodeInvalidZip},
			{name: "required on a card", in: "", code: CodeRequired},
		})
	})
	t.Run("CAN", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("CAN", "BC"), []fieldCase{
			{name: "canonical", in: "V5K 0A1", want: "V5K 0A1"},
			{name: "lower case without space", in: "v5k0a1", want: "V5K 0A1"},
			{name: "dash", in: "V5K-0A1", want: "V5K 0A1"},
			{name: "US ZIP", in: "63368", code: CodeInvalidZip},
			{name: "letter not used in postal codes", in: "D5K 0A1", code: CodeInvalidZip},
		})
	})
	t.Run("other country", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("GBR", ""), []fieldCase{
			{name: "upper-cased", in: "sw1a 1aa", want: "SW1A 1AA"},
			{name: "digits", in: "10115", want: "10115"},
			{name: "10 characters", in: "AB-1234 56", want: "AB-1234 56"},
			{name: "too long", in: "12345678901", code: CodeTooLong},
			{name: "symbols", in: "SW1A#1AA", code: CodeInvalidZip},
		})
	})
}

func TestZipMessage(t *testing.T) {
	t.Parallel()
	v := newV(t)
	r := validEWA()
	r.FinancialAccountData.Card.BillingAddress.PostalCode = "2134"
	res := v.EWA(r, Hint{})
	p, ok := findProblem(res.Warnings, "financialAccountData.card.billingAddress.postalCode", WarnZipPadded)
	if want := "ZIP 2134 padded to 02134 (leading zero restored)"; !ok || p.Message != want {
		t.Errorf("warning %q, want %q", p.Message, want)
	}
}

func TestSSN(t *testing.T) {
	t.Parallel()
	v := newV(t)
	const field = "customerData.socialId"
	in := func(country string) runner {
		return ewaRunner(v,
			func(r *api.CustomerProfileRequest, s string) {
				r.CustomerData.SocialID, r.CustomerData.SocialIDCountryCode = s, country
			},
			func(r *api.CustomerProfileRequest) string { return r.CustomerData.SocialID })
	}
	t.Run("USA", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("USA"), []fieldCase{
			{name: "dashed", in: "123-45-6789", want: "123-45-6789"},
			{name: "digits only", in: "123456789", want: "123-45-6789"},
			{name: "spaces", in: " 123 45 6789 ", want: "123-45-6789"},
			{name: "dashes misplaced", in: "12-345-6789", want: "123-45-6789"},
			{name: "dashes misplaced, same length", in: "123-4-56789", want: "123-45-6789"},
			{name: "double dash", in: "123--45-6789", want: "123-45-6789"},
			{name: "optional", in: "", want: ""},
			{name: "area 000", in: "000-12-3456", code: CodeInvalidSSN},
			{name: "area 666", in: "666-12-3456", code: CodeInvalidSSN},
			{name: "area 900", in: "900-12-3456", code: CodeInvalidSSN},
			{name: "area 999", in: "999123456", code: CodeInvalidSSN},
			{name: "group 00", in: "123-00-4567", code: CodeInvalidSSN},
			{name: "serial 0000", in: "123-45-0000", code: CodeInvalidSSN},
			{name: "8 digits (leading zero lost)", in: "23456789", code: CodeInvalidSSN},
			{name: "10 digits", in: "1234567890", code: CodeInvalidSSN},
			{name: "letter O for zero", in: "123-45-678O", code: CodeInvalidSSN},
		})
	})
	t.Run("other country", func(t *testing.T) {
		t.Parallel()
		runField(t, field, in("CAN"), []fieldCase{
			{name: "kept as written", in: " 046 454 286 ", want: "046 454 286"},
			{name: "50 characters", in: strings.Repeat("A", 50), want: strings.Repeat("A", 50)},
			{name: "51 characters", in: strings.Repeat("A", 51), code: CodeTooLong},
		})
	})
}

func TestCard(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Card.CardNumber = s },
		func(r *api.CustomerProfileRequest) string { return r.FinancialAccountData.Card.CardNumber })
	runField(t, "financialAccountData.card.cardNumber", run, []fieldCase{
		{name: "digits", in: "4242424242424242", want: "4242424242424242"},
		{name: "spaces", in: "4242 4242 4242 4242", want: "4242424242424242"},
		{name: "dashes", in: " 4111-1111-1111-1111 ", want: "4111111111111111"},
		{name: "15-digit amex", in: "3782 822463 10005", want: "378282246310005"},
		{name: "11 digits", in: "12345678903", want: "12345678903"},
		{name: "19 digits", in: "1234567890123456785", want: "1234567890123456785"},
		{name: "check digit wrong", in: "4242424242424241", code: CodeInvalidCardNumber},
		{name: "10 digits", in: "1234567897", code: CodeInvalidCardNumber},
		{name: "20 digits", in: "12345678901234567897", code: CodeInvalidCardNumber},
		{name: "letters", in: "4242 4242 4242 424X", code: CodeInvalidCardNumber},
		{name: "scientific notation", in: "4.24242E+15", code: CodeInvalidCardNumber},
		{name: "missing", in: "", code: CodeRequired},
	})
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	v := newV(t) // this month is 2025-06
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Card.Expiry = s },
		func(r *api.CustomerProfileRequest) string { return r.FinancialAccountData.Card.Expiry })
	runField(t, "financialAccountData.card.expiry", run, []fieldCase{
		{name: "yyyy-MM", in: "2027-12", want: "2027-12"},
		{name: "yyyy-M", in: "2027-3", want: "2027-03"},
		{name: "MM/YY", in: "12/27", want: "2027-12"},
		{name: "MM/YYYY", in: "12/2027", want: "2027-12"},
		{name: "M/YYYY", in: "1/2027", want: "2027-01"},
		{name: "Excel date cell of the 1st", in: "2027-12-01", want: "2027-12"},
		{name: "Excel date cell with time", in: "2027-12-01T00:00:00", want: "2027-12"},
		{name: "this month is not expired", in: "06/25", want: "2025-06"},
		{name: "last month", in: "2025-05", code: CodeCardExpired},
		{name: "last month MM/YY", in: "05/25", code: CodeCardExpired},
		{name: "month 13", in: "13/2027", code: CodeInvalidFormat},
		{name: "month 0", in: "2027-00", code: CodeInvalidFormat},
		{name: "no such day", in: "2027-02-30", code: CodeInvalidFormat},
		{name: "words", in: "Dec 2027", code: CodeInvalidFormat},
		{name: "MMYY without separator", in: "1227", code: CodeInvalidFormat},
		{name: "missing", in: "", code: CodeRequired},
	})
}

func TestCurrency(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Currency = s },
		func(r *api.CustomerProfileRequest) string { return r.FinancialAccountData.Currency })
	runField(t, "financialAccountData.currency", run, []fieldCase{
		{name: "USD", in: "USD", want: "USD"},
		{name: "lower case", in: " cad ", want: "CAD"},
		{name: "EUR", in: "eur", want: "EUR"},
		{name: "optional", in: "", want: ""},
		{name: "symbol", in: "US$", code: CodeInvalidCurrency},
		{name: "word", in: "dollars", code: CodeInvalidCurrency},
		{name: "not assigned", in: "ABC", code: CodeInvalidCurrency},
		{name: "two letters", in: "US", code: CodeInvalidCurrency},
	})
	brun := businessRunner(v,
		func(b *api.BusinessCustomer, s string) { b.LimitsCurrencyCode = s },
		func(b *api.BusinessCustomer) string { return b.LimitsCurrencyCode })
	runField(t, "limitsCurrencyCode", brun, []fieldCase{
		{name: "limits currency lower case", in: "usd", want: "USD"},
		{name: "limits currency unknown", in: "USX", code: CodeInvalidCurrency},
	})
}

func TestURL(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := businessRunner(v,
		func(b *api.BusinessCustomer, s string) { b.Website = s },
		func(b *api.BusinessCustomer) string { return b.Website })
	runField(t, "website", run, []fieldCase{
		{name: "https", in: "https://www.acme.com", want: "https://www.acme.com"},
		{name: "http with path", in: " http://acme.com/about?x=1 ", want: "http://acme.com/about?x=1"},
		{name: "upper-case scheme", in: "HTTPS://acme.com", want: "HTTPS://acme.com"},
		{name: "port", in: "https://acme.com:8443", want: "https://acme.com:8443"},
		{name: "optional", in: "", want: ""},
		{name: "no scheme", in: "www.acme.com", code: CodeInvalidURL},
		{name: "other scheme", in: "ftp://acme.com", code: CodeInvalidURL},
		{name: "mailto", in: "mailto:info@acme.com", code: CodeInvalidURL},
		{name: "no host", in: "https://", code: CodeInvalidURL},
		{name: "port only", in: "https://:80", code: CodeInvalidURL},
		{name: "space in host", in: "https://ac me.com", code: CodeInvalidURL},
	})
}

func TestLengths(t *testing.T) {
	t.Parallel()
	v := newV(t)
	accented40 := strings.Repeat("é", 40) // 80 bytes, 40 characters
	t.Run("first name", func(t *testing.T) {
		t.Parallel()
		run := ewaRunner(v,
			func(r *api.CustomerProfileRequest, s string) { r.CustomerData.FirstName = s },
			func(r *api.CustomerProfileRequest) string { return r.CustomerData.FirstName })
		runField(t, "customerData.firstName", run, []fieldCase{
			{name: "accents kept and trimmed", in: "  Zoë  ", want: "Zoë"},
			{name: "40 accented characters", in: accented40, want: accented40},
			{name: "41 characters", in: accented40 + "e", code: CodeTooLong},
			{name: "blank", in: " \t ", code: CodeRequired},
		})
	})
	t.Run("street line", func(t *testing.T) {
		t.Parallel()
		run := individualRunner(v,
			func(r *api.IndividualCustomer, s string) { r.Addresses[0].StreetLine1 = s },
			func(r *api.IndividualCustomer) string { return r.Addresses[0].StreetLine1 })
		runField(t, "addresses[0].streetLine1", run, []fieldCase{
			{name: "50", in: strings.Repeat("x", 50), want: strings.Repeat("x", 50)},
			{name: "51", in: strings.Repeat("x", 51), code: CodeTooLong},
			{name: "missing", in: "", code: CodeRequired},
		})
	})
	for _, tc := range []struct {
		field string
		max   int
		set   func(*api.BusinessCustomer, string)
	}{
		{"businessName", 100, func(b *api.BusinessCustomer, s string) { b.BusinessName = s }},
		{"doingBusinessAsName", 100, func(b *api.BusinessCustomer, s string) { b.DoingBusinessAsName = s }},
		{"legalName", 40, func(b *api.BusinessCustomer, s string) { b.LegalName = s }},
		{"taxId", 50, func(b *api.BusinessCustomer, s string) { b.TaxID = s }},
		{"contacts[0].lastName", 40, func(b *api.BusinessCustomer, s string) { b.Contacts[0].LastName = s }},
		{"contacts[0].primaryPhoneNumber.extension", 40, func(b *api.BusinessCustomer, s string) { b.Contacts[0].PrimaryPhoneNumber.Extension = s }},
		{"addresses[0].cityName", 25, func(b *api.BusinessCustomer, s string) { b.Addresses[0].CityName = s }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			for n, code := range map[int]string{tc.max: "", tc.max + 1: CodeTooLong} {
				b := validBusiness()
				tc.set(b, strings.Repeat("ñ", n))
				res := v.Business(b, Hint{})
				var want []string
				if code != "" {
					want = []string{tc.field + " " + code}
				}
				expectProblems(t, "errors", res.Errors, want)
			}
		})
	}
	for _, tc := range []struct {
		field string
		max   int
		set   func(*api.CustomerProfileRequest, string)
	}{
		{"financialAccountData.name", 100, func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Name = s }},
		{"financialAccountData.card.lastName", 40, func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Card.LastName = s }},
		{"financialAccountData.card.billingAddress.city", 25, func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Card.BillingAddress.City = s }},
		{"customerData.primaryPhoneNumber.extension", 10, func(r *api.CustomerProfileRequest, s string) { r.CustomerData.PrimaryPhoneNumber.Extension = s }},
		{"customerData.primaryPhoneNumber.provider", 40, func(r *api.CustomerProfileRequest, s string) { r.CustomerData.PrimaryPhoneNumber.Provider = s }},
		{"customerData.middleName", 40, func(r *api.CustomerProfileRequest, s string) { r.CustomerData.MiddleName = s }},
		{"customerData.suffix", 40, func(r *api.CustomerProfileRequest, s string) { r.CustomerData.Suffix = s }},
		{"customerData.placeOfBirth.city", 60, func(r *api.CustomerProfileRequest, s string) {
			r.CustomerData.PlaceOfBirth = &api.PlaceOfBirth{City: s}
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			for n, code := range map[int]string{tc.max: "", tc.max + 1: CodeTooLong} {
				r := validEWA()
				tc.set(r, strings.Repeat("9", n))
				res := v.EWA(r, Hint{})
				var want []string
				if code != "" {
					want = []string{tc.field + " " + code}
				}
				expectProblems(t, "errors", res.Errors, want)
			}
		})
	}
}

func TestEnums(t *testing.T) {
	t.Parallel()
	v := newV(t)
	type ewaSet = func(*api.CustomerProfileRequest, string)
	type ewaGet = func(*api.CustomerProfileRequest) string
	for _, tc := range []struct {
		field string
		set   ewaSet
		get   ewaGet
		cases []fieldCase
	}{
		{"customerData.sex",
			func(r *api.CustomerProfileRequest, s string) { r.CustomerData.Sex = s },
			func(r *api.CustomerProfileRequest) string { return r.CustomerData.Sex },
			[]fieldCase{
				{name: "lower case", in: "female", want: "FEMALE"},
				{name: "optional", in: "", want: ""},
				{name: "payroll code F", in: "F", want: "FEMALE"},
				{name: "payroll code m", in: " m ", want: "MALE"},
				{name: "other letter", in: "X", code: CodeInvalidEnum},
				{name: "other abbreviation", in: "Fem", code: CodeInvalidEnum},
			}},
		{"eligibilityStatus",
			func(r *api.CustomerProfileRequest, s string) { r.EligibilityStatus = s },
			func(r *api.CustomerProfileRequest) string { return r.EligibilityStatus },
			[]fieldCase{
				{name: "mixed case", in: "Bad_Debt", want: "BAD_DEBT"},
				{name: "optional (the API defaults NEW)", in: "", want: ""},
				{name: "unknown", in: "ACTIVE", code: CodeInvalidEnum},
			}},
		{"financialAccountData.subtype",
			func(r *api.CustomerProfileRequest, s string) { r.FinancialAccountData.Subtype = s },
			func(r *api.CustomerProfileRequest) string { return r.FinancialAccountData.Subtype },
			[]fieldCase{
				{name: "lower case", in: "credit", want: "CREDIT"},
				{name: "unknown", in: "PREPAID", code: CodeInvalidEnum},
				{name: "required", in: "", code: CodeRequired},
			}},
		{"customerData.primaryPhoneNumber.type",
			func(r *api.CustomerProfileRequest, s string) { r.CustomerData.PrimaryPhoneNumber.Type = s },
			func(r *api.CustomerProfileRequest) string { return r.CustomerData.PrimaryPhoneNumber.Type },
			[]fieldCase{
				{name: "lower case", in: " home ", want: "HOME"},
				{name: "cell is not a type", in: "CELL", code: CodeInvalidEnum},
				{name: "required", in: "", code: CodeRequired},
			}},
		{"customerData.type",
			func(r *api.CustomerProfileRequest, s string) { r.CustomerData.Type = s },
			func(r *api.CustomerProfileRequest) string { return r.CustomerData.Type },
			[]fieldCase{
				{name: "lower case", in: "individual", want: "INDIVIDUAL"},
				{name: "business is not allowed", in: "BUSINESS", code: CodeInvalidEnum},
				{name: "required", in: "", code: CodeRequired},
			}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			runField(t, tc.field, ewaRunner(v, tc.set, tc.get), tc.cases)
		})
	}
	t.Run("addresses[0].type", func(t *testing.T) {
		t.Parallel()
		run := individualRunner(v,
			func(r *api.IndividualCustomer, s string) { r.Addresses[0].Type = s },
			func(r *api.IndividualCustomer) string { return r.Addresses[0].Type })
		runField(t, "addresses[0].type", run, []fieldCase{
			{name: "lower case", in: "mailing", want: "MAILING"},
			{name: "unknown", in: "HOME", code: CodeInvalidEnum},
			{name: "required", in: "", code: CodeRequired},
		})
	})
	t.Run("legalEntityType", func(t *testing.T) {
		t.Parallel()
		run := businessRunner(v,
			func(b *api.BusinessCustomer, s string) { b.LegalEntityType = s },
			func(b *api.BusinessCustomer) string { return b.LegalEntityType })
		runField(t, "legalEntityType", run, []fieldCase{
			{name: "lower case", in: "llc", want: "LLC"},
			{name: "optional", in: "", want: ""},
			{name: "unknown", in: "INC", code: CodeInvalidEnum},
		})
	})
	t.Run("business type", func(t *testing.T) {
		t.Parallel()
		run := businessRunner(v,
			func(b *api.BusinessCustomer, s string) { b.Type = s },
			func(b *api.BusinessCustomer) string { return b.Type })
		runField(t, "type", run, []fieldCase{
			{name: "lower case", in: "business", want: "BUSINESS"},
			{name: "individual", in: "INDIVIDUAL", code: CodeInvalidEnum},
		})
	})
}

func TestEnumMessageListsValues(t *testing.T) {
	t.Parallel()
	r := validEWA()
	r.CustomerData.Sex = "Man"
	res := newV(t).EWA(r, Hint{})
	p, _ := findProblem(res.Errors, "customerData.sex", CodeInvalidEnum)
	if want := `sex "Man" is not one of MALE, FEMALE, NONBINARY`; p.Message != want {
		t.Errorf("message %q, want %q", p.Message, want)
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	v := newV(t)
	meta := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[string(rune('a'+i))] = "v"
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		kind     string // ewa, individual, business
		in       map[string]string
		wantErrs []string
		want     map[string]string
	}{
		{name: "individual 5 keys", kind: "individual", in: meta(5), want: meta(5)},
		{name: "individual 6 keys", kind: "individual", in: meta(6), wantErrs: []string{"metadata too_many_metadata"}},
		{name: "ewa customerData 6 keys", kind: "ewa", in: meta(6), wantErrs: []string{"customerData.metadata too_many_metadata"}},
		{name: "business 6 keys", kind: "business", in: meta(6), want: meta(6)},
		{name: "business 7 keys", kind: "business", in: meta(7), wantErrs: []string{"metadata too_many_metadata"}},
		{name: "empty values dropped before counting", kind: "individual",
			in:   map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": " ", "g": ""},
			want: map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}},
		{name: "keys and values trimmed", kind: "individual", in: map[string]string{" dept ": " Sales "}, want: map[string]string{"dept": "Sales"}},
		{name: "all empty becomes nil", kind: "individual", in: map[string]string{"a": "  "}, want: nil},
		{name: "value of 1024 characters", kind: "individual", in: map[string]string{"k": strings.Repeat("ü", 1024)}, want: map[string]string{"k": strings.Repeat("ü", 1024)}},
		{name: "value of 1025 characters", kind: "individual", in: map[string]string{"k": strings.Repeat("ü", 1025)}, wantErrs: []string{"metadata.k too_long"}},
		{name: "ewa value too long", kind: "ewa", in: map[string]string{"k": strings.Repeat("x", 1025)}, wantErrs: []string{"customerData.metadata.k too_long"}},
		{name: "business value too long", kind: "business", in: map[string]string{"k": strings.Repeat("x", 1025)}, wantErrs: []string{"metadata.k too_long"}},
		{name: "keys equal once trimmed", kind: "individual", in: map[string]string{"k": "1", "k ": "2"}, wantErrs: []string{"metadata.k invalid_format"}},
		{name: "empty key", kind: "individual", in: map[string]string{" ": "1"}, wantErrs: []string{"metadata invalid_format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var res Result
			var got map[string]string
			switch tc.kind {
			case "ewa":
				r := validEWA()
				r.CustomerData.Metadata = tc.in
				res, got = v.EWA(r, Hint{}), r.CustomerData.Metadata
			case "individual":
				r := validIndividual()
				r.Metadata = tc.in
				res, got = v.Individual(r, Hint{}), r.Metadata
			case "business":
				r := validBusiness()
				r.Metadata = tc.in
				res, got = v.Business(r, Hint{}), r.Metadata
			}
			expectProblems(t, "errors", res.Errors, tc.wantErrs)
			if tc.wantErrs == nil && !mapsEqual(got, tc.want) {
				t.Errorf("metadata = %q, want %q", got, tc.want)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestNowDefaultsToClock(t *testing.T) {
	t.Parallel()
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := validEWA()
	r.FinancialAccountData.Card.Expiry = time.Now().AddDate(1, 0, 0).Format("2006-01")
	r.CustomerData.DateOfBirth = time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	res := v.EWA(r, Hint{})
	expectProblems(t, "errors", res.Errors, []string{"customerData.dateOfBirth invalid_date"})
}
