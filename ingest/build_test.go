package ingest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest/rows"
)

// row builds a row from header -> value pairs laid out as headers.
// ewaOf, individualOf and businessOf return a record's request of that kind, nil for another.
func ewaOf(r *Record) *api.CustomerProfileRequest {
	p, _ := r.Body.(*api.CustomerProfileRequest)
	return p
}

func individualOf(r *Record) *api.IndividualCustomer {
	c, _ := r.Body.(*api.IndividualCustomer)
	return c
}

func businessOf(r *Record) *api.BusinessCustomer {
	b, _ := r.Body.(*api.BusinessCustomer)
	return b
}

func row(num int, headers []string, vals map[string]string) rows.Row {
	cells := make([]string, len(headers))
	for i, h := range headers {
		cells[i] = vals[h]
	}
	return rows.Row{Num: num, Cells: cells}
}

var ewaHeaders = []string{"Employee ID", "First Name", "Last Name", "Personal Email", "Mobile Phone",
	"SSN", "Address Line 1", "Address Line 2", "Address Line 3", "City", "Zip", "State", "Country",
	"Card Number", "Expiry", "Department", "metadata.costCenter"}

var ewaRow = map[string]string{"Employee ID": "  E-001 ", "First Name": "Zoë", "Last Name": "Ng",
	"Personal Email": "zoe@example.com", "Mobile Phone": "(415) 555-0100", "SSN": "123-45-6789",
	"Address Line 1": "1 Main St", "Address Line 2": "Apt 2", "Address Line 3": "Rear", "City": "Springfield",
	"Zip": "02134", "State": "MA", "Country": "", "Card Number": "4242 4242 4242 4242", "Expiry": "12/30",
	"Department": "Ops", "metadata.costCenter": "CC-9"}

func TestMapEWADefaults(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{ProgramID: "prog-1", DefaultCountry: "USA", Defaults: map[string]string{"cardSubtype": "DEBIT"}}, ewaHeaders...)
	rec := m.Map(row(7, ewaHeaders, ewaRow))
	want := &api.CustomerProfileRequest{
		ExternalID:        "E-001",
		EligibilityStatus: "NEW",
		ProgramID:         "prog-1",
		CustomerData: &api.IndividualCustomer{
			Type:                api.TypeIndividual,
			FirstName:           "Zoë",
			LastName:            "Ng",
			PrimaryPhoneNumber:  &api.Phone{Number: "(415) 555-0100", Type: "MOBILE"},
			PrimaryEmail:        &api.Email{Value: "zoe@example.com"},
			SocialID:            "123-45-6789",
			SocialIDCountryCode: "USA",
			Metadata:            map[string]string{"costCenter": "CC-9"},
		},
		FinancialAccountData: &api.FinancialAccountData{
			Subtype:  "DEBIT",
			Currency: "USD",
			Card: &api.Card{
				FirstName: "Zoë", LastName: "Ng", CardNumber: "4242 4242 4242 4242", Expiry: "12/30",
				BillingAddress: &api.BillingAddress{AddressLine1: "1 Main St", AddressLine2: "Apt 2",
					AddressLine3: "Rear", City: "Springfield", StateCode: "MA", CountryCode: "USA", PostalCode: "02134"},
			},
		},
	}
	if !reflect.DeepEqual(ewaOf(rec), want) {
		got, _ := json.MarshalIndent(ewaOf(rec), "", " ")
		exp, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("EWA request =\n%s\nwant\n%s", got, exp)
	}
	if rec.Row != 7 || rec.Kind != KindEWA || rec.Country != "" || individualOf(rec) != nil || businessOf(rec) != nil || rec.Malformed != nil {
		t.Errorf("record = %+v", rec)
	}
	if rec.ExternalID() != "E-001" || rec.Name() != "Zoë Ng" {
		t.Errorf("ExternalID, Name = %q, %q", rec.ExternalID(), rec.Name())
	}
}

func TestMapEWAVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		headers []string // added to ewaHeaders
		vals    map[string]string
		check   func(t *testing.T, rec *Record)
	}{
		{
			name: "the row's country before the default country",
			cfg:  Config{DefaultCountry: "USA"},
			vals: map[string]string{"Country": "CAN"},
			check: func(t *testing.T, rec *Record) {
				c := ewaOf(rec).CustomerData
				if c.SocialIDCountryCode != "CAN" || ewaOf(rec).FinancialAccountData.Card.BillingAddress.CountryCode != "CAN" || rec.Country != "CAN" {
					t.Errorf("ssn country %q, billing country %q, Record.Country %q; want CAN", c.SocialIDCountryCode, ewaOf(rec).FinancialAccountData.Card.BillingAddress.CountryCode, rec.Country)
				}
			},
		},
		{
			name: "no SSN, no SSN country",
			cfg:  Config{DefaultCountry: "USA"},
			vals: map[string]string{"SSN": " ", "Country": "USA"},
			check: func(t *testing.T, rec *Record) {
				if c := ewaOf(rec).CustomerData; c.SocialID != "" || c.SocialIDCountryCode != "" {
					t.Errorf("socialId %q, country %q; want both empty", c.SocialID, c.SocialIDCountryCode)
				}
			},
		},
		{
			name:    "an SSN country column wins",
			headers: []string{"SSN Country"},
			vals:    map[string]string{"SSN Country": "PRI", "Country": "USA"},
			check: func(t *testing.T, rec *Record) {
				if got := ewaOf(rec).CustomerData.SocialIDCountryCode; got != "PRI" {
					t.Errorf("socialIdCountryCode = %q", got)
				}
			},
		},
		{
			name:    "columns and mapping defaults before built-in defaults",
			cfg:     Config{ProgramID: "flag-prog", Defaults: map[string]string{"currency": "CAD", "phoneType": "WORK", "cardFirstName": "CARDHOLDER"}},
			headers: []string{"Program ID", "Eligibility Status", "Card Last Name", "Card Name"},
			vals:    map[string]string{"Program ID": "col-prog", "Eligibility Status": "ELIGIBLE", "Card Last Name": "Ng-Smith", "Card Name": "Payroll card"},
			check: func(t *testing.T, rec *Record) {
				r := ewaOf(rec)
				if r.ProgramID != "col-prog" || r.EligibilityStatus != "ELIGIBLE" || r.FinancialAccountData.Currency != "CAD" ||
					r.CustomerData.PrimaryPhoneNumber.Type != "WORK" || r.FinancialAccountData.Name != "Payroll card" {
					t.Errorf("programId %q eligibility %q currency %q phone type %q name %q", r.ProgramID, r.EligibilityStatus,
						r.FinancialAccountData.Currency, r.CustomerData.PrimaryPhoneNumber.Type, r.FinancialAccountData.Name)
				}
				if c := r.FinancialAccountData.Card; c.FirstName != "CARDHOLDER" || c.LastName != "Ng-Smith" {
					t.Errorf("card names %q %q", c.FirstName, c.LastName)
				}
			},
		},
		{
			name:    "a blank column falls back to the default",
			cfg:     Config{ProgramID: "flag-prog"},
			headers: []string{"Program ID", "Eligibility Status", "Currency"},
			vals:    map[string]string{"Program ID": " ", "Eligibility Status": "", "Currency": "\t"},
			check: func(t *testing.T, rec *Record) {
				r := ewaOf(rec)
				if r.ProgramID != "flag-prog" || r.EligibilityStatus != "NEW" || r.FinancialAccountData.Currency != "USD" {
					t.Errorf("programId %q eligibility %q currency %q", r.ProgramID, r.EligibilityStatus, r.FinancialAccountData.Currency)
				}
			},
		},
		{
			name:    "explicit billing columns: billing from them only",
			cfg:     Config{DefaultCountry: "USA"},
			headers: []string{"Billing Address", "Billing City", "Billing State", "Billing Zip"},
			vals:    map[string]string{"Billing Address": "9 Card Rd", "Billing City": "Boston", "Billing State": "MA", "Billing Zip": "02110", "Country": "USA"},
			check: func(t *testing.T, rec *Record) {
				want := &api.BillingAddress{AddressLine1: "9 Card Rd", City: "Boston", StateCode: "MA", CountryCode: "USA", PostalCode: "02110"}
				if got := ewaOf(rec).FinancialAccountData.Card.BillingAddress; !reflect.DeepEqual(got, want) {
					t.Errorf("billing = %+v, want %+v", got, want)
				}
			},
		},
		{
			name:    "billing country column",
			headers: []string{"Billing Address", "Billing Country"},
			vals:    map[string]string{"Billing Address": "9 Card Rd", "Billing Country": "CAN", "Country": "USA"},
			check: func(t *testing.T, rec *Record) {
				if got := ewaOf(rec).FinancialAccountData.Card.BillingAddress.CountryCode; got != "CAN" {
					t.Errorf("billing country = %q", got)
				}
			},
		},
		{
			name:    "a blank mobile phone still holds the field",
			headers: []string{"Home Phone"},
			vals:    map[string]string{"Mobile Phone": "", "Home Phone": "555-0101"},
			check: func(t *testing.T, rec *Record) {
				// Mobile Phone holds the field even when its cell is blank.
				if p := ewaOf(rec).CustomerData.PrimaryPhoneNumber; p.Number != "" || p.Type != "MOBILE" {
					t.Errorf("phone = %+v", p)
				}
			},
		},
		{
			name:  "an empty row still has every required object",
			vals:  map[string]string{"Employee ID": "", "First Name": "", "Last Name": "", "Personal Email": "", "Mobile Phone": "", "SSN": "", "Address Line 1": "", "Address Line 2": "", "Address Line 3": "", "City": "", "Zip": "", "State": "", "Card Number": "", "Expiry": "", "Department": "", "metadata.costCenter": ""},
			check: checkEmptyEWA,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			headers := append(append([]string(nil), ewaHeaders...), tt.headers...)
			vals := map[string]string{}
			for k, v := range ewaRow {
				vals[k] = v
			}
			for k, v := range tt.vals {
				vals[k] = v
			}
			m := newMapper(t, tt.cfg, headers...)
			tt.check(t, m.Map(row(2, headers, vals)))
		})
	}
}

func checkEmptyEWA(t *testing.T, rec *Record) {
	r := ewaOf(rec)
	c := r.CustomerData
	if c == nil || c.PrimaryPhoneNumber == nil || c.PrimaryEmail == nil || r.FinancialAccountData == nil ||
		r.FinancialAccountData.Card == nil || r.FinancialAccountData.Card.BillingAddress == nil {
		t.Fatalf("a required object is missing: %+v", r)
	}
	if c.PlaceOfBirth != nil || c.Metadata != nil || c.Addresses != nil || c.ExternalID != "" {
		t.Errorf("customerData has optional objects: %+v", c)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"middleName"`, `"socialId"`, `"metadata"`, `"placeOfBirth"`, `"addresses"`, `"dateOfBirth"`} {
		if strings.Contains(string(b), key) {
			t.Errorf("JSON sends an empty %s: %s", key, b)
		}
	}
}

func TestImpliedPhoneType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		headers []string
		cells   []string
		want    string
	}{
		{"home phone", Config{}, []string{"Home Phone"}, []string{"1"}, "HOME"},
		{"work phone", Config{}, []string{"Work Phone"}, []string{"1"}, "WORK"},
		{"cell phone", Config{}, []string{"Cell Phone"}, []string{"1"}, "MOBILE"},
		{"generic phone", Config{}, []string{"Phone Number"}, []string{"1"}, "MOBILE"},
		{"mapped by the mapping file", Config{Columns: map[string]string{"phone": "Home Phone"}}, []string{"Home Phone", "Mobile"}, []string{"1", "2"}, "HOME"},
		{"phone type column wins", Config{}, []string{"Home Phone", "Phone Type"}, []string{"1", "MOBILE"}, "MOBILE"},
		{"blank phone type cell", Config{}, []string{"Home Phone", "Phone Type"}, []string{"1", ""}, "HOME"},
		{"phone type default wins", Config{Defaults: map[string]string{"phoneType": "WORK"}}, []string{"Home Phone"}, []string{"1"}, "WORK"},
		{"business contact", Config{Kind: KindBusiness}, []string{"Contact Phone"}, []string{"1"}, "WORK"},
		{"business contact cell", Config{Kind: KindBusiness}, []string{"Contact Cell"}, []string{"1"}, "MOBILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newMapper(t, tt.cfg, tt.headers...).Map(rows.Row{Num: 2, Cells: tt.cells})
			var got string
			switch {
			case ewaOf(rec) != nil:
				got = ewaOf(rec).CustomerData.PrimaryPhoneNumber.Type
			case businessOf(rec) != nil:
				got = businessOf(rec).Contacts[0].PrimaryPhoneNumber.Type
			}
			if got != tt.want {
				t.Errorf("phone type = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMapIndividual(t *testing.T) {
	t.Parallel()
	headers := []string{"Emp ID", "Given Name", "Surname", "Middle Initial", "Email", "Work Phone", "DOB",
		"Birth City", "Street", "Suite", "City", "State/Province", "Postal Code", "Country", "Address Type",
		"metadata.dept", "metadata.team"}
	m := newMapper(t, Config{Kind: KindIndividual, DefaultCountry: "USA"}, headers...)
	tests := []struct {
		name string
		vals map[string]string
		want *api.IndividualCustomer
	}{
		{
			name: "address of type PHYSICAL, primary",
			vals: map[string]string{"Emp ID": " 42", "Given Name": " Ann ", "Surname": "Lee", "Middle Initial": "Q",
				"Email": "ann@example.com", "Work Phone": "555", "DOB": "1/2/1990", "Birth City": "Oslo", "Street": "1 Elm",
				"Suite": "Ste 4", "City": "Austin", "State/Province": "TX", "Postal Code": "78701", "metadata.dept": "HR"},
			want: &api.IndividualCustomer{
				ExternalID: "42", Type: api.TypeIndividual, FirstName: " Ann ", MiddleName: "Q", LastName: "Lee",
				PrimaryPhoneNumber: &api.Phone{Number: "555", Type: "WORK"},
				PrimaryEmail:       &api.Email{Value: "ann@example.com"},
				DateOfBirth:        "1/2/1990",
				PlaceOfBirth:       &api.PlaceOfBirth{City: "Oslo"},
				Addresses: []api.Address{{Type: "PHYSICAL", StreetLine1: "1 Elm", StreetLine2: "Ste 4", CityName: "Austin",
					StateCode: "TX", CountryCode: "USA", ZipCode: "78701", Primary: api.Bool(true)}},
				Metadata: map[string]string{"dept": "HR"},
			},
		},
		{
			name: "address type from its column, country from the row",
			vals: map[string]string{"Emp ID": "43", "Street": "2 Oak", "Address Type": "MAILING", "Country": "CAN", "metadata.team": "Blue"},
			want: &api.IndividualCustomer{
				ExternalID: "43", Type: api.TypeIndividual,
				PrimaryPhoneNumber: &api.Phone{Type: "WORK"},
				PrimaryEmail:       &api.Email{},
				Addresses:          []api.Address{{Type: "MAILING", StreetLine1: "2 Oak", CountryCode: "CAN", Primary: api.Bool(true)}},
				Metadata:           map[string]string{"team": "Blue"},
			},
		},
		{
			name: "no address when every address cell is blank",
			vals: map[string]string{"Emp ID": "44", "Country": "USA", "Address Type": "PHYSICAL"},
			want: &api.IndividualCustomer{
				ExternalID: "44", Type: api.TypeIndividual,
				PrimaryPhoneNumber: &api.Phone{Type: "WORK"},
				PrimaryEmail:       &api.Email{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := m.Map(row(3, headers, tt.vals))
			if ewaOf(rec) != nil || businessOf(rec) != nil {
				t.Fatalf("record of the wrong kind: %+v", rec)
			}
			if !reflect.DeepEqual(individualOf(rec), tt.want) {
				got, _ := json.MarshalIndent(individualOf(rec), "", " ")
				exp, _ := json.MarshalIndent(tt.want, "", " ")
				t.Errorf("individual =\n%s\nwant\n%s", got, exp)
			}
		})
	}
}

var businessHeaders = []string{"Customer ID", "Company", "DBA", "Legal Name", "Registered State", "Entity Type",
	"EIN", "Website", "Date of Formation", "Business Phone", "Business Email", "Contact First Name",
	"Contact Last Name", "Contact Email", "Contact Phone", "Address Line 1", "Address Line 2", "City", "State",
	"Zip", "Country", "Currency", "Monthly Limit", "Weekly Limit", "Daily Limit", "Single Limit", "metadata.tier"}

func TestMapBusiness(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{Kind: KindBusiness, DefaultCountry: "USA"}, businessHeaders...)
	vals := map[string]string{"Customer ID": "B1 ", "Company": "ACME", "DBA": "ACME Corp.", "Legal Name": "ACME Corporation",
		"Registered State": "MO", "Entity Type": "CORP", "EIN": "12-3456789", "Website": "https://acme.example",
		"Date of Formation": "2010-01-31", "Business Phone": "+14155550100", "Business Email": "info@acme.example",
		"Contact First Name": "Jack", "Contact Last Name": "Smith", "Contact Email": "jack@acme.example",
		"Contact Phone": "415 555 0101", "Address Line 1": "100 Main St", "City": "Greenville", "State": "MO",
		"Zip": "63368", "Currency": "USD", "Monthly Limit": "5000.00", "Single Limit": "500", "metadata.tier": "gold"}
	rec := m.Map(row(5, businessHeaders, vals))
	want := &api.BusinessCustomer{
		ExternalID: "B1", Type: api.TypeBusiness, BusinessName: "ACME", DoingBusinessAsName: "ACME Corp.",
		LegalName: "ACME Corporation", RegisteredStateCode: "MO", LegalEntityType: "CORP", TaxID: "12-3456789",
		TaxIDCountryCode: "USA", Website: "https://acme.example", DateOfFormation: "2010-01-31",
		PrimaryPhone: "+14155550100", PrimaryEmail: "info@acme.example",
		Contacts: []api.Contact{{FirstName: "Jack", LastName: "Smith", Primary: api.Bool(true),
			PrimaryPhoneNumber: &api.Phone{Number: "415 555 0101", Type: "WORK"},
			PrimaryEmail:       &api.Email{Value: "jack@acme.example"}}},
		Addresses: []api.Address{{Type: "PHYSICAL", StreetLine1: "100 Main St", CityName: "Greenville", StateCode: "MO",
			CountryCode: "USA", ZipCode: "63368", Primary: api.Bool(true)}},
		LimitsCurrencyCode: "USD",
		Limits:             &api.Limits{Monthly: &api.Limit{Amount: "5000.00"}, Single: &api.Limit{Amount: "500"}},
		Metadata:           map[string]string{"tier": "gold"},
	}
	if !reflect.DeepEqual(businessOf(rec), want) {
		got, _ := json.MarshalIndent(businessOf(rec), "", " ")
		exp, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("business =\n%s\nwant\n%s", got, exp)
	}
	if rec.Name() != "ACME" || rec.ExternalID() != "B1" {
		t.Errorf("Name, ExternalID = %q, %q", rec.Name(), rec.ExternalID())
	}

	t.Run("no tax id, no limits", func(t *testing.T) {
		t.Parallel()
		rec := m.Map(row(6, businessHeaders, map[string]string{"Customer ID": "B2", "Country": "CAN"}))
		b := businessOf(rec)
		if b.TaxIDCountryCode != "" || b.Limits != nil || b.Addresses != nil || len(b.Contacts) != 1 ||
			b.Contacts[0].PrimaryPhoneNumber == nil || b.Contacts[0].PrimaryPhoneNumber.Type != "WORK" || b.Contacts[0].PrimaryEmail == nil {
			t.Errorf("business = %+v", b)
		}
	})
	t.Run("contact mobile is MOBILE", func(t *testing.T) {
		t.Parallel()
		m := newMapper(t, Config{Kind: KindBusiness}, "Company", "Contact Mobile", "Tax ID", "Country")
		b := businessOf(m.Map(rows.Row{Num: 2, Cells: []string{"X", "555", "12-3456789", "CAN"}}))
		if p := b.Contacts[0].PrimaryPhoneNumber; p.Number != "555" || p.Type != "MOBILE" {
			t.Errorf("contact phone = %+v", p)
		}
		if b.TaxIDCountryCode != "CAN" {
			t.Errorf("taxIdCountryCode = %q, want the row's country", b.TaxIDCountryCode)
		}
	})
}

func TestLocate(t *testing.T) {
	t.Parallel()
	// Zip is column K (index 10), as a roster of eleven columns has it.
	headers := []string{"Employee ID", "First Name", "Last Name", "Email", "Phone", "SSN", "Address Line 1",
		"City", "State", "Country", "Zip", "Card First Name", "Card Number", "Eligibility Status", "metadata.dept",
		"Home Phone"}
	m := newMapper(t, Config{ProgramID: "p", DefaultCountry: "USA"}, headers...)
	full := map[string]string{"Employee ID": "E1", "First Name": "Ann", "Last Name": "Lee", "Email": "a@b.c", "Phone": "555",
		"SSN": "123456789", "Address Line 1": "1 Elm", "City": "Austin", "State": "TX", "Country": "USA", "Zip": "7870",
		"Card First Name": "ANN", "Card Number": "4242", "Eligibility Status": "NEW", "metadata.dept": "HR"}
	sparse := map[string]string{"Employee ID": "E2", "First Name": "Bo", "SSN": "123456789"}
	tests := []struct {
		field        string
		vals         map[string]string
		column, cell string
	}{
		{"financialAccountData.card.billingAddress.postalCode", full, "Zip", "K7"},
		{"financialAccountData.card.billingAddress.addressLine1", full, "Address Line 1", "G7"},
		{"financialAccountData.card.billingAddress.city", full, "City", "H7"},
		{"financialAccountData.card.billingAddress.stateCode", full, "State", "I7"},
		{"financialAccountData.card.billingAddress.countryCode", full, "Country", "J7"},
		{"financialAccountData.card.billingAddress.countryCode", sparse, "", ""}, // the default country
		{"externalId", full, "Employee ID", "A7"},
		{"customerData.firstName", full, "First Name", "B7"},
		{"customerData.primaryPhoneNumber.number", full, "Phone", "E7"},
		{"customerData.primaryPhoneNumber.type", full, "", ""}, // MOBILE by default
		{"customerData.primaryEmail.value", full, "Email", "D7"},
		{"customerData.primaryEmail.value", sparse, "Email", "D7"}, // blank: "required" points at the cell
		{"customerData.socialId", full, "SSN", "F7"},
		{"customerData.socialIdCountryCode", full, "Country", "J7"},
		{"customerData.socialIdCountryCode", sparse, "", ""},
		{"customerData.metadata", full, "metadata.dept", "O7"},
		{"customerData.metadata.dept", full, "metadata.dept", "O7"},
		{"financialAccountData.card.firstName", full, "Card First Name", "L7"},
		{"financialAccountData.card.firstName", sparse, "First Name", "B7"}, // the card name cell is blank
		{"financialAccountData.card.lastName", full, "Last Name", "C7"},
		{"financialAccountData.card.cardNumber", full, "Card Number", "M7"},
		{"financialAccountData.card.expiry", full, "", ""}, // no column
		{"eligibilityStatus", full, "Eligibility Status", "N7"},
		{"eligibilityStatus", sparse, "", ""}, // NEW by default
		{"programId", full, "", ""},           // from --program-id
		{"financialAccountData.currency", full, "", ""},
		{"customerData.addresses[0].zipCode", full, "", ""},
		{"no.such.field", full, "", ""},
	}
	for _, tt := range tests {
		name := tt.field
		if tt.vals["Employee ID"] == "E2" {
			name += "/sparse"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := m.Map(row(7, headers, tt.vals))
			column, cell := rec.Locate(tt.field)
			if column != tt.column || cell != tt.cell {
				t.Errorf("Locate(%q) = %q, %q; want %q, %q", tt.field, column, cell, tt.column, tt.cell)
			}
		})
	}
}

func TestLocateByKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		cfg          Config
		headers      []string
		cells        []string
		field        string
		column, cell string
	}{
		{"individual zip", Config{Kind: KindIndividual}, []string{"ID", "Street", "Zip Code"}, []string{"1", "x", "y"}, "addresses[0].zipCode", "Zip Code", "C9"},
		{"individual state", Config{Kind: KindIndividual}, []string{"ID", "Street", "State/Province"}, []string{"1", "x", "y"}, "addresses[0].stateCode", "State/Province", "C9"},
		{"individual email", Config{Kind: KindIndividual}, []string{"ID", "Work Email"}, []string{"1", "x"}, "primaryEmail.value", "Work Email", "B9"},
		{"individual address type default", Config{Kind: KindIndividual}, []string{"ID", "Street"}, []string{"1", "x"}, "addresses[0].type", "", ""},
		{"individual metadata", Config{Kind: KindIndividual}, []string{"ID", "metadata.a", "metadata.b"}, []string{"1", "x", "y"}, "metadata.b", "metadata.b", "C9"},
		{"business contact email", Config{Kind: KindBusiness}, []string{"Company", "Email"}, []string{"1", "x"}, "contacts[0].primaryEmail.value", "Email", "B9"},
		{"business contact phone", Config{Kind: KindBusiness}, []string{"Company", "Contact Phone"}, []string{"1", "x"}, "contacts[0].primaryPhoneNumber.number", "Contact Phone", "B9"},
		{"business contact phone type", Config{Kind: KindBusiness}, []string{"Company", "Contact Phone"}, []string{"1", "x"}, "contacts[0].primaryPhoneNumber.type", "", ""},
		{"business contact name", Config{Kind: KindBusiness}, []string{"Company", "Contact First Name"}, []string{"1", "x"}, "contacts[0].firstName", "Contact First Name", "B9"},
		{"business monthly limit", Config{Kind: KindBusiness}, []string{"Company", "Monthly Limit"}, []string{"1", "x"}, "limits.MONTHLY.amount", "Monthly Limit", "B9"},
		{"business tax id", Config{Kind: KindBusiness}, []string{"Company", "EIN"}, []string{"1", "x"}, "taxId", "EIN", "B9"},
		{"business tax id country from the row", Config{Kind: KindBusiness}, []string{"Company", "EIN", "Country"}, []string{"1", "x", "y"}, "taxIdCountryCode", "Country", "C9"},
		{"business tax id country default", Config{Kind: KindBusiness, DefaultCountry: "USA"}, []string{"Company", "EIN", "Country"}, []string{"1", "x", ""}, "taxIdCountryCode", "", ""},
		{"ewa billing columns", Config{}, []string{"Zip", "Billing Zip"}, []string{"1", "2"}, "financialAccountData.card.billingAddress.postalCode", "Billing Zip", "B9"},
		{"ewa billing country from the row", Config{}, []string{"Billing Zip", "Country"}, []string{"2", "CAN"}, "financialAccountData.card.billingAddress.countryCode", "Country", "B9"},
		{"mapping default on a blank cell", Config{Defaults: map[string]string{"city": "Paris"}}, []string{"ID", "City"}, []string{"1", ""}, "financialAccountData.card.billingAddress.city", "", ""},
		{"mapping default, cell given", Config{Defaults: map[string]string{"city": "Paris"}}, []string{"ID", "City"}, []string{"1", "Lyon"}, "financialAccountData.card.billingAddress.city", "City", "B9"},
		{"mapping file column", Config{Columns: map[string]string{"externalId": "Badge"}}, []string{"X", "Badge"}, []string{"1", "2"}, "externalId", "Badge", "B9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMapper(t, tt.cfg, tt.headers...)
			rec := m.Map(rows.Row{Num: 9, Cells: tt.cells})
			column, cell := rec.Locate(tt.field)
			if column != tt.column || cell != tt.cell {
				t.Errorf("Locate(%q) = %q, %q; want %q, %q", tt.field, column, cell, tt.column, tt.cell)
			}
		})
	}
}

func TestMapMalformedRow(t *testing.T) {
	t.Parallel()
	headers := []string{"Employee ID", "First Name", "Last Name", "Email", "metadata.x", "Zip"}
	m := newMapper(t, Config{}, headers...)
	tests := []struct {
		name  string
		cells []string
		err   error
	}{
		{"too few fields", []string{"E1", "Ann"}, &rows.MalformedRowError{Row: 4, Got: 2, Want: 6}},
		{"too many fields", []string{"E1", "Ann", "Lee", "a@b.c", "m", "1", "extra", "more"}, &rows.MalformedRowError{Row: 4, Got: 8, Want: 6}},
		{"no cells at all", nil, &rows.MalformedRowError{Row: 4, Got: 0, Want: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := m.Map(rows.Row{Num: 4, Cells: tt.cells, Err: tt.err})
			if rec.Malformed != tt.err {
				t.Fatalf("Malformed = %v, want %v", rec.Malformed, tt.err)
			}
			var mre *rows.MalformedRowError
			if !errors.As(rec.Malformed, &mre) || mre.Row != 4 {
				t.Errorf("Malformed is not the reader's MalformedRowError: %v", rec.Malformed)
			}
			if len(tt.cells) > 0 && (rec.ExternalID() != "E1" || ewaOf(rec).CustomerData.FirstName != "Ann") {
				t.Errorf("the cells the row has are not mapped: %+v", ewaOf(rec))
			}
			if col, cell := rec.Locate("customerData.lastName"); col != "Last Name" || cell != "C4" {
				t.Errorf("Locate = %q, %q", col, cell)
			}
		})
	}
}

func BenchmarkMap(b *testing.B) {
	for _, tt := range []struct {
		name string
		mapf func(m *Mapper, r rows.Row, last *Record) *Record
	}{
		{"Map", func(m *Mapper, r rows.Row, _ *Record) *Record { return m.Map(r) }},
		// The census's way: one record refilled row after row.
		{"MapKeys", func(m *Mapper, r rows.Row, last *Record) *Record { return m.MapKeys(r, last) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			headers := append(append([]string(nil), ewaHeaders...), "Home Phone", "Work Email", "Birth Date")
			m := newMapper(b, Config{ProgramID: "p", DefaultCountry: "USA"}, headers...)
			vals := map[string]string{}
			for k, v := range ewaRow {
				vals[k] = v
			}
			vals["Country"] = "USA"
			r := row(2, headers, vals)
			b.ReportAllocs()
			b.ResetTimer()
			var rec *Record
			for i := 0; b.Loop(); i++ {
				r.Num = i
				rec = tt.mapf(m, r, rec)
			}
			if rec.ExternalID() != "E-001" {
				b.Fatal(rec.ExternalID())
			}
		})
	}
}

// TestBlank: a cell is blank when it is empty or white space alone, Unicode's included; the
// shortcut for cells that start with a printable ASCII character agrees with that.
func TestBlank(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cell string
		want bool
	}{
		{"empty", "", true},
		{"spaces", "   ", true},
		{"tabs and line ends", "\t\r\n\v\f", true},
		{"no-break space", "\u00a0", true},
		{"ideographic space", "\u3000 ", true},
		{"letter", "a", false},
		{"space then letter", " a", false},
		{"letter then space", "a ", false},
		{"delete", "\x7f", false},
		{"accented", "é", false},
		{"no-break space then digit", "\u00a01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := blank(tt.cell); got != tt.want {
				t.Errorf("blank(%q) = %v, want %v", tt.cell, got, tt.want)
			}
		})
	}
}
