package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/internal/rostergen"
)

// piiRoster writes a generated roster in which card numbers and SSNs, in every separator style,
// are typed into the wrong columns (phone, ZIP, birth date, names, email, city, street) and used
// as the employee id. It returns the path, the header and the rows as written.
func piiRoster(t *testing.T, dir string) (string, [][]string) {
	t.Helper()
	type typo struct {
		col   int
		value string
		ssn   string // also the row's SSN
	}
	typos := map[int]typo{ // by data row, 1-based
		2:  {col: rostergen.ColPhone, value: "4111.1111.1111.1111"},
		3:  {col: rostergen.ColZip, value: "4012 8888 8888 1881"},
		4:  {col: rostergen.ColBirthDate, value: "078-05-1120"},
		5:  {col: rostergen.ColFirstName, value: "5555/5555/5555/4444"},
		6:  {col: rostergen.ColLastName, value: "219 09 9998"},
		7:  {col: rostergen.ColExternalID, value: "4000056655665556"},
		8:  {col: rostergen.ColExternalID, value: "219-09-9997", ssn: "219-09-9997"},
		9:  {col: rostergen.ColExternalID, value: "219099996", ssn: "219-09-9996"},
		10: {col: rostergen.ColEmail, value: "6011-0009-9013-9424"},
		11: {col: rostergen.ColCity, value: "078.05.1121"},
		12: {col: rostergen.ColAddressLine1, value: "card 3782 822463 10005 exp"},
		13: {col: rostergen.ColPhone, value: "219099995"},
	}
	all := [][]string{rostergen.Header()}
	i := 0
	if err := rostergen.Generate(rostergen.Options{Rows: 14, Seed: 31}, func(r rostergen.Row) error {
		i++
		cells := append([]string(nil), r.Cells...)
		if ty, ok := typos[i]; ok {
			cells[ty.col] = ty.value
			if ty.ssn != "" {
				cells[rostergen.ColSSN] = ty.ssn
			}
		}
		all = append(all, cells)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A later row repeats row 1's id with row 3's card number in its name: a DUPLICATE line.
	dup := append([]string(nil), all[1]...)
	dup[rostergen.ColFirstName] = "4012888888881881"
	all = append(all, dup)
	p := filepath.Join(dir, "roster.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll(all)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p, all
}

// secretsOf lists what no output may hold of a roster: every card number and SSN in any cell
// (as written and as bare digits), and every card expiry.
func secretsOf(all [][]string) map[string]string {
	s := map[string]string{}
	for _, row := range all[1:] {
		for c, v := range row {
			d := digitsOf(v)
			if c == rostergen.ColCardExpiry && v != "" {
				s[v] = "card expiry " + v
			}
			if c == rostergen.ColSSN || len(d) == 9 || len(d) >= 13 && c != rostergen.ColPhone && c != rostergen.ColBirthDate {
				if d != "" {
					s[v] = "a card number or SSN written " + v
					s[d] = "the digits of " + v
				}
			}
		}
	}
	return s
}

// TestPersonalDataInTheWrongColumn runs every command over a roster with card numbers and SSNs
// in the wrong columns and used as employee ids, with every output and debug logs, plus the
// header-row mistakes that would log the first employee as "column names", and scans all of it.
func TestPersonalDataInTheWrongColumn(t *testing.T) {
	dir := t.TempDir()
	src, all := piiRoster(t, dir)
	secrets := secretsOf(all)
	outputs := map[string]string{}
	keep := func(name string, res result) {
		outputs[name+" stderr"] = res.stderr
		outputs[name+" stdout"] = res.stdout
	}
	readAll := func(paths ...string) {
		for _, p := range paths {
			if filepath.Ext(p) == ".xlsx" {
				outputs[filepath.Base(p)] = zipText(t, p)
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			outputs[filepath.Base(p)] = string(b)
		}
	}
	common := []string{"--program-id", "prog-1", "--log-level", "debug", "--log-format", "json"}

	for _, ext := range []string{".csv", ".jsonl", ".xlsx"} {
		rep, sum, pay := filepath.Join(dir, "v"+ext), filepath.Join(dir, "v"+ext+".summary.json"), filepath.Join(dir, "v"+ext+".payload.jsonl")
		res := runCLI(t, nil, append(append([]string{"validate", "--report", rep, "--summary", sum, "--payload", pay}, common...), src)...)
		if res.code != exitRows {
			t.Fatalf("validate %s: exit %d\n%s", ext, res.code, res.stderr)
		}
		keep("validate "+ext, res)
		readAll(rep, sum, pay)
	}
	lines := byRow(readJSONL(t, filepath.Join(dir, "v.jsonl")))
	for _, row := range []int{8, 9, 10} { // data rows 7, 8, 9: the ids that are a card or an SSN
		if l := lines[row]; l.Status != "INVALID" || len(l.find("invalid_format", "externalId")) != 1 {
			t.Errorf("row %d (an id that is personal data): %s %+v, want INVALID invalid_format at externalId", row, l.Status, l.Errors)
		}
	}

	state, rep, sum := filepath.Join(dir, "state.jsonl"), filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "run.summary.json")
	res := runCLI(t, nil, append(append([]string{"run", "--sandbox", "--rate", "0", "--state", state, "--report", rep, "--summary", sum}, common...), src)...)
	if res.code != exitRows {
		t.Fatalf("run: exit %d\n%s", res.code, res.stderr)
	}
	keep("run", res)
	readAll(state, rep, sum)
	if !strings.Contains(outputs["state.jsonl"], "CREATED") {
		t.Fatal("the run created nobody: the scan would prove little")
	}

	keep("mapping", runCLI(t, nil, "mapping", src))
	// The header-row mistakes: row 2 (the first employee) taken as the header, and a file
	// without its header row.
	for _, cmd := range []string{"validate", "mapping"} {
		r := runCLI(t, nil, cmd, "--header-row", "2", "--log-level", "debug", src)
		if r.code != exitConfig {
			t.Errorf("%s --header-row 2: exit %d, want 2\n%s", cmd, r.code, r.stderr)
		}
		keep(cmd+" --header-row 2", r)
	}
	b, _ := os.ReadFile(src)
	headerless := filepath.Join(dir, "headerless.csv")
	os.WriteFile(headerless, b[strings.IndexByte(string(b), '\n')+1:], 0o600)
	for _, cmd := range []string{"validate", "mapping"} {
		r := runCLI(t, nil, cmd, "--log-level", "debug", headerless)
		if r.code != exitConfig {
			t.Errorf("%s on a headerless file: exit %d, want 2\n%s", cmd, r.code, r.stderr)
		}
		keep(cmd+" headerless", r)
	}

	found := 0
	for name, text := range outputs {
		for v, what := range secrets {
			if containsBounded(text, v) && found < 30 {
				found++
				t.Errorf("%s holds %s", name, what)
			}
		}
	}
}
