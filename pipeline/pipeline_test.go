package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/validate"
)

// memSource is an in-memory roster: a header and rows (a fake for this package's unit tests).
type memSource struct {
	header rows.Header
	rows   []rows.Row
	i      int
}

func (m *memSource) Header() (rows.Header, error) { return m.header, nil }
func (m *memSource) Close() error                 { return nil }
func (m *memSource) Next() (rows.Row, error) {
	if m.i >= len(m.rows) {
		return rows.Row{}, io.EOF
	}
	m.i++
	return m.rows[m.i-1], nil
}

// roster makes n EWA rows; ids repeat every `distinct` rows when distinct > 0, and every
// `badEvery`-th row has an invalid email.
func roster(n, distinct, badEvery int) *memSource {
	h := rows.Header{Num: 1, Names: []string{"Employee ID", "First Name", "Last Name", "Email", "Mobile Phone",
		"Address Line 1", "City", "State", "Zip", "Country", "Card Number", "Card Expiry", "cardName", "cardSubtype"}}
	src := &memSource{header: h}
	for i := range n {
		id := i
		if distinct > 0 {
			id = i % distinct
		}
		email := fmt.Sprintf("p%d@example.com", id)
		if badEvery > 0 && i%badEvery == badEvery-1 {
			email = "not-an-email"
		}
		src.rows = append(src.rows, rows.Row{Num: i + 2, Cells: []string{
			fmt.Sprintf("E%05d", id), "Ana", "Lee", email, "(201) 555-0123", "1 Main St", "Newark", "NJ", "07102", "USA",
			"4242424242424242", "2035-01", "Payroll", "DEBIT"}})
	}
	return src
}

// memReport keeps the lines it is given.
type memReport struct {
	mu    sync.Mutex
	lines []reports.Line
}

func (m *memReport) Write(l *reports.Line) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lines = append(m.lines, *l)
	return nil
}
func (m *memReport) Close() error { return nil }
func (m *memReport) Abort() error { return nil }
func (m *memReport) Path() string { return "" }

// sinkFunc adapts a function to Sink.
type sinkFunc func(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error)

func (f sinkFunc) Submit(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
	return f(ctx, rec)
}

func newPipeline(t *testing.T, src *memSource, sink Sink) (*Pipeline, *memReport) {
	t.Helper()
	m, err := ingest.NewMapper(ingest.Config{Kind: ingest.KindEWA, ProgramID: "p1"}, src.header)
	if err != nil {
		t.Fatal(err)
	}
	v, err := validate.New(validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := &memReport{}
	return &Pipeline{Source: src, Mapper: m, Validator: v, Sink: sink, Concurrency: 8, Workers: 3,
		Report: rep, Summary: reports.NewSummary("test", "mem", "ewa", time.Now()), TempDir: t.TempDir()}, rep
}

func checkOrder(t *testing.T, lines []reports.Line, n int) {
	t.Helper()
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		if l.Row != i+2 {
			t.Fatalf("line %d is row %d, want %d: not in source order", i, l.Row, i+2)
		}
	}
}

func TestDryRunStatuses(t *testing.T) {
	t.Parallel()
	p, rep := newPipeline(t, roster(1000, 400, 7), nil)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rep.lines, 1000)
	claimed := map[string]int{}
	for _, l := range rep.lines {
		switch l.Status {
		case outcome.Invalid:
			if l.Errors[0].Code != validate.CodeInvalidEmail {
				t.Errorf("row %d: %+v", l.Row, l.Errors)
			}
		case outcome.Valid:
			if first, ok := claimed[l.ExternalID]; ok {
				t.Errorf("row %d VALID, but row %d already claimed %s", l.Row, first, l.ExternalID)
			}
			claimed[l.ExternalID] = l.Row
		case outcome.Duplicate:
			first, ok := claimed[l.ExternalID]
			if !ok || l.Errors[0].Code != validate.CodeDuplicate || !strings.Contains(l.Errors[0].Message, fmt.Sprintf("row %d", first)) {
				t.Errorf("row %d DUPLICATE of %d: %+v", l.Row, first, l.Errors)
			}
		default:
			t.Errorf("row %d: status %s in a dry run", l.Row, l.Status)
		}
	}
	if len(claimed) != 400 {
		t.Errorf("%d ids claimed, want 400", len(claimed))
	}
}

// A sink that answers out of order: lines still come back in source order, each once.
func TestSinkResultsInSourceOrder(t *testing.T) {
	t.Parallel()
	var inFlight, most atomic.Int32
	sink := sinkFunc(func(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
		return outcome.Outcome{Status: outcome.Created, CustomerID: "c-" + rec.ExternalID()}, nil
	})
	p, rep := newPipeline(t, roster(2000, 0, 0), sink)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rep.lines, 2000)
	for _, l := range rep.lines {
		if l.Status != outcome.Created || l.CustomerID != "c-"+l.ExternalID {
			t.Fatalf("row %d: %s %s, want CREATED with its own id", l.Row, l.Status, l.CustomerID)
		}
	}
	if m := most.Load(); m > 8 || m < 2 {
		t.Errorf("at most %d submissions at once; want 2..8 (Concurrency 8)", m)
	}
}

// A Sink error stops submission, not the report: every row is there, the unsent ones
// NOT_SUBMITTED, and Run says why (ErrSubmit). A panicking sink is the same, not a crash.
func TestSinkFailureKeepsEveryRow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		fail func() error
	}{
		{"error", func() error { return errors.New("journal disk full") }},
		{"panic", func() error { panic("boom") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			sink := sinkFunc(func(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
				if calls.Add(1) == 50 {
					return outcome.Outcome{}, tt.fail()
				}
				return outcome.Outcome{Status: outcome.Created}, nil
			})
			p, rep := newPipeline(t, roster(3000, 0, 0), sink)
			err := p.Run(context.Background())
			if !errors.Is(err, ErrSubmit) {
				t.Fatalf("Run = %v, want ErrSubmit", err)
			}
			checkOrder(t, rep.lines, 3000)
			var notSent int
			for _, l := range rep.lines {
				if l.Status == outcome.NotSubmitted {
					notSent++
				} else if l.Status != outcome.Created {
					t.Fatalf("row %d: %s", l.Row, l.Status)
				}
			}
			if notSent < 2000 {
				t.Errorf("%d rows NOT_SUBMITTED; submission should stop soon after the failure", notSent)
			}
		})
	}
}

// SubmitCtx ending (SIGINT) stops new requests; reading and reporting go on.
func TestInterruptMarksRestNotSubmitted(t *testing.T) {
	t.Parallel()
	stop, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	sink := sinkFunc(func(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
		if calls.Add(1) == 100 {
			cancel()
		}
		return outcome.Outcome{Status: outcome.Created}, nil
	})
	p, rep := newPipeline(t, roster(3000, 0, 0), sink)
	p.SubmitCtx = stop
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rep.lines, 3000)
	counts := map[outcome.Status]int{}
	for _, l := range rep.lines {
		counts[l.Status]++
	}
	if counts[outcome.Created] < 100 || counts[outcome.NotSubmitted] < 2000 || counts[outcome.Created]+counts[outcome.NotSubmitted] != 3000 {
		t.Errorf("statuses %v: want the first ~100 CREATED, the rest NOT_SUBMITTED", counts)
	}
	if !p.Summary.Interrupted {
		t.Error("summary does not say the run was interrupted")
	}
}

// The pipeline alone writes the line: a sink's outcome lands in it whole, the sink's problems after
// the validator's, and the outcome that comes with a run-stopping error is kept.
func TestOutcomeFillsLine(t *testing.T) {
	t.Parallel()
	note := validate.Problem{Field: "request", Code: "api_note", Message: "created with a note"}
	refused := validate.Problem{Field: "request", Code: "api_error", Message: "unauthorized"}
	for _, tt := range []struct {
		name    string
		out     outcome.Outcome
		err     error
		want    outcome.Outcome // the line's status, ids, HTTP status and attempts
		errs    []validate.Problem
		warns   []string // warning codes, in order
		wantErr bool
	}{
		{name: "created with ids and a note",
			out:  outcome.Outcome{Status: outcome.Created, CustomerID: "c1", ProfileID: "p1", FinancialAccountID: "f1", HTTPStatus: 201, Attempts: 2, Warnings: []validate.Problem{note}},
			want: outcome.Outcome{Status: outcome.Created, CustomerID: "c1", ProfileID: "p1", FinancialAccountID: "f1", HTTPStatus: 201, Attempts: 2},
			// The validator's warning (the ZIP it padded) comes first.
			warns: []string{validate.WarnZipPadded, "api_note"}},
		{name: "failed, and the run stops",
			out:  outcome.Outcome{Status: outcome.Failed, HTTPStatus: 401, Attempts: 1, Errors: []validate.Problem{refused}},
			err:  errors.New("the API refused the credentials"),
			want: outcome.Outcome{Status: outcome.Failed, HTTPStatus: 401, Attempts: 1},
			errs: []validate.Problem{refused}, warns: []string{validate.WarnZipPadded}, wantErr: true},
		{name: "an error without a status is NOT_SUBMITTED",
			err:  errors.New("state journal: disk full"),
			want: outcome.Outcome{Status: outcome.NotSubmitted}, warns: []string{validate.WarnZipPadded}, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := roster(1, 0, 0)
			src.rows[0].Cells[8] = "7102"
			p, rep := newPipeline(t, src, sinkFunc(func(context.Context, *ingest.Record) (outcome.Outcome, error) {
				return tt.out, tt.err
			}))
			err := p.Run(context.Background())
			if got := errors.Is(err, ErrSubmit); got != tt.wantErr {
				t.Fatalf("Run = %v; want ErrSubmit: %v", err, tt.wantErr)
			}
			checkOrder(t, rep.lines, 1)
			l := rep.lines[0]
			got := outcome.Outcome{Status: l.Status, CustomerID: l.CustomerID, ProfileID: l.ProfileID,
				FinancialAccountID: l.FinancialAccountID, HTTPStatus: l.HTTPStatus, Attempts: l.Attempts}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("line %+v; want %+v", got, tt.want)
			}
			if fmt.Sprint(l.Errors) != fmt.Sprint(tt.errs) {
				t.Errorf("errors %+v; want %+v", l.Errors, tt.errs)
			}
			var codes []string
			for _, w := range l.Warnings {
				codes = append(codes, w.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.warns, ",") {
				t.Errorf("warnings %v; want %v", codes, tt.warns)
			}
			if l.Row != 2 || l.ExternalID != "E00000" || l.Name == "" {
				t.Errorf("line %d %q %q: want the record's row, id and name", l.Row, l.ExternalID, l.Name)
			}
		})
	}
}

// panicOn maps like its Mapper, except that it panics on one row.
type panicOn struct {
	*ingest.Mapper
	row int
}

func (m panicOn) Map(row rows.Row) *ingest.Record {
	if row.Num == m.row {
		panic("mapping exploded")
	}
	return m.Mapper.Map(row)
}

// A row whose mapping panics costs that row, not the run: it is INVALID with an internal
// error, and every other row is reported as usual, in order.
func TestMappingPanicCostsOneRow(t *testing.T) {
	t.Parallel()
	p, rep := newPipeline(t, roster(600, 0, 0), nil)
	p.Mapper = panicOn{p.Mapper.(*ingest.Mapper), 300}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rep.lines, 600)
	for _, l := range rep.lines {
		bad := l.Row == 300
		if bad != (l.Status == outcome.Invalid) {
			t.Fatalf("row %d: %s", l.Row, l.Status)
		}
		if bad && (len(l.Errors) != 1 || l.Errors[0].Code != "internal_error" || !strings.Contains(l.Errors[0].Message, "mapping exploded")) {
			t.Fatalf("row 300: %+v", l.Errors)
		}
	}
}
