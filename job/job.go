// Package job runs one pass of the pipeline over a roster, as validate and run set it up: a
// source, its settings and a sink go in; the report, the summary, the nightly leavers and how
// the job ended (nil or a sentinel of this package) come out.
package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/reconcile"
	"github.com/rosterload/rosterload/validate"
)

// How a job ended, beside nil and what stopped it: the command maps these to exit codes.
var (
	// ErrRowsNotOK: some row is not VALID, CREATED, EXISTS or SKIPPED (the summary counts them).
	ErrRowsNotOK = errors.New("some row has another status")
	// ErrAPIUnreachable: requests were sent and not one got an HTTP answer (the summary says so).
	ErrAPIUnreachable = errors.New("the API could not be reached")
	// ErrHeld is a run held on purpose by a safety check (the omission guard, --max-invalid):
	// nothing was sent, the report says what would have been, and a person must decide.
	ErrHeld = errors.New("the run is held")
	// ErrConfig marks a configuration error found by the job or the command.
	ErrConfig = errors.New("configuration error")
)

// Config is what the command line gives a job.
type Config struct {
	Command string // validate or run
	Client  string // the clients manifest entry this job is, "" for none
	Source  string
	Mapping string // the --mapping file, which no output may be
	S3      *s3store.Lazy
	// Open opens the source and settles its mapping as the command's flags say.
	Open func(ctx context.Context, source string) (*ingest.Roster, error)
	// Refuse refuses settings that the roster's format ("csv", "xlsx") or the settled report
	// path would make pointless.
	Refuse func(format, report string) error
	// ExitCode is the exit code of how a job ended, for the summary.
	ExitCode func(error) int

	Report, Summary, Payload string // as given ("" the default, or none)
	Strict                   bool
	Workers                  int
	Night                    Night
	StateKey                 redact.Secret
	APIHost                  string // the API the state must have been written for ("" any: a dry run)
	// ReadOnly: the state is read, never written (validate).
	ReadOnly bool
}

// Night is the nightly reconciliation's settings (DESIGN.md "Nightly reconciliation").
type Night struct {
	State, Missing, Notify string
	Full                   bool // a full roster: whoever it lacks has left
	Limit                  reconcile.Limit
	Date                   time.Time
}

// Job is one pass of the pipeline over a source.
type Job struct {
	Config
	// Prepare, if set, runs once the roster is open and every output is settled, before the
	// first row is read: it sets up the sink. Its error ends the job before any row.
	Prepare func(ctx context.Context, outs Outputs) error
	// Cleanups run when the job ends, last first.
	Cleanups []func()
	// Sink receives valid first occurrences; nil is a dry run.
	Sink        pipeline.Sink
	Concurrency int
	// SubmitCtx ends submission only (first SIGINT); the job's ctx ends everything.
	SubmitCtx context.Context
	// Tally, if set, adds to the summary before it is printed (request counts).
	Tally func(*reports.Summary)
	// FinishSink, if set, completes the sink's own output once every row is reported.
	FinishSink func(context.Context) error
	// Journal is the --state, opened by Prepare.
	Journal *journal.Journal

	kind    ingest.Kind // the roster's, settled when it is opened, before Prepare
	outs    Outputs
	rec     *reconcile.Reconciler
	shared  pipeline.Shared // primed by the census when there is one
	leavers []journal.Employee
	held    string // why a safety check held the run ("" it was not)
	sum     *reports.Summary
}

// Run runs the job and finishes its report and summary. It returns how the job ended: nil,
// an outcome the summary has said (ErrRowsNotOK, ErrAPIUnreachable, ErrHeld), or what stopped it.
func (j *Job) Run(ctx context.Context, log *slog.Logger, stderr io.Writer) error {
	defer func() {
		for i := len(j.Cleanups) - 1; i >= 0; i-- {
			j.Cleanups[i]()
		}
	}()
	start := time.Now()
	r, err := j.Open(ctx, j.Source)
	if err != nil {
		return err
	}
	defer r.Close()
	if r.Remote != nil {
		r.Remote.Log(log, j.Source)
	}
	outs, err := planOutputs(j, r)
	if err != nil {
		return err
	}
	if err := j.Refuse(r.Format, outs.Report); err != nil {
		return err
	}
	log.Info("source opened", "source", j.Source, "format", r.Format, "detail", r.Detail, "kind", r.Config.Kind)
	logPlacements(log, r)

	v, err := newValidator(r.Config)
	if err != nil {
		return err
	}
	// An s3:// report or summary is checked for writing now, written to a private temp file and
	// uploaded at the end.
	repOut, err := output.OpenDest(ctx, j.S3, "--report", outs.Report)
	if err != nil {
		return err
	}
	defer repOut.Cleanup()
	var sumOut *output.Dest
	if outs.Summary != "" {
		if sumOut, err = output.OpenDest(ctx, j.S3, "--summary", outs.Summary); err != nil {
			return err
		}
		defer sumOut.Cleanup()
	}
	xlsxReport := reports.FormatOf(repOut.Local) == reports.XLSX
	var sheet reports.Sheet
	if xlsxReport {
		sheet, err = reportSheet(r)
		if err != nil {
			return err
		}
		// Found out at the row past the limit, a run would have sent a million rows by then.
		if n, ok := r.EstimateRows(); ok && n > reports.XLSXMaxDataRows {
			return fmt.Errorf("%w: --report %s: the roster has about %d rows and an XLSX report holds at most %d; use a .csv or .jsonl report",
				ErrConfig, outs.Report, n, reports.XLSXMaxDataRows)
		}
	}
	j.kind, j.outs = r.Config.Kind, outs
	j.shared.Prepare(v, "") // the census, if there is one, sees phones as the run will
	if j.Prepare != nil {
		if err := j.Prepare(ctx, outs); err != nil {
			return err
		}
	}
	if err := j.reconcile(ctx, log); err != nil {
		return err
	}
	rep, err := reports.Create(repOut.Local, sheet)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	defer rep.Abort() // after a Close, there is nothing left to remove
	sum := reports.NewSummary(j.Command, j.Source, string(r.Config.Kind), start)
	sum.Client = j.Client
	j.sum = sum
	if r.Remote != nil {
		sum.SourceObject, sum.SourceETag = r.Remote.Object.URL.String(), r.Remote.Object.ETag
	}
	prog := reports.NewProgress(stderr, log, j.Command)
	prog.Estimate(r.EstimateRows)
	sink := j.Sink
	if j.SubmitCtx != nil && sink != nil {
		// The first interrupt is said at once, with the requests it leaves to finish.
		counted := &inFlightSink{Sink: sink}
		sink = counted
		stopWatch := context.AfterFunc(j.SubmitCtx, func() { prog.Stopping(counted.InFlight) })
		defer stopWatch()
	}
	p := &pipeline.Pipeline{
		Source:      r.Source,
		Mapper:      r.Mapper,
		Validator:   v,
		Sink:        sink,
		Reconcile:   reconciler(j.rec),
		Strict:      j.Strict,
		Held:        j.held != "",
		Concurrency: j.Concurrency,
		SubmitCtx:   j.SubmitCtx,
		Workers:     j.Workers,
		Report:      rep,
		Summary:     sum,
		Log:         log,
		Progress:    prog.Line,
		KeepCells:   xlsxReport,
	}
	// The roster's SSNs, tax ids and card numbers are counted before the run, so that the first
	// of two employees sharing one is told too: by the census if there was one, else by a second
	// read of the roster (mapped, not validated).
	p.Shared = j.shared
	if !p.Shared.Primed {
		pr, err := j.Open(ctx, j.Source)
		if err != nil {
			return err
		}
		defer pr.Close()
		p.Prime = pr.Source
	}
	err = p.Run(ctx)
	prog.Done()
	sum.SharedCount = p.Shared.Count
	for _, sp := range p.Shared.Pairs {
		sum.Shared = append(sum.Shared, sp.String())
	}
	stopped := errors.Is(err, pipeline.ErrSubmit)
	if r.Remote != nil && (err == nil || stopped) {
		sum.SourceChanged = r.Remote.Changed(ctx, log)
	}
	switch {
	case stopped:
		// Every row is in the report, the unsent ones NOT_SUBMITTED: keep it, and say why the
		// run stopped.
	case err != nil && ctx.Err() != nil:
		return errors.New("interrupted: no report was written")
	case err != nil:
		return err
	case sum.RowsRead == 0:
		// A roster with a header and nothing under it is almost always the wrong file.
		return rows.Unreadable(j.Source, "%s", "has a header row but no data rows")
	}
	return j.finish(ctx, rep, repOut, sumOut, sum, err, log, stderr)
}

// finish completes the report, the sink's output and the summary of a job whose every row is
// in the report. stopped is what stopped its submissions, if anything did: then what can be
// kept is kept, a failure to keep it is logged, and stopped is how the job ended.
func (j *Job) finish(ctx context.Context, rep reports.Writer, repOut, sumOut *output.Dest, sum *reports.Summary,
	stopped error, log *slog.Logger, stderr io.Writer) error {
	err := j.finishNight(ctx, rep, sum, log)
	if err != nil && stopped == nil {
		return err
	}
	err = rep.Close()
	if err == nil {
		if err = repOut.Commit(ctx); err == nil {
			sum.Report = repOut.Name
		} else if stopped != nil {
			log.Error("report not uploaded", "err", OneLine(err.Error()))
		}
	}
	if err == nil && stopped == nil && j.FinishSink != nil {
		err = j.FinishSink(ctx)
	}
	if err != nil && stopped == nil {
		return err
	}
	if j.Tally != nil {
		j.Tally(sum)
	}
	ended := stopped
	switch {
	case ended != nil:
	case j.held != "":
		ended = fmt.Errorf("%w: %s", ErrHeld, j.held)
	case sum.APIUnreachable:
		ended = ErrAPIUnreachable
	case !sum.AllOK():
		ended = ErrRowsNotOK
	}
	sum.ExitCode = j.ExitCode(ended)
	sum.Finish()
	sum.WriteText(stderr)
	if sumOut != nil {
		if err := writeSummary(ctx, sum, sumOut); err != nil {
			if stopped == nil {
				return err
			}
			log.Error("summary not written", "path", sumOut.Name, "err", err)
		}
	}
	return ended
}

// writeSummary writes the summary as JSON where out says (uploading it if it is in S3).
func writeSummary(ctx context.Context, sum *reports.Summary, out *output.Dest) error {
	if err := sum.WriteJSONFile(out.Local); err != nil {
		return err
	}
	return out.Commit(ctx)
}

// OneLine keeps a message to one line, for stderr and logs.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// newValidator builds the validator the mapping asks for.
func newValidator(cfg ingest.Config) (*validate.Validator, error) {
	v, err := validate.New(validate.Options{DateLayouts: cfg.DateFormats, DefaultCountry: cfg.DefaultCountry})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return v, nil
}
