package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/outcome"
)

// nightly is a summary of a nightly run: counts per status, leavers, maybe a hold.
func nightly(source string, counts map[outcome.Status]int, missing int, held string, exit int) *Summary {
	s := NewSummary("run", source, "ewa", time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC))
	for _, st := range outcome.Statuses {
		for range counts[st] {
			s.Count(&Line{Status: st})
		}
	}
	s.Missing, s.Held, s.ExitCode = missing, held, exit
	s.Finish()
	return s
}

func TestSummaryText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sum     *Summary
		want    string
		notWant string
	}{
		{"nightly run", nightly("acme.csv", map[outcome.Status]int{outcome.Skipped: 950, outcome.Changed: 20, outcome.Created: 30}, 5, "", 0),
			"rosterload run acme.csv (ewa): 1,000 rows — 30 CREATED, 950 SKIPPED, 20 CHANGED; 5 missing; exit 0", ""},
		{"no leavers, one row", nightly("acme.csv", map[outcome.Status]int{outcome.Created: 1}, 0, "", 0),
			"rosterload run acme.csv (ewa): 1 row — 1 CREATED; exit 0", ""},
		{"empty roster", nightly("acme.csv", nil, 0, "", 0),
			"rosterload run acme.csv (ewa): 0 rows; exit 0", ""},
		{"held", nightly("acme.csv", map[outcome.Status]int{outcome.NotSubmitted: 1200}, 600, "600 of 1,000 active employees are missing (more than 20%)", 4),
			"rosterload run acme.csv (ewa): 1,200 rows — 1,200 NOT_SUBMITTED; 600 missing; held: 600 of 1,000 active employees are missing (more than 20%); exit 4", ""},
		{"a card number in the source's name is masked", nightly("/in/4242424242424242.csv", map[outcome.Status]int{outcome.Invalid: 1234567}, 0, "", 1),
			"rosterload run /in/****4242.csv (ewa): 1,234,567 rows — 1,234,567 INVALID; exit 1", "4242424242424242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.sum.Text()
			if got != tt.want {
				t.Errorf("Text() = %q\nwant      %q", got, tt.want)
			}
			if strings.Contains(got, "\n") {
				t.Error("Text() spans lines")
			}
		})
	}
}

func withClient(s *Summary, name string) *Summary {
	s.Client = name
	return s
}

func TestSummaryNotifyJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sum  *Summary
		want map[string]any // top-level fields and their values
		not  []string       // text the JSON must not hold
	}{
		{"nightly run", nightly("s3://payroll/acme/", map[outcome.Status]int{outcome.Skipped: 2, outcome.Changed: 1}, 1, "", 0),
			map[string]any{"source": "s3://payroll/acme/", "missing": 1.0, "exitCode": 0.0, "statuses": map[string]any{"SKIPPED": 2.0, "CHANGED": 1.0},
				"text": "rosterload run s3://payroll/acme/ (ewa): 3 rows — 2 SKIPPED, 1 CHANGED; 1 missing; exit 0"}, []string{`"held"`}},
		{"held, names masked", nightly("/in/123-45-6789.csv", map[outcome.Status]int{outcome.NotSubmitted: 1}, 3, "3 of 4 active employees are missing", 4),
			map[string]any{"source": "/in/***-**-6789.csv", "held": "3 of 4 active employees are missing", "missing": 3.0, "exitCode": 4.0},
			[]string{"123-45-6789"}},
		{"one client of a manifest", withClient(nightly("s3://payroll/acme/", map[outcome.Status]int{outcome.Created: 2}, 0, "", 0), "acme"),
			map[string]any{"client": "acme", "text": "rosterload run [acme] s3://payroll/acme/ (ewa): 2 rows — 2 CREATED; exit 0"}, nil},
		{"a client named like a card number", withClient(nightly("s3://payroll/x/", map[outcome.Status]int{outcome.Created: 1}, 0, "", 0), "4111111111111111"),
			map[string]any{"client": "****1111"}, []string{"4111111111111111"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.sum.NotifyJSON()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("\n")) {
				t.Errorf("NotifyJSON spans lines: %s", b)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			for k, want := range tt.want {
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("%s = %#v, want %#v", k, got[k], want)
				}
			}
			if got["text"] != tt.sum.Text() {
				t.Errorf("text = %v, want Text() %q", got["text"], tt.sum.Text())
			}
			for _, k := range []string{"command", "kind", "rowsRead", "elapsedSeconds"} {
				if _, ok := got[k]; !ok {
					t.Errorf("no %q: the webhook gets the whole summary", k)
				}
			}
			for _, s := range tt.not {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("NotifyJSON holds %q: %s", s, b)
				}
			}
		})
	}
}

// Leavers and a hold show in the text and JSON summaries only when there are some, so a run
// without them writes what it wrote before.
func TestSummaryMissingAndHeld(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		sum      *Summary
		text     []string
		noText   []string
		jsonKeys map[string]bool // key -> present
	}{
		{"neither", nightly("a.csv", map[outcome.Status]int{outcome.Created: 1}, 0, "", 0),
			nil, []string{"missing", "held"}, map[string]bool{"missing": false, "held": false}},
		{"leavers", nightly("a.csv", map[outcome.Status]int{outcome.Skipped: 1}, 7, "", 0),
			[]string{"  missing        7 (in the state, not in this roster)\n"}, []string{"held"}, map[string]bool{"missing": true, "held": false}},
		{"held", nightly("a.csv", map[outcome.Status]int{outcome.NotSubmitted: 1}, 9, "9 of 10 active employees are missing (more than 20%); confirm with --max-missing 100%", 4),
			[]string{"  missing        9", "  held           9 of 10 active employees are missing (more than 20%); confirm with --max-missing 100%\n"}, nil,
			map[string]bool{"missing": true, "held": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			tt.sum.WriteText(&b)
			for _, s := range tt.text {
				if !strings.Contains(b.String(), s) {
					t.Errorf("text summary lacks %q:\n%s", s, b.String())
				}
			}
			for _, s := range tt.noText {
				if strings.Contains(b.String(), s) {
					t.Errorf("text summary holds %q:\n%s", s, b.String())
				}
			}
			path := filepath.Join(t.TempDir(), "summary.json")
			if err := tt.sum.WriteJSONFile(path); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.jsonKeys {
				if _, ok := got[k]; ok != want {
					t.Errorf("summary JSON has %q: %v, want %v\n%s", k, ok, want, raw)
				}
			}
		})
	}
}
