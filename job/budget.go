package job

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/reconcile"
)

// CheckInvalidBudget dry-runs the source and holds the run when more rows are invalid than
// the budget allows: nothing is sent, and the report says what would have been.
func (j *Job) CheckInvalidBudget(ctx context.Context, budget reconcile.Limit, log *slog.Logger) error {
	n, invalid, err := countInvalid(ctx, j.Open, j.Source, j.Strict)
	if err != nil {
		return err
	}
	limit := budget.Of(n)
	log.Info("invalid-row budget", "rows", n, "invalid", invalid, "allowed", limit)
	if invalid > limit {
		j.hold(fmt.Sprintf("%d of %d rows are invalid, more than --max-invalid %s allows (%d): nothing was sent; the report says what would have been", invalid, n, budget, limit))
	}
	return nil
}

// countInvalid dry-runs the whole source and counts its rows and the INVALID ones among them.
func countInvalid(ctx context.Context, open func(context.Context, string) (*ingest.Roster, error), source string, strict bool) (rowsN, invalid int, err error) {
	r, err := open(ctx, source)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	v, err := newValidator(r.Config)
	if err != nil {
		return 0, 0, err
	}
	sum := reports.NewSummary("validate", source, string(r.Config.Kind), time.Now())
	p := &pipeline.Pipeline{Source: r.Source, Mapper: r.Mapper, Validator: v, Report: discardReport{}, Summary: sum, Strict: strict}
	if err := p.Run(ctx); err != nil {
		return 0, 0, err
	}
	return sum.RowsRead, sum.Statuses[outcome.Invalid], nil
}

// discardReport is the report of a counting pass.
type discardReport struct{}

func (discardReport) Write(*reports.Line) error { return nil }
func (discardReport) Close() error              { return nil }
func (discardReport) Abort() error              { return nil }
func (discardReport) Path() string              { return "" }
