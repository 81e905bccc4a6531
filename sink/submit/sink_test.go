package submit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/emulator"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/validate"
)

// env is what one Submit runs against: the emulator over HTTP (or a stand-in at url), a real
// journal in a temp dir, and the context it is called with. A case's arrange changes it.
type env struct {
	t      *testing.T
	emu    *emulator.Server
	url    string
	mods   []func(*client.Config)
	jr     *journal.Journal
	path   string
	ctx    context.Context
	cancel context.CancelFunc
}

// record appends an entry for rec to the journal, as an earlier run would have.
func (e *env) record(rec *ingest.Record, status string, ids ...string) {
	e.t.Helper()
	ent := journal.Entry{ExternalID: rec.ExternalID(), Kind: string(rec.Kind), Status: status, Row: rec.Row}
	if len(ids) == 3 {
		ent.CustomerID, ent.ProfileID, ent.FinancialAccountID = ids[0], ids[1], ids[2]
	}
	if err := e.jr.Record(ent); err != nil {
		e.t.Fatal(err)
	}
}

// createEarlier creates rec on the emulator, as an earlier run (or someone else) did.
func (e *env) createEarlier(rec *ingest.Record) {
	e.t.Helper()
	res, err := newClient(e.t, e.url).Create(context.Background(), rec.Spec().Endpoint, string(rec.Kind), rec.ExternalID(), rec.Body, "")
	if err != nil || res.Outcome != client.Created {
		e.t.Fatalf("creating %s beforehand: %+v, %v", rec.ExternalID(), res, err)
	}
}

// journalHolds returns the statuses the journal's file holds for externalID, in order.
func journalHolds(t *testing.T, path, externalID string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for line := range bytes.Lines(b) {
		var e journal.Entry
		if json.Unmarshal(line, &e) == nil && e.ExternalID == externalID {
			got = append(got, e.Status)
		}
	}
	return got
}

// mappedIndividual is an individual record made by the mapper from a header and one row, so
// that Locate can name the column and cell of a field the API refuses.
func mappedIndividual(t *testing.T, ext, lastName string) *ingest.Record {
	t.Helper()
	h := rows.Header{Num: 1, Names: []string{"Employee ID", "First Name", "Last Name", "Email", "Mobile Phone", "Date of Birth", "Country"}}
	m, err := ingest.NewMapper(ingest.Config{Kind: ingest.KindIndividual}, h)
	if err != nil {
		t.Fatal(err)
	}
	rec := m.Map(rows.Row{Num: 2, Cells: []string{ext, "Sarah", lastName, "sgreen@example.com", "+16502530000", "1991-06-21", "USA"}})
	if rec.Malformed != nil || rec.Body == nil {
		t.Fatalf("mapped record: %+v", rec)
	}
	return rec
}

// problemText is one problem as a line for comparison: "field [column cell] code: message".
func problemText(field, column, cell, code, msg string) string {
	return fmt.Sprintf("%s [%s %s] %s: %s", field, column, cell, code, msg)
}

// hangUntilCancelled is an API that takes the request and answers nothing until the caller
// gives up; arrived is closed when the first request is in.
func hangUntilCancelled(arrived chan struct{}) http.HandlerFunc {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-r.Context().Done()
	}
}

// submitCase is one record's Submit and what should come of it.
type submitCase struct {
	name    string
	rec     func(t *testing.T) *ingest.Record
	arrange func(e *env, rec *ingest.Record)

	status    outcome.Status
	http      int
	attempts  int
	ids       string // which ids are UUIDs: c(ustomer), p(rofile), f(inancial account)
	exactIDs  []string
	errors    []string // problemText of each, a message given as a prefix
	warnings  []string
	err       error  // errors.Is the returned error; nil: none
	errHas    string // in the error's message
	journal   []string
	requests  int // /v1/ requests the emulator saw
	customers int // customers it holds afterwards
}

// created is the case of a record of one kind that the emulator creates, with the ids it gives.
func created(name string, rec func(row int, ext string) *ingest.Record, ids string) submitCase {
	return submitCase{name: name, rec: func(*testing.T) *ingest.Record { return rec(2, "O-"+strings.Fields(name)[0]) },
		status: outcome.Created, http: 201, attempts: 1, ids: ids,
		journal: []string{journal.StatusPending, journal.StatusCreated}, requests: 1, customers: 1}
}

// Sink.Submit on its own, one record at a time: the outcome it returns, the error that stops
// the run, what the journal holds for the record afterwards, and what reached the emulator.
func TestSinkSubmit(t *testing.T) {
	t.Parallel()
	const stoppedNote = "an earlier run was stopped while sending this row; it most likely created it"
	cases := []submitCase{
		created("ewa created with its three ids", ewaRec, "cpf"),
		created("individual created with its customer id", individualRec, "c"),
		created("business created with its customer id", businessRec, "c"),
		{name: "exists",
			rec:     func(*testing.T) *ingest.Record { return individualRec(2, "O-old") },
			arrange: func(e *env, rec *ingest.Record) { e.createEarlier(rec) },
			status:  outcome.Exists, http: 409, attempts: 1,
			journal: []string{journal.StatusPending, journal.StatusExists}, requests: 2, customers: 1},
		{name: "exists after a run stopped while sending it",
			rec: func(*testing.T) *ingest.Record { return individualRec(2, "O-stopped") },
			arrange: func(e *env, rec *ingest.Record) {
				e.record(rec, journal.StatusPending)
				e.createEarlier(rec)
			},
			status: outcome.Exists, http: 409, attempts: 1,
			warnings: []string{problemText("externalId", "", "", "exists", stoppedNote)},
			journal:  []string{journal.StatusPending, journal.StatusPending, journal.StatusExists}, requests: 2, customers: 1},
		{name: "failed with the refused field located",
			rec:    func(t *testing.T) *ingest.Record { return mappedIndividual(t, "O-bad", "") },
			status: outcome.Failed, http: 400, attempts: 1,
			errors: []string{problemText("lastName", "Last Name", "C2", "required", "last name is required"),
				problemText("request", "", "", "api_error", "the request has 1 invalid field(s)")},
			journal: []string{journal.StatusPending, journal.StatusFailed}, requests: 1},
		{name: "skipped: the journal has it done",
			rec: func(*testing.T) *ingest.Record { return ewaRec(2, "O-done") },
			arrange: func(e *env, rec *ingest.Record) {
				e.record(rec, journal.StatusCreated, "cus-1", "pro-1", "fa-1")
			},
			status: outcome.Skipped, exactIDs: []string{"cus-1", "pro-1", "fa-1"},
			journal: []string{journal.StatusCreated}},
		{name: "interrupted before sending",
			rec:     func(*testing.T) *ingest.Record { return individualRec(2, "O-int") },
			arrange: func(e *env, _ *ingest.Record) { e.cancel() },
			status:  outcome.NotSubmitted,
			journal: []string{journal.StatusPending}},
		{name: "interrupted while sending",
			rec: func(*testing.T) *ingest.Record { return individualRec(2, "O-mid") },
			arrange: func(e *env, _ *ingest.Record) {
				arrived := make(chan struct{})
				e.url = newFakeAPI(e.t, e.emu, hangUntilCancelled(arrived)).srv.URL
				go func() { <-arrived; e.cancel() }()
			},
			status: outcome.NotSubmitted, attempts: 1,
			errors:  []string{problemText("request", "", "", "api_error", "interrupted while being sent; it may have been created: run again with the same --state to settle it")},
			journal: []string{journal.StatusPending}},
		{name: "not the API: a login page answers",
			rec: func(*testing.T) *ingest.Record { return individualRec(2, "O-sso") },
			arrange: func(e *env, _ *ingest.Record) {
				e.url = newFakeAPI(e.t, e.emu, answer(200, "text/html", loginPage)).srv.URL
			},
			status: outcome.Failed, http: 200, attempts: 1,
			errors: []string{problemText("request", "", "", "api_error", "the API answered HTTP 200 with an HTML page, not the documented customer object")},
			err:    ErrNotTheAPI, errHas: "HTML page",
			journal: []string{journal.StatusPending, journal.StatusFailed}},
		{name: "unauthorized: a static token refused",
			rec:     func(*testing.T) *ingest.Record { return individualRec(2, "O-401") },
			arrange: func(e *env, _ *ingest.Record) { e.mods = append(e.mods, staticToken("not-a-known-token")) },
			status:  outcome.Failed, http: 401, attempts: 1,
			errors: []string{problemText("request", "", "", "api_error", "the API refused the access token (HTTP 401)")},
			err:    ErrUnauthorized, errHas: "HTTP 401",
			journal: []string{journal.StatusPending, journal.StatusFailed}, requests: 1},
		{name: "unreachable: nothing listens",
			rec: func(*testing.T) *ingest.Record { return individualRec(2, "O-dead") },
			arrange: func(e *env, _ *ingest.Record) {
				e.url = deadURL(e.t)
				e.mods = append(e.mods, staticToken("tok"), func(c *client.Config) { c.MaxAttempts = 1 })
			},
			status: outcome.Failed, attempts: 1,
			errors: []string{problemText("request", "", "", "api_error", "gave up after 1 attempts; last: no answer")},
			err:    ErrUnreachable, errHas: "first request",
			journal: []string{journal.StatusPending, journal.StatusFailed}},
		{name: "credentials refused: nothing is sent",
			rec: func(*testing.T) *ingest.Record { return individualRec(2, "O-cred") },
			arrange: func(e *env, _ *ingest.Record) {
				e.mods = append(e.mods, func(c *client.Config) { c.ClientSecret = redact.NewSecret("not-the-secret") })
			},
			status: outcome.NotSubmitted,
			err:    ErrCredentials, errHas: "invalid_client",
			journal: []string{journal.StatusPending}},
		{name: "the journal cannot be written: nothing is sent",
			rec: func(*testing.T) *ingest.Record { return individualRec(2, "O-jrnl") },
			arrange: func(e *env, _ *ingest.Record) {
				if err := e.jr.Close(); err != nil {
					e.t.Fatal(err)
				}
			},
			err: journal.ErrClosed, errHas: "state journal",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, ts := newEmulator(t)
			path := filepath.Join(t.TempDir(), "state.jsonl")
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			e := &env{t: t, emu: emu, url: ts.URL, jr: openJournal(t, path), path: path, ctx: ctx, cancel: cancel}
			rec := tc.rec(t)
			if tc.arrange != nil {
				tc.arrange(e, rec)
			}
			s := &Sink{Client: newClient(t, e.url, e.mods...), Journal: e.jr, MaxUnreachable: 10}

			o, err := s.Submit(e.ctx, rec)
			t.Logf("outcome %+v, error %v", o, err)

			switch {
			case tc.err == nil && err != nil:
				t.Fatalf("Submit: %v; want no error", err)
			case tc.err != nil && (!errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.errHas)):
				t.Fatalf("Submit: %v; want %v saying %q", err, tc.err, tc.errHas)
			}
			if o.Status != tc.status || o.HTTPStatus != tc.http || o.Attempts != tc.attempts {
				t.Errorf("outcome %s, HTTP %d, %d attempts; want %s, HTTP %d, %d attempts (%+v)",
					o.Status, o.HTTPStatus, o.Attempts, tc.status, tc.http, tc.attempts, o)
			}
			ids := []string{o.CustomerID, o.ProfileID, o.FinancialAccountID}
			if tc.exactIDs != nil {
				if fmt.Sprint(ids) != fmt.Sprint(tc.exactIDs) {
					t.Errorf("ids %q; want %q", ids, tc.exactIDs)
				}
			} else {
				for i, letter := range []string{"c", "p", "f"} {
					if want := strings.Contains(tc.ids, letter); uuidRE.MatchString(ids[i]) != want || (!want && ids[i] != "") {
						t.Errorf("id %d is %q; want a UUID: %v", i, ids[i], want)
					}
				}
			}
			checkProblems(t, "errors", o.Errors, tc.errors)
			checkProblems(t, "warnings", o.Warnings, tc.warnings)
			if got := journalHolds(t, e.path, rec.ExternalID()); fmt.Sprint(got) != fmt.Sprint(tc.journal) {
				t.Errorf("journal holds %v for %s; want %v", got, rec.ExternalID(), tc.journal)
			}
			if done, ok := e.jr.Done(rec.ExternalID()); ok != (tc.status == outcome.Created || tc.status == outcome.Exists || tc.status == outcome.Skipped) ||
				(ok && fmt.Sprint([]string{done.CustomerID, done.ProfileID, done.FinancialAccountID}) != fmt.Sprint(ids)) {
				t.Errorf("journal has it done: %v, %+v; want done with the outcome's ids only when it settled", ok, done)
			}
			st := emu.Stats()
			if st.Requests != tc.requests {
				t.Errorf("%d requests reached the emulator; want %d", st.Requests, tc.requests)
			}
			if st.Customers != tc.customers {
				t.Errorf("the emulator holds %d customers; want %d", st.Customers, tc.customers)
			}
		})
	}
}

// checkProblems wants one problem per entry of want, in order, its problemText starting with it.
func checkProblems(t *testing.T, what string, got []validate.Problem, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	var texts []string
	for i, p := range got {
		text := problemText(p.Field, p.Column, p.Cell, p.Code, p.Message)
		texts = append(texts, text)
		ok = ok && strings.HasPrefix(text, want[i])
	}
	if !ok {
		t.Errorf("%s:\n\t%s\nwant (as prefixes):\n\t%s", what, strings.Join(texts, "\n\t"), strings.Join(want, "\n\t"))
	}
}
