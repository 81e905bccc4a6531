package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/redact"
)

// TestValidateEWAErrors runs the dry run on an EWA roster with one row per error code and checks
// each code lands on the right field, column and cell; then the whole report against its golden.
func TestValidateEWAErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "errors.report.jsonl")
	res := runCLI(t, nil, "validate", "--mapping", td("ewa", "errors.mapping.yaml"), "--report", out, "--log-level", "warn", td("ewa", "errors.csv"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	lines := readJSONL(t, out)
	if len(lines) != 22 {
		t.Fatalf("%d report lines, want 22 (one per data row)", len(lines))
	}
	for i, l := range lines {
		if l.Row != i+2 {
			t.Fatalf("line %d has row %d, want %d (source order)", i, l.Row, i+2)
		}
	}
	rows := byRow(lines)
	tests := []struct {
		row                 int
		code, field, column string
		cell                string
	}{
		{3, "required", "customerData.firstName", "First", "B3"},
		{4, "too_long", "customerData.firstName", "First", "B4"},
		{5, "too_short", "financialAccountData.card.billingAddress.stateCode", "State", "J5"},
		{6, "invalid_enum", "eligibilityStatus", "Status", "P6"},
		{7, "invalid_format", "financialAccountData.card.expiry", "Expires", "N7"},
		{8, "invalid_phone", "customerData.primaryPhoneNumber.number", "Cell", "E8"},
		{9, "invalid_email", "customerData.primaryEmail.value", "Email Addr", "D9"},
		{10, "invalid_date", "customerData.dateOfBirth", "Birthdate", "F10"},
		{11, "invalid_country", "customerData.socialIdCountryCode", "Country", "L11"}, // one cell, one problem: on its first field
		{12, "invalid_state", "financialAccountData.card.billingAddress.stateCode", "State", "J12"},
		{13, "invalid_zip", "financialAccountData.card.billingAddress.postalCode", "Zip", "K13"},
		{14, "invalid_ssn", "customerData.socialId", "SSN", "G14"},
		{15, "invalid_card_number", "financialAccountData.card.cardNumber", "Card", "M15"},
		{16, "card_expired", "financialAccountData.card.expiry", "Expires", "N16"},
		{17, "invalid_currency", "financialAccountData.currency", "Currency", "Q17"},
		{18, "too_many_metadata", "customerData.metadata", "metadata.dept", "T18"},
		{19, "conditional_required", "financialAccountData.card.billingAddress.stateCode", "State", "J19"},
		{20, "malformed_row", "row", "", "row 20"},
		{21, "duplicate", "externalId", "Associate ID", "A21"},
		{22, "zip_padded", "financialAccountData.card.billingAddress.postalCode", "Zip", "K22"},
		{22, "country_normalised", "customerData.socialIdCountryCode", "Country", "L22"},
		{23, "invalid_phone", "customerData.primaryPhoneNumber.number", "Cell", "E23"},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/row"+itoa(tt.row), func(t *testing.T) {
			l := rows[tt.row]
			ps := l.find(tt.code, tt.field)
			if len(ps) == 0 {
				t.Fatalf("row %d (%s): no %s; errors %+v warnings %+v", tt.row, l.Status, tt.code, l.Errors, l.Warnings)
			}
			p := ps[0]
			if p.Field != tt.field || p.Cell != tt.cell || (tt.column != "" && p.Column != tt.column) {
				t.Errorf("row %d %s at field %q column %q cell %q; want %q %q %q", tt.row, tt.code, p.Field, p.Column, p.Cell, tt.field, tt.column, tt.cell)
			}
			if p.Message == "" {
				t.Error("empty message")
			}
		})
	}
	for _, r := range []int{2, 22} {
		if l := rows[r]; l.Status != "VALID" || len(l.Errors) != 0 {
			t.Errorf("row %d: %s with errors %+v, want VALID with none", r, l.Status, l.Errors)
		}
	}
	for r := 3; r <= 20; r++ {
		if rows[r].Status != "INVALID" {
			t.Errorf("row %d: %s, want INVALID", r, rows[r].Status)
		}
	}
	dup := rows[21]
	// The roster's column is named, and the differing cell has its own problem.
	if dup.Status != "DUPLICATE" || len(dup.Errors) != 2 || !strings.Contains(dup.Errors[0].Message, "row 2") ||
		!strings.Contains(dup.Errors[0].Message, `"Email Addr"`) || dup.Errors[1].Cell != "D21" {
		t.Errorf("row 21 = %s %+v, want DUPLICATE naming row 2 and the differing email column, and its cell D21", dup.Status, dup.Errors)
	}
	if !strings.Contains(rows[23].find("invalid_phone")[0].Message, "scientific") {
		t.Errorf("row 23: the message should say the spreadsheet's scientific notation lost digits: %+v", rows[23].Errors)
	}
	golden(t, "ewa-errors.report.jsonl", out)
}

// TestValidateIndividualXLSX reads the roster from the second sheet with its header on row 3,
// dates as date cells, ZIPs and phones as number cells.
func TestValidateIndividualXLSX(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ind.report.jsonl")
	res := runCLI(t, nil, "validate", "--kind", "individual", "--sheet", "Employees", "--header-row", "3", "--report", out, "--log-level", "warn", td("individual", "employees.xlsx"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	lines := readJSONL(t, out)
	var got []int
	for _, l := range lines {
		got = append(got, l.Row)
	}
	if want := []int{4, 5, 7, 8, 9, 10, 11}; !equalInts(got, want) {
		t.Fatalf("rows %v, want %v (blank and trailing formatted rows skipped, sheet row numbers)", got, want)
	}
	rows := byRow(lines)
	check := func(row int, code, field, cell string) {
		t.Helper()
		ps := rows[row].find(code, field)
		if len(ps) == 0 {
			t.Errorf("row %d: no %s at %s; got errors %+v warnings %+v", row, code, field, rows[row].Errors, rows[row].Warnings)
			return
		}
		if ps[0].Field != field || ps[0].Cell != cell {
			t.Errorf("row %d %s at %s %s, want %s %s", row, code, ps[0].Field, ps[0].Cell, field, cell)
		}
	}
	if rows[4].Status != "VALID" {
		t.Errorf("row 4: %s %+v, want VALID (date cell, phone and ZIP as numbers)", rows[4].Status, rows[4].Errors)
	}
	if rows[5].Status != "VALID" {
		t.Errorf("row 5: %s %+v, want VALID", rows[5].Status, rows[5].Errors)
	}
	check(5, "zip_padded", "addresses[0].zipCode", "K5")
	if p := rows[5].find("zip_padded"); len(p) > 0 && !strings.Contains(p[0].Message, "02134") {
		t.Errorf("zip_padded message %q does not give the padded ZIP 02134", p[0].Message)
	}
	check(5, "country_normalised", "socialIdCountryCode", "L5") // one cell, one problem: on its first field
	check(7, "invalid_email", "primaryEmail.value", "D7")
	check(7, "invalid_date", "dateOfBirth", "F7")
	check(8, "invalid_phone", "primaryPhoneNumber.number", "E8")
	check(8, "invalid_state", "addresses[0].stateCode", "J8")
	check(9, "state_normalised", "addresses[0].stateCode", "J9")
	if rows[9].Status != "VALID" {
		t.Errorf("row 9 (Canada, Ontario): %s %+v, want VALID", rows[9].Status, rows[9].Errors)
	}
	if rows[10].Status != "DUPLICATE" {
		t.Errorf("row 10: %s, want DUPLICATE of row 4", rows[10].Status)
	}
	golden(t, "individual-xlsx.report.jsonl", out)
}

// TestValidateWindows1252Semicolons reads a Windows-1252 file with ; delimiters.
func TestValidateWindows1252Semicolons(t *testing.T) {
	out := filepath.Join(t.TempDir(), "w.report.jsonl")
	res := runCLI(t, nil, "validate", "--program-id", "prog-1", "--report", out, td("ewa", "cp1252-semicolon.csv"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	lines := readJSONL(t, out)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	if lines[0].Name != "José Müller" || lines[1].Name != "Zoë Ñúñez" {
		t.Errorf("names %q, %q; want José Müller, Zoë Ñúñez", lines[0].Name, lines[1].Name)
	}
	if lines[0].Status != "VALID" || lines[2].Status != "INVALID" {
		t.Errorf("statuses %s %s %s, want VALID VALID INVALID", lines[0].Status, lines[1].Status, lines[2].Status)
	}
	if !strings.Contains(res.stderr, "windows-1252") {
		t.Errorf("the log should say the encoding read; stderr:\n%s", res.stderr)
	}
}

// TestValidateBusinessContacts checks business paths, contacts[0] among them.
func TestValidateBusinessContacts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "b.report.jsonl")
	res := runCLI(t, nil, "validate", "--kind", "business", "--report", out, "--log-level", "warn", td("business", "companies.csv"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	rows := byRow(readJSONL(t, out))
	tests := []struct {
		row         int
		code, field string
	}{
		{3, "invalid_email", "contacts[0].primaryEmail.value"},
		{4, "required", "contacts[0].firstName"},
		{5, "invalid_phone", "contacts[0].primaryPhoneNumber.number"},
		{6, "invalid_url", "website"},
		{7, "invalid_enum", "legalEntityType"},
		{8, "invalid_format", "limits.MONTHLY.amount"},
		{9, "conditional_required", "taxIdCountryCode"},
		{10, "required", "businessName"},
		{11, "zip_padded", "addresses[0].zipCode"},
		{11, "state_normalised", "addresses[0].stateCode"},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/row"+itoa(tt.row), func(t *testing.T) {
			ps := rows[tt.row].find(tt.code, tt.field)
			if len(ps) == 0 {
				t.Fatalf("row %d: want %s at %s; got errors %+v warnings %+v", tt.row, tt.code, tt.field, rows[tt.row].Errors, rows[tt.row].Warnings)
			}
		})
	}
	if rows[2].Status != "VALID" || rows[11].Status != "VALID" {
		t.Errorf("rows 2 and 11: %s, %s; want VALID", rows[2].Status, rows[11].Status)
	}
	golden(t, "business.report.jsonl", out)
}

// TestValidateSampleCSVReport runs the README's first command and checks the CSV report.
func TestValidateSampleCSVReport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "employees.report.csv")
	sum := filepath.Join(dir, "summary.json")
	res := runCLI(t, nil, "validate", "--mapping", td("sample", "mapping.yaml"), "--report", out, "--summary", sum, td("sample", "employees.csv"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	// The summary masks at the edge: a temp dir's random digits may look like a card number.
	for _, want := range []string{"rows read", "VALID", "INVALID", "DUPLICATE", redact.Text(out)} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("summary on stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(sum); err != nil {
		t.Errorf("summary JSON: %v", err)
	}
	golden(t, "sample.report.csv", out)
}

// TestNoPersonalDataInOutputs scans the report, the summary and stderr of runs over every
// fixture for full card numbers and SSNs taken from the inputs.
func TestNoPersonalDataInOutputs(t *testing.T) {
	pan := regexp.MustCompile(`\b(?:\d[ -]?){13,19}\b`)
	ssn := regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b|\b\d{9}\b`)
	runs := [][]string{
		{"--mapping", td("sample", "mapping.yaml"), td("sample", "employees.csv")},
		{"--mapping", td("ewa", "errors.mapping.yaml"), td("ewa", "errors.csv")},
		{"--kind", "individual", "--sheet", "Employees", td("individual", "employees.xlsx")},
		{"--kind", "business", td("business", "companies.csv")},
	}
	for _, args := range runs {
		name := filepath.Base(args[len(args)-1])
		t.Run(name, func(t *testing.T) {
			for _, ext := range []string{".csv", ".jsonl", ".xlsx"} {
				dir := t.TempDir()
				out := filepath.Join(dir, "r"+ext)
				sum := filepath.Join(dir, "s.json")
				a := append([]string{"validate", "--log-level", "debug", "--report", out, "--summary", sum}, args...)
				res := runCLI(t, nil, a...)
				rep, _ := os.ReadFile(out)
				if ext == ".xlsx" {
					rep = []byte(zipText(t, out))
				}
				sj, _ := os.ReadFile(sum)
				for what, text := range map[string]string{"report": string(rep), "summary": string(sj), "stderr": res.stderr} {
					for _, m := range pan.FindAllString(text, -1) {
						t.Errorf("%s %s holds a card-like number %q", ext, what, m)
					}
					for _, m := range ssn.FindAllString(text, -1) {
						t.Errorf("%s %s holds an SSN-like number %q", ext, what, m)
					}
				}
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
