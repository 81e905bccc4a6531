package xlsxread

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rosterload/rosterload/ingest/rows"
)

// fixture returns the path of a committed fixture.
func fixture(name string) string { return filepath.Join(fixtureDir, name) }

// TestFixtures reads each committed workbook whole and compares the sheet chosen, the header and
// every row with what Excel shows (or, for dates and numbers, what the pipeline needs).
func TestFixtures(t *testing.T) {
	t.Parallel()
	type wantRow struct {
		num   int
		cells []string
	}
	tests := []struct {
		name       string
		file       string
		opts       Options
		wantSheet  string
		wantHeader rows.Header
		wantRows   []wantRow
	}{
		{
			name: "dates in every format become ISO dates", file: "dates.xlsx",
			wantSheet:  "Sheet1",
			wantHeader: rows.Header{Num: 1, Names: []string{"Name", "Fmt14", "Fmt22", "DayFirst", "ISO", "MonthName", "Locale", "Text", "TimeOnly", "Days"}},
			wantRows: []wantRow{
				{2, []string{"Ann", "1985-03-15", "1985-03-15", "1985-03-15", "1985-03-15", "1985-03-15", "1985-03-15", "03/15/1985", "0.5", "12"}},
				{3, []string{"Bob", "2000-02-29", "2000-02-29", "2000-02-29", "2000-02-29", "2000-02-29", "2000-02-29", "02/29/2000", "0.5", "12"}},
				{4, []string{"Cy", "1969-12-31", "1969-12-31", "1969-12-31", "1969-12-31", "1969-12-31", "1969-12-31", "12/31/1969", "0.5", "12"}},
			},
		},
		{
			// 29660 is 1985-03-16 counted from 1904-01-01; from 1900 it would be 1981-03-15.
			name: "1904 date system", file: "dates1904.xlsx",
			wantSheet:  "Sheet1",
			wantHeader: rows.Header{Num: 1, Names: []string{"Name", "Converted", "Serial"}},
			wantRows:   []wantRow{{2, []string{"Ann", "1985-03-15", "1985-03-16"}}},
		},
		{
			name: "numbers keep their digits", file: "numbers.xlsx",
			wantSheet:  "Sheet1",
			wantHeader: rows.Header{Num: 1, Names: []string{"Phone", "Zip", "Card", "Float", "Decimal", "Negative", "Percent", "PhoneFmt", "Big", "Text"}},
			wantRows:   []wantRow{{2, []string{"4155551234", "2134", "4111111111111111", "0.3", "1234.5", "-42", "0.15", "4155551234", "123456789012345678", "00123"}}},
		},
		{
			name: "formulas give their cached values", file: "formulas.xlsx",
			wantSheet:  "Sheet1",
			wantHeader: rows.Header{Num: 1, Names: []string{"Base", "Double", "Label", "Phone"}},
			wantRows:   []wantRow{{2, []string{"21", "42", "EMP-21", "4155551234"}}},
		},
		{
			name: "the first visible sheet by default", file: "hidden-first.xlsx",
			wantSheet:  "Employees",
			wantHeader: rows.Header{Num: 1, Names: []string{"Employee ID", "Name"}},
			wantRows:   []wantRow{{2, []string{"E-1", "Employees one"}}},
		},
		{
			name: "a sheet by name, ignoring case", file: "hidden-first.xlsx", opts: Options{Sheet: "CONTRACTORS"},
			wantSheet:  "Contractors",
			wantHeader: rows.Header{Num: 1, Names: []string{"Employee ID", "Name"}},
			wantRows:   []wantRow{{2, []string{"C-1", "Contractors one"}}},
		},
		{
			name: "a hidden sheet when named", file: "hidden-first.xlsx", opts: Options{Sheet: "Old"},
			wantSheet:  "Old",
			wantHeader: rows.Header{Num: 1, Names: []string{"Legacy ID"}},
			wantRows:   []wantRow{{2, []string{"L-1"}}},
		},
		{
			name: "header row 3 under title rows; blank and formatted rows skipped", file: "header-row3.xlsx", opts: Options{HeaderRow: 3},
			wantSheet:  "Sheet1",
			wantHeader: rows.Header{Num: 3, Names: []string{"Employee ID", "First Name", "Last Name", "Zip"}},
			wantRows: []wantRow{
				{4, []string{"E-1", "Ann", "Lee", "2134"}},
				{6, []string{"E-2", "Bob", "", ""}},
				{8, []string{"E-3", "Cy", "Ng", "94110"}},
			},
		},
		{
			name: "without a header row the first non-blank row is the header", file: "header-row3.xlsx",
			wantSheet:  "Sheet1",
			wantHeader: rows.Header{Num: 1, Names: []string{"Acme Corp payroll export"}},
			wantRows: []wantRow{
				{2, []string{"Generated 2024-05-01"}},
				{3, []string{" Employee ID "}}, // data cells are not trimmed
				{4, []string{"E-1"}},
				{6, []string{"E-2"}},
				{8, []string{"E-3"}},
			},
		},
		{
			name: "hand-written cell forms", file: "raw-cells.xlsx",
			wantSheet:  "Roster",
			wantHeader: rows.Header{Num: 1, Names: []string{"Employee ID", "Inline", "Date", "Bool", "Error", "Formula", "Exponent", "FormulaText"}},
			wantRows: []wantRow{
				{2, []string{"Rich text", "inline", "1985-03-15", "TRUE", "#N/A", "2077775617", "4155551234", "ab"}},
				{3, []string{"  padded  ", "", "", "FALSE", "#DIV/0!", "", "", ""}},
				{4, []string{"line\rbreak and _x000D_ literal", "no refs", "", "", "", "", "", ""}},
				// A5's style redefines built-in format 14 as "0.00"; B5 is d/m/yy; C5 format 22 with a time.
				{5, []string{"31121", "1985-03-15", "1985-03-15", "", "", "", "", ""}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(fixture(tt.file), tt.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			if got := r.Sheet(); got != tt.wantSheet {
				t.Errorf("Sheet() = %q, want %q", got, tt.wantSheet)
			}
			h, err := r.Header()
			if err != nil {
				t.Fatalf("Header: %v", err)
			}
			if !reflect.DeepEqual(h, tt.wantHeader) {
				t.Errorf("Header() = %+v, want %+v", h, tt.wantHeader)
			}
			got, err := readAll(t, r)
			if err != nil {
				t.Fatalf("reading rows: %v", err)
			}
			if len(got) != len(tt.wantRows) {
				t.Errorf("got %d rows, want %d", len(got), len(tt.wantRows))
			}
			for i := range min(len(got), len(tt.wantRows)) {
				if got[i].Num != tt.wantRows[i].num || !reflect.DeepEqual(got[i].Cells, tt.wantRows[i].cells) || got[i].Err != nil {
					t.Errorf("row %d = %d %q (err %v), want %d %q", i, got[i].Num, got[i].Cells, got[i].Err, tt.wantRows[i].num, tt.wantRows[i].cells)
				}
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after the end = %v, want io.EOF again", err)
			}
		})
	}
}

// TestRefusals opens workbooks that cannot be read: each must be one *rows.SourceError that
// says why, in one line, from Open, or for damage the zip layer cannot see (XML broken after
// the header), from Next.
func TestRefusals(t *testing.T) {
	t.Parallel()
	sheet := func(data string) rawBook { return rawBook{sheets: []rawSheet{{name: "Sheet1", data: data}}} }
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>Employee ID</t></is></c></row>`
	var thousand strings.Builder
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&thousand, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, i, i, i)
	}
	thousandRows := thousand.String()
	numbers, err := os.ReadFile(fixture("numbers.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file string // a fixture, or
		data []byte // a workbook in memory
		opts Options
		next bool // the error comes from Next, after the header was read
		want string
	}{
		{name: "random bytes", file: "random.xlsx", want: "is not a valid XLSX file (it is not a zip archive)"},
		{name: "empty file", data: []byte{}, want: "file is empty"},
		{name: "encrypted", file: "encrypted.xlsx", want: "is encrypted (password-protected)"},
		{name: "zip bomb", file: "bomb.xlsx", want: "unpacks to more than the 1 GiB limit (its zip headers declare 4 GiB"},
		{name: "zip bomb whose headers lie", file: "lying-bomb.xlsx", want: "unpacks to more than its zip headers declare (xl/worksheets/sheet1.xml: more than 64 KiB)"},
		{name: "a lower unzip limit", data: numbers, opts: Options{MaxUnzipSize: 10000}, want: "unpacks to more than the 9.8 KiB limit"},
		{name: "a sheet that is not there", file: "hidden-first.xlsx", opts: Options{Sheet: "Payroll"},
			want: `has no sheet "Payroll" (sheets: "Old" (hidden), "Employees", "Contractors")`},
		{name: "an empty sheet", file: "empty.xlsx", want: `sheet "Sheet1" is empty: it has no row with data`},
		{name: "header row past the end", file: "numbers.xlsx", opts: Options{HeaderRow: 50}, want: `sheet "Sheet1" has no row 50: its last row is 2`},
		{name: "blank header row", file: "header-row3.xlsx", opts: Options{HeaderRow: 5}, want: `header row 5 of sheet "Sheet1" is blank`},
		{name: "negative header row", file: "numbers.xlsx", opts: Options{HeaderRow: -1}, want: "header row -1 is not a row number"},
		{name: "a zip that is not a workbook", data: zipParts(t, map[string]string{"word/document.xml": "<w/>"}), want: "is not a valid XLSX file (a zip archive without a workbook in it)"},
		{name: "a binary workbook", data: zipParts(t, map[string]string{"_rels/.rels": `<Relationships><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>`}),
			want: "is a binary (.xlsb) workbook"},
		{name: "no sheets", data: rawBook{}.bytes(t), want: "has no sheets"},
		{name: "only hidden sheets", data: rawBook{sheets: []rawSheet{{name: "A", state: "hidden", data: header}, {name: "B", state: "veryHidden", data: header}}}.bytes(t),
			want: `has no visible worksheet; name the sheet to read (sheets: "A" (hidden), "B" (hidden))`},
		{name: "a chart sheet by name", data: rawBook{sheets: []rawSheet{{name: "Data", data: header}, {name: "Chart1", kind: "chartsheet"}}}.bytes(t), opts: Options{Sheet: "chart1"},
			want: `sheet "Chart1" is a chart sheet, not a worksheet`},
		{name: "a missing sheet part", data: rawBook{sheets: []rawSheet{{name: "Sheet1"}}, omit: map[string]bool{"xl/worksheets/sheet1.xml": true}}.bytes(t),
			want: `is damaged: the part of sheet "Sheet1" (xl/worksheets/sheet1.xml) is missing`},
		{name: "a styles part over the XML limit", data: sheet(header).bytes(t), opts: Options{MaxXMLSize: 450},
			want: "its part xl/styles.xml unpacks to"},
		{name: "a sheet cut short", data: rawBook{sheets: []rawSheet{{name: "Sheet1"}}, extra: map[string]string{"xl/worksheets/sheet1.xml": `<worksheet><sheetData>` + header + `<row r="2">`}}.bytes(t),
			next: true, want: "is damaged: xl/worksheets/sheet1.xml ends in the middle of its rows, after row 2"},
		{name: "a sheet that is not XML", data: sheet(header + `<row r="2"><c r=A2><v>1</v></c></row>`).bytes(t),
			next: true, want: "is damaged: xl/worksheets/sheet1.xml is not well-formed XML after row 2"},
		{name: "a bad cell reference in the header", data: sheet(`<row r="1"><c r="1A"><v>1</v></c></row>`).bytes(t), want: `has a cell reference "1A" that is not valid`},
		{name: "a bad row number", data: sheet(`<row r="0"><c r="A1"><v>1</v></c></row>`).bytes(t), want: `has a row numbered "0"`},
		{name: "a shared string not in the table", data: rawBook{sheets: []rawSheet{{name: "Sheet1", data: `<row r="1"><c r="A1" t="s"><v>7</v></c></row>`}}, sst: []string{"<t>a</t>"}}.bytes(t),
			want: `cell A1 of xl/worksheets/sheet1.xml refers to a shared string that is not in its table of 1`},
		{name: "an empty zip", data: zipParts(t, map[string]string{}), want: "is not a valid XLSX file (a zip archive without a workbook in it)"},
		{name: "a tag longer than the token limit", data: sheet(`<row r="1"><c r="A1" x="` + strings.Repeat("x", maxTokenBytes+100<<10) + `"><v>1</v></c></row>`).bytes(t),
			want: "holds a tag or text longer than 1 MiB after row 1"},
		{name: "a cell longer than the text limit", data: sheet(header + `<row r="2"><c r="A2" t="inlineStr"><is>` + strings.Repeat(`<r><t>`+strings.Repeat("y", 300<<10)+`</t></r>`, 4) + `</is></c></row>`).bytes(t),
			next: true, want: "cell A2 of xl/worksheets/sheet1.xml holds more than 1 MiB of text"},
		{name: "a corrupt deflate stream", data: corrupt(t, sheet(header).bytes(t), "xl/worksheets/sheet1.xml", "flip"), want: "is damaged: xl/worksheets/sheet1.xml"},
		{name: "a checksum mismatch", data: corrupt(t, sheet(header).bytes(t), "xl/worksheets/sheet1.xml", "crc"), want: "is damaged: xl/worksheets/sheet1.xml fails its checksum"},
		// excelize's own reader silently returns the first half of the rows of such a sheet.
		{name: "a sheet that unpacks to twice what its header says", data: corrupt(t, sheet(thousandRows).bytes(t), "xl/worksheets/sheet1.xml", "halve"),
			want: "unpacks to more than its zip headers declare (xl/worksheets/sheet1.xml: more than"},
		{name: "a shared-string table that unpacks to more than its header says", data: corrupt(t, rawBook{sheets: []rawSheet{{name: "S", data: header}}, sst: strings.Split(strings.Repeat("<t>s</t>,", 500), ",")}.bytes(t), "xl/sharedStrings.xml", "halve"),
			want: "unpacks to more than its zip headers declare (xl/sharedStrings.xml: more than"},
		{name: "a styles part that unpacks to more than its header says", data: corrupt(t, sheet(header).bytes(t), "xl/styles.xml", "halve"),
			want: "unpacks to more than its zip headers declare (xl/styles.xml: more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r *Reader
			var err error
			if tt.file != "" {
				r, err = Open(fixture(tt.file), tt.opts)
			} else {
				r, err = openBytes(tt.data, tt.opts)
			}
			switch {
			case err == nil && !tt.next:
				r.Close()
				t.Fatalf("Open succeeded, want an error with %q", tt.want)
			case err != nil && tt.next:
				t.Fatalf("Open: %v, want the error from Next", err)
			case tt.next:
				_, err = readAll(t, r)
				r.Close()
				if err == nil {
					t.Fatalf("read to the end, want an error with %q", tt.want)
				}
			}
			var se *rows.SourceError
			if !errors.As(err, &se) || !errors.Is(err, rows.ErrUnreadable) {
				t.Fatalf("error = %v (%T), want a *rows.SourceError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			t.Log(err)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

// corrupt damages one part of a zip: "flip" flips bytes of its compressed data, "crc" changes
// the checksum its headers give, "halve" makes its headers say it unpacks to half its size.
func corrupt(t *testing.T, data []byte, part, how string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		hdr := f.FileHeader
		raw, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(raw)
		if f.Name == part {
			switch how {
			case "crc":
				hdr.CRC32 ^= 0xdeadbeef
			case "halve":
				hdr.UncompressedSize64 /= 2
			case "flip":
				b = bytes.Clone(b)
				for i := 2; i < len(b)-2; i += 3 {
					b[i] ^= 0xff
				}
			}
		}
		w, err := zw.CreateRaw(&hdr)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOpenPath covers what happens before any byte is read.
func TestOpenPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		want   string
		wantIs error
	}{
		{name: "no such file", path: filepath.Join(t.TempDir(), "nope.xlsx"), want: "nope.xlsx: cannot open: no such file or directory", wantIs: fs.ErrNotExist},
		{name: "a directory", path: t.TempDir(), want: "is a directory, not a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(tt.path, Options{})
			var se *rows.SourceError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open error = %v, want a *rows.SourceError with %q", err, tt.want)
			}
			if strings.Count(err.Error(), tt.path) != 1 {
				t.Errorf("error %q should name the file once", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}
}

// TestErrorMidSheet: a sheet damaged after good rows yields those rows, then one SourceError,
// again on every later call.
func TestErrorMidSheet(t *testing.T) {
	t.Parallel()
	data := rawBook{sheets: []rawSheet{{name: "Sheet1", data: `<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>` +
		`<row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3" t="s"><v>0</v></c></row>`}}}.bytes(t)
	r, err := openBytes(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row, err := r.Next()
	if err != nil || row.Num != 2 || row.Cells[0] != "1" {
		t.Fatalf("first row = %+v, %v; want row 2 [1]", row, err)
	}
	for range 2 {
		_, err = r.Next()
		var se *rows.SourceError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "cell A3") {
			t.Fatalf("Next = %v, want a SourceError about cell A3", err)
		}
	}
}

// TestClose: Close is idempotent, and a closed reader says so instead of reading.
func TestClose(t *testing.T) {
	t.Parallel()
	r, err := Open(fixture("numbers.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := r.Next(); !errors.Is(err, rows.ErrUnreadable) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Next after Close = %v, want a closed-reader error", err)
	}
	if _, err := r.Header(); !errors.Is(err, rows.ErrUnreadable) {
		t.Errorf("Header after Close = %v, want a closed-reader error", err)
	}
}

// TestSharedStringsSpill: a shared-string table larger than MaxXMLSize is kept in a temp file
// while reading, and that file is gone after Close.
func TestSharedStringsSpill(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // no t.Parallel: the environment is process-wide
	const n = 500
	var sst []string
	var data strings.Builder
	data.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>`)
	for i := range n {
		sst = append(sst, fmt.Sprintf("<t>employee number %d</t>", i))
		fmt.Fprintf(&data, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>`, i+2, i+2, n-1-i)
	}
	book := rawBook{sheets: []rawSheet{{name: "Sheet1", data: data.String()}}, sst: sst}.bytes(t)

	r, err := openBytes(book, Options{MaxXMLSize: 2048})
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(tmp); len(files) != 1 {
		t.Errorf("temp files while reading = %d, want 1 (the shared strings)", len(files))
	}
	got, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("got %d rows, want %d", len(got), n)
	}
	for i, row := range got {
		if want := fmt.Sprintf("employee number %d", n-1-i); row.Cells[0] != want {
			t.Fatalf("row %d = %q, want %q", row.Num, row.Cells[0], want)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(tmp); len(files) != 0 {
		t.Errorf("temp files after Close = %d, want 0", len(files))
	}
}

// writeLarge writes an n-row roster with the stream writer, as a payroll export would be.
func writeLarge(t testing.TB, path string, n int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Employee ID", "First Name", "Last Name", "Email", "Phone", "Birth Date", "Zip", "State"}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		row := []any{fmt.Sprintf("E%06d", i), "Ann", fmt.Sprintf("Lee%d", i%977), fmt.Sprintf("ann.lee%d@example.com", i),
			4155550000 + i, excelize.Cell{StyleID: dateStyle, Value: 31121 + i%10000}, 94110, "CA"}
		if err := sw.SetRow(cell("A", i+2), row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestLargeSheet reads a 20,000-row workbook through: every row, numbered, with its values.
func TestLargeSheet(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("writes a 20,000-row workbook")
	}
	const n = 20000
	path := filepath.Join(t.TempDir(), "large.xlsx")
	writeLarge(t, path, n)
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	count := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Num != count+2 {
			t.Fatalf("row %d has Num %d", count, row.Num)
		}
		if row.Cells[0] != fmt.Sprintf("E%06d", count) || row.Cells[4] != fmt.Sprint(4155550000+count) {
			t.Fatalf("row %d = %q", row.Num, row.Cells)
		}
		count++
	}
	if count != n {
		t.Fatalf("read %d rows, want %d", count, n)
	}
}

// benchWorkbook is the workbook the benchmarks read: $ROSTERLOAD_BENCH_XLSX (for instance
// go run ./cmd/genroster -rows 200000 -o /tmp/ewa-200k.xlsx), else a 20,000-row one written now.
func benchWorkbook(b *testing.B) string {
	b.Helper()
	if path := os.Getenv("ROSTERLOAD_BENCH_XLSX"); path != "" {
		return path
	}
	path := filepath.Join(b.TempDir(), "large.xlsx")
	writeLarge(b, path, 20000)
	return path
}

// BenchmarkReader reads the benchmark workbook through the Reader and reports rows per second.
func BenchmarkReader(b *testing.B) {
	path := benchWorkbook(b)
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		r, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			total++
		}
		r.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkExcelizeRows reads the benchmark workbook with excelize's streaming Rows iterator,
// raw values and no conversion: the yardstick of issue 12 (the Reader, validation included in
// a dry run, is to take at most a third of its time).
func BenchmarkExcelizeRows(b *testing.B) {
	path := benchWorkbook(b)
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rs, err := f.Rows(f.GetSheetName(0))
		if err != nil {
			b.Fatal(err)
		}
		for rs.Next() {
			if _, err := rs.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			total++
		}
		rs.Close()
		f.Close()
	}
	b.ReportMetric(float64(total-b.N)/b.Elapsed().Seconds(), "rows/s") // less the header rows
}

// BenchmarkSheetStream reads the benchmark workbook's first sheet part, rows only (no
// inflating check first), with the scanner and with the encoding/xml reference it replaced.
func BenchmarkSheetStream(b *testing.B) {
	path := benchWorkbook(b)
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	var part, sstPart *zip.File
	for _, f := range zr.File {
		switch f.Name {
		case "xl/worksheets/sheet1.xml":
			part = f
		case "xl/sharedStrings.xml":
			sstPart = f
		}
	}
	if part == nil {
		b.Fatal("no xl/worksheets/sheet1.xml")
	}
	sst, err := loadSST(sstPart, DefaultMaxXMLSize, "")
	if err != nil {
		b.Fatal(err)
	}
	defer sst.close()
	cf := cellFormat{sst: sst}
	type stream interface {
		next(keep int) (int, []string, error)
		close() error
	}
	for _, bm := range []struct {
		name string
		open func() (stream, error)
	}{
		{"scanner", func() (stream, error) { return openSheet(part, cf) }},
		{"encoding-xml", func() (stream, error) { return refOpenSheet(part, cf) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			total := 0
			for b.Loop() {
				s, err := bm.open()
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, _, err := s.next(16)
					if err == errEndOfRows {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					total++
				}
				s.close()
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestStrictOOXML reads a workbook saved as "Strict Open XML", whose namespaces and
// relationship types differ from the usual (transitional) ones.
func TestStrictOOXML(t *testing.T) {
	t.Parallel()
	parts := rawBook{
		sheets:  []rawSheet{{name: "Hidden", state: "hidden"}, {name: "Roster", data: rawCellsData}},
		sst:     []string{"<t>Employee ID</t>", "<t>x</t>", "<t>y</t>", "<t>z</t>"},
		numFmts: `<numFmt numFmtId="164" formatCode="d/m/yy"/>`,
		xfs:     []int{0, 0, 164, 22},
	}.parts()
	for name, body := range parts {
		body = strings.ReplaceAll(body, nsMain, "http://purl.oclc.org/ooxml/spreadsheetml/main")
		body = strings.ReplaceAll(body, "http://schemas.openxmlformats.org/officeDocument/2006/relationships", "http://purl.oclc.org/ooxml/officeDocument/relationships")
		parts[name] = strings.Replace(body, "<workbook ", `<workbook conformance="strict" `, 1)
	}
	r, err := openBytes(zipParts(t, parts), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Sheet() != "Roster" {
		t.Errorf("Sheet() = %q, want Roster (the first visible)", r.Sheet())
	}
	got, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].Cells[2] != "1985-03-15" || got[3].Num != 5 || got[3].Cells[1] != "1985-03-15" {
		t.Errorf("rows = %+v", got)
	}
}
