// Package reconcile compares tonight's roster with the state of earlier runs and says, for each
// row and for the state's employees, who is new, who changed, who left and who came back.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/sink/journal"
)

// Reconciler settles the rows of one run against the state; it implements pipeline.Reconciler.
// A full roster is counted first (Census), so that the leavers, and the omission guard's verdict,
// are known before anything is sent.
type Reconciler struct {
	state    *journal.Journal
	full     bool
	counted  bool
	returned map[string]string // externalId -> the date it went missing, for tonight's returns
}

// New returns the reconciler of a run with state; full says the roster is the whole
// population (--roster full), so that whoever it lacks has left.
func New(state *journal.Journal, full bool) *Reconciler {
	return &Reconciler{state: state, full: full, returned: map[string]string{}}
}

// Census reads every row of a full roster and marks its externalIds seen tonight, valid or not:
// an employee whose row has a bad phone number has not left. It must run before the pipeline.
// also, if set, is given every mapped record, for other counts the run needs of the whole roster.
func (r *Reconciler) Census(ctx context.Context, src rows.Reader, m interface{ Map(rows.Row) *ingest.Record }, also func(*ingest.Record)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rec := m.Map(row)
		if id := rec.ExternalID(); id != "" {
			r.see(id)
		}
		if also != nil {
			also(rec)
		}
	}
	r.counted = true
	return nil
}

func (r *Reconciler) see(id string) {
	if since := r.state.Seen(id); since != "" {
		r.returned[id] = since
	}
}

// Reconcile settles a valid first occurrence (send) whose externalId the state holds as done:
// SKIPPED when what it would send is what was sent, else CHANGED naming the changed fields. Any
// row of an employee who was missing gets the warning returned.
func (r *Reconciler) Reconcile(rec *ingest.Record, send bool) (outcome.Outcome, bool) {
	id := rec.ExternalID()
	if !r.counted {
		r.see(id)
	}
	var o outcome.Outcome
	if since, ok := r.returned[id]; ok {
		col, cell := rec.Locate("externalId")
		o.Warnings = append(o.Warnings, outcome.ReturnedWarning(col, cell, since))
	}
	if !send {
		return o, false
	}
	done, ok := r.state.Done(id)
	if !ok {
		return o, false
	}
	o.CustomerID, o.ProfileID, o.FinancialAccountID = done.CustomerID, done.ProfileID, done.FinancialAccountID
	sums := r.state.Fingerprint(id, rec.Body)
	paths, known := r.state.Changed(id, sums)
	if !known {
		// Sums of an earlier version or another key: tonight's become the reference.
		r.state.Refresh(id, sums)
	}
	if len(paths) == 0 {
		o.Status = outcome.Skipped
		return o, true
	}
	o.Status = outcome.Changed
	for _, p := range paths {
		col, cell := rec.Locate(p)
		o.Warnings = append(o.Warnings, outcome.ChangedWarning(p, col, cell, ""))
	}
	return o, true
}

// Leavers are the active employees a full roster lacks (nil for a delta roster).
func (r *Reconciler) Leavers() []journal.Employee {
	if !r.full || !r.counted {
		return nil
	}
	return r.state.Unseen()
}

// Guard is the omission guard: it returns why the run must be held ("" when it need not) when the
// leavers are more than limit allows of the active employees.
func (r *Reconciler) Guard(limit Limit, leavers int) string {
	active := r.state.Active()
	if !limit.Exceeded(leavers, active) {
		return ""
	}
	return fmt.Sprintf("%d of %d active employees (%.0f%%) are missing from this roster, more than --max-missing %s allows: "+
		"nothing was sent and nobody was marked missing; if they did leave, run again with --max-missing 100%%",
		leavers, active, 100*float64(leavers)/float64(max(active, 1)), limit)
}

// MarkMissing marks the leavers missing in the state, as of today (written when it closes).
func (r *Reconciler) MarkMissing(leavers []journal.Employee) {
	ids := make([]string, len(leavers))
	for i, e := range leavers {
		ids[i] = e.ExternalID
	}
	r.state.MarkMissing(ids)
}

// Limit is a count or a percentage of a whole (--max-missing, --max-invalid).
type Limit struct {
	N   int     // a count; -1 when Pct is used
	Pct float64 // a percentage 0-100
	raw string
}

// ErrLimit is wrapped by ParseLimit's errors (a usage mistake).
var ErrLimit = errors.New("want a count or a percentage 0-100%")

// ParseLimit reads "N" or "P%".
func ParseLimit(s string) (Limit, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		pct, err := strconv.ParseFloat(p, 64)
		if err != nil || pct < 0 || pct > 100 {
			return Limit{}, fmt.Errorf("%q: %w", s, ErrLimit)
		}
		return Limit{N: -1, Pct: pct, raw: s}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return Limit{}, fmt.Errorf("%q: %w", s, ErrLimit)
	}
	return Limit{N: n, raw: s}, nil
}

// Of is how many of whole the limit allows.
func (l Limit) Of(whole int) int {
	if l.N >= 0 {
		return l.N
	}
	return int(float64(whole) * l.Pct / 100)
}

// Exceeded says whether n of whole is more than the limit allows.
func (l Limit) Exceeded(n, whole int) bool { return n > l.Of(whole) }

func (l Limit) String() string { return l.raw }
