package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rosterload/rosterload/notify"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/reconcile"
)

// nightOptions are the flags of the nightly reconciliation (DESIGN.md "Nightly reconciliation"),
// which validate and run share.
type nightOptions struct {
	state      string
	roster     string
	missing    string
	maxMissing string
	today      string
	notify     string

	full  bool
	limit reconcile.Limit
	date  time.Time
}

func (o *nightOptions) register(fs *flag.FlagSet, run bool) {
	state := "state `file` or s3:// URL: rows done before are SKIPPED or CHANGED, and whoever a full roster lacks has left"
	if !run {
		state = "state `file` or s3:// URL of run, read and never written: the statuses tonight's run would give"
	}
	fs.StringVar(&o.state, "state", "", state)
	fs.StringVar(&o.roster, "roster", "full", "with --state: full (the whole population: whoever it lacks has left) or delta (changes only)")
	fs.StringVar(&o.missing, "missing", "", "with --state and a full roster: the leavers as CSV to this `path` (default: <source name>.missing.csv beside the report)")
	fs.StringVar(&o.maxMissing, "max-missing", "20%", "hold the run (exit 4) when a full roster lacks more than `N` (or P%) of the active employees")
	fs.StringVar(&o.today, "today", "", "the run's `date` (yyyy-MM-dd) in the state's first and last seen (default: today, UTC)")
	fs.StringVar(&o.notify, "notify", "", "POST the summary as JSON to this webhook `URL` at the end")
}

// check settles the flags' values.
func (o *nightOptions) check() error {
	switch o.roster {
	case "full", "delta":
		o.full = o.roster == "full"
	default:
		return &usageError{msg: fmt.Sprintf("--roster %q: want full or delta", o.roster)}
	}
	l, err := reconcile.ParseLimit(o.maxMissing)
	if err != nil {
		return &usageError{msg: "--max-missing " + err.Error()}
	}
	o.limit = l
	o.date = time.Now().UTC()
	if o.today != "" {
		if o.date, err = time.Parse(time.DateOnly, o.today); err != nil {
			return &usageError{msg: fmt.Sprintf("--today %q: want a date yyyy-MM-dd", o.today)}
		}
	}
	if o.notify != "" {
		if _, err := notify.Check(o.notify); err != nil {
			return &usageError{msg: "--notify: " + err.Error()}
		}
	}
	if o.state == "" && o.missing != "" {
		return &usageError{msg: "--missing needs --state (the leavers are who the state holds and the roster lacks)"}
	}
	return nil
}

// stateOptions are what a job's journal is opened with.
func (j *job) stateOptions(host string, readOnly bool, log *slog.Logger, path string) journal.Options {
	return journal.Options{Kind: string(j.kind), Host: host, ReadOnly: readOnly, Today: j.night.date,
		Key: redact.NewSecret(j.env("ROSTERLOAD_STATE_KEY")),
		Progress: func(p journal.LoadProgress) {
			log.Info("loading the state journal", "path", path, "percent", p.Percent(), "lines", p.Lines)
		}}
}

// openReadOnlyState opens the state of validate --state: a local file as it is, an s3:// one
// fetched to a private temp copy; neither is ever written.
func (j *job) openReadOnlyState(ctx context.Context, dest string, log *slog.Logger) (*journal.Journal, error) {
	d, err := output.NewDest(ctx, &j.so.s3, "--state", dest)
	if err != nil {
		return nil, err
	}
	j.cleanups = append(j.cleanups, d.Cleanup)
	// No state yet (before the first run) reads as an empty one: every valid row VALID.
	if _, found, err := d.Copy(ctx); err != nil {
		return nil, err
	} else if !found {
		log.Info("no state yet: every valid row would be created", "path", dest)
	}
	jr, err := journal.OpenFor(d.Local, j.stateOptions(j.apiHost, true, log, dest))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	j.cleanups = append(j.cleanups, func() { jr.Close() })
	for _, w := range jr.Warnings() {
		log.Warn("state journal", "path", dest, "warning", w)
	}
	return jr, nil
}

// reconcile counts a full roster against the state before any row is sent: the leavers, and
// the omission guard's verdict.
func (j *job) reconcile(ctx context.Context, log *slog.Logger) error {
	if j.journal == nil {
		return nil
	}
	j.rec = reconcile.New(j.journal, j.night.full)
	if !j.night.full {
		return nil
	}
	r, err := openRoster(ctx, j.so, j.source)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := j.rec.Census(ctx, r.Source, r.Mapper); err != nil {
		return err
	}
	j.leavers = j.rec.Leavers()
	log.Info("roster counted against the state", "active", j.journal.Active(), "missing", len(j.leavers))
	if why := j.rec.Guard(j.night.limit, len(j.leavers)); why != "" {
		j.hold(why)
	}
	return nil
}

// reconciler is r as the pipeline takes it: none without a state.
func reconciler(r *reconcile.Reconciler) pipeline.Reconciler {
	if r == nil {
		return nil
	}
	return r
}

// hold notes why the run is held: nothing is sent, nobody marked missing, exit 4.
func (j *job) hold(why string) {
	if j.held == "" {
		j.held = why
	} else {
		j.held += "; " + why
	}
}

// finishNight writes the leavers (the missing file, the XLSX report's sheet) and marks them
// missing in the state, unless the run is held or only reads the state.
func (j *job) finishNight(ctx context.Context, rep reports.Writer, sum *reports.Summary, log *slog.Logger) error {
	sum.Held = j.held
	if j.rec == nil || !j.night.full {
		return nil
	}
	leavers := make([]reports.Leaver, len(j.leavers))
	for i, e := range j.leavers {
		leavers[i] = reports.Leaver{ExternalID: e.ExternalID, CustomerID: e.CustomerID, ProfileID: e.ProfileID, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen}
	}
	if lw, ok := rep.(reports.Leavers); ok && len(leavers) > 0 {
		if err := lw.WriteLeavers(leavers); err != nil {
			return err
		}
	}
	out, err := output.OpenDest(ctx, &j.so.s3, "--missing", j.outs.missing)
	if err != nil {
		return err
	}
	defer out.Cleanup()
	mw, err := reports.CreateMissing(out.Local)
	if err != nil {
		return err
	}
	defer mw.Abort() // after a Close, there is nothing left to remove
	for _, l := range leavers {
		if err := mw.Write(l); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	if err := out.Commit(ctx); err != nil {
		return err
	}
	sum.Missing = len(leavers)
	if j.held == "" && !j.readOnly && len(j.leavers) > 0 {
		j.rec.MarkMissing(j.leavers)
	}
	log.Info("leavers written", "path", out.Name, "missing", len(leavers), "marked", j.held == "" && !j.readOnly)
	return nil
}

// notifyEnd posts the summary to --notify, whatever the outcome; a failure is logged and changes
// nothing.
func (j *job) notifyEnd(ctx context.Context, ended error, log *slog.Logger) {
	if j.night.notify == "" {
		return
	}
	sum := j.sum
	if sum == nil {
		// Ended before the first row (a refusal, a stale source): the webhook still hears of it.
		sum = reports.NewSummary(j.command, j.source, string(j.kind), time.Now())
		if errors.Is(ended, errHeld) {
			sum.Held = strings.TrimPrefix(message(ended), errHeld.Error()+": ")
		}
		sum.ExitCode = exitCode(ended)
		sum.Finish()
	}
	body, err := sum.NotifyJSON()
	if err == nil {
		err = notify.Post(ctx, j.night.notify, body, notify.Options{})
	}
	if err != nil {
		log.Error("notification not delivered", "err", oneLine(err.Error()))
		return
	}
	log.Info("notification delivered")
}

// missingName is the default missing file: <source name>.missing.csv beside the report (in it,
// when --report names a directory).
func missingName(report, source string) string {
	if fi, err := os.Stat(report); err == nil && fi.IsDir() {
		report = filepath.Join(report, "r")
	}
	return reports.MissingPath(source, report)
}
