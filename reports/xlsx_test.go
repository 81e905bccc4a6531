package reports

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/rosterload/rosterload/validate"
)

// writeXLSX writes lines as an XLSX report and returns its path.
func writeXLSX(t testing.TB, sheet Sheet, lines []*Line) string {
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
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Report" {
		t.Fatalf("sheets %q, want [Report]", got)
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
)

var layoutHeader = []string{"Employee ID", "First Name", "Last Name", "Email", "Zip"}

func TestXLSXLayout(t *testing.T) {
	t.Parallel()
	p := writeXLSX(t, Sheet{HeaderRow: 3, Header: layoutHeader}, []*Line{
		{Row: 4, Status: Created, CustomerID: "cus_1", ProfileID: "prof_1", Cells: []string{"E1", "Ana", "Lee", "ana@example.com", "02134"}},
		// row 5 was blank in the source: it stays empty
		{Row: 6, Status: Invalid, Cells: []string{"E2", "Bob", "", "bob@@example.com", "2134"},
			Errors:   []validate.Problem{{Field: "customerData.primaryEmail.value", Column: "Email", Cell: "D6", Code: "invalid_email", Message: "not one address"}},
			Warnings: []validate.Problem{{Field: "addresses[0].zipCode", Column: "Zip", Cell: "E6", Code: "zip_padded", Message: "leading zero restored"}}},
		{Row: 7, Status: NotSubmitted}, // no cells kept: only the added columns
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
		{Row: 17, Status: Invalid, Cells: []string{"A17", "Ana", "Lee", "555", "x@"},
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
		{Row: 18, Status: Valid, Cells: []string{"A18", "Bo", "Yu", "", ""}},
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
	want := map[Status]string{
		Valid: fillGreen, Created: fillGreen, Exists: fillGreen, Skipped: fillGreen,
		Invalid: fillRed, Duplicate: fillRed, Failed: fillRed,
		NotSubmitted: fillAmber,
	}
	var lines []*Line
	for i, s := range Statuses {
		lines = append(lines, &Line{Row: i + 2, Status: s, Cells: []string{"x"}})
	}
	x := openXLSX(t, writeXLSX(t, Sheet{Header: []string{"ID"}}, lines))
	for i, s := range Statuses {
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

func TestXLSXMasks(t *testing.T) {
	t.Parallel()
	header := []string{"Card Number", "SSN", "Card Expiry", "Note", "Tax ID", "Extra"}
	masks := []Mask{MaskPAN, MaskID, MaskDrop, MaskScan, MaskID} // Extra: past the end, MaskScan
	p := writeXLSX(t, Sheet{Header: header, Masks: masks}, []*Line{
		{Row: 2, Status: Invalid, Cells: []string{"4242 4242 4242 4242", "123-45-6789", "2031-12", "note: card 4242 4242 4242 4242", "98-7654321", "5555555555554444"},
			Errors: []validate.Problem{
				{Field: "financialAccountData.cardExpiry", Cell: "C2", Code: "card_expired", Message: "the card has expired"},
				// The validator redacts; if it ever did not, the report still would.
				{Field: "x", Cell: "D2", Code: "invalid_format", Message: "bad card 4111111111111111"},
			}},
		{Row: 3, Status: Valid, Cells: []string{"", " ", "", "", ""}},
	})
	x := openXLSX(t, p)
	for cell, want := range map[string]string{
		"A2": "****4242", "B2": "***-**-6789", "C2": "", "D2": "note: card ****4242", "E2": "***-**-4321", "F2": "****4444",
		"A3": "", "B3": "", "C3": "", "E3": "", // blank stays blank
	} {
		if got := x.value(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	if c := x.comments["C2"]; !strings.Contains(c, "card_expired") {
		t.Errorf("the blanked expiry cell C2 has comment %q, want card_expired", c)
	}
	if c := x.comments["D2"]; c != "invalid_format: bad card ****1111" {
		t.Errorf("comment on D2 = %q, want the card masked", c)
	}
	parts := zipParts(t, p)
	for _, secret := range []struct{ name, text string }{
		{"card, spaced", "4242 4242 4242 4242"},
		{"card, digits", "4242424242424242"},
		{"second card", "5555555555554444"},
		{"card in a message", "4111111111111111"},
		{"ssn", "123-45-6789"},
		{"ssn digits", "123456789"},
		{"tax id", "98-7654321"},
		{"expiry", "2031-12"},
	} {
		t.Run(secret.name, func(t *testing.T) {
			t.Parallel()
			for name, b := range parts {
				if strings.Contains(string(b), secret.text) {
					t.Errorf("part %s holds %q", name, secret.text)
				}
			}
		})
	}
}

// TestXLSXUnplacedPersonalData: the report copies every roster column, also those no field
// takes (a repeated header, a blank one, a note); card numbers and SSNs in them are masked all
// the same, and a repeated header of a masked column is masked like it.
func TestXLSXUnplacedPersonalData(t *testing.T) {
	t.Parallel()
	header := []string{"SSN", "Card Number", "Expiry", "ssn", "card_number", "EXPIRY", "", "Note", "Zip"}
	masks := []Mask{MaskID, MaskPAN, MaskDrop}
	p := writeXLSX(t, Sheet{Header: header, Masks: masks}, []*Line{
		{Row: 2, Status: Valid, Cells: []string{
			"123-45-6789", "4242424242424242", "2031-12",
			"987654321", "5555 5555 5555 4444 (old)", "2030-11",
			"555-44-3333",
			"card 4111  1111  1111  1111, SSN 321 54 9876",
			"02134-1234",
		}},
	})
	x := openXLSX(t, p)
	for cell, want := range map[string]string{
		"D2": "***-**-4321", "E2": "****4444", "F2": "", // repeated headers: masked as the first
		"G2": "***-**-3333", // blank header: the SSN's form gives it away
		"H2": "card ****1111, SSN ***-**-9876",
		"I2": "02134-1234", // a ZIP+4 is not an SSN
		"D1": "ssn", "G1": "",
	} {
		if got := x.value(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	for name, b := range zipParts(t, p) {
		for _, secret := range []string{"987654321", "5555 5555 5555 4444", "2030-11", "555-44-3333", "4111  1111", "321 54 9876"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("part %s holds %q", name, secret)
			}
		}
	}
}

func TestColumnMasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		sheet Sheet
		want  []Mask
	}{
		{"no masks", Sheet{Header: []string{"a", "b"}}, []Mask{MaskScan, MaskScan}},
		{"masks shorter than the header", Sheet{Header: []string{"SSN", "x", "S.S.N"}, Masks: []Mask{MaskID}}, []Mask{MaskID, MaskScan, MaskID}},
		{"blank headers do not match", Sheet{Header: []string{"", " "}, Masks: []Mask{MaskDrop}}, []Mask{MaskDrop, MaskScan}},
		{"the stricter of two", Sheet{Header: []string{"Card", "card", "CARD"}, Masks: []Mask{MaskPAN, MaskDrop}}, []Mask{MaskPAN, MaskDrop, MaskDrop}},
		{"a given mask is kept", Sheet{Header: []string{"SSN", "ssn"}, Masks: []Mask{MaskID, MaskPAN}}, []Mask{MaskID, MaskPAN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := columnMasks(tt.sheet); !slices.Equal(got, tt.want) {
				t.Errorf("columnMasks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		limit    int
		want     string
	}{
		{"plain", "Ana Lee", 100, "Ana Lee"},
		{"card", "card 4242-4242-4242-4242", 100, "card ****4242"},
		{"ssn", "ssn 123 45 6789", 100, "ssn ***-**-6789"},
		{"control characters before scanning", "4242\x004242\x014242\x024242", 100, "****4242"},
		{"cut makes a card", "42424242424242424242", 17, "****4242…"}, // 20 digits: no card until cut
		{"cut makes an ssn", "123-45-678901", 12, "***-**-6789…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cleanText(tt.in, tt.limit); got != tt.want {
				t.Errorf("cleanText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func TestXLSXHostileText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 40000)
	emoji := strings.Repeat("😀", 20000) // 40,000 UTF-16 units
	tests := []struct {
		name, in, want string
	}{
		{"markup", `<b>&amp; "q" 'a'</b> ]]>`, `<b>&amp; "q" 'a'</b> ]]>`},
		{"formula", `=HYPERLINK("http://evil.example","click")`, `=HYPERLINK("http://evil.example","click")`},
		{"plus", "+1+2", "+1+2"},
		{"control characters", "a\x00b\x01c\x1fd\x7fe", "abcd\x7fe"},
		{"tab newline cr", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"invalid utf-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"non-characters", "a\uFFFEb\uFFFFc", "abc"},
		{"excel escape", "_x0041_ and _x005F_", "_x0041_ and _x005F_"},
		{"leading and trailing space", "  padded  ", "  padded  "},
		{"accents", "Zoë Ñúñez 张伟", "Zoë Ñúñez 张伟"},
		{"long", long, long[:32766] + "…"},
		{"long astral", emoji, strings.Repeat("😀", 16383) + "…"},
	}
	header := make([]string, len(tests))
	cells := make([]string, len(tests))
	for i, tt := range tests {
		header[i] = tt.name
		cells[i] = tt.in
	}
	p := writeXLSX(t, Sheet{Header: header}, []*Line{{Row: 2, Status: Valid, Cells: cells}})
	x := openXLSX(t, p)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cell := string(rune('A'+i)) + "2"
			got := x.value(cell)
			if got != tt.want {
				t.Errorf("%s = %q, want %q", cell, trim(got), trim(tt.want))
			}
			if n := len(utf16.Encode([]rune(got))); n > 32767 {
				t.Errorf("%s holds %d UTF-16 units, Excel's limit is 32,767", cell, n)
			}
			if f, err := x.f.GetCellFormula("Report", cell); err != nil || f != "" {
				t.Errorf("%s formula %q (%v), want none", cell, f, err)
			}
			if ct, err := x.f.GetCellType("Report", cell); err != nil || ct != excelize.CellTypeInlineString {
				t.Errorf("%s type %v (%v), want an inline string", cell, ct, err)
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:30] + "…" + s[len(s)-30:]
	}
	return s
}

func TestXLSXRowOrderAndLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rows    []int
		wantErr error  // errors.Is
		wantMsg string // in the error
	}{
		{"last row", []int{2, xlsxMaxRows}, nil, ""},
		{"past the last row", []int{2, xlsxMaxRows + 1}, ErrXLSXRowLimit, "the XLSX report holds at most 1,048,576 rows; use a .csv or .jsonl report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "r.xlsx")
			w, err := CreateXLSX(p, Sheet{Header: []string{"ID"}})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			var last error
			for _, r := range tt.rows {
				last = w.Write(&Line{Row: r, Status: Valid, Cells: []string{"x"}})
			}
			switch {
			case tt.wantErr == nil && tt.wantMsg == "":
				if last != nil {
					t.Fatalf("Write: %v", last)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				x := openXLSX(t, p)
				if got := x.value("A" + strconv.Itoa(xlsxMaxRows)); got != "x" {
					t.Errorf("last row = %q", got)
				}
			case last == nil:
				t.Fatal("Write succeeded, want an error")
			default:
				if tt.wantErr != nil && !errors.Is(last, tt.wantErr) {
					t.Errorf("error %v, want %v", last, tt.wantErr)
				}
				if !strings.Contains(last.Error(), tt.wantMsg) {
					t.Errorf("error %q, want %q in it", last, tt.wantMsg)
				}
			}
		})
	}
}

// A sheet that lists its rows out of order or repeats a row number still gets every row in the
// report: such a row goes on the next free row and says which source row it is.
func TestXLSXRowsOutOfOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rows   []int
		placed []int // where each line lands
	}{
		{"same row twice", []int{2, 2}, []int{2, 3}},
		{"going back", []int{5, 3, 4}, []int{5, 6, 7}},
		{"the header's row", []int{1}, []int{2}},
		{"back, then ahead again", []int{4, 2, 9}, []int{4, 5, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "r.xlsx")
			w, err := CreateXLSX(p, Sheet{Header: []string{"ID"}})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			for i, r := range tt.rows {
				if err := w.Write(&Line{Row: r, Status: Valid, Cells: []string{"id" + strconv.Itoa(i)}}); err != nil {
					t.Fatalf("Write row %d: %v", r, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			x := openXLSX(t, p)
			for i, at := range tt.placed {
				row := strconv.Itoa(at)
				if got, want := x.value("A"+row), "id"+strconv.Itoa(i); got != want {
					t.Errorf("A%s = %q, want %q", row, got, want)
				}
				note := x.value("C" + row)
				moved := at != tt.rows[i]
				if want := "row " + strconv.Itoa(tt.rows[i]) + " of the source sheet"; moved != strings.Contains(note, want) {
					t.Errorf("C%s = %q: moved %v, want %q in it only then", row, note, moved, want)
				}
			}
		})
	}
}

func TestXLSXTooWide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := CreateXLSX(filepath.Join(dir, "wide.xlsx"), Sheet{Header: make([]string, 16381)}); err == nil {
		t.Fatal("a 16,381-column roster was accepted")
	}
	w, err := CreateXLSX(filepath.Join(dir, "widest.xlsx"), Sheet{Header: make([]string, 16380)})
	if err != nil {
		t.Fatalf("a 16,380-column roster: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}
}

// problemLines are lines whose problems make comments, so that temp files exist.
func problemLines(n int) []*Line {
	var lines []*Line
	for i := range n {
		row := i + 2
		lines = append(lines, &Line{Row: row, Status: Invalid, Cells: []string{"E" + strconv.Itoa(row), "x@"},
			Errors: []validate.Problem{{Field: "email", Cell: "B" + strconv.Itoa(row), Code: "invalid_email", Message: "not an address"}}})
	}
	return lines
}

func TestXLSXAbortAndClose(t *testing.T) {
	t.Parallel()
	t.Run("abort leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		w, err := CreateXLSX(filepath.Join(dir, "r.xlsx"), Sheet{Header: []string{"ID", "Email"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range problemLines(3) {
			if err := w.Write(l); err != nil {
				t.Fatal(err)
			}
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 3 {
			t.Errorf("while writing: %d files, want the report and two comment temp files", len(ents))
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("after Abort: %v", ents)
		}
		if err := w.Write(problemLines(1)[0]); err == nil {
			t.Error("Write after Abort succeeded")
		}
	})
	t.Run("a failed close leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		p := filepath.Join(dir, "r.xlsx")
		// A directory in the report's place: the rename at the end of Close fails.
		if err := os.MkdirAll(filepath.Join(p, "keep"), 0o700); err != nil {
			t.Fatal(err)
		}
		w, err := CreateXLSX(p, Sheet{Header: []string{"ID", "Email"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range problemLines(3) {
			if err := w.Write(l); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err == nil {
			t.Fatal("Close over a directory succeeded")
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after a failed Close: %v", err)
		}
		if err := w.Close(); err == nil {
			t.Error("a second Close after a failed one succeeded")
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 || ents[0].Name() != "r.xlsx" || !ents[0].IsDir() {
			t.Errorf("after a failed Close: %v, want only the directory", ents)
		}
	})
	t.Run("a failed finish leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		w, err := CreateXLSX(filepath.Join(dir, "r.xlsx"), Sheet{Header: []string{"ID", "Email"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range problemLines(3) {
			if err := w.Write(l); err != nil {
				t.Fatal(err)
			}
		}
		// The comments' temp file fails under Close, as a full disk would make it.
		w.(*xlsxWriter).comments.f.Close()
		if err := w.Close(); err == nil {
			t.Fatal("Close succeeded")
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("after a failed Close: %v", ents)
		}
	})
	t.Run("close commits, 0600, no temp files", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		p := filepath.Join(dir, "r.xlsx")
		w, err := CreateXLSX(p, Sheet{Header: []string{"ID", "Email"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range problemLines(3) {
			if err := w.Write(l); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("report visible before Close: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 || ents[0].Name() != "r.xlsx" {
			t.Errorf("after Close: %v, want only r.xlsx", ents)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after Close: %v", err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Abort after Close removed the report: %v", err)
		}
	})
}

// TestXLSXStructure checks the package: every part a relationship names exists, every part has a
// content type, every XML part is well-formed, the worksheet's elements come in schema order,
// and the comment parts are there exactly when there are comments.
func TestXLSXStructure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lines    []*Line
		comments bool
	}{
		{"with comments", problemLines(1030), true}, // more than 1024 shapes: two id blocks
		{"without comments", []*Line{{Row: 2, Status: Valid, Cells: []string{"E1", "a@b.c"}}}, false},
		{"header only", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeXLSX(t, Sheet{Header: []string{"ID", "Email"}}, tt.lines)
			parts := zipParts(t, p)
			for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
				if _, ok := parts[name]; !ok {
					t.Errorf("no part %s", name)
				}
			}
			for _, name := range []string{"xl/worksheets/_rels/sheet1.xml.rels", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"} {
				if _, ok := parts[name]; ok != tt.comments {
					t.Errorf("part %s present %v, want %v", name, ok, tt.comments)
				}
			}
			for name, b := range parts {
				if err := wellFormed(b); err != nil {
					t.Errorf("%s is not well-formed: %v", name, err)
				}
			}
			checkRels(t, parts)
			checkContentTypes(t, parts)
			checkSheetOrder(t, parts["xl/worksheets/sheet1.xml"])
			if tt.comments {
				x := openXLSX(t, p)
				if len(x.comments) != len(tt.lines) {
					t.Errorf("%d comments, want %d", len(x.comments), len(tt.lines))
				}
				if vml := string(parts["xl/drawings/vmlDrawing1.vml"]); !strings.Contains(vml, `data="1,2"`) || strings.Count(vml, "<v:shape ") != len(tt.lines) {
					t.Errorf("vml idmap or shape count wrong")
				}
			}
		})
	}
}

func wellFormed(b []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

type relationships struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// checkRels: every relationship's target is a part of the package.
func checkRels(t *testing.T, parts map[string][]byte) {
	t.Helper()
	for name, b := range parts {
		if !strings.HasSuffix(name, ".rels") {
			continue
		}
		var rels relationships
		if err := xml.Unmarshal(b, &rels); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// _rels/x.rels describes x: targets are relative to x's folder.
		source := path.Dir(path.Dir(name))
		for _, r := range rels.Rel {
			target := path.Join(source, r.Target)
			if strings.HasPrefix(r.Target, "/") {
				target = strings.TrimPrefix(r.Target, "/")
			}
			if _, ok := parts[target]; !ok {
				t.Errorf("%s: %s targets %s, which is not in the package", name, r.ID, target)
			}
		}
	}
}

// checkContentTypes: every part has a content type, by an override or by its extension.
func checkContentTypes(t *testing.T, parts map[string][]byte) {
	t.Helper()
	var ct struct {
		Default []struct {
			Ext string `xml:"Extension,attr"`
		} `xml:"Default"`
		Override []struct {
			Part string `xml:"PartName,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(parts["[Content_Types].xml"], &ct); err != nil {
		t.Fatal(err)
	}
	exts, overrides := map[string]bool{}, map[string]bool{}
	for _, d := range ct.Default {
		exts[strings.ToLower(d.Ext)] = true
	}
	for _, o := range ct.Override {
		if _, ok := parts[strings.TrimPrefix(o.Part, "/")]; !ok {
			t.Errorf("[Content_Types].xml overrides %s, which is not in the package", o.Part)
		}
		overrides[o.Part] = true
	}
	for name := range parts {
		if name == "[Content_Types].xml" {
			continue
		}
		if !overrides["/"+name] && !exts[strings.TrimPrefix(path.Ext(name), ".")] {
			t.Errorf("part %s has no content type", name)
		}
	}
	for _, main := range []string{"/xl/workbook.xml", "/xl/worksheets/sheet1.xml", "/xl/styles.xml"} {
		if !overrides[main] {
			t.Errorf("%s has no override: the generic xml type does not make it a %s", main, path.Base(main))
		}
	}
}

// checkSheetOrder: the worksheet's children come in the order ECMA-376 (CT_Worksheet) lays down.
func checkSheetOrder(t *testing.T, b []byte) {
	t.Helper()
	order := []string{"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
		"sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
		"customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
		"printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
		"cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing"}
	rank := map[string]int{}
	for i, n := range order {
		rank[n] = i
	}
	d := xml.NewDecoder(strings.NewReader(string(b)))
	depth, last := 0, -1
	var seen []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				r, ok := rank[e.Name.Local]
				if !ok || r <= last {
					t.Errorf("worksheet element %s out of order after %v", e.Name.Local, seen)
				}
				last = r
				seen = append(seen, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	if len(seen) < 5 {
		t.Errorf("worksheet children %v", seen)
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

func TestVMLHead(t *testing.T) {
	t.Parallel()
	for shapes, want := range map[int]string{1: `data="1"`, 1023: `data="1"`, 1024: `data="1,2"`, 3000: `data="1,2,3"`} {
		if got := vmlHead(shapes); !strings.Contains(got, want) {
			t.Errorf("vmlHead(%d) lacks %s", shapes, want)
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
		lines[i] = Line{Row: row, Status: Valid, CustomerID: "cus_0001", Cells: []string{
			"E" + strconv.Itoa(row), "Ana", "Lee", "ana.lee@example.com", "+14155552671", "1990-01-31", "123-45-6789",
			"1 Main Street", "Springfield", "MA", "01101", "4242424242424242", "2031-12", "night shift"}}
		if i%5 == 0 {
			lines[i].Status = Invalid
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
