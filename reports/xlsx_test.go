package reports

import (
	"archive/zip"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/validate"
)

// writeXLSX writes lines as an XLSX report and returns its path.
func writeXLSX(t testing.TB, sheet Sheet, lines []*Line) string {
	t.Helper()
	return writeXLSXLeavers(t, sheet, lines)
}

// writeXLSXLeavers writes lines and then leavers, one WriteLeavers call per batch, as an XLSX
// report and returns its path.
func writeXLSXLeavers(t testing.TB, sheet Sheet, lines []*Line, batches ...[]Leaver) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "roster.report.xlsx")
	w, err := Create(p, sheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if err := w.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range batches {
		if err := w.(Leavers).WriteLeavers(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// xlsxFile is a report read back with excelize.
type xlsxFile struct {
	t        *testing.T
	f        *excelize.File
	comments map[string]string // cell -> text
}

func openXLSX(t *testing.T, p string) *xlsxFile {
	t.Helper()
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	t.Cleanup(func() { f.Close() })
	// The report is the first sheet; the leavers' sheet, when there are leavers, the second.
	if got := f.GetSheetList(); len(got) == 0 || got[0] != "Report" || len(got) > 2 || len(got) == 2 && got[1] != "Missing" {
		t.Fatalf("sheets %q, want [Report] or [Report Missing]", got)
	}
	cs, err := f.GetComments("Report")
	if err != nil {
		t.Fatal(err)
	}
	x := &xlsxFile{t: t, f: f, comments: map[string]string{}}
	for _, c := range cs {
		if c.Author != "rosterload" {
			t.Errorf("comment on %s by %q, want rosterload", c.Cell, c.Author)
		}
		if _, dup := x.comments[c.Cell]; dup {
			t.Errorf("two comments on %s", c.Cell)
		}
		text := c.Text
		for _, r := range c.Paragraph {
			text += r.Text
		}
		x.comments[c.Cell] = text
	}
	return x
}

func (x *xlsxFile) value(cell string) string {
	x.t.Helper()
	v, err := x.f.GetCellValue("Report", cell)
	if err != nil {
		x.t.Fatal(err)
	}
	return v
}

func (x *xlsxFile) style(cell string) *excelize.Style {
	x.t.Helper()
	id, err := x.f.GetCellStyle("Report", cell)
	if err != nil {
		x.t.Fatal(err)
	}
	st, err := x.f.GetStyle(id)
	if err != nil {
		x.t.Fatal(err)
	}
	return st
}

// fill is a cell's fill colour ("FFC7CE"), "" when it has none.
func (x *xlsxFile) fill(cell string) string {
	x.t.Helper()
	st := x.style(cell)
	if st.Fill.Type != "pattern" || st.Fill.Pattern != 1 || len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(st.Fill.Color[0])
}

// zipParts reads every part of a zip file.
func zipParts(t *testing.T, p string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatalf("%s is not a zip: %v", p, err)
	}
	defer zr.Close()
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = b
	}
	return parts
}

// The fills the report uses.
const (
	fillError   = "FFC7CE"
	fillWarning = "FFFF99"
	fillGreen   = "C6EFCE"
	fillRed     = "FFC7CE"
	fillAmber   = "FFC000"
	fillChanged = "9BC2E6" // the CHANGED status
	fillChCell  = "DDEBF7" // a changed field's cell
)

var layoutHeader = []string{"Employee ID", "First Name", "Last Name", "Email", "Zip"}

func TestXLSXLayout(t *testing.T) {
	t.Parallel()
	p := writeXLSX(t, Sheet{HeaderRow: 3, Header: layoutHeader}, []*Line{
		{Row: 4, Status: outcome.Created, CustomerID: "cus_1", ProfileID: "prof_1", Cells: []string{"E1", "Ana", "Lee", "ana@example.com", "02134"}},
		// row 5 was blank in the source: it stays empty
		{Row: 6, Status: outcome.Invalid, Cells: []string{"E2", "Bob", "", "bob@@example.com", "2134"},
			Errors:   []validate.Problem{{Field: "customerData.primaryEmail.value", Column: "Email", Cell: "D6", Code: "invalid_email", Message: "not one address"}},
			Warnings: []validate.Problem{{Field: "addresses[0].zipCode", Column: "Zip", Cell: "E6", Code: "zip_padded", Message: "leading zero restored"}}},
		{Row: 7, Status: outcome.NotSubmitted}, // no cells kept: only the added columns
	})
	x := openXLSX(t, p)
	for cell, want := range map[string]string{
		"A3": "Employee ID", "E3": "Zip",
		"F3": "Onboarding status", "G3": "Onboarding problems", "H3": "Platform customer ID", "I3": "Platform profile ID",
		"A4": "E1", "B4": "Ana", "D4": "ana@example.com", "E4": "02134", "F4": "CREATED", "G4": "", "H4": "cus_1", "I4": "prof_1",
		"A5": "", "F5": "",
		"A6": "E2", "C6": "", "D6": "bob@@example.com", "E6": "2134", "F6": "INVALID",
		"G6": "customerData.primaryEmail.value [D6] invalid_email: not one address; addresses[0].zipCode [E6] zip_padded: leading zero restored",
		"A7": "", "F7": "NOT_SUBMITTED",
	} {
		if got := x.value(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	rowsGot, err := x.f.GetRows("Report")
	if err != nil {
		t.Fatal(err)
	}
	if len(rowsGot) != 7 || len(rowsGot[0]) != 0 || len(rowsGot[1]) != 0 || len(rowsGot[4]) != 0 {
		t.Errorf("rows 1, 2 and 5 should be empty and row 7 the last: got %q", rowsGot)
	}
	for _, cell := range []string{"A3", "F3", "I3"} {
		if st := x.style(cell); st.Font == nil || !st.Font.Bold {
			t.Errorf("header cell %s is not bold", cell)
		}
	}
	if st := x.style("A4"); st.Font != nil && st.Font.Bold {
		t.Error("data cell A4 is bold")
	}
	panes, err := x.f.GetPanes("Report")
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
		t.Errorf("panes %+v, want frozen below row 3", panes)
	}
	filters := x.f.GetDefinedName()
	found := false
	for _, d := range filters {
		if d.Name == "_xlnm._FilterDatabase" && d.RefersTo == "Report!$A$3:$I$7" {
			found = true
		}
	}
	if !found {
		t.Errorf("no _xlnm._FilterDatabase over A3:I7 in %+v", filters)
	}
	sheet := string(zipParts(t, p)["xl/worksheets/sheet1.xml"])
	if !strings.Contains(sheet, `<autoFilter ref="A3:I7"/>`) {
		t.Error("the sheet has no autoFilter over A3:I7")
	}
}

func TestXLSXHighlights(t *testing.T) {
	t.Parallel()
	header := []string{"ID", "First", "Last", "Phone", "Email"}
	p := writeXLSX(t, Sheet{HeaderRow: 1, Header: header}, []*Line{
		{Row: 17, Status: outcome.Invalid, Cells: []string{"A17", "Ana", "Lee", "555", "x@"},
			Errors: []validate.Problem{
				{Field: "customerData.primaryEmail.value", Cell: "E17", Code: "invalid_email", Message: "not an address"},
				{Field: "customerData.primaryPhoneNumber.number", Cell: "D17", Code: "invalid_phone", Message: "too few digits"},
				{Field: "x", Cell: "E17", Code: "too_long", Message: "too long"},
				{Field: "malformed", Cell: "row 17", Code: "malformed_row", Message: "row 17 has 6 fields"},
				{Field: "programId", Cell: "", Code: "required", Message: "no program"},
				{Field: "elsewhere", Cell: "B18", Code: "required", Message: "other row"},
				{Field: "outside", Cell: "F17", Code: "required", Message: "past the roster"},
			},
			Warnings: []validate.Problem{
				{Field: "customerData.primaryEmail.value", Cell: "E17", Code: "phone_normalised", Message: "warned too"},
				{Field: "customerData.lastName", Cell: "C17", Code: "state_normalised", Message: "only a warning"},
			}},
		{Row: 18, Status: outcome.Valid, Cells: []string{"A18", "Bo", "Yu", "", ""}},
	})
	x := openXLSX(t, p)
	if want := "invalid_email: not an address\ntoo_long: too long\nphone_normalised: warned too"; x.comments["E17"] != want {
		t.Errorf("comment on E17 = %q, want %q", x.comments["E17"], want)
	}
	if want := "invalid_phone: too few digits"; x.comments["D17"] != want {
		t.Errorf("comment on D17 = %q, want %q", x.comments["D17"], want)
	}
	if want := "state_normalised: only a warning"; x.comments["C17"] != want {
		t.Errorf("comment on C17 = %q, want %q", x.comments["C17"], want)
	}
	if len(x.comments) != 3 {
		t.Errorf("comments %q, want only C17, D17 and E17", x.comments)
	}
	for cell, want := range map[string]string{
		"E17": fillError, "D17": fillError, "C17": fillWarning,
		"A17": "", "B17": "", "B18": "", "F17": fillRed, "F18": fillGreen,
	} {
		if got := x.fill(cell); got != want {
			t.Errorf("fill of %s = %q, want %q", cell, got, want)
		}
	}
	if p := x.value("G17"); !strings.Contains(p, "malformed_row") || !strings.Contains(p, "[B18] required: other row") || !strings.Contains(p, "programId required: no program") {
		t.Errorf("problems column G17 = %q, want every problem", p)
	}
}

func TestXLSXStatusColours(t *testing.T) {
	t.Parallel()
	want := map[outcome.Status]string{
		outcome.Valid: fillGreen, outcome.Created: fillGreen, outcome.Exists: fillGreen, outcome.Skipped: fillGreen,
		outcome.Invalid: fillRed, outcome.Duplicate: fillRed, outcome.Failed: fillRed,
		outcome.NotSubmitted: fillAmber, outcome.Changed: fillChanged,
	}
	var lines []*Line
	for i, s := range outcome.Statuses {
		lines = append(lines, &Line{Row: i + 2, Status: s, Cells: []string{"x"}})
	}
	x := openXLSX(t, writeXLSX(t, Sheet{Header: []string{"ID"}}, lines))
	for i, s := range outcome.Statuses {
		t.Run(string(s), func(t *testing.T) {
			cell := "B" + strconv.Itoa(i+2)
			if got := x.value(cell); got != string(s) {
				t.Errorf("%s = %q, want %q", cell, got, s)
			}
			if got := x.fill(cell); got != want[s] {
				t.Errorf("%s fill %q, want %q", s, got, want[s])
			}
		})
	}
}

// A CHANGED line: its status in its own colour, each changed field's cell in the changed colour
// with a note naming the field, an error's red and a plain warning's yellow kept where they
// apply, and a returned note on the id cell as a warning.
func TestXLSXChangedCells(t *testing.T) {
	t.Parallel()
	header := []string{"ID", "First", "Phone", "Card Address", "Zip"}
	p := writeXLSX(t, Sheet{Header: header}, []*Line{
		{Row: 2, Status: outcome.Changed, Cells: []string{"E1", "Ana", "+1 416 555 0100", "1 Main St", "2134"},
			Warnings: []validate.Problem{
				outcome.ReturnedWarning("ID", "A2", "2026-11-01"),
				outcome.ChangedWarning("customerData.primaryPhoneNumber.number", "Phone", "C2", "2026-11-02"),
				{Field: "addresses[0].zipCode", Column: "Zip", Cell: "E2", Code: "zip_padded", Message: "leading zero restored"},
				outcome.ChangedWarning("addresses[0].zipCode", "Zip", "E2", "2026-11-02"),
				outcome.ChangedWarning("financialAccountData.card.billingAddress.addressLine1", "Card Address", "D2", "2026-11-02"),
				outcome.ChangedWarning("programId", "", "", "2026-11-02"), // from a default: no cell
			}},
		{Row: 3, Status: outcome.Invalid, Cells: []string{"E2", "Bo", "555", "", ""},
			Errors:   []validate.Problem{{Field: "customerData.primaryPhoneNumber.number", Cell: "C3", Code: "invalid_phone", Message: "too few digits"}},
			Warnings: []validate.Problem{outcome.ChangedWarning("customerData.primaryPhoneNumber.number", "Phone", "C3", "2026-11-02")}},
		{Row: 4, Status: outcome.Skipped, Cells: []string{"E3", "Cy", "", "", ""}},
	})
	x := openXLSX(t, p)
	for _, tt := range []struct {
		cell, fill, comment string
	}{
		{"F2", fillChanged, ""},
		{"C2", fillChCell, "changed: customerData.primaryPhoneNumber.number"},
		{"D2", fillChCell, "changed: financialAccountData.card.billingAddress.addressLine1"},
		{"E2", fillChCell, "zip_padded: leading zero restored\nchanged: addresses[0].zipCode"},
		{"A2", fillWarning, "returned: back in the roster; it was missing since 2026-11-01"},
		{"B2", "", ""},
		{"C3", fillError, "invalid_phone: too few digits\nchanged: customerData.primaryPhoneNumber.number"},
		{"F3", fillRed, ""},
		{"F4", fillGreen, ""},
	} {
		t.Run(tt.cell, func(t *testing.T) {
			if got := x.fill(tt.cell); got != tt.fill {
				t.Errorf("fill %q, want %q", got, tt.fill)
			}
			if got := x.comments[tt.cell]; got != tt.comment {
				t.Errorf("comment %q, want %q", got, tt.comment)
			}
		})
	}
	if got := x.value("F2"); got != "CHANGED" {
		t.Errorf("status F2 = %q", got)
	}
	if g := x.value("G2"); !strings.Contains(g, "programId changed: changed since it was sent on 2026-11-02") {
		t.Errorf("problems column G2 = %q, want the changed field without a cell too", g)
	}
	for _, f := range []string{fillChanged, fillChCell} {
		for _, other := range []string{fillError, fillWarning, fillGreen, fillAmber} {
			if f == other {
				t.Errorf("changed colour %s is also another highlight's", f)
			}
		}
	}
}

func TestXLSXProblemCol(t *testing.T) {
	t.Parallel()
	w := &xlsxWriter{ncols: 30}
	for _, tt := range []struct {
		ref  string
		want int
	}{
		{"A17", 0}, {"E17", 4}, {"e17", 4}, {"AD17", 29}, {"AE17", -1}, {"E18", -1}, {"E017", -1},
		{"row 17", -1}, {"row 17 col 5", -1}, {"", -1}, {"17", -1}, {"E", -1}, {"E17x", -1}, {"ABCD17", -1},
		{"E99999999999999999999", -1}, {"$E$17", -1},
	} {
		if got := w.problemCol(tt.ref, 17); got != tt.want {
			t.Errorf("problemCol(%q) = %d, want %d", tt.ref, got, tt.want)
		}
	}
}

// BenchmarkXLSXWrite writes a 100,000-line report, a fifth of the lines with a problem.
func BenchmarkXLSXWrite(b *testing.B) {
	const n = 100000
	header := []string{"Employee ID", "First Name", "Last Name", "Email", "Phone", "Date of Birth", "SSN",
		"Address Line 1", "City", "State", "Zip", "Card Number", "Card Expiry", "Note"}
	masks := []Mask{MaskScan, MaskScan, MaskScan, MaskScan, MaskScan, MaskScan, MaskID,
		MaskScan, MaskScan, MaskScan, MaskScan, MaskPAN, MaskDrop}
	lines := make([]Line, n)
	for i := range lines {
		row := i + 2
		lines[i] = Line{Row: row, Status: outcome.Valid, CustomerID: "cus_0001", Cells: []string{
			"E" + strconv.Itoa(row), "Ana", "Lee", "ana.lee@example.com", "+14155552671", "1990-01-31", "123-45-6789",
			"1 Main Street", "Springfield", "MA", "01101", "4242424242424242", "2031-12", "night shift"}}
		if i%5 == 0 {
			lines[i].Status = outcome.Invalid
			lines[i].Errors = []validate.Problem{{Field: "customerData.primaryEmail.value", Column: "Email",
				Cell: "D" + strconv.Itoa(row), Code: "invalid_email", Message: "not an address"}}
		}
	}
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w, err := CreateXLSX(filepath.Join(dir, "bench.xlsx"), Sheet{Header: header, Masks: masks})
		if err != nil {
			b.Fatal(err)
		}
		for i := range lines {
			if err := w.Write(&lines[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
}
