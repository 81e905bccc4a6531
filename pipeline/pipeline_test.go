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
type sinkFunc func(ctx context.Context, rec *ingest.Record, line *reports.Line) error

func (f sinkFunc) Submit(ctx context.Context, rec *ingest.Record, line *reports.Line) error {
	return f(ctx, rec, line)
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
		case reports.Invalid:
			if l.Errors[0].Code != validate.CodeInvalidEmail {
				t.Errorf("row %d: %+v", l.Row, l.Errors)
			}
		case reports.Valid:
			if first, ok := claimed[l.ExternalID]; ok {
				t.Errorf("row %d VALID, but row %d already claimed %s", l.Row, first, l.ExternalID)
			}
			claimed[l.ExternalID] = l.Row
		case reports.Duplicate:
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
	sink := sinkFunc(func(ctx context.Context, rec *ingest.Record, line *reports.Line) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
		line.Status, line.CustomerID = reports.Created, "c-"+rec.ExternalID()
		return nil
	})
	p, rep := newPipeline(t, roster(2000, 0, 0), sink)
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rep.lines, 2000)
	for _, l := range rep.lines {
		if l.Status != reports.Created || l.CustomerID != "c-"+l.ExternalID {
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
			sink := sinkFunc(func(ctx context.Context, rec *ingest.Record, line *reports.Line) error {
				if calls.Add(1) == 50 {
					return tt.fail()
				}
				line.Status = reports.Created
				return nil
			})
			p, rep := newPipeline(t, roster(3000, 0, 0), sink)
			err := p.Run(context.Background())
			if !errors.Is(err, ErrSubmit) {
				t.Fatalf("Run = %v, want ErrSubmit", err)
			}
			checkOrder(t, rep.lines, 3000)
			var notSent int
			for _, l := range rep.lines {
				if l.Status == reports.NotSubmitted {
					notSent++
				} else if l.Status != reports.Created {
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
	sink := sinkFunc(func(ctx context.Context, rec *ingest.Record, line *reports.Line) error {
		if calls.Add(1) == 100 {
			cancel()
		}
		line.Status = reports.Created
		return nil
	})
	p, rep := newPipeline(t, roster(3000, 0, 0), sink)
	p.SubmitCtx = stop
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, rep.lines, 3000)
	counts := map[reports.Status]int{}
	for _, l := range rep.lines {
		counts[l.Status]++
	}
	if counts[reports.Created] < 100 || counts[reports.NotSubmitted] < 2000 || counts[reports.Created]+counts[reports.NotSubmitted] != 3000 {
		t.Errorf("statuses %v: want the first ~100 CREATED, the rest NOT_SUBMITTED", counts)
	}
	if !p.Summary.Interrupted {
		t.Error("summary does not say the run was interrupted")
	}
}
