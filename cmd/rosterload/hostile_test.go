package main

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rosterload/rosterload/internal/rostergen"
)

// hostileRoster is a roster of n valid generated rows written with hostile bytes: something
// before a line, odd line ends, a cell written by hand.
type hostileRoster struct {
	n      int
	sep    string             // the delimiter; "" is ","
	prefix string             // written first (a BOM, a sep= line)
	end    func(i int) string // line end after line i (0 = header); nil: "\n"
	before func(i int) string // written before line i; nil: nothing
	// writeW, if set, may write the cell of line i (0 = header), column col itself and say so.
	writeW func(w io.Writer, i, col int) bool
}

// write writes the roster to path and returns its rows' externalIds.
func (h hostileRoster) write(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	sep := h.sep
	if sep == "" {
		sep = ","
	}
	w.WriteString(h.prefix)
	var ids []string
	line := func(i int, cells []string) {
		if h.before != nil {
			w.WriteString(h.before(i))
		}
		for c, v := range cells {
			if c > 0 {
				w.WriteString(sep)
			}
			if h.writeW != nil && h.writeW(w, i, c) {
				continue
			}
			if strings.ContainsAny(v, sep+"\"\r\n") {
				v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			w.WriteString(v)
		}
		end := "\n"
		if h.end != nil {
			end = h.end(i)
		}
		w.WriteString(end)
	}
	line(0, rostergen.Header())
	i := 0
	if err := rostergen.Generate(rostergen.Options{Rows: h.n, Seed: 77}, func(r rostergen.Row) error {
		i++
		ids = append(ids, r.Cells[rostergen.ColExternalID])
		line(i, r.Cells)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// reportIDs reads the externalIds of a report's lines, in order, whatever its format.
func reportIDs(t *testing.T, path string) []string {
	t.Helper()
	var ids []string
	switch filepath.Ext(path) {
	case ".jsonl":
		for _, l := range readJSONL(t, path) {
			ids = append(ids, l.ExternalID)
		}
	case ".csv":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(recs[0], "externalId")
		for _, r := range recs[1:] {
			ids = append(ids, r[col])
		}
	case ".xlsx":
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rs, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		hdr := -1
		for i, r := range rs {
			if slices.Contains(r, "Onboarding status") {
				hdr = i
				break
			}
		}
		if hdr < 0 {
			t.Fatalf("%s has no header row", path)
		}
		idCol, statusCol := slices.Index(rs[hdr], "Employee ID"), slices.Index(rs[hdr], "Onboarding status")
		for _, r := range rs[hdr+1:] {
			if statusCol < len(r) && r[statusCol] != "" {
				id := ""
				if idCol < len(r) {
					id = r[idCol]
				}
				ids = append(ids, id)
			}
		}
	default:
		t.Fatalf("report %s: unknown format", path)
	}
	return ids
}

// checkEveryRowOnce runs validate over source with a report in every format, and run against
// the in-process sandbox with a JSONL and an XLSX report, and checks that each report holds every data row
// exactly once, in source order, and that the run left a report and a summary.
func checkEveryRowOnce(t *testing.T, source string, want []string, extra ...string) {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"--program-id", "prog-1", "--log-level", "error", "--default-country", "USA"}, extra...)
	for _, ext := range []string{".jsonl", ".csv", ".xlsx"} {
		rep := filepath.Join(dir, "validate"+ext)
		res := runCLI(t, nil, append(append([]string{"validate", "--report", rep}, args...), source)...)
		if res.code != exitOK && res.code != exitRows {
			t.Fatalf("validate %s: exit %d\n%s", ext, res.code, res.stderr)
		}
		if got := reportIDs(t, rep); !slices.Equal(got, want) {
			t.Errorf("validate %s report: %d lines, want the %d data rows once each in order\ngot  %q\nwant %q", ext, len(got), len(want), head(got), head(want))
		}
	}
	for _, ext := range []string{".jsonl", ".xlsx"} {
		rep, sum := filepath.Join(dir, "run"+ext), filepath.Join(dir, "run"+ext+".summary.json")
		res := runCLI(t, nil, append(append([]string{"run", "--sandbox", "--rate", "0", "--concurrency", "8", "--report", rep, "--summary", sum}, args...), source)...)
		if res.code != exitOK && res.code != exitRows {
			t.Fatalf("run %s: exit %d\n%s", ext, res.code, res.stderr)
		}
		if got := reportIDs(t, rep); !slices.Equal(got, want) {
			t.Errorf("run %s report: %d lines, want the %d data rows once each", ext, len(got), len(want))
		}
		if _, err := os.Stat(sum); err != nil {
			t.Errorf("run %s left no summary: %v", ext, err)
		}
	}
}

func head(s []string) []string {
	if len(s) > 25 {
		return s[:25]
	}
	return s
}

// TestHostileCSV: rows that are too long, blank lines by the megabyte, mixed line ends, Excel's
// sep= line and a quote never closed: every data row is in every report once.
func TestHostileCSV(t *testing.T) {
	ends := []string{"\r", "\n", "\r\n"}
	tests := []struct {
		name   string
		roster hostileRoster
	}{
		{name: "a 16 MiB cell on row 3, unquoted", roster: hostileRoster{n: 20, writeW: bigCell(3, rostergen.ColLastName, 16<<20, false)}},
		{name: "a 16 MiB quoted cell on row 3", roster: hostileRoster{n: 20, writeW: bigCell(3, rostergen.ColLastName, 16<<20, true)}},
		{name: "1.5 MiB of CRLF blank lines", roster: hostileRoster{n: 20, before: func(i int) string {
			if i == 5 {
				return strings.Repeat("\r\n", 3<<18)
			}
			return ""
		}}},
		{name: "1.5 MiB of CR blank lines with spaces", roster: hostileRoster{n: 20, before: func(i int) string {
			if i == 5 {
				return strings.Repeat(" \r", 3<<18)
			}
			return ""
		}}},
		{name: "mixed CR, LF and CRLF line ends", roster: hostileRoster{n: 20, end: func(i int) string { return ends[i%3] }}},
		{name: "CRLF with one lone CR", roster: hostileRoster{n: 20, end: func(i int) string {
			if i == 7 {
				return "\r"
			}
			return "\r\n"
		}}},
		{name: "Excel's sep=; line", roster: hostileRoster{n: 20, sep: ";", prefix: "sep=;\r\n", end: func(int) string { return "\r\n" }}},
		{name: "Excel's sep=| line after a BOM", roster: hostileRoster{n: 20, sep: "|", prefix: "\uFEFFsep=|\n"}},
		{name: "a quote never closed on row 4", roster: hostileRoster{n: 20, writeW: func(w io.Writer, i, col int) bool {
			if i == 4 && col == rostergen.ColCity {
				io.WriteString(w, `"Spring`)
				return true
			}
			return false
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "roster.csv")
			want := tt.roster.write(t, src)
			checkEveryRowOnce(t, src, want)
		})
	}
}

// bigCell writes a cell of size bytes of letters at data row row, column col.
func bigCell(row, col, size int, quoted bool) func(w io.Writer, i, c int) bool {
	return func(w io.Writer, i, c int) bool {
		if i != row || c != col {
			return false
		}
		chunk := strings.Repeat("abcdefgh", 8<<10)
		if quoted {
			io.WriteString(w, `"`)
		}
		for n := 0; n < size; n += len(chunk) {
			io.WriteString(w, chunk)
		}
		if quoted {
			io.WriteString(w, `"`)
		}
		return true
	}
}

// TestHugeCell200MB is the reproduction: a 200 MB cell on row 3 (the second data row)
// of a 20-row roster. The rows after it are read, reported and (under run) sent.
func TestHugeCell200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "roster.csv")
	want := hostileRoster{n: 20, writeW: bigCell(2, rostergen.ColLastName, 200<<20, false)}.write(t, src)
	rep := filepath.Join(dir, "r.jsonl")
	res := runCLI(t, nil, "run", "--sandbox", "--rate", "0", "--program-id", "prog-1", "--log-level", "error", "--report", rep, src)
	if res.code != exitRows {
		t.Fatalf("exit %d, want 1 (row 3 is malformed)\n%s", res.code, res.stderr)
	}
	lines := readJSONL(t, rep)
	var got []string
	created := 0
	for _, l := range lines {
		got = append(got, l.ExternalID)
		if l.Status == "CREATED" {
			created++
		}
		if l.Row == 4 && l.Status != "CREATED" {
			t.Errorf("row 4: %s %v", l.Status, l.Errors)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("report ids %q, want %q", got, want)
	}
	if created != 19 {
		t.Errorf("%d rows created, want 19 (all but row 3)", created)
	}
	if l := lines[1]; l.Row != 3 || l.Status != "INVALID" || len(l.find("malformed_row")) != 1 {
		t.Errorf("row 3: %+v, want INVALID malformed_row", l)
	}
}

// rawXLSX writes a one-sheet workbook whose sheet data is given as XML, inline strings only.
func rawXLSX(t *testing.T, path, sheetData string) {
	t.Helper()
	const ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="` + ns + `" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Roster" sheetId="1" r:id="rId10"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="` + ns + `"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + ns + `"><sheetData>` + sheetData + `</sheetData></worksheet>`},
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// xlsxRow is a <row> of inline strings.
func xlsxRow(num int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, num)
	for i, c := range cells {
		fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, string(rune('A'+i)), num, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// TestXLSXRowsOutOfOrder: a sheet listing its rows out of order or repeating a row number gets
// every row once in every report format, under validate and run.
func TestXLSXRowsOutOfOrderCLI(t *testing.T) {
	var rowsXML strings.Builder
	rowsXML.WriteString(xlsxRow(1, rostergen.Header()...))
	var want []string
	order := []int{2, 5, 3, 3, 4, 9, 6}
	i := 0
	if err := rostergen.Generate(rostergen.Options{Rows: len(order), Seed: 5}, func(r rostergen.Row) error {
		rowsXML.WriteString(xlsxRow(order[i], r.Cells...))
		want = append(want, r.Cells[rostergen.ColExternalID])
		i++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "roster.xlsx")
	rawXLSX(t, src, rowsXML.String())
	checkEveryRowOnce(t, src, want)
}

// TestHostileFixtures: the small hostile files of testdata/hostile, each data row reported once at
// the row number a spreadsheet shows, in every report format and under run.
func TestHostileFixtures(t *testing.T) {
	tests := []struct {
		file    string
		rows    []int // the data rows' numbers
		invalid []int // the rows that are malformed
	}{
		{"mixed-line-ends.csv", seq(2, 21), nil},
		{"sep-directive.csv", seq(2, 6), nil},
		{"unclosed-quote.csv", seq(2, 11), []int{4}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src := td("hostile", tt.file)
			var want []string
			for i := range tt.rows {
				want = append(want, fmt.Sprintf("E%d", 1001+i))
			}
			checkEveryRowOnce(t, src, want, "--kind", "individual")
			rep := filepath.Join(t.TempDir(), "r.jsonl")
			if res := runCLI(t, nil, "validate", "--kind", "individual", "--report", rep, src); res.code != exitOK && res.code != exitRows {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			for i, l := range readJSONL(t, rep) {
				if l.Row != tt.rows[i] {
					t.Errorf("line %d: row %d, want %d", i, l.Row, tt.rows[i])
				}
				if bad := slices.Contains(tt.invalid, l.Row); bad != (len(l.find("malformed_row")) == 1) || !bad && l.Status != "VALID" {
					t.Errorf("row %d: %s %v", l.Row, l.Status, l.Errors)
				}
			}
		})
	}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}
