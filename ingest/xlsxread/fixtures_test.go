package xlsxread

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/xlsx")

// fixtureDir holds the committed workbooks the tests read.
const fixtureDir = "../../testdata/xlsx"

// bombSize is what bomb.xlsx's sheet inflates to: more than 4 GiB, in a file of about 4 MiB.
const bombSize = 4<<30 + 1<<20

// TestGenerateFixtures writes the fixtures: go test ./ingest/xlsxread -run TestGenerateFixtures -update
func TestGenerateFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/xlsx")
	}
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, gen := range map[string]func(t *testing.T) []byte{
		"dates.xlsx":        genDates,
		"dates1904.xlsx":    genDates1904,
		"numbers.xlsx":      genNumbers,
		"formulas.xlsx":     genFormulas,
		"hidden-first.xlsx": genHiddenFirst,
		"header-row3.xlsx":  genHeaderRow3,
		"raw-cells.xlsx":    genRawCells,
		"empty.xlsx":        genEmpty,
		"encrypted.xlsx":    genEncrypted,
		"random.xlsx": func(*testing.T) []byte {
			b := make([]byte, 4096)
			rng := rand.NewChaCha8([32]byte{1})
			rng.Read(b)
			return b
		},
		"bomb.xlsx": func(t *testing.T) []byte {
			var buf bytes.Buffer
			if err := writeBomb(&buf, bombSize, func(n uint64) uint64 { return n }); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		},
		"lying-bomb.xlsx": func(t *testing.T) []byte {
			// inflates to 1 GiB while its headers say 64 KiB
			var buf bytes.Buffer
			if err := writeBomb(&buf, 1<<30, func(uint64) uint64 { return 64 << 10 }); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		},
	} {
		if err := os.WriteFile(filepath.Join(fixtureDir, name), gen(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// save writes an excelize workbook to bytes.
func save(t *testing.T, f *excelize.File, opts ...excelize.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf, opts...); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// style returns a style id with a built-in (id) or custom (code) number format.
func style(t *testing.T, f *excelize.File, id int, code string) int {
	t.Helper()
	s := &excelize.Style{NumFmt: id}
	if code != "" {
		s.CustomNumFmt = &code
	}
	n, err := f.NewStyle(s)
	must(t, err)
	return n
}

// genDates: one date written under many number formats, text dates, and numbers whose formats
// only look like dates.
func genDates(t *testing.T) []byte {
	f := excelize.NewFile()
	const sh = "Sheet1"
	must(t, f.SetSheetRow(sh, "A1", &[]any{"Name", "Fmt14", "Fmt22", "DayFirst", "ISO", "MonthName", "Locale", "Text", "TimeOnly", "Days"}))
	cols := []struct {
		col   string
		id    int
		code  string
		value func(d time.Time) any
	}{
		{"B", 14, "", func(d time.Time) any { return d }},
		{"C", 22, "", func(d time.Time) any { return d.Add(23*time.Hour + 59*time.Minute) }},
		{"D", 0, "dd/mm/yyyy", func(d time.Time) any { return d }},
		{"E", 0, "yyyy-mm-dd", func(d time.Time) any { return d }},
		{"F", 0, "mmm d, yyyy", func(d time.Time) any { return d }},
		{"G", 0, `[$-409]mmmm d, yyyy;@`, func(d time.Time) any { return d }},
		{"H", 0, "", func(d time.Time) any { return d.Format("01/02/2006") }},
		{"I", 0, "h:mm", func(time.Time) any { return 0.5 }},
		{"J", 0, `0 "days"`, func(time.Time) any { return 12 }},
	}
	for i, d := range []time.Time{
		time.Date(1985, 3, 15, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		row := i + 2
		must(t, f.SetCellValue(sh, cell("A", row), []string{"Ann", "Bob", "Cy"}[i]))
		for _, c := range cols {
			ref := cell(c.col, row)
			must(t, f.SetCellValue(sh, ref, c.value(d)))
			if c.id != 0 || c.code != "" {
				must(t, f.SetCellStyle(sh, ref, ref, style(t, f, c.id, c.code)))
			}
		}
	}
	return save(t, f)
}

// genDates1904: a workbook in the 1904 date system, with a date excelize converts and a serial
// written as a bare number under a date format.
func genDates1904(t *testing.T) []byte {
	f := excelize.NewFile()
	const sh = "Sheet1"
	yes := true
	must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	must(t, f.SetSheetRow(sh, "A1", &[]any{"Name", "Converted", "Serial"}))
	must(t, f.SetSheetRow(sh, "A2", &[]any{"Ann", time.Date(1985, 3, 15, 0, 0, 0, 0, time.UTC), 29660}))
	st := style(t, f, 14, "")
	must(t, f.SetCellStyle(sh, "B2", "C2", st))
	return save(t, f)
}

// genNumbers: numbers that a formatted read would spoil.
func genNumbers(t *testing.T) []byte {
	f := excelize.NewFile()
	const sh = "Sheet1"
	must(t, f.SetSheetRow(sh, "A1", &[]any{"Phone", "Zip", "Card", "Float", "Decimal", "Negative", "Percent", "PhoneFmt", "Big", "Text"}))
	must(t, f.SetSheetRow(sh, "A2", &[]any{4155551234, 2134, int64(4111111111111111), 0.1 + 0.2, 1234.5, -42, 0.15, 4155551234, int64(123456789012345678), "00123"}))
	must(t, f.SetCellStyle(sh, "G2", "G2", style(t, f, 9, "")))
	must(t, f.SetCellStyle(sh, "H2", "H2", style(t, f, 0, "(000) 000-0000")))
	must(t, f.SetCellStyle(sh, "E2", "E2", style(t, f, 4, ""))) // #,##0.00
	return save(t, f)
}

// genFormulas: formulas with cached values, written by the stream writer, which stores both.
func genFormulas(t *testing.T) []byte {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	must(t, err)
	must(t, sw.SetRow("A1", []any{"Base", "Double", "Label", "Phone"}))
	must(t, sw.SetRow("A2", []any{21,
		excelize.Cell{Formula: "A2*2", Value: 42},
		excelize.Cell{Formula: `"EMP-"&A2`, Value: "EMP-21"},
		excelize.Cell{Formula: "4155551234+0", Value: 4155551234},
	}))
	must(t, sw.Flush())
	return save(t, f)
}

// genHiddenFirst: the first sheet is hidden; the reader must default to the second.
func genHiddenFirst(t *testing.T) []byte {
	f := excelize.NewFile()
	must(t, f.SetSheetName("Sheet1", "Old"))
	must(t, f.SetSheetRow("Old", "A1", &[]any{"Legacy ID"}))
	must(t, f.SetSheetRow("Old", "A2", &[]any{"L-1"}))
	for _, s := range []string{"Employees", "Contractors"} {
		_, err := f.NewSheet(s)
		must(t, err)
		must(t, f.SetSheetRow(s, "A1", &[]any{"Employee ID", "Name"}))
		must(t, f.SetSheetRow(s, "A2", &[]any{s[:1] + "-1", s + " one"}))
	}
	f.SetActiveSheet(1) // excelize will not hide the active sheet
	must(t, f.SetSheetVisible("Old", false))
	return save(t, f)
}

// genHeaderRow3: title rows above the header, blank rows between data rows, a cell beyond the
// header, and formatted but empty rows at the end.
func genHeaderRow3(t *testing.T) []byte {
	f := excelize.NewFile()
	const sh = "Sheet1"
	must(t, f.SetCellValue(sh, "A1", "Acme Corp payroll export"))
	must(t, f.SetCellValue(sh, "A2", "Generated 2024-05-01"))
	must(t, f.SetSheetRow(sh, "A3", &[]any{" Employee ID ", "First Name", "Last Name", "Zip", ""}))
	must(t, f.SetSheetRow(sh, "A4", &[]any{"E-1", "Ann", "Lee", 2134}))
	must(t, f.SetSheetRow(sh, "A6", &[]any{"E-2", "Bob"}))
	must(t, f.SetSheetRow(sh, "A8", &[]any{"E-3", "Cy", "Ng", "94110", nil, "a note beyond the header"}))
	must(t, f.SetCellValue(sh, "F9", "only beyond the header"))
	fill, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	must(t, err)
	must(t, f.SetCellStyle(sh, "A7", "D7", fill))
	must(t, f.SetCellStyle(sh, "A20", "D40", fill))
	for r := 20; r <= 40; r++ {
		must(t, f.SetRowHeight(sh, r, 30))
	}
	must(t, f.SetCellValue(sh, "B30", "   ")) // white space only is blank too
	return save(t, f)
}

// genEmpty: a sheet with formatted cells and no values.
func genEmpty(t *testing.T) []byte {
	f := excelize.NewFile()
	fill, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	must(t, err)
	must(t, f.SetCellStyle("Sheet1", "A1", "C5", fill))
	return save(t, f)
}

// genEncrypted: a workbook with a password to open, which Excel stores encrypted in an OLE file.
func genEncrypted(t *testing.T) []byte {
	f := excelize.NewFile()
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Employee ID", "SSN"}))
	return save(t, f, excelize.Options{Password: "secret"})
}

// genRawCells: cell forms excelize does not write, by hand.
func genRawCells(t *testing.T) []byte {
	return rawBook{
		sheets: []rawSheet{{name: "Roster", data: rawCellsData}},
		sst: []string{
			`<t>Employee ID</t>`,
			`<r><t>Rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>`,
			`<t xml:space="preserve">  padded  </t>`,
			`<t>line_x000D_break and _x005F_x000D_ literal</t>`,
		},
		numFmts: `<numFmt numFmtId="14" formatCode="0.00"/><numFmt numFmtId="164" formatCode="d/m/yy"/>`,
		xfs:     []int{0, 14, 164, 22},
	}.bytes(t)
}

// rawCellsData: row 1 the header; row 2 has every cell type; row 4 has cells and a row number
// left out; row 5 exercises the date styles (style 1 redefines built-in 14 as "0.00").
const rawCellsData = `<row r="1">` +
	`<c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Inline</t></is></c><c r="C1" t="inlineStr"><is><t>Date</t></is></c>` +
	`<c r="D1" t="inlineStr"><is><t>Bool</t></is></c><c r="E1" t="inlineStr"><is><t>Error</t></is></c><c r="F1" t="inlineStr"><is><t>Formula</t></is></c>` +
	`<c r="G1" t="inlineStr"><is><t>Exponent</t></is></c><c r="H1" t="inlineStr"><is><t>FormulaText</t></is></c></row>` +
	`<row r="2">` +
	`<c r="A2" t="s"><v>1</v></c><c r="B2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="C2" t="d"><v>1985-03-15T00:00:00Z</v></c>` +
	`<c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#N/A</v></c><c r="F2"><f>G2/2</f><v>2077775617</v></c>` +
	`<c r="G2"><v>4.155551234E+09</v></c><c r="H2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>` +
	`<row r="3"><c r="A3" t="s"><v>2</v></c><c r="D3" t="b"><v>0</v></c><c r="E3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F3"><f>NOW()</f></c></row>` +
	`<row><c t="s"><v>3</v></c><c t="inlineStr"><is><t>no refs</t></is></c></row>` +
	`<row r="5"><c r="A5" s="1"><v>31121</v></c><c r="B5" s="2"><v>31121</v></c><c r="C5" s="3"><v>31121.75</v></c></row>`

// cell is a reference like "B2".
func cell(col string, row int) string {
	ref, _ := excelize.JoinCellName(col, row)
	return ref
}
