// Package submit sends a validated record to the platform through the API client, consulting and
// updating the state journal, and turns the answer into the record's report line.
package submit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/validate"
)

// ErrUnauthorized stops a run: the API refused the credentials (401) even after a token refresh,
// or a static token that cannot be refreshed, so every later request would fail the same way.
var ErrUnauthorized = errors.New("the API refused the credentials (HTTP 401) and they cannot be renewed; rows not yet sent are NOT_SUBMITTED")

// ErrUnreachable stops a run: record after record, every attempt ended without an HTTP answer
// (connection refused, DNS, TLS, timeouts), so the API or the way to it is down and every later
// row would only spend its retries the same way.
var ErrUnreachable = errors.New("the API could not be reached: no attempt got an HTTP answer for many records in a row; rows not yet sent are NOT_SUBMITTED, run again with the same --state once it is back")

// Sink submits records; it implements pipeline.Sink.
type Sink struct {
	Client  *client.Client
	Journal *journal.Journal // nil: no --state
	Log     *slog.Logger
	// MaxUnreachable is how many records in a row may fail without any HTTP answer before the
	// run stops with ErrUnreachable; 0 never stops.
	MaxUnreachable int

	unreachable atomic.Int64 // records in a row that got no HTTP answer
}

// Submit settles one valid, first-occurrence record: SKIPPED if the journal holds it as done,
// else one API call (with its retries) whose outcome goes to the line and the journal. A
// record's failure is in its line; only a journal write failure stops the run.
func (s *Sink) Submit(ctx context.Context, rec *ingest.Record, line *reports.Line) error {
	id := rec.ExternalID()
	if s.Journal != nil {
		if e, ok := s.Journal.Done(id); ok {
			line.Status = reports.Skipped
			line.CustomerID, line.ProfileID, line.FinancialAccountID = e.CustomerID, e.ProfileID, e.FinancialAccountID
			return nil
		}
	}
	// The client derives the Idempotency-Key from the request it encodes (key ""), so a re-run
	// after a crash sends the same key for the same content without the journal keeping it: the
	// key hashes card numbers and SSNs, and the journal must hold nothing they could be guessed from.
	const key = ""
	wasPending := false
	if s.Journal != nil {
		_, wasPending = s.Journal.Pending(id)
		if err := s.Journal.Record(journal.Entry{ExternalID: id, Kind: string(rec.Kind), Status: journal.StatusPending, Row: rec.Row, At: time.Now().UTC()}); err != nil {
			return fmt.Errorf("state journal: %w", err)
		}
	}
	var (
		res client.Result
		err error
	)
	switch {
	case rec.EWA != nil:
		res, err = s.Client.CreateProfile(ctx, rec.EWA, key)
	case rec.Individual != nil:
		res, err = s.Client.CreateIndividual(ctx, rec.Individual, key)
	case rec.Business != nil:
		res, err = s.Client.CreateBusiness(ctx, rec.Business, key)
	}
	line.Attempts, line.HTTPStatus = res.Attempts, res.HTTPStatus
	if err != nil {
		// Interrupted: nothing more is learnt about this record in this run.
		line.Status = reports.NotSubmitted
		if res.Attempts > 0 {
			line.Errors = append(line.Errors, problem("request", "interrupted while being sent; it may have been created: run again with the same --state to settle it"))
		}
		return nil
	}
	line.CustomerID, line.ProfileID, line.FinancialAccountID = res.CustomerID, res.ProfileID, res.FinancialAccountID
	status := ""
	switch res.Outcome {
	case client.Created:
		line.Status, status = reports.Created, journal.StatusCreated
		if res.Note != "" {
			line.Warnings = append(line.Warnings, validate.Problem{Field: "request", Code: "api_note", Message: res.Note})
		}
	case client.Exists:
		line.Status, status = reports.Exists, journal.StatusExists
		note := res.Note
		if note == "" && wasPending {
			note = "an earlier run was stopped while sending this row; it most likely created it"
		}
		if note != "" {
			line.Warnings = append(line.Warnings, validate.Problem{Field: "externalId", Code: "exists", Message: note})
		}
	default:
		line.Status, status = reports.Failed, journal.StatusFailed
		for _, fe := range res.FieldErrors {
			col, cell := rec.Locate(fe.Field)
			line.Errors = append(line.Errors, validate.Problem{Field: fe.Field, Column: col, Cell: cell, Code: fe.Code, Message: fe.Message})
		}
		if len(res.FieldErrors) == 0 || res.Message != "" {
			line.Errors = append(line.Errors, problem("request", res.Message))
		}
		if res.Note != "" {
			line.Errors = append(line.Errors, problem("request", res.Note))
		}
	}
	var stop error
	if res.Outcome == client.Failed && res.HTTPStatus == http.StatusUnauthorized {
		stop = ErrUnauthorized
	}
	if res.Outcome == client.Failed && res.HTTPStatus == 0 {
		if n := s.unreachable.Add(1); s.MaxUnreachable > 0 && n >= int64(s.MaxUnreachable) {
			stop = ErrUnreachable
		}
	} else {
		s.unreachable.Store(0)
	}
	if s.Journal != nil {
		e := journal.Entry{ExternalID: id, Kind: string(rec.Kind), Status: status, Row: rec.Row,
			CustomerID: res.CustomerID, ProfileID: res.ProfileID, FinancialAccountID: res.FinancialAccountID, At: time.Now().UTC()}
		if err := s.Journal.Record(e); err != nil {
			return fmt.Errorf("state journal: %w", err)
		}
	}
	return stop
}

func problem(field, msg string) validate.Problem {
	return validate.Problem{Field: field, Code: "api_error", Message: msg}
}
