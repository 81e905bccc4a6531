package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rosterload/rosterload/notify"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/reconcile"
)

// StateOptions are what a job's journal is opened with.
func (j *Job) StateOptions(host string, readOnly bool, log *slog.Logger, path string) journal.Options {
	return journal.Options{Kind: string(j.kind), Host: host, ReadOnly: readOnly, Today: j.Night.Date,
		Key: j.StateKey,
		Progress: func(p journal.LoadProgress) {
			log.Info("loading the state journal", "path", path, "percent", p.Percent(), "lines", p.Lines)
		}}
}

// OpenReadOnlyState opens the state of validate --state: a local file as it is, an s3:// one
// fetched to a private temp copy; neither is ever written.
func (j *Job) OpenReadOnlyState(ctx context.Context, dest string, log *slog.Logger) (*journal.Journal, error) {
	d, err := output.NewDest(ctx, j.S3, "--state", dest)
	if err != nil {
		return nil, err
	}
	j.Cleanups = append(j.Cleanups, d.Cleanup)
	// No state yet (before the first run) reads as an empty one: every valid row VALID.
	if _, found, err := d.Copy(ctx); err != nil {
		return nil, err
	} else if !found {
		log.Info("no state yet: every valid row would be created", "path", dest)
	}
	jr, err := journal.OpenFor(d.Local, j.StateOptions(j.APIHost, true, log, dest))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	j.Cleanups = append(j.Cleanups, func() { jr.Close() })
	for _, w := range jr.Warnings() {
		log.Warn("state journal", "path", dest, "warning", w)
	}
	return jr, nil
}

// reconcile counts a full roster against the state before any row is sent: the leavers, and
// the omission guard's verdict.
func (j *Job) reconcile(ctx context.Context, log *slog.Logger) error {
	if j.Journal == nil {
		return nil
	}
	j.rec = reconcile.New(j.Journal, j.Night.Full)
	if !j.Night.Full {
		return nil
	}
	r, err := j.Open(ctx, j.Source)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := j.rec.Census(ctx, r.Source, r.Mapper, j.shared.Add); err != nil {
		return err
	}
	if err := j.shared.Seal(); err != nil {
		return err
	}
	j.leavers = j.rec.Leavers()
	log.Info("roster counted against the state", "active", j.Journal.Active(), "missing", len(j.leavers))
	if why := j.rec.Guard(j.Night.Limit, len(j.leavers)); why != "" {
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
func (j *Job) hold(why string) {
	if j.held == "" {
		j.held = why
	} else {
		j.held += "; " + why
	}
}

// finishNight writes the leavers (the missing file, the XLSX report's sheet) and marks them
// missing in the state, unless the run is held or only reads the state.
func (j *Job) finishNight(ctx context.Context, rep reports.Writer, sum *reports.Summary, log *slog.Logger) error {
	sum.Held = j.held
	if j.rec == nil || !j.Night.Full {
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
	out, err := output.OpenDest(ctx, j.S3, "--missing", j.outs.Missing)
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
	if j.held == "" && !j.ReadOnly && len(j.leavers) > 0 {
		j.rec.MarkMissing(j.leavers)
	}
	log.Info("leavers written", "path", out.Name, "missing", len(leavers), "marked", j.held == "" && !j.ReadOnly)
	return nil
}

// NotifyEnd posts the summary to --notify, whatever the outcome; a failure is logged and changes
// nothing.
func (j *Job) NotifyEnd(ctx context.Context, ended error, log *slog.Logger) {
	if j.Night.Notify == "" {
		return
	}
	sum := j.sum
	if sum == nil {
		// Ended before the first row (a refusal, a stale source): the webhook still hears of it.
		sum = reports.NewSummary(j.Command, j.Source, string(j.kind), time.Now())
		sum.Client = j.Client
		if errors.Is(ended, ErrHeld) {
			sum.Held = strings.TrimPrefix(ended.Error(), ErrHeld.Error()+": ")
		}
		sum.ExitCode = j.ExitCode(ended)
		sum.Finish()
	}
	body, err := sum.NotifyJSON()
	if err == nil {
		err = notify.Post(ctx, j.Night.Notify, body, notify.Options{})
	}
	if err != nil {
		log.Error("notification not delivered", "err", OneLine(err.Error()))
		return
	}
	log.Info("notification delivered")
}
