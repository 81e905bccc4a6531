package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest"
)

// payrollExport is one payroll system's worker export under testdata/exports (made by its
// gen.go): every header as the system writes it (testdata/exports/SOURCES.md says where each
// was seen), with the canonical field it carries ("" for
// none), and what validate must find in its damaged rows.
type payrollExport struct {
	system string
	file   string
	cols   [][2]string // header, field
	// The damage gen.go put in: row -> the problem code expected there, and the column.
	damage map[int][2]string
}

// The damage every export carries (rows as the spreadsheet numbers them), by column.
func damage(email, phone, ssn, last, zip, id string) map[int][2]string {
	return map[int][2]string{
		4:  {"invalid_email", email},
		8:  {"invalid_phone", phone},
		12: {"invalid_ssn", ssn},
		16: {"required", last},
		20: {"zip_padded", zip},
		24: {"duplicate", id},
	}
}

var payrollExports = []payrollExport{
	{"ADP Workforce Now", "adp-workforce-now.csv", [][2]string{
		{"Associate ID", "externalId"}, {"File Number", "externalId"},
		{"Legal First Name", "firstName"}, {"Legal Middle Name", "middleName"},
		{"Legal Last Name", "lastName"}, {"Generation Suffix Code", "suffix"},
		{"Preferred or Chosen First Name", ""}, {"Gender / Sex (Self-ID)", "gender"},
		{"Birth Date", "dateOfBirth"},
		{"Tax ID (SSN)", "ssn"}, {"Personal Contact: Personal Email", "email"},
		{"Work Contact: Work Email", "email"}, {"Personal Contact: Personal Mobile", "phone"},
		{"Personal Contact: Home Phone", "phone"},
		{"Primary Address: Address Line 1", "addressLine1"},
		{"Primary Address: Address Line 2", "addressLine2"}, {"Primary Address: City", "city"},
		{"Primary Address: State / Territory Code", "state"},
		{"Primary Address: Zip / Postal Code", "zip"}, {"Primary Address: Country Code", "country"},
		{"Hire Date", ""}, {"Position Status", ""}, {"Home Department Description", ""},
		{"Job Title Description", ""},
	}, damage("Personal Contact: Personal Email", "Personal Contact: Personal Mobile", "Tax ID (SSN)",
		"Legal Last Name", "Primary Address: Zip / Postal Code", "Associate ID")},
	{"Paychex Flex", "paychex-flex.csv", [][2]string{
		{"Company ID", ""}, {"Employee ID", "externalId"}, {"Employee Type", ""},
		{"First Name", "firstName"}, {"Middle Initial", "middleName"}, {"Last Name", "lastName"},
		{"Preferred Name", ""}, {"SSN", "ssn"}, {"Birth Date", "dateOfBirth"}, {"Sex", "sex"},
		{"Address 1", "addressLine1"}, {"Address 2", "addressLine2"}, {"City", "city"},
		{"State", "state"}, {"Zip Code", "zip"}, {"Country", "country"}, {"Telephone", "phone"},
		{"Cell Phone", "phone"}, {"Personal Email", "email"}, {"Work Email", "email"},
		{"Hire Date", ""},
	}, damage("Personal Email", "Cell Phone", "SSN", "Last Name", "Zip Code", "Employee ID")},
	{"Gusto", "gusto.csv", [][2]string{
		{"Gusto employee ID", "externalId"}, {"Last name", "lastName"}, {"First name", "firstName"},
		{"Middle initial", "middleName"}, {"Preferred first name", ""}, {"Job title", ""},
		{"Department", ""}, {"Employment type", ""}, {"Start date", ""}, {"Work email", "email"},
		{"Personal email", "email"}, {"Phone", "phone"}, {"Date of birth", "dateOfBirth"},
		{"SSN", "ssn"}, {"Home address street 1", "addressLine1"},
		{"Home address street 2", "addressLine2"}, {"Home address city", "city"},
		{"Home address state", "state"}, {"Home address zip", "zip"},
	}, damage("Personal email", "Phone", "SSN", "Last name", "Home address zip", "Gusto employee ID")},
	{"Workday", "workday.xlsx", [][2]string{
		{"Employee ID", "externalId"}, {"Legal Name - First Name", "firstName"},
		{"Legal Name - Middle Name", "middleName"}, {"Legal Name - Last Name", "lastName"},
		{"Date of Birth", "dateOfBirth"}, {"Gender", "gender"},
		{"Social Security Number - Formatted", "ssn"}, {"Email - Primary Home", "email"},
		{"Email - Primary Work", "email"}, {"Phone - Primary Home", "phone"},
		{"Primary Address - Formatted Line 1", "addressLine1"},
		{"Primary Address - Formatted Line 2", "addressLine2"},
		{"Primary Home Address - City", "city"}, {"Primary Home Address - State/Province", "state"},
		{"Primary Home Address - Postal Code", "zip"}, {"Primary Home Address - Country", "country"},
		{"Hire Date", ""}, {"Employee Type", ""}, {"Supervisory Organization", ""},
	}, damage("Email - Primary Home", "Phone - Primary Home", "Social Security Number - Formatted",
		"Legal Name - Last Name", "Primary Home Address - Postal Code", "Employee ID")},
	{"UKG Pro", "ukg-pro.csv", [][2]string{
		{"Company Code", ""}, {"Employee Number", "externalId"}, {"Last Name", "lastName"},
		{"First Name", "firstName"}, {"Middle Name", "middleName"}, {"National ID", "ssn"},
		{"Birth Date", "dateOfBirth"}, {"Gender", "gender"}, {"Address Line 1", "addressLine1"},
		{"Address Line 2", "addressLine2"}, {"City", "city"}, {"State", "state"},
		{"Zip Code", "zip"}, {"Country", "country"}, {"Home Phone", "phone"},
		{"Email Address", "email"}, {"Alternate Email Address", "email"}, {"Last Hire Date", ""},
		{"Org Level 1", ""}, {"Job Description", ""},
	}, damage("Email Address", "Home Phone", "National ID", "Last Name", "Zip Code", "Employee Number")},
	{"Paylocity", "paylocity.csv", [][2]string{
		{"Company ID", ""}, {"Employee Id", "externalId"}, {"Last Name", "lastName"},
		{"First Name", "firstName"}, {"Middle Name", "middleName"}, {"SSN", "ssn"},
		{"Birth Date", "dateOfBirth"}, {"Sex", "sex"}, {"Address 1", "addressLine1"},
		{"Address 2", "addressLine2"}, {"City", "city"}, {"State", "state"}, {"Zip", "zip"},
		{"Country", "country"}, {"Home Phone", "phone"}, {"Personal Mobile Phone", "phone"},
		{"Personal Email Address", "email"}, {"Work Email Address", "email"}, {"Hire Date", ""},
		{"Employment Type", ""}, {"Cost Center 1", ""}, {"Job Title", ""},
	}, damage("Personal Email Address", "Personal Mobile Phone", "SSN", "Last Name", "Zip", "Employee Id")},
	{"BambooHR", "bamboohr.csv", [][2]string{
		{"Employee #", "externalId"}, {"First Name", "firstName"}, {"Middle Name", "middleName"},
		{"Last Name", "lastName"}, {"Preferred Name", ""}, {"Birth Date", "dateOfBirth"},
		{"SSN", "ssn"}, {"Gender", "gender"}, {"Home Email", "email"}, {"Work Email", "email"},
		{"Mobile Phone", "phone"}, {"Home Phone", "phone"}, {"Address Line 1", "addressLine1"},
		{"Address Line 2", "addressLine2"}, {"City", "city"}, {"State", "state"}, {"Zip Code", "zip"},
		{"Country", "country"}, {"Hire Date", ""}, {"Employment Status", ""}, {"Job Title", ""},
		{"Department", ""},
	}, damage("Home Email", "Mobile Phone", "SSN", "Last Name", "Zip Code", "Employee #")},
}

// exportFlags are what a clerk gives beside an export, with no mapping file: its people are
// customers, in the USA (Gusto writes no country).
var exportFlags = []string{"--kind", "individual", "--default-country", "USA"}

// TestPayrollExportsMapping: `rosterload mapping` places a column for every field an export
// has, each header of the table the column the system writes, and leaves no required field
// unplaced. A field two columns carry goes to one, the other being "taken".
func TestPayrollExportsMapping(t *testing.T) {
	for _, e := range payrollExports {
		t.Run(e.system, func(t *testing.T) {
			t.Parallel()
			src := td("exports", e.file)
			s, err := ingest.Open(src, ingest.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h, err := s.Header()
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			var headers []string
			for _, c := range e.cols {
				headers = append(headers, c[0])
			}
			if !slices.Equal(h.Names, headers) {
				t.Fatalf("the export's headers are\n%q\nthe table's\n%q", h.Names, headers)
			}
			res := runCLI(t, nil, append(append([]string{"mapping"}, exportFlags...), src)...)
			if res.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
			}
			placed := map[string]string{} // field -> header
			for _, c := range e.cols {
				header, field := c[0], c[1]
				line := fmt.Sprintf("  %s: %q\n", field, header)
				taken := fmt.Sprintf("# unplaced: %q (%s is taken by ", header, field)
				switch {
				case field == "" && !strings.Contains(res.stdout, fmt.Sprintf("# unplaced: %q\n", header)):
					t.Errorf("%q is not a field, but is not listed as unplaced", header)
				case field != "" && strings.Contains(res.stdout, line):
					placed[field] = header
				case field != "" && !strings.Contains(res.stdout, taken):
					t.Errorf("%q is neither placed as %s nor taken by another column", header, field)
				}
			}
			for _, c := range e.cols {
				if c[1] != "" && placed[c[1]] == "" {
					t.Errorf("no column placed for %s", c[1])
				}
			}
			if strings.Contains(res.stdout, "# required, unplaced") {
				t.Errorf("required fields unplaced:\n%s", res.stdout)
			}
			if t.Failed() {
				t.Logf("mapping:\n%s", res.stdout)
			}
		})
	}
}

// TestPayrollExportsValidate: validate with no mapping file reports each export's damage at the
// damaged cell and every other first occurrence VALID, as the golden report records.
func TestPayrollExportsValidate(t *testing.T) {
	for _, e := range payrollExports {
		t.Run(e.system, func(t *testing.T) {
			t.Parallel()
			name := strings.TrimSuffix(e.file, filepath.Ext(e.file)) + ".report.jsonl"
			out := filepath.Join(t.TempDir(), name)
			res := runCLI(t, nil, append(append([]string{"validate", "--report", out, "--log-level", "warn"}, exportFlags...), td("exports", e.file))...)
			if res.code != 1 {
				t.Fatalf("exit %d, want 1 (invalid rows); stderr:\n%s", res.code, res.stderr)
			}
			lines := readJSONL(t, out)
			if len(lines) != 33 {
				t.Fatalf("%d report lines, want 33", len(lines))
			}
			col := map[string]int{}
			for i, c := range e.cols {
				col[c[0]] = i
			}
			for _, l := range lines {
				want, damaged := e.damage[l.Row]
				if !damaged {
					if l.Status != "VALID" {
						t.Errorf("row %d: %s %+v, want VALID", l.Row, l.Status, l.Errors)
					}
					continue
				}
				ps := l.find(want[0])
				if len(ps) == 0 {
					t.Errorf("row %d: no %s; errors %+v warnings %+v", l.Row, want[0], l.Errors, l.Warnings)
					continue
				}
				if ps[0].Column != want[1] {
					t.Errorf("row %d: %s in column %q, want %q", l.Row, want[0], ps[0].Column, want[1])
				}
				if _, ok := col[want[1]]; !ok {
					t.Errorf("row %d: the table names no column %q", l.Row, want[1])
				}
			}
			golden(t, filepath.Join("exports", name), out)
		})
	}
}
