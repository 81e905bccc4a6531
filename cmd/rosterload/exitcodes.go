package main

import (
	"errors"

	"github.com/rosterload/rosterload/clients"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/csvread"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/notify"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/reconcile"
)

// Exit codes.
const (
	exitOK       = 0
	exitRows     = 1
	exitConfig   = 2
	exitUnfinish = 3
	exitHeld     = 4
)

// exitCodes is the one list of exit codes and what each means: the help text prints it, README.md
// lists it (TestREADMEExitCodes), and exitCode returns no other.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "every row VALID / CREATED / EXISTS / SKIPPED / CHANGED"},
	{exitRows, "some row has another status"},
	{exitConfig, "usage, configuration or unreadable source"},
	{exitUnfinish, "the run could not finish"},
	{exitHeld, "held on purpose by a safety check: nothing was sent"},
}

// exitCode maps the error a command ended with (nil: it went well) to its exit code. An error
// of no kind named here is a run that could not finish.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, job.ErrRowsNotOK), errors.Is(err, errInterrupted):
		return exitRows
	case errors.Is(err, job.ErrHeld), errors.Is(err, ingest.ErrStale):
		return exitHeld
	case errors.As(err, new(*usageError)),
		errors.Is(err, job.ErrConfig),
		errors.Is(err, clients.ErrManifest),
		errors.Is(err, ingest.ErrConfig),
		errors.Is(err, rows.ErrUnreadable),
		errors.Is(err, csvread.ErrUnknownEncoding),
		errors.Is(err, csvread.ErrInvalidOption),
		errors.Is(err, s3store.ErrS3),
		errors.Is(err, s3store.ErrConfig),
		errors.Is(err, s3store.ErrURL),
		errors.Is(err, output.ErrOutput),
		errors.Is(err, journal.ErrRefused),
		errors.Is(err, journal.ErrKey),
		errors.Is(err, reconcile.ErrLimit),
		errors.Is(err, notify.ErrURL):
		return exitConfig
	}
	return exitUnfinish
}

// message is the line a command's error prints on stderr: none for a command whose own output
// (the help, the summary) has said how it went.
func message(err error) string {
	if err == nil || errors.As(err, new(*quietError)) || errors.Is(err, job.ErrRowsNotOK) || errors.Is(err, job.ErrAPIUnreachable) {
		return ""
	}
	return err.Error()
}

// quietError ends a command whose own output has said how it went (the help, the summary).
type quietError struct{ what string }

func (e *quietError) Error() string { return e.what }

var (
	// errHelp is a -h request: the command printed its help.
	errHelp = &quietError{"help requested"}
	// errInterrupted: a run stopped by SIGINT or SIGTERM, whose report has the rest NOT_SUBMITTED.
	errInterrupted = &quietError{"interrupted"}
)

// usageError is a bad command line; usage asks for the usage text after the line (its msg may
// then be empty: no line).
type usageError struct {
	msg   string
	usage bool
}

func (e *usageError) Error() string { return e.msg }
