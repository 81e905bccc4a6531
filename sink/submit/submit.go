// Package submit sends a validated record to the platform through the API client, consulting and
// updating the state journal, and turns the answer into the record's outcome.
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
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/validate"
)

// ErrUnauthorized stops a run: the API refused the credentials (401) even after a token refresh,
// or a static token that cannot be refreshed, so every later request would fail the same way.
var ErrUnauthorized = errors.New("the API refused the credentials (HTTP 401) and they cannot be renewed; rows not yet sent are NOT_SUBMITTED")

// ErrUnreachable stops a run: the API gave no HTTP answer (connection refused, DNS, TLS,
// timeouts) to the run's first record, or record after record later on, so it or the way to it
// is down and every later row would only spend its retries the same way. Submit's error wraps it
// with the API's URL and how many records went unanswered.
var ErrUnreachable = errors.New("the API could not be reached")

// ErrCredentials stops a run: no access token can be had with the client credentials (the token
// endpoint refused them, answered something that is not a token, or was down for every retry).
// Submit returns the *client.CredentialsError, which wraps it and says which.
var ErrCredentials = client.ErrCredentials

// ErrNotTheAPI stops a run: before any answer the API documents, a 2xx came back that is not the
// documented object (an HTML page, an empty body, JSON without the ids): a login portal or a proxy
// may be answering at the API's URL, and no more personal data is sent to it. Submit's error
// wraps it with the URL and what was answered. Once the run has had documented answers, such a
// 2xx only fails its own row.
var ErrNotTheAPI = errors.New("what answers at the API URL may not be the platform's API, so no more rows are sent to it")

// notSentYet ends the message of an error that stops the run.
const notSentYet = "rows not yet sent are NOT_SUBMITTED"

// Sink submits records; it implements pipeline.Sink. One Sink serves one run.
type Sink struct {
	Client  *client.Client
	Journal *journal.Journal // nil: no --state
	Log     *slog.Logger
	// MaxUnreachable is how many records in a row may fail without any HTTP answer before the
	// run stops with ErrUnreachable, once the API has answered in this run; before it has, the
	// first such record stops the run. 0 never stops.
	MaxUnreachable int

	unreachable atomic.Int64 // records in a row that got no HTTP answer
	documented  atomic.Bool  // an answer the API documents has come back in this run
}

// Submit settles one valid, first-occurrence record: SKIPPED if the journal holds it as done,
// else one API call (with its retries) whose answer goes to the outcome and the journal (a 2xx
// that is not the documented answer is FAILED, never CREATED). A record's failure is in its
// outcome; the run stops (an error) when the journal cannot be written, or on ErrUnauthorized,
// ErrUnreachable, ErrNotTheAPI or a *client.CredentialsError (ErrCredentials): every later row
// would fail the same way, or personal data would go where it should not. The outcome returned
// with such an error is still the record's; rows not sent are then NOT_SUBMITTED.
func (s *Sink) Submit(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
	var o outcome.Outcome
	id := rec.ExternalID()
	if s.Journal != nil {
		if e, ok := s.Journal.Done(id); ok {
			o.Status = outcome.Skipped
			o.CustomerID, o.ProfileID, o.FinancialAccountID = e.CustomerID, e.ProfileID, e.FinancialAccountID
			return o, nil
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
			return o, fmt.Errorf("state journal: %w", err)
		}
	}
	var (
		res client.Result
		err error
	)
	res, err = s.Client.Create(ctx, rec.Spec().Endpoint, string(rec.Kind), id, rec.Body, key)
	o.Attempts, o.HTTPStatus = res.Attempts, res.HTTPStatus
	var stop error
	if err != nil {
		ce, noToken := errors.AsType[*client.CredentialsError](err)
		if !noToken || res.Attempts == 0 {
			// Interrupted, or no token to send it with: nothing more is learnt about this
			// record in this run.
			o.Status = outcome.NotSubmitted
			if res.Attempts > 0 {
				o.Errors = append(o.Errors, problem("request", "interrupted while being sent; it may have been created: run again with the same --state to settle it"))
			}
			if noToken {
				return o, fmt.Errorf("%w; %s", ce, notSentYet)
			}
			return o, nil
		}
		// Sent, refused with a 401, and no new token to be had: a failure like any other for
		// the record, and the end of the run.
		stop = fmt.Errorf("%w; %s", ce, notSentYet)
	}
	o.CustomerID, o.ProfileID, o.FinancialAccountID = res.CustomerID, res.ProfileID, res.FinancialAccountID
	status := ""
	switch res.Outcome {
	case client.Created:
		o.Status, status = outcome.Created, journal.StatusCreated
		if res.Note != "" {
			o.Warnings = append(o.Warnings, validate.Problem{Field: "request", Code: "api_note", Message: res.Note})
		}
	case client.Exists:
		o.Status, status = outcome.Exists, journal.StatusExists
		note := res.Note
		if note == "" && wasPending {
			note = "an earlier run was stopped while sending this row; it most likely created it"
		}
		if note != "" {
			o.Warnings = append(o.Warnings, validate.Problem{Field: "externalId", Code: "exists", Message: note})
		}
	default:
		o.Status, status = outcome.Failed, journal.StatusFailed
		for _, fe := range res.FieldErrors {
			col, cell := rec.Locate(fe.Field)
			o.Errors = append(o.Errors, validate.Problem{Field: fe.Field, Column: col, Cell: cell, Code: fe.Code, Message: fe.Message})
		}
		if len(res.FieldErrors) == 0 || res.Message != "" {
			o.Errors = append(o.Errors, problem("request", res.Message))
		}
		if res.Note != "" {
			o.Errors = append(o.Errors, problem("request", res.Note))
		}
	}
	if stop == nil {
		stop = s.runStop(&res)
	}
	if s.Journal != nil {
		e := journal.Entry{ExternalID: id, Kind: string(rec.Kind), Status: status, Row: rec.Row,
			CustomerID: res.CustomerID, ProfileID: res.ProfileID, FinancialAccountID: res.FinancialAccountID, At: time.Now().UTC()}
		if status == journal.StatusCreated || status == journal.StatusExists {
			// What was sent, so that a later night can tell what changed.
			e.Sums = s.Journal.Fingerprint(id, rec.Body)
		}
		if err := s.Journal.Record(e); err != nil {
			return o, fmt.Errorf("state journal: %w", err)
		}
	}
	return o, stop
}

// runStop notes what res says about the API and returns the error that stops the run, if any.
func (s *Sink) runStop(res *client.Result) error {
	switch {
	case res.Outcome == client.Created, res.Outcome == client.Exists,
		res.Outcome == client.Failed && len(res.FieldErrors) > 0 && !res.Undocumented:
		s.documented.Store(true)
	case res.Undocumented && !s.documented.Load():
		return fmt.Errorf("%w: at %s, %s; %s", ErrNotTheAPI, s.Client.URL(), res.Message, notSentYet)
	}
	if res.Outcome == client.Failed && res.HTTPStatus == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	if res.Outcome != client.Failed || res.HTTPStatus != 0 || res.Attempts == 0 {
		if res.HTTPStatus != 0 {
			s.unreachable.Store(0)
		}
		return nil
	}
	// Every attempt of this record ended without an HTTP answer.
	n := s.unreachable.Add(1)
	if s.MaxUnreachable <= 0 {
		return nil
	}
	if st := s.Client.Stats(); len(st.HTTPStatus) == 0 {
		return fmt.Errorf("%w: %s gave no HTTP answer to the run's first request(s) (%s); %s, run again with the same --state once it answers",
			ErrUnreachable, s.Client.URL(), res.Message, notSentYet)
	}
	if n >= int64(s.MaxUnreachable) {
		return fmt.Errorf("%w: %s gave no HTTP answer to %d records in a row (%s); %s, run again with the same --state once it answers",
			ErrUnreachable, s.Client.URL(), n, res.Message, notSentYet)
	}
	return nil
}

func problem(field, msg string) validate.Problem {
	return validate.Problem{Field: field, Code: "api_error", Message: msg}
}
