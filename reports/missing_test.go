package reports

import (
	"encoding/csv"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var sampleLeavers = []Leaver{
	{ExternalID: "E1", CustomerID: "cus_1", ProfileID: "prof_1", FirstSeen: "2026-10-01", LastSeen: "2026-11-02"},
	{ExternalID: "=HYPERLINK(\"http://x\")", CustomerID: "cus_2", ProfileID: "prof_2", FirstSeen: "2026-10-01", LastSeen: "2026-10-30"},
	{ExternalID: "4242424242424242", CustomerID: "cus_3", FirstSeen: "2026-10-02", LastSeen: "2026-11-01"},
	{ExternalID: "123-45-6789", CustomerID: "+cus_4", ProfileID: "@prof_4", FirstSeen: "2026-10-03", LastSeen: "2026-11-02"},
}

// sampleLeaverRows is sampleLeavers as every output shows them: masked (a spreadsheet cell
// may further neutralise a formula).
var sampleLeaverRows = [][]string{
	{"E1", "cus_1", "prof_1", "2026-10-01", "2026-11-02"},
	{`=HYPERLINK("http://x")`, "cus_2", "prof_2", "2026-10-01", "2026-10-30"},
	{"****4242", "cus_3", "", "2026-10-02", "2026-11-01"},
	{"***-**-6789", "+cus_4", "@prof_4", "2026-10-03", "2026-11-02"},
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	header := []string{"externalId", "customerId", "profileId", "firstSeen", "lastSeen"}
	tests := []struct {
		name    string
		leavers []Leaver
		want    [][]string
	}{
		{"no leavers: the header alone", nil, [][]string{header}},
		{"leavers, masked and safe in a spreadsheet", sampleLeavers, [][]string{
			header,
			sampleLeaverRows[0],
			{`'=HYPERLINK("http://x")`, "cus_2", "prof_2", "2026-10-01", "2026-10-30"},
			sampleLeaverRows[2],
			{"***-**-6789", "'+cus_4", "'@prof_4", "2026-10-03", "2026-11-02"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "acme.csv.missing.csv")
			m, err := CreateMissing(path)
			if err != nil {
				t.Fatal(err)
			}
			if m.Path() != path {
				t.Errorf("Path() = %q, want %q", m.Path(), path)
			}
			for _, l := range tt.leavers {
				if err := m.Write(l); err != nil {
					t.Fatal(err)
				}
			}
			raw := closeFile(t, path, m.Close)
			got, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("missing file =\n%q\nwant\n%q", got, tt.want)
			}
			if strings.Contains(string(raw), "4242424242424242") || strings.Contains(string(raw), "123-45-6789") {
				t.Errorf("missing file holds a card number or SSN:\n%s", raw)
			}
		})
	}
}

func TestMissingPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, source, report, want string
	}{
		{"beside a report in the working directory", "/data/in/acme.csv", "acme.csv.report.csv", "acme.csv.missing.csv"},
		{"beside a report elsewhere", "acme.xlsx", "/out/nightly/acme.report.xlsx", "/out/nightly/acme.xlsx.missing.csv"},
		{"beside an s3 report", "s3://payroll/acme/2026-11-03.csv", "s3://reports/acme/r.jsonl", "s3://reports/acme/2026-11-03.csv.missing.csv"},
		{"an s3 prefix source", "s3://payroll/acme/", "out/r.csv", "out/roster.missing.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MissingPath(tt.source, tt.report); got != tt.want {
				t.Errorf("MissingPath(%q, %q) = %q, want %q", tt.source, tt.report, got, tt.want)
			}
		})
	}
}
