// Package pipeline runs a roster through its stages (read, map, validate on every core,
// de-duplicate, submit, report) and returns, through the report writer, one line per non-blank
// data row in source order.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/validate"
)

// Sink sends a valid, first-occurrence record and says what became of it: status, ids, HTTP
// status, attempts, and its own problems. It is called from up to Concurrency goroutines at once.
// A record's own failure is in its outcome with a nil error; an error stops the whole run, and
// the outcome returned with it still goes to the record's line (NOT_SUBMITTED if it has no status).
type Sink interface {
	Submit(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error)
}

// Reconciler compares rows with what an earlier run sent (the nightly reconciliation of DESIGN.md).
// It is called from one goroutine, in source order, for every row with an externalId: send says
// whether the row is a valid first occurrence. Its outcome's warnings go into the line (a
// returned employee); settled says the outcome is final (SKIPPED, CHANGED) and the row is not sent.
type Reconciler interface {
	Reconcile(rec *ingest.Record, send bool) (o outcome.Outcome, settled bool)
}

// ErrSubmit wraps a Sink's run-level error. When Run returns it, every row is in the report
// (those not sent NOT_SUBMITTED), so the caller may keep the report.
var ErrSubmit = errors.New("submission stopped")

// Mapper turns a source row into a record. It must be safe for concurrent use: the census
// before the run maps rows on every core. MapKeys fills only what the census reads (the
// externalId, the country, the values the cross-row check compares), refilling reuse.
type Mapper interface {
	Map(rows.Row) *ingest.Record
	MapKeys(row rows.Row, reuse *ingest.Record) *ingest.Record
}

// Pipeline is one run's configuration.
type Pipeline struct {
	Source    rows.Reader
	Mapper    Mapper
	Validator *validate.Validator
	// Sink receives valid first occurrences; nil is a dry run, where they are VALID.
	Sink Sink
	// Reconcile, if set, settles rows an earlier run sent before they reach the sink.
	Reconcile Reconciler
	// Held: a safety check held the run; valid rows the reconciler does not settle are
	// NOT_SUBMITTED and nothing reaches the sink.
	Held        bool
	Concurrency int // sink calls at once; 0 = 1
	Workers     int // validation goroutines; 0 = GOMAXPROCS
	Report      reports.Writer
	Summary     *reports.Summary
	TempDir     string // for the de-duplication set; "" = os.TempDir()
	Log         *slog.Logger
	// Progress, if set, is called from the report stage after each line is written.
	Progress func(line *reports.Line)
	// SubmitCtx, if set, governs submission alone: once it is done (SIGINT), no new request is
	// started and the rest of the valid rows are NOT_SUBMITTED, while reading, validation and
	// the report go on so that every row is accounted for. Run's ctx aborts everything.
	SubmitCtx context.Context
	// KeepCells puts each row's source cells in its line, for a report that copies the roster.
	KeepCells bool
	// Strict makes an SSN, tax id or card number that an earlier row of another employee holds
	// an error (the row is INVALID) rather than a warning (crossrow.go).
	Strict bool
	// Shared holds, after Run, the values two employees' rows share (crossrow.go).
	Shared Shared
	// Prime, if set, is a second reader of the same roster, read whole before the run, so that
	// the first of two employees sharing an SSN, tax id or card number is told too, and so that
	// the cross-row check and the de-duplication look up only the values and externalIds that
	// two rows hold, from temp files (Shared's census): memory flat in the rows. It is not
	// needed, and not read, when Shared was primed already (Shared.Primed).
	Prime rows.Reader
}

// batchSize trades channel overhead against the memory held in flight.
const batchSize = 128

type item struct {
	src   rows.Row // the source row, until the validation workers map it
	num   int      // its row number
	rec   *ingest.Record
	line  reports.Line
	cells []string // the source row, when the report copies it
	// valid: passed validation and may claim its externalId.
	valid bool
	fp    fingerprint   // of a valid record, for de-duplication
	done  chan struct{} // closed once the sink's outcome is in line; nil when there is nothing to wait for
	occ   []occur       // after a census, the row's part in the groups of keys two rows hold (occur.go)
}

type batch struct {
	seq   int
	items []*item
}

// stage is a part of the pipeline, in the order rows go through them.
type stage int

const (
	stRead stage = iota
	stMap
	stValidate
	stDedupe
	stSubmit
	stReport
	nStages
)

// stageClock says where a run's wall time went. Stages run at once (reading beside validation
// beside requests in flight), so summing each stage's time over its goroutines would tell more
// time than the run took (a submit of 1h13m in a 2m47s run). Instead a sampler looks every
// tick at which stages are busy and gives the time since its last look to the busy stage
// furthest down the pipeline, the one the rows are waiting on. Each instant is counted once, so
// the stages add up to at most the run's wall time; an instant no stage is busy is no stage's.
type stageClock struct {
	busy  [nStages]busyCount // goroutines in each stage now
	spent [nStages]time.Duration
	stop  chan struct{}
	done  chan struct{}
}

// busyCount is a stage's count of busy goroutines, alone on its cache line: each stage's
// goroutines count in and out for every row, from different cores, and counters sharing a line
// made every count a cache miss.
type busyCount struct {
	atomic.Int32
	_ [60]byte
}

// clockTick is the sampler's period: fine enough for a run of a second, and a waking per
// millisecond costs nothing next to the rows.
const clockTick = time.Millisecond

func startClock() *stageClock {
	c := &stageClock{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		tick := time.NewTicker(clockTick)
		defer tick.Stop()
		last := time.Now()
		look := func() {
			now := time.Now()
			for s := nStages - 1; s >= 0; s-- {
				if c.busy[s].Load() > 0 {
					c.spent[s] += now.Sub(last)
					break
				}
			}
			last = now
		}
		for {
			select {
			case <-tick.C:
				look()
			case <-c.stop:
				look()
				return
			}
		}
	}()
	return c
}

// in marks a goroutine entering stage s; the func it returns marks it leaving.
func (c *stageClock) in(s stage) func() {
	c.busy[s].Add(1)
	return func() { c.busy[s].Add(-1) }
}

// Stop ends the sampling and puts the time of each stage in stages.
func (c *stageClock) Stop(stages *reports.Stages) {
	close(c.stop)
	<-c.done
	*stages = reports.Stages{
		Read: reports.Seconds(c.spent[stRead]), Map: reports.Seconds(c.spent[stMap]),
		Validate: reports.Seconds(c.spent[stValidate]), Dedupe: reports.Seconds(c.spent[stDedupe]),
		Submit: reports.Seconds(c.spent[stSubmit]), Report: reports.Seconds(c.spent[stReport]),
	}
}

// Run reads the whole source and writes every line. It returns an error only for a run-level
// failure (unreadable source, report write failure, a Sink error); rows that fail are in the
// report. Lines already written stay written: the caller decides whether to Close or Abort.
func (p *Pipeline) Run(ctx context.Context) error {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if p.Prime != nil && !p.Shared.Primed {
		p.Shared.Prepare(p.Validator, p.TempDir)
		if err := p.Shared.prime(ctx, p.Prime, p.Mapper); err != nil {
			return fmt.Errorf("counting the roster's SSNs and card numbers: %w", err)
		}
	}
	occs := p.Shared.startRun(p.TempDir)
	defer p.Shared.endRun()
	conc := max(p.Concurrency, 1)
	hs := newHasher()
	dd, err := newDeduper(p.TempDir, hs)
	if err != nil {
		return err
	}
	defer dd.Close()
	clock := startClock()
	defer clock.Stop(&p.Summary.Stages)

	g, gctx := errgroup.WithContext(ctx)
	goSafe := func(f func() error) { g.Go(func() error { return recovered(f) }) }
	// Submission stops on a run-level failure or when SubmitCtx ends, whichever comes first.
	subCtx, cancelSub := context.WithCancel(gctx)
	defer cancelSub()
	if p.SubmitCtx != nil {
		defer context.AfterFunc(p.SubmitCtx, cancelSub)()
	}
	toValidate := make(chan batch, workers*2)
	validated := make(chan batch, workers*2)

	// Read, in order, in batches: the validation workers map the rows, on every core.
	goSafe(func() error {
		defer close(toValidate)
		seq := 0
		cur := make([]*item, 0, batchSize)
		// A batch's items are cut from one allocation, not one each.
		block := make([]item, batchSize)
		for {
			out := clock.in(stRead)
			row, err := p.Source.Next()
			out()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			it := &block[len(cur)]
			it.src, it.num = row, row.Num
			if occs != nil {
				if it.occ, err = occs.at(row.Num); err != nil {
					return err
				}
			}
			if p.KeepCells {
				it.cells = row.Cells
			}
			cur = append(cur, it)
			if len(cur) == batchSize {
				if err := send(gctx, toValidate, batch{seq, cur}); err != nil {
					return err
				}
				seq++
				cur, block = make([]*item, 0, batchSize), make([]item, batchSize)
			}
		}
		if len(cur) > 0 {
			return send(gctx, toValidate, batch{seq, cur})
		}
		return nil
	})

	// Validate on every core; batches leave out of order and are put back in order below.
	var vg errgroup.Group
	for range workers {
		vg.Go(func() error {
			for b := range toValidate {
				out := clock.in(stMap)
				for _, it := range b.items {
					p.mapRow(it)
				}
				out()
				out = clock.in(stValidate)
				for _, it := range b.items {
					p.check(it, hs)
				}
				out()
				if err := send(gctx, validated, b); err != nil {
					return err
				}
			}
			return nil
		})
	}
	goSafe(func() error {
		err := vg.Wait()
		close(validated)
		return err
	})

	// In source order: de-duplicate, hand valid first occurrences to the sink (concurrently),
	// and queue every batch of lines for the report writer, which waits for each line in turn
	// (a batch at a time: a channel operation a line cost more than writing it).
	queue := make(chan []*item, conc*4/batchSize+2)
	goSafe(func() error {
		defer close(queue)
		// A Sink error cancels sctx: no new request starts and the rest are NOT_SUBMITTED,
		// while every line still reaches the report.
		sg, sctx := errgroup.WithContext(subCtx)
		sg.SetLimit(conc)
		defer sg.Wait()
		pending := map[int][]*item{}
		next := 0
		for b := range validated {
			pending[b.seq] = b.items
			for {
				items, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				for _, it := range items {
					// Every row takes and forwards its keys' state, whatever route makes of it.
					err := p.Shared.receive(it)
					if err == nil {
						err = p.route(sctx, it, dd, sg, clock)
					}
					if err == nil {
						err = p.Shared.forward(it)
					}
					if err != nil {
						return err
					}
				}
				if err := send(gctx, queue, items); err != nil {
					return err
				}
			}
		}
		if err := sg.Wait(); err != nil {
			return fmt.Errorf("%w: %w", ErrSubmit, err)
		}
		return nil
	})

	// Write the report in source order.
	goSafe(func() error {
		for items := range queue {
			for _, it := range items {
				if it.done != nil {
					<-it.done
				}
				out := clock.in(stReport)
				err := p.Report.Write(&it.line)
				if err == nil {
					p.Summary.Count(&it.line)
					if p.Progress != nil {
						p.Progress(&it.line)
					}
				}
				out()
				if err != nil {
					return err
				}
			}
		}
		return nil
	})

	if err := g.Wait(); err != nil {
		return err
	}
	if p.SubmitCtx != nil && p.SubmitCtx.Err() != nil {
		p.Summary.Interrupted = true
	}
	log.Debug("pipeline finished", "rows", p.Summary.RowsRead)
	return nil
}

// mapRow maps the item's source row to its record. A panic in the mapping costs that row, not
// the run: the row is INVALID and says so (check leaves a row without a record alone).
func (p *Pipeline) mapRow(it *item) {
	defer func() {
		if r := recover(); r != nil {
			it.rec = nil
			it.line = reports.Line{Row: it.num, Cells: it.cells, Status: outcome.Invalid,
				Errors: []validate.Problem{internalError(it.num, r)}}
		}
	}()
	it.rec = p.Mapper.Map(it.src)
	it.src = rows.Row{}
}

// internalError is the problem of a row that made rosterload panic.
func internalError(row int, r any) validate.Problem {
	return validate.Problem{Field: "row", Cell: fmt.Sprintf("row %d", row), Code: "internal_error",
		Message: fmt.Sprintf("rosterload could not check this row (internal error: %v); please report it", r)}
}

// check validates one record and fills the parts of its line that do not depend on other rows.
// A panic in validation costs that row, not the run: the row is INVALID and says so.
func (p *Pipeline) check(it *item, hs *hasher) {
	rec := it.rec
	if rec == nil {
		return // the mapping panicked: mapRow wrote the line
	}
	it.line = reports.Line{Row: rec.Row, Cells: it.cells}
	defer func() {
		if r := recover(); r != nil {
			it.valid = false
			it.line.Status = outcome.Invalid
			it.line.ExternalID, it.line.Name = idAndName(rec)
			it.line.Errors = append(it.line.Errors, internalError(rec.Row, r))
		}
	}()
	if rec.Malformed != nil {
		it.line.ExternalID, it.line.Name = rec.ExternalID(), rec.Name()
		it.line.Status = outcome.Invalid
		it.line.Errors = []validate.Problem{{
			Field: "row", Cell: fmt.Sprintf("row %d", rec.Row), Code: validate.CodeMalformedRow,
			Message: rec.Malformed.Error(),
		}}
		return
	}
	res := validateRecord(p.Validator, rec)
	it.line.Errors, it.line.Warnings = res.Errors, res.Warnings
	// The validator trims and normalises in place: take the id and name it settled on.
	it.line.ExternalID, it.line.Name = rec.ExternalID(), rec.Name()
	if !res.Valid() {
		it.line.Status = outcome.Invalid
		return
	}
	it.valid = true
	if _, may := p.Shared.idOccur(it); may {
		it.fp = hs.fingerprint(rec.Request())
	}
}

// idAndName returns the record's id and name as it stands where a validation that panicked
// stopped, or "" for what panics too. (They are read once a row is checked, not before as
// well: the name is a new string each time.)
func idAndName(rec *ingest.Record) (id, name string) {
	defer func() { _ = recover() }()
	id = rec.ExternalID()
	return id, rec.Name()
}

func validateRecord(v *validate.Validator, rec *ingest.Record) validate.Result {
	h := validate.Hint{Country: rec.Country, Loc: rec}
	if rec.Body != nil {
		return rec.Spec().Validate(v, rec.Body, h)
	}
	return validate.Result{Errors: []validate.Problem{{Field: "row", Code: validate.CodeRequired, Message: "row maps to no record"}}}
}

// route settles a validated item: DUPLICATE, SKIPPED or CHANGED (the reconciler), VALID (dry
// run), NOT_SUBMITTED (held), or off to the sink.
func (p *Pipeline) route(ctx context.Context, it *item, dd *deduper, sg *errgroup.Group, clock *stageClock) error {
	p.Shared.check(it, p.Strict, p.Log)
	if !it.valid {
		p.reconcile(it, false)
		return nil
	}
	out := clock.in(stDedupe)
	var first *firstUse
	var err error
	switch o, may := p.Shared.idOccur(it); {
	case o != nil:
		first, err = dd.ClaimForwarded(it.line.ExternalID, it.rec.Row, it.fp, &o.claim)
	case may:
		first, err = dd.Claim(it.line.ExternalID, it.rec.Row, it.fp)
	}
	it.fp = fingerprint{}
	out()
	if err != nil {
		return err
	}
	if first != nil {
		it.line.Status = outcome.Duplicate
		it.line.Errors = append(it.line.Errors, duplicateProblems(it.rec, it.line.ExternalID, first)...)
		p.reconcile(it, false)
		return nil
	}
	if p.reconcile(it, true) {
		return nil
	}
	switch {
	case p.Held:
		it.line.Status = outcome.NotSubmitted
		return nil
	case p.Sink == nil:
		it.line.Status = outcome.Valid
		return nil
	}
	if ctx.Err() != nil || p.SubmitCtx != nil && p.SubmitCtx.Err() != nil {
		// SubmitCtx is read too: its end reaches ctx through another goroutine, and rows are
		// routed faster than that goroutine may be scheduled.
		it.line.Status = outcome.NotSubmitted
		return nil
	}
	it.done = make(chan struct{})
	sg.Go(func() error {
		defer close(it.done)
		defer clock.in(stSubmit)()
		if ctx.Err() != nil {
			it.line.Status = outcome.NotSubmitted
			return nil
		}
		var o outcome.Outcome
		err := recovered(func() (err error) {
			o, err = p.Sink.Submit(ctx, it.rec)
			return err
		})
		fill(&it.line, o)
		if err != nil && it.line.Status == "" {
			it.line.Status = outcome.NotSubmitted
		}
		return err
	})
	return nil
}

// fill puts a sink's outcome in the record's line, its problems after the validator's.
// reconcile hands a row with an externalId to the reconciler and reports whether it settled it.
func (p *Pipeline) reconcile(it *item, send bool) bool {
	if p.Reconcile == nil || it.line.ExternalID == "" {
		return false
	}
	o, settled := p.Reconcile.Reconcile(it.rec, send && it.line.Status == "")
	if settled {
		fill(&it.line, o)
		return true
	}
	it.line.Warnings = append(it.line.Warnings, o.Warnings...)
	return false
}

func fill(line *reports.Line, o outcome.Outcome) {
	line.Status = o.Status
	line.CustomerID, line.ProfileID, line.FinancialAccountID = o.CustomerID, o.ProfileID, o.FinancialAccountID
	line.HTTPStatus, line.Attempts = o.HTTPStatus, o.Attempts
	line.Errors = append(line.Errors, o.Errors...)
	line.Warnings = append(line.Warnings, o.Warnings...)
}

// recovered runs f and turns a panic into an error, so that a bug in one stage stops the run
// with a message instead of a stack trace.
func recovered(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v (please report this)", r)
		}
	}()
	return f()
}

// send delivers v unless ctx ends first.
func send[T any](ctx context.Context, ch chan<- T, v T) error {
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
