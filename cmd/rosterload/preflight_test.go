package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sampleRows reads the sample roster: its header, then its data rows.
func sampleRows(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(td("sample", "employees.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// sheet is one worksheet of a test workbook: its rows from row 1 (a nil row is left blank).
type sheet struct {
	name string
	rows [][]string
}

// writeWorkbook writes an XLSX of sheets, in order, with excelize.
func writeWorkbook(t *testing.T, path string, sheets ...sheet) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// withoutColumn returns rows without the column headed drop.
func withoutColumn(rows [][]string, drop string) [][]string {
	col := -1
	for i, h := range rows[0] {
		if h == drop {
			col = i
		}
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append(append([]string(nil), r[:col]...), r[col+1:]...)
	}
	return out
}

// TestPreflightRefusals: each configuration mistake that would make every row INVALID is exit 2
// with one line naming the field, default, kind, header row or sheet, before any row is read:
// no report is written.
func TestPreflightRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noProgram := write("no-program.yaml", "defaults:\n  cardName: Payroll card\n  cardSubtype: DEBIT\n")
	debt := write("debt.yaml", "programId: prog-demo\ndefaults:\n  cardName: Payroll card\n  cardSubtype: DEBT\n")
	complete := write("complete.yaml", "programId: prog-demo\ndefaultCountry: USA\ndefaults:\n  cardName: Payroll card\n  cardSubtype: DEBIT\n")

	roster := sampleRows(t)
	title := [][]string{{"Acme Corp payroll export"}, nil}
	noCard := filepath.Join(dir, "no-card.xlsx")
	writeWorkbook(t, noCard, sheet{"Read Me", [][]string{{"About this workbook"}, {"The roster is on sheet Employees"}}},
		sheet{"Employees", append(title, withoutColumn(roster, "Card Number")...)})
	readMe := filepath.Join(dir, "readme-first.xlsx")
	writeWorkbook(t, readMe, sheet{"Read Me", [][]string{{"The roster is on the next sheet"}}},
		sheet{"Employees", roster})

	tests := []struct {
		name string
		args []string
		want []string // what the one line must hold
	}{
		{"no --program-id", []string{"--mapping", noProgram, td("sample", "employees.csv")},
			[]string{"programId: no column and no default: give --program-id or `programId:` in the mapping file"}},
		{"no card name or subtype", []string{"--program-id", "p1", td("sample", "employees.csv")},
			[]string{"cardName, cardSubtype: no column and no default", "`defaults: cardName: …`"}},
		{"cardSubtype: DEBT", []string{"--mapping", debt, td("sample", "employees.csv")},
			[]string{"debt.yaml:4: defaults: cardSubtype: ", `"DEBT" is not one of DEBIT, CREDIT`}},
		{"companies.csv with the default kind", []string{"--program-id", "p1", td("business", "companies.csv")},
			[]string{"kind ewa: ", "these headers look like kind business (26 of 26 columns): use --kind business"}},
		{"a title row above a header without card numbers", []string{"--mapping", complete, "--sheet", "Employees", noCard},
			[]string{"cardNumber: no column", "header row 3 was chosen of the rows considered: 1 (0 columns), 3 (13 columns)",
				`sheet "Employees" was read of "Read Me", "Employees"`}},
		{"a Read Me first sheet", []string{"--mapping", complete, readMe},
			[]string{`sheet "Read Me" has a header row (row 1) but no data rows; the workbook's sheets are "Read Me", "Employees": give --sheet`}},
		{"a Read Me first sheet of two lines", []string{"--mapping", complete, noCard},
			[]string{`sheet "Read Me" was read of "Read Me", "Employees" (--sheet chooses another)`}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := filepath.Join(dir, "report"+string(rune('a'+i))+".csv")
			res := runCLI(t, nil, append([]string{"validate", "--log-level", "error", "--report", report}, tt.args...)...)
			if res.code != exitConfig {
				t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
			}
			line := strings.TrimSuffix(res.stderr, "\n")
			if strings.Contains(line, "\n") || !strings.HasPrefix(line, "rosterload: ") {
				t.Fatalf("stderr is not one rosterload: line:\n%s", res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr lacks %q:\n%s", w, line)
				}
			}
			if _, err := os.Stat(report); !os.IsNotExist(err) {
				t.Errorf("a report was written (%v): the refusal must come before the rows", err)
			}
		})
	}
}

// TestPreflightHeaderRowChosen: with no --header-row, a title row above the header is passed
// over for the row that maps the most columns, and the run reads the rows under it as it would
// with --header-row 3 (the same report), for CSV and XLSX; the chosen row is logged.
func TestPreflightHeaderRowChosen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	roster := sampleRows(t)
	rows := append([][]string{{"Acme Corp payroll export"}, nil}, roster...)
	xlsx := filepath.Join(dir, "titled.xlsx")
	writeWorkbook(t, xlsx, sheet{"Employees", rows})
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	csvPath := filepath.Join(dir, "titled.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{csvPath, xlsx} {
		t.Run(filepath.Ext(src), func(t *testing.T) {
			var reports [2]string
			for i, extra := range [][]string{nil, {"--header-row", "3"}} {
				reports[i] = filepath.Join(dir, filepath.Base(src)+string(rune('0'+i))+".jsonl")
				args := append([]string{"validate", "--mapping", td("sample", "mapping.yaml"), "--report", reports[i]}, extra...)
				res := runCLI(t, nil, append(args, src)...)
				if res.code != exitOK && res.code != exitRows {
					t.Fatalf("%v: exit %d\n%s", extra, res.code, res.stderr)
				}
				if i == 0 && !strings.Contains(res.stderr, `msg="header row chosen" row=3 of="1 (0 columns), 3 (14 columns)"`) {
					t.Errorf("the chosen header row is not logged:\n%s", res.stderr)
				}
			}
			auto, err := os.ReadFile(reports[0])
			if err != nil {
				t.Fatal(err)
			}
			given, err := os.ReadFile(reports[1])
			if err != nil {
				t.Fatal(err)
			}
			if string(auto) != string(given) || !strings.Contains(string(auto), `"row":4,`) {
				t.Errorf("the report with the row chosen differs from --header-row 3's, or has no row 4:\n%s\n---\n%s", auto, given)
			}
		})
	}
}
