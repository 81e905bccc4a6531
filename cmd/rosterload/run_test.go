package main

// End-to-end tests of rosterload run (issue 3): the command line, in this process, against the
// API emulator served over real HTTP, on rosters made by internal/rostergen. They use t.Setenv for
// the credentials, so none of them is parallel.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/emulator"
	"github.com/rosterload/rosterload/sink/journal"
)

// testAPI is the emulator behind an httptest server, with a clock the test can move and counts
// of the calls it received, taken before the emulator sees them.
type testAPI struct {
	*emulator.Server
	URL string

	hooks      apiHooks
	offset     atomic.Int64 // added to the emulator's clock (token expiry, createdAt)
	apiCalls   atomic.Int64 // /v1/ requests
	tokenCalls atomic.Int64 // token requests

	mu     sync.Mutex
	issued []string // access tokens the token endpoint handed out
}

// apiHooks change what the client sees of the emulator.
type apiHooks struct {
	// before, if set, runs ahead of the n-th /v1/ request (1-based).
	before func(a *testAPI, n int64)
	// answerDelay holds each /v1/ answer this long after the emulator gave it: the record is
	// committed and the client not yet told, as with a slow network. No faults that drop the
	// connection may be set with it.
	answerDelay time.Duration
}

// newAPI serves an emulator for cfg until the test ends.
func newAPI(t *testing.T, cfg emulator.Config, hooks apiHooks) *testAPI {
	t.Helper()
	a := &testAPI{hooks: hooks}
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(a.offset.Load())) }
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.Server = srv
	hs := httptest.NewServer(a)
	t.Cleanup(hs.Close)
	a.URL = hs.URL
	return a
}

func (a *testAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/oauth2/token":
		a.tokenCalls.Add(1)
		tw := &teeWriter{ResponseWriter: w}
		a.Server.ServeHTTP(tw, r)
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(tw.buf.Bytes(), &tr) == nil && tr.AccessToken != "" {
			a.mu.Lock()
			a.issued = append(a.issued, tr.AccessToken)
			a.mu.Unlock()
		}
		return
	case strings.HasPrefix(r.URL.Path, "/v1/"):
		n := a.apiCalls.Add(1)
		if a.hooks.before != nil {
			a.hooks.before(a, n)
		}
		if d := a.hooks.answerDelay; d > 0 {
			rec := httptest.NewRecorder()
			a.Server.ServeHTTP(rec, r)
			time.Sleep(d)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
	}
	a.Server.ServeHTTP(w, r)
}

// jump moves the emulator's clock forward by d: every token it issued before with a lifetime
// shorter than d has expired.
func (a *testAPI) jump(d time.Duration) { a.offset.Add(int64(d)) }

func (a *testAPI) issuedTokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

// teeWriter keeps a copy of the body written through it.
type teeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// genRoster is a generated roster on disk together with the rows the generator made.
type genRoster struct {
	path string
	rows []rostergen.Row
}

func newRoster(t *testing.T, dir string, o rostergen.Options) genRoster {
	t.Helper()
	r := genRoster{path: filepath.Join(dir, "roster.csv")}
	if err := rostergen.WriteFile(r.path, o); err != nil {
		t.Fatal(err)
	}
	if err := rostergen.Generate(o, func(row rostergen.Row) error {
		r.rows = append(r.rows, row)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

// Expected classes of a data row, from what the generator did to it.
const (
	wantInvalid   = "INVALID"
	wantDuplicate = "DUPLICATE"
	wantSubmitted = "submitted" // valid first occurrence: goes to the API
)

// expected returns each data row's class: a spoiled row is INVALID and claims nothing; a valid
// row is the first occurrence of its externalId unless a valid row before it had the same id.
func (r genRoster) expected() []string {
	claimed := map[string]bool{}
	out := make([]string, len(r.rows))
	for i, row := range r.rows {
		id := row.Cells[rostergen.ColExternalID]
		switch {
		case row.Invalid:
			out[i] = wantInvalid
		case claimed[id]:
			out[i] = wantDuplicate
		default:
			claimed[id] = true
			out[i] = wantSubmitted
		}
	}
	return out
}

// validIDs returns the distinct externalIds of the rows that are submitted.
func (r genRoster) validIDs() map[string]bool {
	ids := map[string]bool{}
	for i, c := range r.expected() {
		if c == wantSubmitted {
			ids[r.rows[i].Cells[rostergen.ColExternalID]] = true
		}
	}
	return ids
}

func (r genRoster) invalidCount() int {
	n := 0
	for _, row := range r.rows {
		if row.Invalid {
			n++
		}
	}
	return n
}

// runFiles are the outputs of one run.
type runFiles struct{ state, report, summary string }

func newRunFiles(dir, name string) runFiles {
	return runFiles{
		state:   filepath.Join(dir, name+".state.jsonl"),
		report:  filepath.Join(dir, name+".report.jsonl"),
		summary: filepath.Join(dir, name+".summary.json"),
	}
}

// runArgs is the run command line of these tests; extra flags come after the common ones and
// so override them.
func runArgs(apiURL string, f runFiles, source string, extra ...string) []string {
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	args := []string{"run", "--api-url", apiURL, "--state", f.state, "--report", f.report, "--summary", f.summary,
		"--mapping", mapping, "--log-level", "warn"}
	return append(append(args, extra...), source)
}

// oauthEnv is the sandbox's client credentials; tokenEnv a static token alone.
func oauthEnv() map[string]string {
	return map[string]string{
		"ROSTERLOAD_CLIENT_ID":     emulator.DefaultClientID,
		"ROSTERLOAD_CLIENT_SECRET": emulator.DefaultClientSecret,
		"ROSTERLOAD_TOKEN":         "",
	}
}

func tokenEnv(tok string) map[string]string {
	return map[string]string{"ROSTERLOAD_CLIENT_ID": "", "ROSTERLOAD_CLIENT_SECRET": "", "ROSTERLOAD_TOKEN": tok}
}

// runLine is a JSONL report line with the submission's columns.
type runLine struct {
	reportLine
	CustomerID         string `json:"customerId"`
	ProfileID          string `json:"profileId"`
	FinancialAccountID string `json:"financialAccountId"`
	HTTPStatus         int    `json:"httpStatus"`
	Attempts           int    `json:"attempts"`
}

func readRunReport(t *testing.T, path string) []runLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []runLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l runLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	return out
}

// runSummary is the --summary JSON as these tests read it.
type runSummary struct {
	RowsRead    int            `json:"rowsRead"`
	Statuses    map[string]int `json:"statuses"`
	Requests    int            `json:"requests"`
	Retries     int            `json:"retries"`
	HTTPStatus  map[int]int    `json:"httpStatusCounts"`
	ExitCode    int            `json:"exitCode"`
	Interrupted bool           `json:"interrupted"`
	Unreachable bool           `json:"apiUnreachable"`
}

func readSummary(t *testing.T, path string) runSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s runSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// checkLines asserts one report line per data row, in source order, each with its row's
// externalId and the status its class allows: INVALID, DUPLICATE, or for a submitted row one of
// submitted; a CREATED row carries the ids the API gave. It returns the count of each status.
func checkLines(t *testing.T, lines []runLine, r genRoster, submitted ...string) map[string]int {
	t.Helper()
	if len(lines) != len(r.rows) {
		t.Fatalf("%d report lines for %d data rows", len(lines), len(r.rows))
	}
	counts := map[string]int{}
	want := r.expected()
	bad := 0
	for i, l := range lines {
		counts[l.Status]++
		id := r.rows[i].Cells[rostergen.ColExternalID]
		if l.Row != i+2 || l.ExternalID != id {
			t.Fatalf("line %d is row %d %q, want row %d %q (source order)", i+1, l.Row, l.ExternalID, i+2, id)
		}
		ok := l.Status == want[i]
		if want[i] == wantSubmitted {
			ok = false
			for _, s := range submitted {
				ok = ok || l.Status == s
			}
		}
		if !ok && bad < 10 {
			bad++
			t.Errorf("row %d (%s): %s, want %s%v; errors %+v", l.Row, id, l.Status, want[i], submitted, l.Errors)
		}
		if l.Status == "CREATED" && (l.ProfileID == "" || l.CustomerID == "" || l.FinancialAccountID == "") && bad < 10 {
			bad++
			t.Errorf("row %d CREATED without its ids: profile %q, customer %q, account %q", l.Row, l.ProfileID, l.CustomerID, l.FinancialAccountID)
		}
	}
	return counts
}

// checkHeldOnce asserts the emulator holds each of ids exactly once, and nothing else.
func checkHeldOnce(t *testing.T, a *testAPI, ids map[string]bool) {
	t.Helper()
	bad := 0
	for id := range ids {
		if n := a.ExternalIDCount(id); n != 1 && bad < 10 {
			bad++
			t.Errorf("the emulator holds %s %d times, want once", id, n)
		}
	}
	if st := a.Stats(); st.Profiles != len(ids) || st.Customers != len(ids) {
		t.Errorf("the emulator holds %d profiles and %d customers, want %d (one per valid externalId)", st.Profiles, st.Customers, len(ids))
	}
}

// idsWith returns the distinct externalIds of the lines with one of the statuses.
func idsWith(lines []runLine, statuses ...string) map[string]bool {
	ids := map[string]bool{}
	for _, l := range lines {
		for _, s := range statuses {
			if l.Status == s {
				ids[l.ExternalID] = true
			}
		}
	}
	return ids
}

// TestRunFaultyAPI is issue 3's acceptance: 3,000 rows against an API that fails, throttles,
// drops connections and loses answers; every valid row is created exactly once. Then the same
// command again sends nothing and skips every valid row.
func TestRunFaultyAPI(t *testing.T) {
	api := newAPI(t, emulator.Config{
		Latency: 2 * time.Millisecond, FailRate: 0.05, ThrottleRate: 0.03, DropRate: 0.01, LostResponseRate: 0.02,
		Idempotency: true, Seed: 42,
	}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 3000, Invalid: 0.08, Duplicate: 0.03, Seed: 11})
	valid := r.validIDs()
	f := newRunFiles(dir, "faulty")
	// Ten attempts rather than six: at an 11% fault rate six faults in a row for one of 3,000
	// records is rare but possible, and would make a FAILED row of a correct run.
	args := runArgs(api.URL, f, r.path, "--concurrency", "16", "--rate", "500", "--max-attempts", "10")

	var first []runLine
	ok := t.Run("first run", func(t *testing.T) {
		res := runCLI(t, oauthEnv(), args...)
		if res.code != exitRows {
			t.Fatalf("exit %d, want 1 (INVALID and DUPLICATE rows); stderr:\n%s", res.code, res.stderr)
		}
		first = readRunReport(t, f.report)
		counts := checkLines(t, first, r, "CREATED", "EXISTS")
		if counts["INVALID"] == 0 || counts["DUPLICATE"] == 0 {
			t.Errorf("statuses %v: the roster should have INVALID and DUPLICATE rows", counts)
		}
		done := idsWith(first, "CREATED", "EXISTS")
		if len(done) != len(valid) || api.Stats().Profiles != len(done) {
			t.Errorf("%d profiles, %d distinct CREATED/EXISTS externalIds, %d distinct valid externalIds: want all equal",
				api.Stats().Profiles, len(done), len(valid))
		}
		checkHeldOnce(t, api, valid)

		sum := readSummary(t, f.summary)
		if sum.RowsRead != len(r.rows) || sum.ExitCode != exitRows {
			t.Errorf("summary: %d rows read, exit code %d; want %d, 1", sum.RowsRead, sum.ExitCode, len(r.rows))
		}
		if sum.Retries == 0 || sum.HTTPStatus[201] == 0 || sum.HTTPStatus[429] == 0 || sum.HTTPStatus[500] == 0 {
			t.Errorf("summary: %d retries, HTTP status counts %v; want retries and 201, 429, 500 counted", sum.Retries, sum.HTTPStatus)
		}
		// Every request the client counted reached the emulator and the other way round: no
		// request was re-sent behind the client's back (net/http replays some on its own).
		if got := api.Stats().Requests; sum.Requests != got {
			t.Errorf("summary counts %d requests, the emulator received %d", sum.Requests, got)
		}
		if !strings.Contains(res.stderr, "retries") {
			t.Errorf("the summary on stderr has no request line:\n%s", res.stderr)
		}
	})
	if !ok {
		return
	}

	t.Run("same command again", func(t *testing.T) {
		before := api.Stats()
		res := runCLI(t, oauthEnv(), args...)
		if res.code != exitRows {
			t.Fatalf("exit %d, want 1 (INVALID and DUPLICATE rows remain); stderr:\n%s", res.code, res.stderr)
		}
		lines := readRunReport(t, f.report)
		checkLines(t, lines, r, "SKIPPED")
		for i, l := range lines {
			if l.Status == "SKIPPED" && (l.ProfileID != first[i].ProfileID || l.CustomerID != first[i].CustomerID) {
				t.Errorf("row %d SKIPPED with ids %q/%q, the first run recorded %q/%q", l.Row, l.ProfileID, l.CustomerID, first[i].ProfileID, first[i].CustomerID)
			}
		}
		if after := api.Stats(); after.Requests != before.Requests || after.Profiles != before.Profiles {
			t.Errorf("the emulator went from %+v to %+v: the re-run sent requests", before, after)
		}
		if sum := readSummary(t, f.summary); sum.Requests != 0 {
			t.Errorf("the re-run's summary counts %d requests, want 0", sum.Requests)
		}
	})
}

// TestRunTokenExpiry: OAuth tokens that expire during the run are replaced before they lapse,
// or after a 401; a static token cannot be: the first row refused is FAILED with the 401 and the
// run stops (exit 3), the rest NOT_SUBMITTED, rather than sending every later row to its 401.
func TestRunTokenExpiry(t *testing.T) {
	t.Run("short-lived tokens are renewed", func(t *testing.T) {
		api := newAPI(t, emulator.Config{Latency: 5 * time.Millisecond, TokenTTL: time.Second, Idempotency: true}, apiHooks{})
		dir := t.TempDir()
		r := newRoster(t, dir, rostergen.Options{Rows: 200, Seed: 3})
		f := newRunFiles(dir, "ttl")
		// 200 requests at 60/s: over three seconds, several one-second tokens.
		res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--concurrency", "4", "--rate", "60")...)
		if res.code != exitOK {
			t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
		}
		counts := checkLines(t, readRunReport(t, f.report), r, "CREATED")
		if counts["CREATED"] != len(r.rows) {
			t.Errorf("statuses %v, want every row CREATED", counts)
		}
		if n := api.tokenCalls.Load(); n < 3 {
			t.Errorf("%d token requests: the run should have outlasted several one-second tokens", n)
		}
		checkHeldOnce(t, api, r.validIDs())
	})

	t.Run("a 401 renews the token once", func(t *testing.T) {
		// At the 40th request the emulator's clock leaps an hour: the client's cached token is
		// still fresh by its own clock but expired by the API's, which answers 401.
		api := newAPI(t, emulator.Config{Idempotency: true}, apiHooks{before: func(a *testAPI, n int64) {
			if n == 40 {
				a.jump(time.Hour)
			}
		}})
		dir := t.TempDir()
		r := newRoster(t, dir, rostergen.Options{Rows: 120, Seed: 4})
		f := newRunFiles(dir, "401")
		res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--concurrency", "4", "--rate", "0")...)
		if res.code != exitOK {
			t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
		}
		lines := readRunReport(t, f.report)
		counts := checkLines(t, lines, r, "CREATED")
		if counts["CREATED"] != len(r.rows) {
			t.Errorf("statuses %v, want every row CREATED", counts)
		}
		sum := readSummary(t, f.summary)
		if sum.HTTPStatus[401] == 0 {
			t.Errorf("HTTP status counts %v: no 401 after the API's clock leapt", sum.HTTPStatus)
		}
		if n := api.tokenCalls.Load(); n < 2 {
			t.Errorf("%d token requests, want a new one after the 401", n)
		}
		retried := 0
		for _, l := range lines {
			if l.Attempts == 2 {
				retried++
			}
		}
		if retried == 0 {
			t.Error("no row took two attempts (401, then the renewed token)")
		}
		checkHeldOnce(t, api, r.validIDs())
	})

	t.Run("a static token expires mid-run", func(t *testing.T) {
		const sent = 25 // requests answered before the token expires
		api := newAPI(t, emulator.Config{Idempotency: true}, apiHooks{before: func(a *testAPI, n int64) {
			if n == sent+1 {
				a.jump(time.Hour) // past the token's 15 minutes
			}
		}})
		dir := t.TempDir()
		r := newRoster(t, dir, rostergen.Options{Rows: 60, Seed: 5})
		f := newRunFiles(dir, "static")
		tok := api.IssueToken()
		// One at a time, so that the rows before the expiry are exactly the first ones.
		res := runCLI(t, tokenEnv(tok), runArgs(api.URL, f, r.path, "--concurrency", "1", "--rate", "0")...)
		if res.code != exitUnfinish {
			t.Fatalf("exit %d, want 3 (the run could not finish); stderr:\n%s", res.code, res.stderr)
		}
		if !strings.Contains(res.stderr, "401") {
			t.Errorf("stderr does not say the credentials were refused:\n%s", res.stderr)
		}
		lines := readRunReport(t, f.report)
		checkLines(t, lines, r, "CREATED", "FAILED", "NOT_SUBMITTED")
		for i, l := range lines {
			switch {
			case i < sent:
				if l.Status != "CREATED" {
					t.Errorf("row %d: %s, want CREATED (sent before the token expired)", l.Row, l.Status)
				}
			case i == sent:
				// client: a static token cannot be renewed, so a 401 is final after one attempt.
				if l.Status != "FAILED" || l.HTTPStatus != 401 || l.Attempts != 1 || len(l.find("api_error", "request")) == 0 ||
					!strings.Contains(l.find("api_error", "request")[0].Message, "401") {
					t.Errorf("row %d: %s, HTTP %d, %d attempts, errors %+v; want FAILED after one 401 with a message saying so",
						l.Row, l.Status, l.HTTPStatus, l.Attempts, l.Errors)
				}
			default:
				if l.Status != "NOT_SUBMITTED" || l.Attempts != 0 {
					t.Errorf("row %d: %s after %d attempts, want NOT_SUBMITTED (the run stopped at the 401)", l.Row, l.Status, l.Attempts)
				}
			}
		}
		if st := api.Stats(); st.Profiles != sent {
			t.Errorf("%d profiles, want %d", st.Profiles, sent)
		}
		if n := api.tokenCalls.Load(); n != 0 {
			t.Errorf("%d token requests with a static token, want none", n)
		}
	})
}

// TestRunEachFault injects one kind of fault at a time, at a high rate: every valid row still
// ends CREATED or EXISTS, held once, and the summary shows the retries.
func TestRunEachFault(t *testing.T) {
	tests := []struct {
		name string
		cfg  emulator.Config
		// exists: answers lost after a commit, with no idempotency to replay them, make the
		// retry a 409; anywhere else an EXISTS would mean a record created twice over.
		exists bool
	}{
		{"fail", emulator.Config{FailRate: 0.3, Idempotency: true}, false},
		{"throttle", emulator.Config{ThrottleRate: 0.3, Idempotency: true}, false},
		{"drop", emulator.Config{DropRate: 0.3, Idempotency: true}, false},
		{"lost response, idempotency on", emulator.Config{LostResponseRate: 0.3, Idempotency: true}, false},
		{"lost response, idempotency off", emulator.Config{LostResponseRate: 0.3, Idempotency: false}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Seed = uint64(100 + i)
			api := newAPI(t, tt.cfg, apiHooks{})
			dir := t.TempDir()
			r := newRoster(t, dir, rostergen.Options{Rows: 40, Seed: uint64(20 + i)})
			f := newRunFiles(dir, "fault")
			// Twelve attempts: at a 30% fault rate, six faults in a row would hit one of these
			// 200 records now and then, and fail a correct run.
			res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--concurrency", "8", "--rate", "0", "--max-attempts", "12")...)
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
			}
			lines := readRunReport(t, f.report)
			counts := checkLines(t, lines, r, "CREATED", "EXISTS")
			checkHeldOnce(t, api, r.validIDs())
			if sum := readSummary(t, f.summary); sum.Retries == 0 {
				t.Errorf("summary: no retries (HTTP status counts %v)", sum.HTTPStatus)
			}
			if got := counts["EXISTS"] > 0; got != tt.exists {
				t.Errorf("%d rows EXISTS; want some: %v", counts["EXISTS"], tt.exists)
			}
			for _, l := range lines {
				if l.Status != "EXISTS" {
					continue
				}
				if ws := l.find("exists", "externalId"); len(ws) == 0 || ws[0].Message != client.NoteExistsAfterUnknown {
					t.Errorf("row %d EXISTS without the note that an earlier attempt most likely created it: %+v", l.Row, l.Warnings)
				}
			}
		})
	}
}

// TestRunTornJournal: a state file whose last line a crash cut short is repaired with a warning;
// the rows its whole lines hold as done are SKIPPED and the rest are sent.
func TestRunTornJournal(t *testing.T) {
	api := newAPI(t, emulator.Config{Idempotency: true}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 20, Seed: 6})
	f := newRunFiles(dir, "torn")
	var buf bytes.Buffer
	const done = 5
	for i := range done {
		e := journal.Entry{ExternalID: r.rows[i].Cells[rostergen.ColExternalID], Kind: "ewa", Status: journal.StatusCreated,
			Row: i + 2, CustomerID: fmt.Sprintf("cust-%d", i), ProfileID: fmt.Sprintf("prof-%d", i),
			FinancialAccountID: fmt.Sprintf("fa-%d", i), At: time.Now().UTC()}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(b, '\n'))
	}
	fmt.Fprintf(&buf, `{"externalId":%q,"kind":"ewa","status":"CRE`, r.rows[done].Cells[rostergen.ColExternalID])
	if err := os.WriteFile(f.state, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--rate", "0")...)
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "cut short") {
		t.Errorf("no warning about the torn line on stderr:\n%s", res.stderr)
	}
	lines := readRunReport(t, f.report)
	checkLines(t, lines, r, "SKIPPED", "CREATED")
	for i, l := range lines {
		want := "CREATED"
		if i < done {
			want = "SKIPPED"
			if l.Status == want && l.ProfileID != fmt.Sprintf("prof-%d", i) {
				t.Errorf("row %d SKIPPED with profile id %q, want the journal's", l.Row, l.ProfileID)
			}
		}
		if l.Status != want {
			t.Errorf("row %d: %s, want %s", l.Row, l.Status, want)
		}
	}
	if st := api.Stats(); st.Profiles != len(r.rows)-done || st.Requests != len(r.rows)-done {
		t.Errorf("emulator %+v: want %d profiles from as many requests", st, len(r.rows)-done)
	}

	b, err := os.ReadFile(f.state)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		t.Error("the journal does not end with a newline")
	}
	created := map[string]bool{}
	for n, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		var e journal.Entry
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("journal line %d is not JSON (%v): %s", n+1, err, line)
		}
		if e.Status == journal.StatusCreated {
			created[e.ExternalID] = true
		}
	}
	if len(created) != len(r.rows) {
		t.Errorf("the journal holds %d CREATED externalIds, want %d", len(created), len(r.rows))
	}
	j, err := journal.Open(f.state)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if w := j.Warnings(); len(w) != 0 {
		t.Errorf("the repaired journal still has warnings: %v", w)
	}
}

// TestRunNoPersonalDataInOutputs runs with debug JSON logs, faults (so that retries are logged),
// invalid rows (so that validation messages are written) and a re-run answered 409, then looks
// for every card number, SSN and card expiry of the roster, the tokens and the client secret in
// everything the runs wrote.
func TestRunNoPersonalDataInOutputs(t *testing.T) {
	api := newAPI(t, emulator.Config{FailRate: 0.1, LostResponseRate: 0.2, DropRate: 0.05, Seed: 8}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 100, Invalid: 0.3, Duplicate: 0.05, Seed: 9})
	debug := []string{"--log-level", "debug", "--log-format", "json", "--concurrency", "4", "--rate", "0", "--max-attempts", "12"}

	// OAuth, CSV report; then a static token, JSONL report and a fresh journal: every row 409.
	csvRun := newRunFiles(dir, "oauth")
	csvRun.report = filepath.Join(dir, "oauth.report.csv")
	res1 := runCLI(t, oauthEnv(), runArgs(api.URL, csvRun, r.path, debug...)...)
	if res1.code != exitRows {
		t.Fatalf("first run: exit %d, want 1; stderr:\n%s", res1.code, res1.stderr)
	}
	static := api.IssueToken()
	jsonlRun := newRunFiles(dir, "static")
	res2 := runCLI(t, tokenEnv(static), runArgs(api.URL, jsonlRun, r.path, debug...)...)
	if res2.code != exitRows {
		t.Fatalf("second run: exit %d, want 1; stderr:\n%s", res2.code, res2.stderr)
	}
	if c := checkLines(t, readRunReport(t, jsonlRun.report), r, "EXISTS"); c["EXISTS"] == 0 {
		t.Fatalf("second run: statuses %v, want EXISTS rows", c)
	}

	// A third run with an XLSX report, the roster itself: every row EXISTS, the cards masked.
	xlsxRun := newRunFiles(dir, "xlsx")
	xlsxRun.report = filepath.Join(dir, "xlsx.report.xlsx")
	res3 := runCLI(t, tokenEnv(static), runArgs(api.URL, xlsxRun, r.path, debug...)...)
	if res3.code != exitRows {
		t.Fatalf("third run: exit %d, want 1; stderr:\n%s", res3.code, res3.stderr)
	}

	outputs := map[string]string{"first run stderr": res1.stderr, "second run stderr": res2.stderr,
		"third run stderr": res3.stderr, "xlsx report": zipText(t, xlsxRun.report)}
	if !strings.Contains(outputs["xlsx report"], "EXISTS") {
		t.Fatal("the XLSX report has no EXISTS row: the scan would prove little")
	}
	for _, p := range []string{csvRun.report, csvRun.summary, csvRun.state, jsonlRun.report, jsonlRun.summary, jsonlRun.state, xlsxRun.summary, xlsxRun.state} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(p)] = string(b)
	}
	if !strings.Contains(outputs["first run stderr"], `"level":"DEBUG"`) {
		t.Fatal("no debug log line on stderr: the scan would prove little")
	}

	type secret struct{ what, value string }
	var secrets []secret
	for _, row := range r.rows {
		id := row.Cells[rostergen.ColExternalID]
		ssn, card := row.Cells[rostergen.ColSSN], row.Cells[rostergen.ColCardNumber]
		secrets = append(secrets,
			secret{id + " SSN", ssn}, secret{id + " SSN digits", digitsOf(ssn)},
			secret{id + " card", card}, secret{id + " card digits", digitsOf(card)},
			secret{id + " card expiry", row.Cells[rostergen.ColCardExpiry]})
	}
	secrets = append(secrets, secret{"static token", static}, secret{"client secret", emulator.DefaultClientSecret})
	issued := api.issuedTokens()
	if len(issued) == 0 {
		t.Fatal("the test saw no OAuth token being issued")
	}
	for _, tok := range issued {
		secrets = append(secrets, secret{"OAuth access token", tok})
	}
	found := 0
	for name, text := range outputs {
		for _, s := range secrets {
			if containsBounded(text, s.value) && found < 20 {
				found++
				t.Errorf("%s holds the %s", name, s.what)
			}
		}
	}
}

// digitsOf keeps the digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// containsBounded reports whether text holds needle with no letter or digit right after it, and
// none right before it when needle starts with a digit: a 9-digit SSN inside a longer number, or
// an expiry like 2029-06 inside a UUID (…-2029-06ab-…), is not a leak.
func containsBounded(text, needle string) bool {
	alnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for from := 0; ; {
		i := strings.Index(text[from:], needle)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(needle)
		before := i > 0 && (alnum(text[i-1]) || text[i-1] == '-') && needle[0] >= '0' && needle[0] <= '9'
		after := end < len(text) && alnum(text[end])
		if !before && !after {
			return true
		}
		from = i + 1
	}
}

// TestRunMaxInvalid: over the invalid-row budget nothing is sent; within it the run submits.
func TestRunMaxInvalid(t *testing.T) {
	api := newAPI(t, emulator.Config{Idempotency: true}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 60, Invalid: 0.3, Seed: 10})
	nInvalid := r.invalidCount()
	if nInvalid < 2 || nInvalid*2 > len(r.rows) {
		t.Fatalf("%d invalid rows of %d: the test needs more than one and at most half", nInvalid, len(r.rows))
	}

	t.Run("over the budget", func(t *testing.T) {
		f := newRunFiles(dir, "over")
		res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--max-invalid", "1")...)
		if res.code != exitHeld {
			t.Fatalf("exit %d, want 4 (held); stderr:\n%s", res.code, res.stderr)
		}
		want := fmt.Sprintf("%d of %d rows are invalid", nInvalid, len(r.rows))
		if !strings.Contains(res.stderr, want) || !strings.Contains(res.stderr, "nothing was sent") {
			t.Errorf("stderr does not say %q and that nothing was sent:\n%s", want, res.stderr)
		}
		// The report says what would have been: every row, the valid ones NOT_SUBMITTED.
		lines := readRunReport(t, f.report)
		if len(lines) != len(r.rows) {
			t.Fatalf("the report has %d lines, want %d", len(lines), len(r.rows))
		}
		for i, l := range lines {
			want := "NOT_SUBMITTED"
			if r.rows[i].Invalid {
				want = "INVALID"
			}
			if l.Status != want {
				t.Errorf("row %d: %s, want %s", l.Row, l.Status, want)
			}
		}
		if st := api.Stats(); st.Requests != 0 {
			t.Errorf("the emulator received %d requests, want none", st.Requests)
		}
		if n := api.tokenCalls.Load(); n != 0 {
			t.Errorf("%d token requests, want none", n)
		}
	})

	t.Run("within the budget", func(t *testing.T) {
		f := newRunFiles(dir, "within")
		res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--max-invalid", "50%", "--rate", "0")...)
		if res.code != exitRows {
			t.Fatalf("exit %d, want 1 (INVALID rows); stderr:\n%s", res.code, res.stderr)
		}
		checkLines(t, readRunReport(t, f.report), r, "CREATED")
		checkHeldOnce(t, api, r.validIDs())
	})
}

// TestContainsBounded: the leak scan's matcher finds a value wherever it stands on its own and
// ignores it only inside a longer number or a UUID.
func TestContainsBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, needle string
		want               bool
	}{
		{"SSN in a message", `ssn "123-45-6789" is bad`, "123-45-6789", true},
		{"digits at the end", "ssn=123456789", "123456789", true},
		{"digits in JSON", `{"v":"4111111111111111"}`, "4111111111111111", true},
		{"expiry in text", "expiry 2029-06, card", "2029-06", true},
		{"expiry as a date prefix", "2029-06-01", "2029-06", true},
		{"token", "Bearer ABCDEF", "ABCDEF", true},
		{"digits inside a longer number", "took 91234567890ns", "123456789", false},
		{"expiry inside a UUID", "4f1c9a2e-2029-06ab-8c1d-0123456789ab", "2029-06", false},
		{"absent", "nothing here", "123456789", false},
		{"second occurrence stands alone", "x1234567890 and 123456789.", "123456789", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := containsBounded(tt.text, tt.needle); got != tt.want {
				t.Errorf("containsBounded(%q, %q) = %v, want %v", tt.text, tt.needle, got, tt.want)
			}
		})
	}
}

// TestRunAPIUnreachable: an API nobody answers at is a run that could not finish (exit 3), not a
// verdict on the rows. A long roster stops after a few rounds of failures instead of spending
// every row's retries; a short one fails its rows; either way every row is in the report.
func TestRunAPIUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: every connection is refused
	dir := t.TempDir()
	// Whatever the roster's size, the first records without any answer stop the run.
	tests := []struct {
		name string
		rows int
	}{
		{name: "three rows", rows: 3},
		{name: "short roster", rows: 5},
		{name: "long roster stops", rows: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.Mkdir(sub, 0o700); err != nil {
				t.Fatal(err)
			}
			r := newRoster(t, sub, rostergen.Options{Rows: tt.rows, Seed: 3})
			f := newRunFiles(sub, "run")
			res := runCLI(t, tokenEnv("static-token"), runArgs(deadURL, f, r.path, "--concurrency", "4", "--rate", "0", "--max-attempts", "2")...)
			if res.code != exitUnfinish {
				t.Fatalf("exit %d, want 3; stderr:\n%s", res.code, res.stderr)
			}
			lines := readRunReport(t, f.report)
			if len(lines) != tt.rows {
				t.Fatalf("%d report lines for %d rows", len(lines), tt.rows)
			}
			sum := readSummary(t, f.summary)
			if !sum.Unreachable || sum.ExitCode != exitUnfinish {
				t.Errorf("summary apiUnreachable %v exitCode %d, want true and 3", sum.Unreachable, sum.ExitCode)
			}
			failed, notSent := sum.Statuses["FAILED"], sum.Statuses["NOT_SUBMITTED"]
			if failed == 0 {
				t.Errorf("statuses %v: want FAILED rows that say why", sum.Statuses)
			}
			if failed > 4 || failed+notSent != tt.rows || !strings.Contains(res.stderr, "could not be reached") {
				t.Errorf("statuses %v, stderr %q: want the run stopped at the first records (at most --concurrency FAILED), the rest NOT_SUBMITTED", sum.Statuses, res.stderr)
			}
		})
	}
}
