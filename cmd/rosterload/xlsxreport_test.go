package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// openReport opens an XLSX report and indexes its comments by cell.
func openReport(t *testing.T, path string) (*excelize.File, map[string]string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	if sheets := f.GetSheetList(); len(sheets) != 1 {
		t.Fatalf("sheets %v, want one", sheets)
	}
	cs, err := f.GetComments(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	comments := map[string]string{}
	for _, c := range cs {
		var b strings.Builder
		b.WriteString(c.Text)
		for _, p := range c.Paragraph {
			b.WriteString(p.Text)
		}
		comments[c.Cell] = b.String()
	}
	return f, comments
}

// fillOf returns the first fill colour of a cell's style, "" when it has none.
func fillOf(t *testing.T, f *excelize.File, cell string) string {
	t.Helper()
	sheet := f.GetSheetList()[0]
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(st.Fill.Color[0])
}

// zipText is every part of a zip file, concatenated: what a leak scan must read.
func zipText(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s is not a zip: %v", path, err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(&b, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		b.WriteByte('\n')
	}
	return b.String()
}

// TestValidateXLSXReport: the XLSX report is the roster itself, cells where the source had them,
// an outcome column added, each bad cell filled and commented, card data masked.
func TestValidateXLSXReport(t *testing.T) {
	t.Parallel()
	t.Run("csv source", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "errors.report.xlsx")
		res := runCLI(t, nil, "validate", "--mapping", td("ewa", "errors.mapping.yaml"), "--report", out, "--log-level", "warn", td("ewa", "errors.csv"))
		if res.code != 1 {
			t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
		}
		f, comments := openReport(t, out)
		sheet := f.GetSheetList()[0]
		get := func(cell string) string {
			v, err := f.GetCellValue(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		// 25 roster columns (A..Y): the outcome columns start at Z.
		for cell, want := range map[string]string{
			"A1": "Associate ID", "D1": "Email Addr", "Y1": "metadata.shift", "Z1": "Onboarding status",
			"A2": "A001", "Z2": "VALID", "D9": "sarah@@example.com", "Z9": "INVALID", "Z21": "DUPLICATE",
			"A20": "A019", "Z20": "INVALID",
			"G2": "***-**-6789", "M2": "****4242", "N2": "", // SSN, card masked; expiry never shown
		} {
			if got := get(cell); got != want {
				t.Errorf("%s = %q, want %q", cell, got, want)
			}
		}
		if p := get("AA9"); !strings.Contains(p, "invalid_email") {
			t.Errorf("problems column AA9 = %q, want invalid_email in it", p)
		}
		if c := comments["D9"]; !strings.Contains(c, "invalid_email") {
			t.Errorf("comment on D9 %q, want invalid_email", c)
		}
		if c := comments["K22"]; !strings.Contains(c, "zip_padded") {
			t.Errorf("comment on K22 %q, want zip_padded", c)
		}
		if c, ok := comments["N16"]; !ok || !strings.Contains(c, "card_expired") {
			t.Errorf("comment on N16 (expiry, blanked) %q, want card_expired", c)
		}
		// A conflicting duplicate marks its id and the cell that differs from the first row.
		for _, cell := range []string{"A21", "D21"} {
			if c := comments[cell]; !strings.Contains(c, "duplicate") {
				t.Errorf("comment on %s %q, want duplicate", cell, c)
			}
		}
		for _, cell := range []string{"D2", "A20", "B8"} { // D8 now warns: row 8 shares row 2's email
			if c, ok := comments[cell]; ok {
				t.Errorf("%s has comment %q, want none", cell, c)
			}
		}
		bad, warn, plain := fillOf(t, f, "D9"), fillOf(t, f, "K22"), fillOf(t, f, "D2")
		if bad == "" || warn == "" || bad == warn {
			t.Errorf("fills: error cell %q, warning cell %q: want two different fills", bad, warn)
		}
		if plain != "" {
			t.Errorf("a good cell D2 is filled %q", plain)
		}
		if fillOf(t, f, "Z2") == fillOf(t, f, "Z9") {
			t.Error("VALID and INVALID status cells look the same")
		}
		text := zipText(t, out)
		for _, secret := range []string{"4242424242424242", "4242424242424241", "123-45-6789", "2031-12"} {
			if strings.Contains(text, secret) {
				t.Errorf("the XLSX report holds %q", secret)
			}
		}
	})
	t.Run("xlsx source keeps sheet rows", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "ind.report.xlsx")
		res := runCLI(t, nil, "validate", "--kind", "individual", "--sheet", "Employees", "--header-row", "3", "--report", out, "--log-level", "warn", td("individual", "employees.xlsx"))
		if res.code != 1 {
			t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
		}
		f, comments := openReport(t, out)
		sheet := f.GetSheetList()[0]
		rowsGot, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rowsGot) < 11 || len(rowsGot[0]) != 0 || len(rowsGot[1]) != 0 || len(rowsGot[5]) != 0 {
			t.Fatalf("rows 1, 2 (title rows) and 6 (blank) should be empty, rows 4..11 filled: got %d rows %q", len(rowsGot), rowsGot)
		}
		if !strings.Contains(strings.Join(rowsGot[2], "|"), "Onboarding status") {
			t.Errorf("header row 3 = %q, want the outcome column", rowsGot[2])
		}
		if c := comments["K5"]; !strings.Contains(c, "zip_padded") {
			t.Errorf("comment on K5 %q, want zip_padded", c)
		}
		if c := comments["D7"]; !strings.Contains(c, "invalid_email") {
			t.Errorf("comment on D7 %q, want invalid_email", c)
		}
	})
}

// xlsxContent is what a reader of an XLSX report sees: its rows and its comments.
func xlsxContent(t *testing.T, path string) [][]string {
	t.Helper()
	f, comments := openReport(t, path)
	out, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 8 {
		t.Errorf("%s has %d rows: want the header and one per data row", path, len(out))
	}
	cells := make([]string, 0, len(comments))
	for cell, text := range comments {
		cells = append(cells, cell+": "+text)
	}
	slices.Sort(cells)
	return append(out, cells)
}

// TestXLSXReportTooManyRows: a CSV roster longer than an XLSX report can hold is refused before
// anything is read or sent, not at the row past Excel's limit.
func TestXLSXReportTooManyRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "huge.csv")
	body := "externalId,firstName,lastName,email,phone\n" + strings.Repeat("E1,A,B,c,d\n", 1048576)
	if err := os.WriteFile(src, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "r.xlsx")
	res := runCLI(t, nil, "validate", "--kind", "individual", "--log-level", "error", "--report", out, src)
	if res.code != exitConfig || !strings.Contains(res.stderr, "XLSX report holds at most 1048575") {
		t.Fatalf("exit %d, stderr %q: want 2 and the limit", res.code, res.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a report was left at %s (%v)", out, err)
	}
}
