package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

// newMapper builds a mapper for a header or fails the test.
func newMapper(t testing.TB, cfg Config, headers ...string) *Mapper {
	t.Helper()
	m, err := NewMapper(cfg, rows.Header{Num: 1, Names: headers})
	if err != nil {
		t.Fatalf("NewMapper(%q): %v", headers, err)
	}
	return m
}

// placed returns field -> header of a mapper's placements.
func placed(m *Mapper) map[string]string {
	out := map[string]string{}
	for _, p := range m.Placements() {
		out[p.Field] = p.Header
	}
	return out
}

func TestAliasTablesHaveNoClashes(t *testing.T) {
	if c := kinds().conflicts; len(c) > 0 {
		t.Fatalf("alias tables: %q", c)
	}
}

func TestHeaderRecognition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   Kind
		header string
		field  string
		via    string
	}{
		// The template's own names, matched ignoring case, spaces, _, - and .
		{KindEWA, "firstName", "firstName", ViaColumn},
		{KindEWA, "First Name", "firstName", ViaColumn},
		{KindEWA, "first_name", "firstName", ViaColumn},
		{KindEWA, "FIRSTNAME", "firstName", ViaColumn},
		{KindEWA, "first-name", "firstName", ViaColumn},
		{KindEWA, "First.Name", "firstName", ViaColumn},
		{KindEWA, "billing_zip", "billingZip", ViaColumn},
		{KindEWA, "Card Number", "cardNumber", ViaColumn},
		{KindEWA, "SSN", "ssn", ViaColumn},
		{KindEWA, "City", "city", ViaColumn},
		{KindEWA, "Zip", "zip", ViaColumn},
		{KindEWA, "Country", "country", ViaColumn},
		{KindEWA, "Gender", "gender", ViaColumn},
		{KindEWA, "Sex", "sex", ViaColumn},
		{KindEWA, "Date of Birth", "dateOfBirth", ViaColumn},
		{KindEWA, "Address Line 1", "addressLine1", ViaColumn},
		{KindEWA, "Address Line 2", "addressLine2", ViaColumn},
		{KindBusiness, "Business Name", "businessName", ViaColumn},
		{KindBusiness, "Tax ID", "taxId", ViaColumn},
		// Payroll export headers.
		{KindEWA, "Employee ID", "externalId", ViaAlias},
		{KindEWA, "Employee Number", "externalId", ViaAlias},
		{KindEWA, "Emp ID", "externalId", ViaAlias},
		{KindEWA, "Emp No", "externalId", ViaAlias},
		{KindEWA, "Associate ID", "externalId", ViaAlias},
		{KindEWA, "Worker ID", "externalId", ViaAlias},
		{KindEWA, "File #", "externalId", ViaAlias},
		{KindEWA, "Legal First Name", "firstName", ViaAlias},
		{KindEWA, "Legal Last Name", "lastName", ViaAlias},
		{KindEWA, "Given Name", "firstName", ViaAlias},
		{KindEWA, "Surname", "lastName", ViaAlias},
		{KindEWA, "Middle Initial", "middleName", ViaAlias},
		{KindEWA, "Work Email", "email", ViaAlias},
		{KindEWA, "Personal Email", "email", ViaAlias},
		{KindEWA, "Email Address", "email", ViaAlias},
		{KindEWA, "Mobile Phone", "phone", ViaAlias},
		{KindEWA, "Cell Phone", "phone", ViaAlias},
		{KindEWA, "Home Phone", "phone", ViaAlias},
		{KindEWA, "Work Phone", "phone", ViaAlias},
		{KindEWA, "Phone Number", "phone", ViaAlias},
		{KindEWA, "Birth Date", "dateOfBirth", ViaAlias},
		{KindEWA, "DOB", "dateOfBirth", ViaAlias},
		{KindEWA, "D.O.B.", "dateOfBirth", ViaAlias},
		{KindEWA, "Social Security Number", "ssn", ViaAlias},
		{KindEWA, "SSN/SIN", "ssn", ViaAlias},
		{KindEWA, "Address 1", "addressLine1", ViaAlias},
		{KindEWA, "Street", "addressLine1", ViaAlias},
		{KindEWA, "Street Address", "addressLine1", ViaAlias},
		{KindEWA, "Apt", "addressLine2", ViaAlias},
		{KindEWA, "Suite", "addressLine2", ViaAlias},
		{KindEWA, "Town", "city", ViaAlias},
		{KindEWA, "Zip Code", "zip", ViaAlias},
		{KindEWA, "Postal Code", "zip", ViaAlias},
		{KindEWA, "Postcode", "zip", ViaAlias},
		{KindEWA, "Pincode", "zip", ViaAlias},
		{KindEWA, "State/Province", "state", ViaAlias},
		{KindEWA, "Province", "state", ViaAlias},
		{KindEWA, "PAN", "cardNumber", ViaAlias},
		{KindEWA, "Expiry", "cardExpiry", ViaAlias},
		{KindEWA, "Expiration Date", "cardExpiry", ViaAlias},
		{KindEWA, "Billing Postal Code", "billingZip", ViaAlias},
		{KindIndividual, "Employee ID", "externalId", ViaAlias},
		{KindIndividual, "Zip Code", "zip", ViaAlias},
		{KindBusiness, "Company", "businessName", ViaAlias},
		{KindBusiness, "EIN", "taxId", ViaAlias},
		{KindBusiness, "FEIN", "taxId", ViaAlias},
		{KindBusiness, "DBA", "dbaName", ViaAlias},
		{KindBusiness, "Email", "contactEmail", ViaAlias},
		{KindBusiness, "Contact Email", "contactEmail", ViaColumn},
		{KindBusiness, "Monthly Limit", "limitMonthly", ViaAlias},
		{KindBusiness, "Zip Code", "zip", ViaAlias},
		// ADP's "Section: Field" and Workday's "Section - Field".
		{KindEWA, "Personal Contact: Personal Email", "email", ViaAlias},
		{KindEWA, "Home Address: Zip Code", "zip", ViaAlias},
		{KindEWA, "Legal Name - First Name", "firstName", ViaAlias},
		{KindEWA, "Primary Address: City", "city", ViaAlias},
		// Metadata keys are kept as written.
		{KindEWA, "metadata.costCenter", "metadata.costCenter", ViaColumn},
		{KindEWA, "Metadata.Cost Center", "metadata.Cost Center", ViaColumn},
		{KindBusiness, "metadata_region", "metadata.region", ViaColumn},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.header, func(t *testing.T) {
			t.Parallel()
			m := newMapper(t, Config{Kind: tt.kind}, tt.header)
			ps := m.Placements()
			if len(ps) != 1 {
				t.Fatalf("placements = %+v, unplaced %q; want %s", ps, m.Unplaced(), tt.field)
			}
			want := Placement{Header: tt.header, Column: 0, Field: tt.field, Via: tt.via}
			if ps[0] != want {
				t.Errorf("placement = %+v, want %+v", ps[0], want)
			}
		})
	}
}

func TestHeadersOfOtherKindsAreUnplaced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   Kind
		header string
		why    string
	}{
		{KindBusiness, "Card Number", "cardNumber is a field of kind ewa, not business"},
		{KindIndividual, "Program ID", "programId is a field of kind ewa, not individual"},
		{KindEWA, "EIN", "taxId is a field of kind business, not ewa"},
		{KindEWA, "Department", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.header, func(t *testing.T) {
			t.Parallel()
			m := newMapper(t, Config{Kind: tt.kind}, tt.header)
			if len(m.Placements()) != 0 || len(m.Unplaced()) != 1 {
				t.Fatalf("placements %+v, unplaced %q", m.Placements(), m.Unplaced())
			}
			if m.unplaced[0].why != tt.why {
				t.Errorf("why = %q, want %q", m.unplaced[0].why, tt.why)
			}
		})
	}
}

func TestCardSecretColumnsAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		holds  string
	}{
		{"CVV", holdsCodes},
		{"cvc", holdsCodes},
		{"CVV2", holdsCodes},
		{"CVC2", holdsCodes},
		{"CID", holdsCodes},
		{"CVV2/CVC2", holdsCodes},
		{"Card CVV", holdsCodes},
		{"cvv_number", holdsCodes},
		{"cardCvc", holdsCodes},
		{"CVV #", holdsCodes},
		{"Security Code", holdsCodes},
		{"Card Security Code", holdsCodes},
		{"Card Verification Value", holdsCodes},
		{"Card Verification Code", holdsCodes},
		{"PIN", holdsPINs},
		{"pin", holdsPINs},
		{"Card PIN", holdsPINs},
		{"Card PIN Code", holdsPINs},
		{"PIN Number", holdsPINs},
		{"Debit Pin", holdsPINs},
		{"cardPin", holdsPINs},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			// Refused wherever it stands, though nothing maps it.
			_, err := NewMapper(Config{}, rows.Header{Num: 1, Names: []string{"Employee ID", "First Name", tt.header}})
			var ce *ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want a ConfigError", err)
			}
			want := "column \"" + tt.header + "\" holds " + tt.holds + ", which may not be stored or sent; remove the column"
			if err.Error() != want {
				t.Errorf("err = %q\nwant %q", err, want)
			}
		})
	}
	t.Run("mapped by the mapping file", func(t *testing.T) {
		t.Parallel()
		_, err := NewMapper(Config{Columns: map[string]string{"cardNumber": "CVV"}}, rows.Header{Names: []string{"CVV"}})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "holds card security codes") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCardSecretLookAlikesAreAccepted(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"Pincode", "Pin Code", "PIN_CODE", "Spinner", "Pinyin Name", "Shipping",
		"Social Security Number", "Security Question", "Cidade", "Precinct", "Opinion", "Accident ID",
		"Civic Number", "Employee ID"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			if what, bad := cardSecret(h); bad {
				t.Fatalf("cardSecret(%q) = %q, want accepted", h, what)
			}
			if _, err := NewMapper(Config{}, rows.Header{Names: []string{h}}); err != nil {
				t.Errorf("NewMapper: %v", err)
			}
		})
	}
}

func TestNormKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"First Name", "firstname"},
		{"first_name", "firstname"},
		{"FIRST-NAME", "firstname"},
		{"First.Name", "firstname"},
		{"First\u00a0Name", "firstname"},
		{"State/Province", "state/province"},
		{"Prénom", "prénom"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := normKey(tt.in); got != tt.want {
				t.Errorf("normKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMetadataKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, key string
		ok          bool
	}{
		{"metadata.costCenter", "costCenter", true},
		{"METADATA.Dept", "Dept", true},
		{"metadata: Cost Center", "Cost Center", true},
		{"metadata_region", "region", true},
		{"metadata.", "", false},
		{"metadata", "", false},
		{"metadatax", "", false},
		{"Department", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			key, ok := metadataKey(tt.header)
			if key != tt.key || ok != tt.ok {
				t.Errorf("metadataKey(%q) = %q, %v; want %q, %v", tt.header, key, ok, tt.key, tt.ok)
			}
		})
	}
}

func TestCanonicalNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind        Kind
		n           int
		first, last string
	}{
		{KindEWA, 42, "externalId", "currency"},
		{KindIndividual, 27, "externalId", "country"},
		{KindBusiness, 28, "externalId", "limitSingle"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			names := CanonicalNames(tt.kind)
			if len(names) != tt.n || names[0] != tt.first || names[len(names)-1] != tt.last {
				t.Errorf("CanonicalNames = %d names %q..%q, want %d %q..%q", len(names), names[0], names[len(names)-1], tt.n, tt.first, tt.last)
			}
			// A file whose header is the template needs no mapping.
			m := newMapper(t, Config{Kind: tt.kind}, names...)
			if len(m.Unplaced()) != 0 || len(m.Placements()) != len(names) {
				t.Errorf("template header: unplaced %q", m.Unplaced())
			}
			for i, p := range m.Placements() {
				if p.Field != names[i] || p.Via != ViaColumn {
					t.Errorf("placement %d = %+v", i, p)
				}
			}
		})
	}
}

// TestPayrollExportHeaders: the headers the seven payroll systems write, as testdata/exports/
// SOURCES.md cites them (vendor documentation, or code that reads those systems' exports),
// each place the field it holds, for both person kinds and, for an address, a business too.
func TestPayrollExportHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		system, header, field string
		kinds                 []Kind
	}{
		{"ADP Workforce Now", "Associate ID", "externalId", nil},
		{"ADP Workforce Now", "File Number", "externalId", nil},
		{"ADP Workforce Now", "Legal First Name", "firstName", nil},
		{"ADP Workforce Now", "Generation Suffix Code", "suffix", nil},
		{"ADP Workforce Now", "Gender / Sex (Self-ID)", "gender", nil},
		{"ADP Workforce Now", "Tax ID (SSN)", "ssn", nil},
		{"ADP Workforce Now", "Personal Contact: Personal Mobile", "phone", nil},
		{"ADP Workforce Now", "Personal Contact: Home Phone", "phone", nil},
		{"ADP Workforce Now", "Work Contact: Work Email", "email", nil},
		{"ADP Workforce Now", "Primary Address: State / Territory Code", "state", nil},
		{"ADP Workforce Now", "Primary Address: Zip / Postal Code", "zip", nil},
		{"ADP Workforce Now", "Primary Address: Country Code", "country", nil},
		{"Paychex Flex", "Middle Initial", "middleName", nil},
		{"Paychex Flex", "Sex", "sex", nil},
		{"Paychex Flex", "Cell Phone", "phone", nil},
		{"Paychex Flex", "Telephone", "phone", nil},
		{"Gusto", "Gusto employee ID", "externalId", nil},
		{"Gusto", "Home address street 1", "addressLine1", nil},
		{"Gusto", "Home address zip", "zip", nil},
		{"Workday", "Social Security Number - Formatted", "ssn", nil},
		{"Workday", "Legal Name - Middle Name", "middleName", nil},
		{"Workday", "Email - Primary Home", "email", nil},
		{"Workday", "Email - Primary Work or Primary Home", "email", nil},
		{"Workday", "Phone - Primary Home", "phone", nil},
		{"Workday", "Primary Address - Formatted Line 1", "addressLine1", []Kind{KindBusiness}},
		{"Workday", "Primary Address - Formatted Line 2", "addressLine2", []Kind{KindBusiness}},
		{"Workday", "Primary Home Address - State/Province", "state", nil},
		{"Workday", "Primary Home Address - Postal Code", "zip", nil},
		{"UKG Pro", "Employee Number", "externalId", nil},
		{"UKG Pro", "National ID", "ssn", nil},
		{"UKG Pro", "Email Address", "email", nil},
		{"UKG Pro", "Alternate Email Address", "email", nil},
		{"Paylocity", "Employee Id", "externalId", nil},
		{"Paylocity", "Personal Mobile Phone", "phone", nil},
		{"Paylocity", "Personal Email Address", "email", nil},
		{"Paylocity", "Work Email Address", "email", nil},
		{"BambooHR", "Employee #", "externalId", nil},
		{"BambooHR", "Home Email", "email", nil},
	}
	for _, tt := range tests {
		for _, k := range append([]Kind{KindEWA, KindIndividual}, tt.kinds...) {
			t.Run(tt.system+"/"+tt.header+"/"+string(k), func(t *testing.T) {
				t.Parallel()
				m := newMapper(t, Config{Kind: k}, tt.header)
				if got := placed(m)[tt.field]; got != tt.header {
					t.Errorf("placements %+v, unplaced %q; want %s", m.Placements(), m.Unplaced(), tt.field)
				}
			})
		}
	}
}

// TestExportAliasesOfAbsentFields: a kind without an export alias's field leaves the header to
// other kinds rather than refusing its table.
func TestExportAliasesOfAbsentFields(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{Kind: KindBusiness}, "Gender / Sex (Self-ID)")
	if len(m.Placements()) != 0 || len(m.Unplaced()) != 1 {
		t.Fatalf("placements %+v, unplaced %q", m.Placements(), m.Unplaced())
	}
	if want := "gender is a field of kind ewa, not business"; m.unplaced[0].why != want {
		t.Errorf("why = %q, want %q", m.unplaced[0].why, want)
	}
}
