package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/notify"
	"github.com/rosterload/rosterload/sink/reconcile"
)

// nightOptions are the flags of the nightly reconciliation (DESIGN.md "Nightly reconciliation"),
// which validate and run share.
type nightOptions struct {
	job.Night
	roster     string
	maxMissing string
	today      string
}

func (o *nightOptions) register(fs *flag.FlagSet, run bool) {
	state := "state `file` or s3:// URL: rows done before are SKIPPED or CHANGED, and whoever a full roster lacks has left"
	if !run {
		state = "state `file` or s3:// URL of run, read and never written: the statuses tonight's run would give"
	}
	fs.StringVar(&o.State, "state", "", state)
	fs.StringVar(&o.roster, "roster", "full", "with --state: full (the whole population: whoever it lacks has left) or delta (changes only)")
	fs.StringVar(&o.Missing, "missing", "", "with --state and a full roster: the leavers as CSV to this `path` (default: <source name>.missing.csv beside the report)")
	fs.StringVar(&o.maxMissing, "max-missing", "20%", "hold the run (exit 4) when a full roster lacks more than `N` (or P%) of the active employees")
	fs.StringVar(&o.today, "today", "", "the run's `date` (yyyy-MM-dd) in the state's first and last seen (default: today, UTC)")
	fs.StringVar(&o.Notify, "notify", "", "POST the summary as JSON to this webhook `URL` at the end")
}

// check settles the flags' values.
func (o *nightOptions) check() error {
	switch o.roster {
	case "full", "delta":
		o.Full = o.roster == "full"
	default:
		return &usageError{msg: fmt.Sprintf("--roster %q: want full or delta", o.roster)}
	}
	l, err := reconcile.ParseLimit(o.maxMissing)
	if err != nil {
		return &usageError{msg: "--max-missing " + err.Error()}
	}
	o.Limit = l
	o.Date = time.Now().UTC()
	if o.today != "" {
		if o.Date, err = time.Parse(time.DateOnly, o.today); err != nil {
			return &usageError{msg: fmt.Sprintf("--today %q: want a date yyyy-MM-dd", o.today)}
		}
	}
	if o.Notify != "" {
		if _, err := notify.Check(o.Notify); err != nil {
			return &usageError{msg: "--notify: " + err.Error()}
		}
	}
	if o.State == "" && o.Missing != "" {
		return &usageError{msg: "--missing needs --state (the leavers are who the state holds and the roster lacks)"}
	}
	return nil
}
