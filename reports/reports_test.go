package reports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/validate"
)

func sampleLines() []*Line {
	return []*Line{
		{Row: 2, ExternalID: "E1", Name: "Ana Lee", Status: outcome.Valid},
		{Row: 3, ExternalID: "=HYPERLINK(\"http://x\")", Name: "+Bob", Status: outcome.Invalid, Errors: []validate.Problem{
			{Field: "customerData.primaryEmail.value", Column: "Email", Cell: "D3", Code: "invalid_email", Message: "not an address"},
			{Field: "externalId", Column: "ID", Cell: "A3", Code: "required", Message: "missing"},
		}},
		{Row: 5, ExternalID: "E1", Name: "@Ana", Status: outcome.Duplicate, Warnings: []validate.Problem{
			{Field: "addresses[0].zipCode", Cell: "K5", Code: "zip_padded", Message: "padded"},
		}},
	}
}

// closeFile checks that the file at path appears only when closeFn (a writer's Close) returns,
// private (mode 0600), and returns its content.
func closeFile(t *testing.T, path string, closeFn func() error) []byte {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s visible before Close: %v", path, err)
	}
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSVReport(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.csv")
	w, err := Create(path, Sheet{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range sampleLines() {
		if err := w.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := csv.NewReader(bytes.NewReader(closeFile(t, path, w.Close))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := "row,externalId,name,status,customerId,profileId,financialAccountId,httpStatus,attempts,errors,warnings"
	if got := strings.Join(recs[0], ","); got != wantHeader {
		t.Errorf("header = %s\nwant %s", got, wantHeader)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want header + 3", len(recs))
	}
	tests := []struct {
		name     string
		row, col int
		want     string
	}{
		{"formula externalId neutralised", 2, 1, `'=HYPERLINK("http://x")`},
		{"plus name neutralised", 2, 2, "'+Bob"},
		{"at name neutralised", 3, 2, "'@Ana"},
		{"plain kept", 1, 2, "Ana Lee"},
		{"errors joined", 2, 9, "customerData.primaryEmail.value [D3] invalid_email: not an address; externalId [A3] required: missing"},
		{"warnings joined", 3, 10, "addresses[0].zipCode [K5] zip_padded: padded"},
		{"status", 3, 3, "DUPLICATE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recs[tt.row][tt.col]; got != tt.want {
				t.Errorf("cell = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJSONLReport(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.jsonl")
	w, err := Create(path, Sheet{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range sampleLines() {
		if err := w.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var got []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, m)
	}
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3", len(got))
	}
	if errs, ok := got[0]["errors"].([]any); !ok || len(errs) != 0 {
		t.Errorf("valid line errors = %#v, want []", got[0]["errors"])
	}
	e := got[1]["errors"].([]any)[0].(map[string]any)
	for k, want := range map[string]string{"field": "customerData.primaryEmail.value", "column": "Email", "cell": "D3", "code": "invalid_email"} {
		if e[k] != want {
			t.Errorf("errors[0].%s = %v, want %s", k, e[k], want)
		}
	}
	if got[1]["externalId"] != `=HYPERLINK("http://x")` {
		t.Errorf("JSONL keeps values as they are; got %v", got[1]["externalId"])
	}
}

// Abort removes everything an output wrote: the report of each format, the XLSX report's
// temp parts, the missing file.
func TestAbortLeavesNothing(t *testing.T) {
	t.Parallel()
	report := func(name string) func(string) (func() error, error) {
		return func(dir string) (func() error, error) {
			w, err := Create(filepath.Join(dir, name), Sheet{Header: []string{"ID"}})
			if err != nil {
				return nil, err
			}
			if err := w.Write(&Line{Row: 2, Status: outcome.Invalid, Cells: []string{"E1"},
				Errors: []validate.Problem{{Field: "externalId", Cell: "A2", Code: "too_long", Message: "long"}}}); err != nil {
				return nil, err
			}
			if l, ok := w.(Leavers); ok {
				if err := l.WriteLeavers(sampleLeavers); err != nil {
					return nil, err
				}
			}
			return w.Abort, nil
		}
	}
	tests := []struct {
		name  string
		write func(dir string) (abort func() error, err error)
	}{
		{"csv report", report("r.csv")},
		{"jsonl report", report("r.jsonl")},
		{"xlsx report with comments and leavers", report("r.xlsx")},
		{"missing file", func(dir string) (func() error, error) {
			m, err := CreateMissing(filepath.Join(dir, "x.missing.csv"))
			if err != nil {
				return nil, err
			}
			return m.Abort, m.Write(sampleLeavers[0])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			abort, err := tt.write(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := abort(); err != nil {
				t.Fatal(err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("files left after Abort: %v", ents)
			}
		})
	}
}

func TestFormatOf(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]Format{"a.csv": CSV, "a.JSONL": JSONL, "a.ndjson": JSONL, "a.xlsx": XLSX, "a": CSV, "a.txt": CSV} {
		if got := FormatOf(path); got != want {
			t.Errorf("FormatOf(%q) = %s, want %s", path, got, want)
		}
	}
	if got := DefaultPath("/data/in/acme roster.xlsx"); got != "acme roster.xlsx.report.csv" {
		t.Errorf("DefaultPath = %q", got)
	}
}

func TestSummaryAllOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []outcome.Status
		want     bool
	}{
		{"all fine", []outcome.Status{outcome.Valid, outcome.Created, outcome.Exists, outcome.Skipped}, true},
		{"an invalid row", []outcome.Status{outcome.Valid, outcome.Invalid}, false},
		{"a duplicate", []outcome.Status{outcome.Created, outcome.Duplicate}, false},
		{"not submitted", []outcome.Status{outcome.NotSubmitted}, false},
		{"empty roster", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSummary("validate", "x.csv", "ewa", time.Now())
			for _, st := range tt.statuses {
				s.Count(&Line{Status: st})
			}
			s.Finish()
			if got := s.AllOK(); got != tt.want {
				t.Errorf("AllOK = %v, want %v", got, tt.want)
			}
			if s.RowsRead != len(tt.statuses) {
				t.Errorf("rows = %d", s.RowsRead)
			}
		})
	}
}

// TestReportsMaskCardNumbersInIDAndName: a card number typed into the id or name column (a
// mis-mapped roster) reaches no report whole, and the line the run matched on keeps its id.
func TestReportsMaskCardNumbersInIDAndName(t *testing.T) {
	t.Parallel()
	const pan = "4242 4242 4242 4242"
	for _, ext := range []string{".csv", ".jsonl"} {
		t.Run(ext, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "r"+ext)
			w, err := Create(path, Sheet{})
			if err != nil {
				t.Fatal(err)
			}
			l := &Line{Row: 2, ExternalID: "4242424242424242", Name: "Ana " + pan + " 123-45-6789", Status: outcome.Invalid}
			if err := w.Write(l); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if l.ExternalID != "4242424242424242" {
				t.Errorf("the line's id became %q", l.ExternalID)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			if strings.Contains(text, "4242424242424242") || strings.Contains(text, pan) || strings.Contains(text, "123-45-6789") {
				t.Errorf("report holds the card number:\n%s", text)
			}
			if !strings.Contains(text, "****4242") {
				t.Errorf("report lacks the masked form ****4242:\n%s", text)
			}
		})
	}
}

// A CHANGED line needs nothing new from the CSV and JSONL reports: its changed fields and a
// returned employee's note are warnings, printed as every warning is.
func TestChangedLineCSVAndJSONL(t *testing.T) {
	t.Parallel()
	line := func() *Line {
		return &Line{Row: 7, ExternalID: "E7", Name: "Ana Lee", Status: outcome.Changed, CustomerID: "cus_7", ProfileID: "prof_7",
			Warnings: []validate.Problem{
				outcome.ChangedWarning("customerData.primaryPhoneNumber.number", "Phone", "D7", "2026-11-02"),
				outcome.ChangedWarning("financialAccountData.card.billingAddress.addressLine1", "Card Address", "K7", "2026-11-02"),
				outcome.ReturnedWarning("ID", "A7", "2026-11-01"),
			}}
	}
	tests := []struct {
		ext  string
		want []string
	}{
		{".csv", []string{
			"7,E7,Ana Lee,CHANGED,cus_7,prof_7,,,,," +
				`customerData.primaryPhoneNumber.number [D7] changed: changed since it was sent on 2026-11-02; not sent (the platform has no update endpoint); ` +
				`financialAccountData.card.billingAddress.addressLine1 [K7] changed: changed since it was sent on 2026-11-02; not sent (the platform has no update endpoint); ` +
				`externalId [A7] returned: back in the roster; it was missing since 2026-11-01` + "\n",
		}},
		{".jsonl", []string{
			`"status":"CHANGED"`,
			`{"field":"customerData.primaryPhoneNumber.number","column":"Phone","cell":"D7","code":"changed","message":"changed since it was sent on 2026-11-02; not sent (the platform has no update endpoint)"}`,
			`{"field":"externalId","column":"ID","cell":"A7","code":"returned","message":"back in the roster; it was missing since 2026-11-01"}`,
			`"errors":[]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "r"+tt.ext)
			w, err := Create(path, Sheet{})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(line()); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(string(b), want) {
					t.Errorf("report lacks %s:\n%s", want, b)
				}
			}
		})
	}
}
