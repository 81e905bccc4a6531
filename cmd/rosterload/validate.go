package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/payload"
	"github.com/rosterload/rosterload/sink/reconcile"
)

// reportOptions are the flags that say where results go.
type reportOptions struct {
	report    string
	summary   string
	logFormat string
	logLevel  string
	workers   int
	strict    *bool
}

func (o *reportOptions) register(fs *flag.FlagSet) {
	o.strict = addStrict(fs)
	fs.StringVar(&o.report, "report", "", "report `path`: .csv, .jsonl or .xlsx (default: <source name>.report.csv here)")
	fs.StringVar(&o.summary, "summary", "", "also write the run summary as JSON to this `path`")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.IntVar(&o.workers, "workers", 0, "validation goroutines (default: one per CPU)")
}

// cmdValidate is the dry run: every row is read, mapped, validated and de-duplicated, and the
// report says what the platform would accept. No request is sent.
func cmdValidate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (err error) {
	var so sourceOptions
	var ro reportOptions
	var payloadPath, apiURL string
	var night nightOptions
	source, log, err := parseJobFlags("validate", args, env, stdout, stderr, &so, &ro, func(fs *flag.FlagSet) {
		fs.StringVar(&payloadPath, "payload", "", "also write the requests a run would send, as JSON Lines, to this `path` (card numbers, SSNs and tax ids masked)")
		fs.StringVar(&apiURL, "api-url", "", "with --state: check that the state was written for this API, as run does (default: any)")
		night.register(fs, false)
	})
	if err != nil {
		return err
	}
	if err := night.check(); err != nil {
		return err
	}
	j := &job{command: "validate", source: source, so: &so, ro: &ro, payload: payloadPath, night: &night, env: env,
		apiHost: apiURL, readOnly: true}
	defer func() { j.notifyEnd(context.WithoutCancel(ctx), err, log) }()
	j.prepare = func(ctx context.Context, outs outputs) error {
		if outs.state != "" {
			jr, err := j.openReadOnlyState(ctx, outs.state, log)
			if err != nil {
				return err
			}
			j.journal = jr
		}
		if outs.payload == "" {
			return nil
		}
		out, err := output.OpenDest(ctx, &so.s3, "--payload", outs.payload)
		if err != nil {
			return err
		}
		j.cleanups = append(j.cleanups, out.Cleanup)
		w, err := payload.Create(out.Local)
		if err != nil {
			return fmt.Errorf("%w: %v", errConfig, err)
		}
		j.cleanups = append(j.cleanups, func() { w.Abort() }) // after a Close, there is nothing left to remove
		// One at a time, so that the file follows the source's order.
		j.sink, j.concurrency = w, 1
		j.finishSink = func(ctx context.Context) error {
			if err := w.Close(); err != nil {
				return err
			}
			if err := out.Commit(ctx); err != nil {
				return err
			}
			log.Info("payload written", "path", out.Name, "requests", w.Lines())
			return nil
		}
		return nil
	}
	err = execute(ctx, j, log, stderr)
	return err
}

// parseJobFlags parses the command line of a command that reads one SOURCE and reports on it,
// with extra flags registered by more, and returns the source and the logger asked for.
func parseJobFlags(name string, args []string, env func(string) string, stdout, stderr io.Writer,
	so *sourceOptions, ro *reportOptions, more ...func(*flag.FlagSet)) (string, *slog.Logger, error) {
	fs := newFlagSet(name)
	so.register(fs)
	ro.register(fs)
	for _, m := range more {
		m(fs)
	}
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return "", nil, err
	}
	source, err := oneSource(fs)
	if err != nil {
		return "", nil, err
	}
	so.env = env
	log, err := newLogger(stderr, ro.logFormat, ro.logLevel)
	return source, log, err
}

// job is one pass of the pipeline over a source, as validate and run set it up.
type job struct {
	command string
	source  string
	so      *sourceOptions
	ro      *reportOptions
	payload string // validate --payload
	night   *nightOptions
	env     func(string) string
	apiHost string // the API the state must have been written for ("" any: a dry run)
	// readOnly: the state is read, never written (validate).
	readOnly bool
	// kind is the roster's record kind, settled when it is opened, before prepare.
	kind ingest.Kind
	// prepare, if set, runs once the roster is open and every output is settled, before the
	// first row is read: it sets up the sink. Its error ends the job before any row.
	prepare func(ctx context.Context, outs outputs) error
	// cleanups run when the job ends, last first.
	cleanups []func()
	// sink receives valid first occurrences; nil is a dry run.
	sink        pipeline.Sink
	concurrency int
	// submitCtx ends submission only (first SIGINT); the job's ctx ends everything.
	submitCtx context.Context
	// tally, if set, adds to the summary before it is printed (request counts).
	tally func(*reports.Summary)
	// finishSink, if set, completes the sink's own output once every row is reported.
	finishSink func(context.Context) error

	outs    outputs
	journal *journal.Journal // --state, opened by prepare
	rec     *reconcile.Reconciler
	leavers []journal.Employee
	held    string // why a safety check held the run ("" it was not)
	sum     *reports.Summary
}

// execute runs a job and finishes its report and summary. It returns how the job ended: nil,
// an outcome the summary has said (errRowsNotOK, errAPIUnreachable), or what stopped it.
func execute(ctx context.Context, j *job, log *slog.Logger, stderr io.Writer) error {
	defer func() {
		for i := len(j.cleanups) - 1; i >= 0; i-- {
			j.cleanups[i]()
		}
	}()
	start := time.Now()
	r, err := openRoster(ctx, j.so, j.source)
	if err != nil {
		return err
	}
	defer r.Close()
	if r.Remote != nil {
		r.Remote.Log(log, j.source)
	}
	outs, err := planOutputs(j, r)
	if err != nil {
		return err
	}
	if err := refuseInapplicable(j.so, j.env, r.Format, outs.report); err != nil {
		return err
	}
	log.Info("source opened", "source", j.source, "format", r.Format, "detail", r.Detail, "kind", r.Config.Kind)
	logPlacements(log, r)

	v, err := newValidator(r.Config)
	if err != nil {
		return err
	}
	// An s3:// report or summary is checked for writing now, written to a private temp file and
	// uploaded at the end.
	repOut, err := output.OpenDest(ctx, &j.so.s3, "--report", outs.report)
	if err != nil {
		return err
	}
	defer repOut.Cleanup()
	var sumOut *output.Dest
	if outs.summary != "" {
		if sumOut, err = output.OpenDest(ctx, &j.so.s3, "--summary", outs.summary); err != nil {
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
				errConfig, outs.report, n, reports.XLSXMaxDataRows)
		}
	}
	j.kind, j.outs = r.Config.Kind, outs
	if j.prepare != nil {
		if err := j.prepare(ctx, outs); err != nil {
			return err
		}
	}
	if err := j.reconcile(ctx, log); err != nil {
		return err
	}
	rep, err := reports.Create(repOut.Local, sheet)
	if err != nil {
		return fmt.Errorf("%w: %v", errConfig, err)
	}
	defer rep.Abort() // after a Close, there is nothing left to remove
	sum := reports.NewSummary(j.command, j.source, string(r.Config.Kind), start)
	j.sum = sum
	if r.Remote != nil {
		sum.SourceObject, sum.SourceETag = r.Remote.Object.URL.String(), r.Remote.Object.ETag
	}
	prog := reports.NewProgress(stderr, log, j.command)
	prog.Estimate(r.EstimateRows)
	sink := j.sink
	if j.submitCtx != nil && sink != nil {
		// The first interrupt is said at once, with the requests it leaves to finish.
		counted := &inFlightSink{Sink: sink}
		sink = counted
		stopWatch := context.AfterFunc(j.submitCtx, func() { prog.Stopping(counted.InFlight) })
		defer stopWatch()
	}
	p := &pipeline.Pipeline{
		Source:      r.Source,
		Mapper:      r.Mapper,
		Validator:   v,
		Sink:        sink,
		Reconcile:   reconciler(j.rec),
		Strict:      *j.ro.strict,
		Held:        j.held != "",
		Concurrency: j.concurrency,
		SubmitCtx:   j.submitCtx,
		Workers:     j.ro.workers,
		Report:      rep,
		Summary:     sum,
		Log:         log,
		Progress:    prog.Line,
		KeepCells:   xlsxReport,
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
		return rowsUnreadable(j.source, "has a header row but no data rows")
	}
	return j.finish(ctx, rep, repOut, sumOut, sum, err, log, stderr)
}

// finish completes the report, the sink's output and the summary of a job whose every row is
// in the report. stopped is what stopped its submissions, if anything did: then what can be
// kept is kept, a failure to keep it is logged, and stopped is how the job ended.
func (j *job) finish(ctx context.Context, rep reports.Writer, repOut, sumOut *output.Dest, sum *reports.Summary,
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
			log.Error("report not uploaded", "err", oneLine(err.Error()))
		}
	}
	if err == nil && stopped == nil && j.finishSink != nil {
		err = j.finishSink(ctx)
	}
	if err != nil && stopped == nil {
		return err
	}
	if j.tally != nil {
		j.tally(sum)
	}
	ended := stopped
	switch {
	case ended != nil:
	case j.held != "":
		ended = fmt.Errorf("%w: %s", errHeld, j.held)
	case sum.APIUnreachable:
		ended = errAPIUnreachable
	case !sum.AllOK():
		ended = errRowsNotOK
	}
	sum.ExitCode = exitCode(ended)
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

func rowsUnreadable(source, why string) error { return rows.Unreadable(source, "%s", why) }

// reportSheet describes the roster for an XLSX report: its header, and for each column how its
// cells may be shown (card numbers, SSNs and tax ids masked, card expiries never).
func reportSheet(r *ingest.Roster) (reports.Sheet, error) {
	h, err := r.Header()
	if err != nil {
		return reports.Sheet{}, err
	}
	masks := make([]reports.Mask, len(h.Names))
	mark := func(ps []ingest.Placement) {
		for _, p := range ps {
			if p.Column < 0 || p.Column >= len(masks) {
				continue
			}
			m := reports.MaskScan
			switch p.Field {
			case "cardNumber":
				m = reports.MaskPAN
			case "ssn", "taxId":
				m = reports.MaskID
			case "cardExpiry":
				m = reports.MaskDrop
			}
			masks[p.Column] = max(masks[p.Column], m)
		}
	}
	mark(r.Mapper.Placements())
	// The report copies every column: one that another kind would take for card or identity
	// data (the SSNs and card expiries of an EWA roster run as business) is masked too.
	for _, spec := range ingest.Specs() {
		if other, err := ingest.NewMapper(ingest.Config{Kind: spec.Kind}, h); err == nil {
			mark(other.Placements())
		}
	}
	return reports.Sheet{HeaderRow: h.Num, Header: h.Names, Masks: masks}, nil
}
