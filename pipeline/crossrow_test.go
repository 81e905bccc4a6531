package pipeline_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/emulator"
	"github.com/rosterload/rosterload/sink/submit"
	"github.com/rosterload/rosterload/validate"
)

// sharedRun runs testdata/ewa/shared.csv (employees sharing SSNs, cards, emails and phones)
// through the mapper, the validator, the pipeline and the submit sink to the emulator over
// HTTP, and returns the report's lines, the pipeline and the emulator.
func sharedRun(t *testing.T, strict, primed bool) ([]reports.Line, *pipeline.Pipeline, *emulator.Server) {
	t.Helper()
	roster := filepath.Join("..", "testdata", "ewa", "shared.csv")
	open := func() *ingest.Source {
		src, err := ingest.Open(roster, ingest.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { src.Close() })
		return src
	}
	src := open()
	header, err := src.Header()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ingest.NewMapper(ingest.Config{ProgramID: "p1", Defaults: map[string]string{"cardName": "Payroll", "cardSubtype": "DEBIT"}}, header)
	if err != nil {
		t.Fatal(err)
	}
	v, err := validate.New(validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(em)
	t.Cleanup(ts.Close)
	c, err := client.New(client.Config{BaseURL: ts.URL, ClientID: emulator.DefaultClientID,
		ClientSecret: redact.NewSecret(emulator.DefaultClientSecret), MaxAttempts: 2, BaseBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "report.jsonl")
	rep, err := reports.CreateJSONL(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeline.Pipeline{Source: src, Mapper: m, Validator: v, Sink: &submit.Sink{Client: c}, Concurrency: 3, Workers: 2,
		Report: rep, Summary: reports.NewSummary("run", roster, "ewa", time.Now()), TempDir: dir, Strict: strict}
	if primed {
		p.Prime = open()
	}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
	return readReport(t, reportPath), p, em
}

// shared lists a line's cross-row problems as "field@cell row N".
func shared(ps []validate.Problem) []string {
	var out []string
	for _, p := range ps {
		if p.Code != validate.CodeShared {
			continue
		}
		var row int
		if _, err := fmt.Sscanf(p.Message[strings.Index(p.Message, "row "):], "row %d", &row); err != nil {
			out = append(out, p.Field+"@"+p.Cell+" names no row: "+p.Message)
			continue
		}
		out = append(out, fmt.Sprintf("%s@%s row %d", p.Field, p.Cell, row))
	}
	return out
}

func TestSharedValuesEndToEnd(t *testing.T) {
	const (
		ssn   = "customerData.socialId"
		card  = "financialAccountData.card.cardNumber"
		email = "customerData.primaryEmail.value"
		phone = "customerData.primaryPhoneNumber.number"
	)
	tests := []struct {
		name         string
		row          int
		warn         []string // the later row's shared warnings (without --strict)
		status       outcome.Status
		strictStatus outcome.Status
	}{
		{"the first holder has nothing to be told yet", 2, nil, outcome.Created, outcome.Created},
		{"an SSN written without dashes is the same SSN", 3, []string{ssn + "@F3 row 2"}, outcome.Created, outcome.Invalid},
		{"a card written with spaces is the same card", 4, []string{card + "@L4 row 2"}, outcome.Created, outcome.Invalid},
		{"an email in capitals is the same email", 5, []string{email + "@D5 row 2"}, outcome.Created, outcome.Created},
		{"a phone written otherwise is the same phone", 6, []string{phone + "@E6 row 2"}, outcome.Created, outcome.Created},
		{"the same employee again is a DUPLICATE, not a shared value", 7, nil, outcome.Duplicate, outcome.Duplicate},
		{"SSN and card both held by row 2", 8, []string{ssn + "@F8 row 2", card + "@L8 row 2"}, outcome.Created, outcome.Invalid},
		{"an invalid row still learns of its shared phone", 9, []string{phone + "@E9 row 3"}, outcome.Invalid, outcome.Invalid},
		{"a bad SSN is reported as bad, not compared", 10, nil, outcome.Invalid, outcome.Invalid},
		{"nothing shared", 11, nil, outcome.Created, outcome.Created},
	}
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			lines, p, em := sharedRun(t, strict, false)
			if len(lines) != len(tests) {
				t.Fatalf("%d lines, want %d", len(lines), len(tests))
			}
			pairs := 0
			for i, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					l := lines[i]
					if l.Row != tt.row {
						t.Fatalf("line %d is row %d, want %d", i, l.Row, tt.row)
					}
					got := slices.Concat(shared(l.Warnings), shared(l.Errors))
					if !slices.Equal(got, tt.warn) {
						t.Errorf("shared problems %q, want %q", got, tt.warn)
					}
					want := tt.status
					if strict {
						want = tt.strictStatus
					}
					if l.Status != want {
						t.Errorf("status %s, want %s (errors %+v)", l.Status, want, l.Errors)
					}
					for _, p := range slices.Concat(l.Warnings, l.Errors) {
						isErr := slices.Contains(l.Errors, p)
						personal := p.Field == ssn || p.Field == card
						if p.Code == validate.CodeShared && isErr != (strict && personal) {
							t.Errorf("%s shared problem is an error: %v, want %v", p.Field, isErr, strict && personal)
						}
						if strings.Contains(p.Message, "6789") || strings.Contains(p.Message, "4242") {
							t.Errorf("message %q shows a personal number", p.Message)
						}
					}
					if sent := em.ExternalIDCount(l.ExternalID) > 0; want == outcome.Invalid && l.ExternalID != "E1" && sent {
						t.Errorf("row %d is INVALID yet %s reached the platform", l.Row, l.ExternalID)
					}
				})
				pairs += len(tt.warn)
			}
			if p.Shared.Count != pairs || len(p.Shared.Pairs) != pairs {
				t.Errorf("Shared: count %d, %d pairs; want %d", p.Shared.Count, len(p.Shared.Pairs), pairs)
			}
			if len(p.Shared.Pairs) > 0 {
				if got, want := p.Shared.Pairs[0].String(), "rows 2 and 3 (two employees) have the same social ID"; got != want {
					t.Errorf("first pair %q, want %q", got, want)
				}
			}
		})
	}
}

// TestSharedFirstRowTold: with a second reader of the roster (Pipeline.Prime), the first holder
// of a shared SSN or card number is told too, naming the first later holder; emails and phones
// are still told on the later row only.
func TestSharedFirstRowTold(t *testing.T) {
	const (
		ssn  = "customerData.socialId"
		card = "financialAccountData.card.cardNumber"
	)
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			lines, p, _ := sharedRun(t, strict, true)
			unprimed, up, _ := sharedRun(t, strict, false)
			first := lines[0]
			got := slices.Concat(shared(first.Warnings), shared(first.Errors))
			if want := []string{ssn + "@F2 row 3", card + "@L2 row 4"}; !slices.Equal(got, want) {
				t.Errorf("row 2's shared problems %q, want %q", got, want)
			}
			if want := map[bool]outcome.Status{false: outcome.Created, true: outcome.Invalid}[strict]; first.Status != want {
				t.Errorf("row 2 is %s, want %s", first.Status, want)
			}
			// The later rows are told as without priming (row 7, E1 again, may change status
			// with strict: row 2 no longer claims E1).
			for i := 1; i < len(lines); i++ {
				if lines[i].Row == 7 {
					continue
				}
				a := slices.Concat(shared(lines[i].Warnings), shared(lines[i].Errors))
				b := slices.Concat(shared(unprimed[i].Warnings), shared(unprimed[i].Errors))
				if !slices.Equal(a, b) || lines[i].Status != unprimed[i].Status {
					t.Errorf("row %d: %q %s primed, %q %s not", lines[i].Row, a, lines[i].Status, b, unprimed[i].Status)
				}
			}
			if p.Shared.Count != up.Shared.Count || p.Shared.Count == 0 {
				t.Errorf("%d pairs counted, %d without priming: the first holder's problems are no new pair", p.Shared.Count, up.Shared.Count)
			}
		})
	}
}
