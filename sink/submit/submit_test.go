package submit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/emulator"
	"github.com/rosterload/rosterload/sink/journal"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// newEmulator serves the API emulator over real HTTP.
func newEmulator(t *testing.T) (*emulator.Server, *httptest.Server) {
	t.Helper()
	srv, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts
}

// newClient is a client of the API at baseURL with the emulator's default client credentials
// and millisecond backoffs; mods change its config.
func newClient(t *testing.T, baseURL string, mods ...func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{
		BaseURL: baseURL, ClientID: emulator.DefaultClientID, ClientSecret: redact.NewSecret(emulator.DefaultClientSecret),
		Concurrency: 8, MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, AttemptTimeout: 5 * time.Second,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func staticToken(tok string) func(*client.Config) {
	return func(c *client.Config) {
		c.ClientID, c.ClientSecret, c.Token = "", redact.Secret{}, redact.NewSecret(tok)
	}
}

func openJournal(t *testing.T, path string) *journal.Journal {
	t.Helper()
	j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// Records as the mapper makes them, valid by the emulator's rules.
func ewaRec(row int, ext string) *ingest.Record {
	return &ingest.Record{Row: row, Kind: ingest.KindEWA, Body: &api.CustomerProfileRequest{
		ExternalID: ext, EligibilityStatus: "NEW", ProgramID: "prog-123",
		CustomerData: &api.IndividualCustomer{Type: api.TypeIndividual, FirstName: "Sarah", LastName: "Green",
			PrimaryPhoneNumber: &api.Phone{Number: "+16502530000", Type: "MOBILE"}, PrimaryEmail: &api.Email{Value: "sgreen@example.com"},
			SocialID: "123-45-6789", SocialIDCountryCode: "USA"},
		FinancialAccountData: &api.FinancialAccountData{Name: "Payroll card", Subtype: "DEBIT", Currency: "USD",
			Card: &api.Card{FirstName: "Sarah", LastName: "Green", CardNumber: "4242424242424242", Expiry: "2030-12",
				BillingAddress: &api.BillingAddress{AddressLine1: "625 Queen St", City: "New York", StateCode: "NY", CountryCode: "USA", PostalCode: "10001"}}},
	}}
}

func individualRec(row int, ext string) *ingest.Record {
	return &ingest.Record{Row: row, Kind: ingest.KindIndividual, Body: &api.IndividualCustomer{
		ExternalID: ext, Type: api.TypeIndividual, FirstName: "Sarah", LastName: "Green",
		PrimaryPhoneNumber: &api.Phone{Number: "+16502530000", Type: "MOBILE"},
		PrimaryEmail:       &api.Email{Value: "sgreen@example.com"}, DateOfBirth: "1991-06-21",
	}}
}

func businessRec(row int, ext string) *ingest.Record {
	return &ingest.Record{Row: row, Kind: ingest.KindBusiness, Body: &api.BusinessCustomer{
		ExternalID: ext, Type: api.TypeBusiness, BusinessName: "Acme Widgets", LegalEntityType: "LLC",
		TaxID: "12-3456789", TaxIDCountryCode: "USA",
		Contacts: []api.Contact{{FirstName: "Jack", LastName: "Smith", Primary: api.Bool(true),
			PrimaryPhoneNumber: &api.Phone{Number: "+16502530000", Type: "WORK"},
			PrimaryEmail:       &api.Email{Value: "jack@example.com"}}},
	}}
}

// roster is n records of the three kinds in turn.
func roster(n int, prefix string) []*ingest.Record {
	recs := make([]*ingest.Record, n)
	for i := range recs {
		ext := fmt.Sprintf("%s-%03d", prefix, i)
		switch i % 3 {
		case 0:
			recs[i] = ewaRec(i+2, ext)
		case 1:
			recs[i] = individualRec(i+2, ext)
		default:
			recs[i] = businessRec(i+2, ext)
		}
	}
	return recs
}

// result is one record's outcome, with its externalId for the journal's look-ups.
type result struct {
	ExternalID string
	outcome.Outcome
}

// submitAll drives Submit as the pipeline does: conc calls at once; the first error cancels the
// context, after which no new call starts and the rest are NOT_SUBMITTED.
func submitAll(s *Sink, recs []*ingest.Record, conc int) ([]result, error) {
	res := make([]result, len(recs))
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(conc)
	for i, rec := range recs {
		res[i].ExternalID = rec.ExternalID()
		if ctx.Err() != nil {
			res[i].Status = outcome.NotSubmitted
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				res[i].Status = outcome.NotSubmitted
				return nil
			}
			var err error
			res[i].Outcome, err = s.Submit(ctx, rec)
			return err
		})
	}
	return res, g.Wait()
}

func statuses(rs []result) map[outcome.Status]int {
	m := map[outcome.Status]int{}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

func lineText(l result) string {
	var b strings.Builder
	for _, p := range append(append([]any(nil), toAny(l.Errors)...), toAny(l.Warnings)...) {
		fmt.Fprintf(&b, "%+v | ", p)
	}
	return b.String()
}

func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Against the emulator: created rows are journaled with their ids and skipped the next time;
// a refused row is FAILED, journaled so, and not done; an existing externalId is EXISTS.
func TestSubmitJournal(t *testing.T) {
	t.Parallel()
	emu, ts := newEmulator(t)
	path := filepath.Join(t.TempDir(), "state.jsonl")
	jr := openJournal(t, path)
	s := &Sink{Client: newClient(t, ts.URL), Journal: jr, MaxUnreachable: 10}

	bad := individualRec(5, "J-bad")
	bad.Body.(*api.IndividualCustomer).LastName = ""
	recs := append(roster(3, "J"), bad)
	lines, err := submitAll(s, recs, 4)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	for i, l := range lines[:3] {
		if l.Status != outcome.Created || !uuidRE.MatchString(l.CustomerID) || l.HTTPStatus != 201 || l.Attempts != 1 {
			t.Fatalf("line %d: %+v; want CREATED with a customer id", i, l)
		}
		e, ok := jr.Done(l.ExternalID)
		if !ok || e.Status != journal.StatusCreated || e.CustomerID != l.CustomerID || e.ProfileID != l.ProfileID || e.FinancialAccountID != l.FinancialAccountID {
			t.Errorf("journal for %s: %+v, %v; want CREATED with the line's ids", l.ExternalID, e, ok)
		}
	}
	if l := lines[0]; !uuidRE.MatchString(l.ProfileID) || !uuidRE.MatchString(l.FinancialAccountID) {
		t.Errorf("EWA line %+v: want profile and financial account ids", l)
	}
	if l := lines[3]; l.Status != outcome.Failed || l.HTTPStatus != 400 || !strings.Contains(lineText(l), "lastName") {
		t.Errorf("invalid row: %+v; want FAILED with the API's field error", l)
	}
	if _, ok := jr.Done("J-bad"); ok {
		t.Error("a FAILED row is journaled as done")
	}
	if _, ok := jr.Pending("J-bad"); ok {
		t.Error("a FAILED row is left PENDING")
	}

	t.Run("second submit skips", func(t *testing.T) {
		again, err := submitAll(s, recs[:3], 4)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range again {
			if l.Status != outcome.Skipped || l.CustomerID != lines[i].CustomerID || l.Attempts != 0 {
				t.Errorf("line %d: %+v; want SKIPPED with the first run's ids", i, l)
			}
		}
		if st := emu.Stats(); st.Customers != 3 || st.Profiles != 1 {
			t.Errorf("emulator holds %+v: want 3 customers, 1 profile (nobody twice)", st)
		}
	})
	t.Run("the journal on disk holds it", func(t *testing.T) {
		if err := jr.Close(); err != nil {
			t.Fatal(err)
		}
		j2 := openJournal(t, path)
		for _, l := range lines[:3] {
			if _, ok := j2.Done(l.ExternalID); !ok {
				t.Errorf("%s not done after reopening", l.ExternalID)
			}
		}
		if _, ok := j2.Done("J-bad"); ok {
			t.Error("the FAILED row is done after reopening")
		}
	})
	t.Run("an existing externalId is EXISTS", func(t *testing.T) {
		other := &Sink{Client: newClient(t, ts.URL), Journal: openJournal(t, filepath.Join(t.TempDir(), "other.jsonl"))}
		l, err := submitAll(other, recs[:1], 1)
		if err != nil || l[0].Status != outcome.Exists || l[0].HTTPStatus != 409 {
			t.Fatalf("%+v, %v; want EXISTS", l, err)
		}
		if _, ok := other.Journal.Done(recs[0].ExternalID()); !ok {
			t.Error("EXISTS not journaled as done")
		}
	})
}

// fakeAPI answers each /v1/ request with the step for its number (1-based; the last repeats
// past the end), and passes requests the steps leave nil, and the token endpoint, to next.
type fakeAPI struct {
	srv   *httptest.Server
	calls atomic.Int64
}

func newFakeAPI(t *testing.T, next http.Handler, steps ...http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		n := int(f.calls.Add(1))
		if h := steps[min(n, len(steps))-1]; h != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			h(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func answer(status int, ctype, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype == "" {
			w.Header()["Content-Type"] = nil
		} else {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

const loginPage = `<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Corporate SSO</form></body></html>`

// A 2xx that is not the documented answer, before any documented one: the run stops with
// ErrNotTheAPI after at most one round of concurrent requests, and nothing is journaled as done.
func TestSubmitNotTheAPI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		step   http.HandlerFunc
		msgHas string
	}{
		{"login page", answer(200, "text/html", loginPage), "HTML page"},
		{"204", answer(204, "", ""), "HTTP 204 with no body"},
		{"empty object", answer(200, "application/json", "{}"), "an empty JSON object"},
		{"plain OK", answer(200, "text/plain", "OK"), "text/plain"},
		{"JSON error with a 200", answer(200, "application/json", `{"error":"session expired"}`), "without id"},
		{"ids that are not UUIDs", answer(201, "application/json", `{"id":"1","customerId":"2","financialAccountId":"3"}`), "as a UUID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, _ := newEmulator(t)
			f := newFakeAPI(t, emu, tc.step)
			jr := openJournal(t, filepath.Join(t.TempDir(), "state.jsonl"))
			const conc = 4
			s := &Sink{Client: newClient(t, f.srv.URL), Journal: jr, MaxUnreachable: 10}
			lines, err := submitAll(s, roster(30, "N"), conc)
			if !errors.Is(err, ErrNotTheAPI) {
				t.Fatalf("Submit: %v; want ErrNotTheAPI", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, f.srv.URL) || !strings.Contains(msg, tc.msgHas) || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message %q: want one line naming %s and saying %q", msg, f.srv.URL, tc.msgHas)
			}
			if strings.Contains(msg, "Corporate SSO") {
				t.Errorf("message quotes the page: %q", msg)
			}
			st := statuses(lines)
			if st[outcome.Created] != 0 || st[outcome.Failed] == 0 || st[outcome.Failed] > conc || st[outcome.NotSubmitted] < 30-conc {
				t.Errorf("statuses %v: want a few FAILED, none CREATED, the rest NOT_SUBMITTED", st)
			}
			if n := f.calls.Load(); n > conc {
				t.Errorf("%d requests sent to it, want at most %d", n, conc)
			}
			for _, l := range lines {
				if _, ok := jr.Done(l.ExternalID); ok {
					t.Errorf("%s journaled as done", l.ExternalID)
				}
				if l.Status == outcome.Failed && (l.HTTPStatus < 200 || l.HTTPStatus > 299 || l.CustomerID != "" || !strings.Contains(lineText(l), tc.msgHas)) {
					t.Errorf("line %+v", l)
				}
			}
		})
	}
}

// Once the run has had documented answers, a lying 2xx fails its row and the run goes on.
func TestSubmitLieAfterGoodAnswers(t *testing.T) {
	t.Parallel()
	emu, _ := newEmulator(t)
	f := newFakeAPI(t, emu, nil, nil, answer(200, "text/html", loginPage), nil)
	jr := openJournal(t, filepath.Join(t.TempDir(), "state.jsonl"))
	s := &Sink{Client: newClient(t, f.srv.URL), Journal: jr, MaxUnreachable: 10}
	recs := roster(6, "L")
	lines, err := submitAll(s, recs, 1)
	if err != nil {
		t.Fatalf("Submit: %v; want the run to go on", err)
	}
	for i, l := range lines {
		want := outcome.Created
		if i == 2 {
			want = outcome.Failed
		}
		if l.Status != want {
			t.Errorf("line %d: %s, want %s (%s)", i, l.Status, want, lineText(l))
		}
	}
	if _, ok := jr.Done(recs[2].ExternalID()); ok {
		t.Error("the row answered with a login page is journaled as done")
	}
	if !strings.Contains(lineText(lines[2]), "HTML page") {
		t.Errorf("line %+v: want the reason", lines[2])
	}
}

// tokenServer counts its requests.
type tokenServer struct {
	srv   *httptest.Server
	calls atomic.Int64
}

func newTokenServer(t *testing.T, h http.HandlerFunc) *tokenServer {
	t.Helper()
	ts := &tokenServer{}
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	_ = ln.Close()
	return u
}

// Credentials that cannot give a token stop the run at once with the credentials error, after
// at most a handful of token requests for 50 rows at concurrency 8, and nothing reaches the API.
func TestSubmitCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		h        http.HandlerFunc // nil: the emulator's own endpoint, given a wrong secret
		dead     bool             // nothing listens at the token URL
		requests int
		msgHas   string
	}{
		{name: "emulator refuses a wrong secret", requests: 2, msgHas: "invalid_client"},
		{name: "401 invalid_client", h: answer(401, "application/json", `{"error":"invalid_client"}`), requests: 2, msgHas: "HTTP 401 Unauthorized, error invalid_client"},
		{name: "400 invalid_client", h: answer(400, "application/json", `{"error":"invalid_client"}`), requests: 2, msgHas: "HTTP 400 Bad Request, error invalid_client"},
		{name: "200 HTML", h: answer(200, "text/html", loginPage), requests: 1, msgHas: "an HTML page"},
		{name: "200 JSON without access_token", h: answer(200, "application/json", `{"token_type":"Bearer"}`), requests: 1, msgHas: "without an access_token"},
		{name: "500 forever", h: answer(500, "application/json", `{"error":"server_error"}`), requests: client.MaxTokenFailures, msgHas: "HTTP 500"},
		{name: "not listening", dead: true, requests: client.MaxTokenFailures, msgHas: "gave no answer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu, ets := newEmulator(t)
			var ts *tokenServer
			mod := func(c *client.Config) { c.ClientSecret = redact.NewSecret("not-the-secret") }
			tokenURL := ets.URL + "/oauth2/token"
			switch {
			case tc.dead:
				tokenURL = deadURL(t) + "/oauth2/token"
				mod = func(c *client.Config) { c.TokenURL = tokenURL }
			case tc.h != nil:
				ts = newTokenServer(t, tc.h)
				tokenURL = ts.srv.URL + "/oauth2/token"
				mod = func(c *client.Config) { c.TokenURL = tokenURL }
			}
			cl := newClient(t, ets.URL, mod)
			jr := openJournal(t, filepath.Join(t.TempDir(), "state.jsonl"))
			s := &Sink{Client: cl, Journal: jr, MaxUnreachable: 10}
			lines, err := submitAll(s, roster(50, "C"), 8)
			if !errors.Is(err, ErrCredentials) {
				t.Fatalf("Submit: %v; want the credentials error", err)
			}
			if _, ok := errors.AsType[*client.CredentialsError](err); !ok {
				t.Errorf("%v is not a *client.CredentialsError", err)
			}
			msg := err.Error()
			for _, want := range []string{"ROSTERLOAD_CLIENT_ID", "ROSTERLOAD_CLIENT_SECRET", tokenURL, tc.msgHas} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			for _, leak := range []string{"not-the-secret", emulator.DefaultClientSecret, "Corporate SSO"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q shows %q", msg, leak)
				}
			}
			if n := cl.Stats().TokenRequests; n != tc.requests {
				t.Errorf("%d token requests for 50 rows, want %d", n, tc.requests)
			}
			if ts != nil && ts.calls.Load() != int64(tc.requests) {
				t.Errorf("the token endpoint saw %d requests, want %d", ts.calls.Load(), tc.requests)
			}
			if n := emu.Stats().Requests; n != 0 {
				t.Errorf("%d API requests without a token", n)
			}
			if st := statuses(lines); st[outcome.NotSubmitted] != 50 {
				t.Errorf("statuses %v: want every row NOT_SUBMITTED", st)
			}
		})
	}
}

// A static token the API refuses stops the run with ErrUnauthorized, as before.
func TestSubmitStaticTokenRefused(t *testing.T) {
	t.Parallel()
	emu, ets := newEmulator(t)
	s := &Sink{Client: newClient(t, ets.URL, staticToken("not-a-known-token")), MaxUnreachable: 10}
	lines, err := submitAll(s, roster(20, "U"), 4)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Submit: %v; want ErrUnauthorized", err)
	}
	if st := statuses(lines); st[outcome.Failed] == 0 || st[outcome.Failed] > 4 || st[outcome.Created] != 0 {
		t.Errorf("statuses %v", st)
	}
	if st := emu.Stats(); st.Customers != 0 {
		t.Errorf("%+v", st)
	}
}

// An API that gives no HTTP answer to the run's first requests stops the run on the first record
// that ends without one, whatever the file's size; later in a run, MaxUnreachable in a row do.
func TestSubmitUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("not listening, 3 rows", func(t *testing.T) {
		t.Parallel()
		for _, conc := range []int{1, 4} {
			t.Run(fmt.Sprint("concurrency ", conc), func(t *testing.T) {
				t.Parallel()
				api := deadURL(t)
				s := &Sink{Client: newClient(t, api, staticToken("tok")), MaxUnreachable: 10}
				lines, err := submitAll(s, roster(3, "D"), conc)
				if !errors.Is(err, ErrUnreachable) {
					t.Fatalf("Submit: %v; want ErrUnreachable", err)
				}
				if msg := err.Error(); !strings.Contains(msg, api) || !strings.Contains(msg, "first request") || strings.ContainsAny(msg, "\r\n") {
					t.Errorf("message %q: want one line naming %s", msg, api)
				}
				st := statuses(lines)
				if st[outcome.Failed] == 0 || st[outcome.Failed]+st[outcome.NotSubmitted] != 3 {
					t.Errorf("statuses %v", st)
				}
				if conc == 1 && (st[outcome.Failed] != 1 || lines[0].Status != outcome.Failed) {
					t.Errorf("statuses %v: want the first row FAILED and the run stopped there", st)
				}
			})
		}
	})
	t.Run("answers, then goes away", func(t *testing.T) {
		t.Parallel()
		emu, _ := newEmulator(t)
		hangUp := func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}
		f := newFakeAPI(t, emu, nil, nil, hangUp)
		s := &Sink{Client: newClient(t, f.srv.URL, func(c *client.Config) { c.MaxAttempts = 2 }), MaxUnreachable: 3}
		lines, err := submitAll(s, roster(10, "G"), 1)
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "3 records in a row") {
			t.Fatalf("Submit: %v; want ErrUnreachable after 3 records in a row", err)
		}
		want := []outcome.Status{outcome.Created, outcome.Created, outcome.Failed, outcome.Failed, outcome.Failed}
		for i, w := range want {
			if lines[i].Status != w {
				t.Errorf("line %d: %s, want %s", i, lines[i].Status, w)
			}
		}
		if st := statuses(lines); st[outcome.NotSubmitted] != 5 {
			t.Errorf("statuses %v: want the last 5 NOT_SUBMITTED", st)
		}
	})
	t.Run("MaxUnreachable 0 never stops", func(t *testing.T) {
		t.Parallel()
		s := &Sink{Client: newClient(t, deadURL(t), staticToken("tok"), func(c *client.Config) { c.MaxAttempts = 1 })}
		lines, err := submitAll(s, roster(4, "Z"), 2)
		if err != nil || statuses(lines)[outcome.Failed] != 4 {
			t.Fatalf("%v, %v", statuses(lines), err)
		}
	})
}

// A 400 that quotes the card back leaves no card number or expiry in the row's line.
func TestSubmitEchoedCardNotReported(t *testing.T) {
	t.Parallel()
	emu, _ := newEmulator(t)
	echo := `{\"financialAccountData\":{\"card\":{\"cardNumber\":\"4111 1111 1111 1111\",\"expiry\":\"2027-12\"}}}`
	f := newFakeAPI(t, emu, nil, answer(400, "application/json", `{"message":"invalid `+echo+`","errors":[`+
		`{"field":"financialAccountData.card.expiry","code":"invalid_expiry","message":"2027-12 is not a valid expiry"},`+
		`{"field":"financialAccountData.card","code":"invalid","message":"`+echo+`"}]}`))
	s := &Sink{Client: newClient(t, f.srv.URL), MaxUnreachable: 10}
	lines, err := submitAll(s, []*ingest.Record{ewaRec(2, "R-1"), ewaRec(3, "R-2")}, 1)
	if err != nil {
		t.Fatal(err)
	}
	l := lines[1]
	if l.Status != outcome.Failed || len(l.Errors) != 3 {
		t.Fatalf("%+v", l)
	}
	text := lineText(l)
	for _, leak := range []string{"2027-12", "12/27", "4111 1111", "4111111111111111"} {
		if strings.Contains(text, leak) {
			t.Errorf("line holds %q: %s", leak, text)
		}
	}
	if l.Errors[0].Field != "financialAccountData.card.expiry" || l.Errors[0].Code != "invalid_expiry" {
		t.Errorf("field error %+v: want its field and code kept", l.Errors[0])
	}
}
