package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

type endpoint int

const (
	profile endpoint = iota
	individual
	business
)

func call(ctx context.Context, c *Client, ep endpoint, id, key string) (Result, error) {
	switch ep {
	case individual:
		return createIndividual(ctx, c, &api.IndividualCustomer{ExternalID: id, Type: api.TypeIndividual, FirstName: "A", LastName: "B"}, key)
	case business:
		return createBusiness(ctx, c, &api.BusinessCustomer{ExternalID: id, Type: api.TypeBusiness, BusinessName: "Acme"}, key)
	}
	return createProfile(ctx, c, profileRequest(id), key)
}

func TestOutcomes(t *testing.T) {
	t.Parallel()
	validation := api.ErrorResponse{Message: "validation failed", Errors: []api.FieldError{
		{Field: "customerData.firstName", Code: "required", Message: "firstName is required"},
		{Field: "financialAccountData.card.cardNumber", Code: "invalid_card_number", Message: "card 4111 1111 1111 1111 failed the check"},
	}}
	cases := []struct {
		name     string
		ep       endpoint
		steps    []step
		want     Outcome
		attempts int
		status   int
		ids      [3]string // customer, profile, financial account
		note     string
		msgHas   string
		fields   int
	}{
		{name: "201 profile", steps: []step{reply(201, api.CustomerProfile{ID: uuidOf("prof-1"), CustomerID: uuidOf("cust-1"), FinancialAccountID: uuidOf("fa-1")})},
			want: Created, attempts: 1, status: 201, ids: [3]string{uuidOf("cust-1"), uuidOf("prof-1"), uuidOf("fa-1")}},
		{name: "201 profile as the API documents it", steps: []step{created("prof-9")},
			want: Created, attempts: 1, status: 201, ids: [3]string{uuidOf("prof-9/customer"), uuidOf("prof-9"), uuidOf("prof-9/account")}},
		{name: "201 individual", ep: individual, steps: []step{created("cust-2")},
			want: Created, attempts: 1, status: 201, ids: [3]string{uuidOf("cust-2")}},
		{name: "201 business", ep: business, steps: []step{reply(201, api.BusinessCustomerResponse{ID: uuidOf("cust-3"), Status: api.StatusActive})},
			want: Created, attempts: 1, status: 201, ids: [3]string{uuidOf("cust-3")}},
		{name: "200 is a creation too", ep: business, steps: []step{reply(200, api.BusinessCustomerResponse{ID: strings.ToUpper(uuidOf("cust-7"))})},
			want: Created, attempts: 1, status: 200, ids: [3]string{strings.ToUpper(uuidOf("cust-7"))}},
		{name: "201 without an id fails", ep: individual, steps: []step{reply(201, "not json"), created("never")},
			want: Failed, attempts: 1, status: 201, msgHas: "not JSON"},
		{name: "400 not retried, field errors kept", steps: []step{reply(400, validation), created("never")},
			want: Failed, attempts: 1, status: 400, msgHas: "validation failed", fields: 2},
		{name: "409 is exists", steps: []step{reply(409, api.ErrorResponse{Message: "externalId exists"})},
			want: Exists, attempts: 1, status: 409},
		{name: "409 after a 500 notes the earlier attempt", steps: []step{reply(500, nil), reply(409, nil)},
			want: Exists, attempts: 2, status: 409, note: NoteExistsAfterUnknown},
		{name: "409 after a dropped connection notes the earlier attempt", ep: individual, steps: []step{drop(), reply(409, nil)},
			want: Exists, attempts: 2, status: 409, note: NoteExistsAfterUnknown},
		{name: "409 after a 429 has no note", steps: []step{reply(429, nil, "Retry-After", "0"), reply(409, nil)},
			want: Exists, attempts: 2, status: 409},
		{name: "5xx retried then created", ep: individual, steps: []step{reply(500, nil), reply(502, "<html>"), reply(503, nil), created("cust-4")},
			want: Created, attempts: 4, status: 201, ids: [3]string{uuidOf("cust-4")}},
		{name: "retries exhausted keep the last status", steps: []step{reply(500, nil), reply(503, api.ErrorResponse{Message: "maintenance"})},
			want: Failed, attempts: DefaultMaxAttempts, status: 503, msgHas: "HTTP 503 Service Unavailable: maintenance", note: NoteUnknownOutcome},
		{name: "dropped connection retried", ep: business, steps: []step{drop(), drop(), created("cust-5")},
			want: Created, attempts: 3, status: 201, ids: [3]string{uuidOf("cust-5")}},
		{name: "429 retried", ep: individual, steps: []step{reply(429, nil), created("cust-6")},
			want: Created, attempts: 2, status: 201, ids: [3]string{uuidOf("cust-6")}},
		{name: "other 4xx not retried", steps: []step{reply(404, nil), created("never")},
			want: Failed, attempts: 1, status: 404, msgHas: "HTTP 404 Not Found"},
		{name: "422 not retried", steps: []step{reply(422, api.ErrorResponse{Message: "unprocessable"}), created("never")},
			want: Failed, attempts: 1, status: 422, msgHas: "unprocessable"},
		{name: "redirect not followed", steps: []step{reply(307, nil, "Location", "/elsewhere"), created("never")},
			want: Failed, attempts: 1, status: 307, msgHas: "307"},
		{name: "400 after a 500 fails and keeps the doubt", steps: []step{reply(500, nil), reply(400, validation)},
			want: Failed, attempts: 2, status: 400, msgHas: "validation failed", fields: 2, note: NoteUnknownOutcome},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, tc.steps...)
			c := newTestClient(t, f)
			const key = "key-0123"
			res, err := call(context.Background(), c, tc.ep, "E-1", key)
			if err != nil {
				t.Fatalf("error %v: only a cancelled context may return one", err)
			}
			if res.Outcome != tc.want || res.Attempts != tc.attempts || res.HTTPStatus != tc.status {
				t.Fatalf("got %v after %d attempts (HTTP %d), want %v after %d (HTTP %d); %+v",
					res.Outcome, res.Attempts, res.HTTPStatus, tc.want, tc.attempts, tc.status, res)
			}
			if got := [3]string{res.CustomerID, res.ProfileID, res.FinancialAccountID}; got != tc.ids {
				t.Errorf("ids %q, want %q", got, tc.ids)
			}
			if res.Note != tc.note {
				t.Errorf("note %q, want %q", res.Note, tc.note)
			}
			if !strings.Contains(res.Message, tc.msgHas) || (tc.want == Failed && res.Message == "") {
				t.Errorf("message %q, want it to contain %q", res.Message, tc.msgHas)
			}
			if len(res.FieldErrors) != tc.fields {
				t.Errorf("field errors %+v, want %d", res.FieldErrors, tc.fields)
			}
			if strings.ContainsAny(res.Message, "\n\r") {
				t.Errorf("message is not one line: %q", res.Message)
			}
			wantPath := map[endpoint]string{profile: profileEndpoint.Path, individual: individualEndpoint.Path, business: businessEndpoint.Path}[tc.ep]
			reqs := f.requests()
			if len(reqs) != res.Attempts {
				t.Errorf("server saw %d requests, result says %d attempts", len(reqs), res.Attempts)
			}
			for i, r := range reqs {
				if r.key != key {
					t.Errorf("request %d: Idempotency-Key %q, want %q on every attempt", i+1, r.key, key)
				}
				if r.path != wantPath || r.auth != "Bearer "+testToken || r.ctype != "application/json" || r.ua != DefaultUserAgent {
					t.Errorf("request %d: %s auth=%q type=%q ua=%q", i+1, r.path, r.auth, r.ctype, r.ua)
				}
				if !bytes.Contains(r.body, []byte(`"externalId":"E-1"`)) {
					t.Errorf("request %d body lacks the record: %s", i+1, r.body)
				}
			}
		})
	}
}

// The API may quote the value it refused; a card number must not reach the report in full.
func TestMessagesMaskPersonalData(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, reply(400, api.ErrorResponse{
		Message: "card 4111-1111-1111-1111 and\nssn 123456789 refused",
		Errors: []api.FieldError{{Field: "customerData.metadata.note", Code: "invalid", Message: "123-45-6789 is not valid"},
			{Field: "customerData.socialId", Code: "invalid_ssn", Message: "123-45-6789 is not valid"}},
	}))
	res, err := createProfile(context.Background(), newTestClient(t, f), profileRequest("E-1"), "")
	if err != nil {
		t.Fatal(err)
	}
	all := res.Message + " " + res.FieldErrors[0].Message + " " + res.FieldErrors[1].Message
	for _, leak := range []string{"4111-1111-1111-1111", "4111111111111111", "123456789", "123-45-6789"} {
		if strings.Contains(all, leak) {
			t.Errorf("%q leaks %q", all, leak)
		}
	}
	if want := "card ****1111 and ssn ***-**-6789 refused"; res.Message != want {
		t.Errorf("message %q, want %q", res.Message, want)
	}
	if want := "***-**-6789 is not valid"; res.FieldErrors[0].Message != want {
		t.Errorf("field message %q, want %q", res.FieldErrors[0].Message, want)
	}
	// About a social id, the API's message is not shown at all, masked or not.
	if fe := res.FieldErrors[1]; fe.Field != "customerData.socialId" || fe.Code != "invalid_ssn" || strings.Contains(fe.Message, "6789") {
		t.Errorf("social id field error %+v: want the field and code, and no part of the value", fe)
	}
}

func TestDefaultKeyIsDeterministic(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("c"))
	c := newTestClient(t, f)
	req := profileRequest("E-9")
	for range 2 {
		if _, err := createProfile(context.Background(), c, req, ""); err != nil {
			t.Fatal(err)
		}
	}
	body, _ := json.Marshal(req)
	want := IdempotencyKey("ewa", "E-9", body)
	for i, r := range f.requests() {
		if r.key != want {
			t.Errorf("request %d key %q, want %q", i, r.key, want)
		}
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	base := IdempotencyKey("ewa", "E1", []byte(`{"a":1}`))
	if len(base) != 64 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Fatalf("key %q is not 64 hex digits", base)
	}
	if again := IdempotencyKey("ewa", "E1", []byte(`{"a":1}`)); again != base {
		t.Error("the same record gave two keys")
	}
	cases := []struct{ name, kind, id, body string }{
		{"kind", "individual", "E1", `{"a":1}`},
		{"externalId", "ewa", "E2", `{"a":1}`},
		{"body", "ewa", "E1", `{"a":2}`},
		{"parts shifted", "ewaE", "1", `{"a":1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if IdempotencyKey(tc.kind, tc.id, []byte(tc.body)) == base {
				t.Errorf("a different %s gave the same key", tc.name)
			}
		})
	}
}

// The server's gap between a 429 and the retry is at least its Retry-After.
func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, reply(429, nil, "Retry-After", "1"), created("c1"))
	res, err := createIndividual(context.Background(), newTestClient(t, f), &api.IndividualCustomer{ExternalID: "E"}, "k")
	if err != nil || res.Outcome != Created || res.Attempts != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
	reqs := f.requests()
	if gap := reqs[1].at.Sub(reqs[0].at); gap < time.Second {
		t.Errorf("retried %v after a Retry-After of 1s", gap)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, reply(503, nil, "Retry-After", "3600"), created("c1"))
	c := newTestClient(t, f, func(c *Config) { c.MaxRetryAfter = 10 * time.Millisecond })
	start := time.Now()
	res, err := createIndividual(context.Background(), c, &api.IndividualCustomer{ExternalID: "E"}, "k")
	if err != nil || res.Outcome != Created {
		t.Fatalf("%+v, %v", res, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the cap was not applied", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name, in string
		want     time.Duration
		ok       bool
	}{
		{"seconds", "1", time.Second, true},
		{"zero", "0", 0, true},
		{"spaces", " 7 ", 7 * time.Second, true},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"negative", "-5", 0, false},
		{"garbage", "soon", 0, false},
		{"empty", "", 0, false},
		{"huge", "99999999999999", time.Duration(1<<31) * time.Second, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRetryAfter(tc.in, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestBackoffFullJitter(t *testing.T) {
	t.Parallel()
	c := &Client{cfg: Config{BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}}
	cases := []struct {
		try     int
		ceiling time.Duration
	}{{1, 100 * time.Millisecond}, {3, 400 * time.Millisecond}, {5, time.Second}, {80, time.Second}}
	for _, tc := range cases {
		t.Run(fmt.Sprint("try ", tc.try), func(t *testing.T) {
			t.Parallel()
			lo, hi := tc.ceiling, time.Duration(0)
			for range 2000 {
				d := c.backoff(tc.try)
				if d < 0 || d > tc.ceiling {
					t.Fatalf("backoff %v outside [0, %v]", d, tc.ceiling)
				}
				lo, hi = min(lo, d), max(hi, d)
			}
			// Full jitter spreads over the whole range (failing odds: 2^-2000).
			if lo > tc.ceiling/4 || hi < tc.ceiling*3/4 {
				t.Errorf("backoffs span only [%v, %v] of [0, %v]", lo, hi, tc.ceiling)
			}
		})
	}
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		oauth     bool
		steps     []step
		want      Outcome
		attempts  int
		tokens    int64    // token requests
		wantAuths []string // Authorization of each API request
	}{
		{"401 once: new token, then created", true, []step{reply(401, nil), created("c1")}, Created, 2, 2,
			[]string{"Bearer tok-1", "Bearer tok-2"}},
		{"401 twice fails", true, []step{reply(401, nil)}, Failed, 2, 2,
			[]string{"Bearer tok-1", "Bearer tok-2"}},
		{"static token: 401 is final", false, []step{reply(401, nil), created("c1")}, Failed, 1, 0,
			[]string{"Bearer " + testToken}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, tc.steps...)
			te := &tokenEndpoint{id: "cid", secret: "csecret", expiresIn: 3600}
			var mods []func(*Config)
			if tc.oauth {
				mods = append(mods, withOAuth(f, te))
			}
			c := newTestClient(t, f, mods...)
			res, err := createIndividual(context.Background(), c, &api.IndividualCustomer{ExternalID: "E"}, "k")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tc.want || res.Attempts != tc.attempts {
				t.Fatalf("%+v", res)
			}
			if tc.want == Failed && (res.HTTPStatus != 401 || !strings.Contains(res.Message, "401")) {
				t.Errorf("failure does not say 401: %+v", res)
			}
			if n := te.calls.Load(); n != tc.tokens {
				t.Errorf("%d token requests, want %d", n, tc.tokens)
			}
			var auths []string
			for _, r := range f.requests() {
				auths = append(auths, r.auth)
			}
			if fmt.Sprint(auths) != fmt.Sprint(tc.wantAuths) {
				t.Errorf("Authorization headers %q, want %q", auths, tc.wantAuths)
			}
			if s := c.Stats(); s.TokenRequests != int(tc.tokens) {
				t.Errorf("Stats.TokenRequests = %d, want %d", s.TokenRequests, tc.tokens)
			}
		})
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		formOnly bool
	}{{"basic auth", false}, {"form credentials", true}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, created("c"))
			te := &tokenEndpoint{id: "cid", secret: "csecret", formOnly: tc.formOnly, expiresIn: 3600}
			c := newTestClient(t, f, withOAuth(f, te))
			for i := range 20 {
				if res, err := call(context.Background(), c, individual, fmt.Sprint("E", i), ""); err != nil || res.Outcome != Created {
					t.Fatalf("%+v, %v", res, err)
				}
			}
			if n := te.issued.Load(); n != 1 {
				t.Errorf("%d tokens issued for 20 requests, want 1 reused", n)
			}
			for _, r := range f.requests() {
				if r.auth != "Bearer tok-1" {
					t.Fatalf("Authorization %q", r.auth)
				}
			}
		})
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("c"))
	te := &tokenEndpoint{id: "cid", secret: "csecret", expiresIn: 1}
	c := newTestClient(t, f, withOAuth(f, te))
	ctx := context.Background()
	if _, err := call(ctx, c, individual, "E1", ""); err != nil {
		t.Fatal(err)
	}
	// A 1 s token is replaced a quarter of its life early, so by 0.8 s it is no longer used.
	time.Sleep(800 * time.Millisecond)
	if _, err := call(ctx, c, individual, "E2", ""); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if reqs[0].auth != "Bearer tok-1" || reqs[1].auth != "Bearer tok-2" {
		t.Errorf("auth %q then %q, want tok-1 then a fresh tok-2", reqs[0].auth, reqs[1].auth)
	}
	if len(reqs) != 2 {
		t.Errorf("%d API requests, want 2 (no 401 round trip)", len(reqs))
	}
}

func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	cases := []struct{ life, want time.Duration }{
		{time.Hour, time.Minute},
		{2 * time.Minute, 30 * time.Second},
		{time.Second, 250 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.life.String(), func(t *testing.T) {
			t.Parallel()
			if got := refreshMargin(tc.life); got != tc.want {
				t.Errorf("refreshMargin(%v) = %v, want %v", tc.life, got, tc.want)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	tok := redact.NewSecret("t")
	cases := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"https", Config{BaseURL: "https://api.example.com", Token: tok}, true},
		{"https with a path prefix", Config{BaseURL: "https://api.example.com/sandbox/", Token: tok}, true},
		{"http localhost", Config{BaseURL: "http://localhost:8080", Token: tok}, true},
		{"http 127.0.0.2", Config{BaseURL: "http://127.0.0.2:8080", Token: tok}, true},
		{"http ::1", Config{BaseURL: "http://[::1]:8080", Token: tok}, true},
		{"http elsewhere refused", Config{BaseURL: "http://api.example.com", Token: tok}, false},
		{"http private address refused", Config{BaseURL: "http://10.0.0.5", Token: tok}, false},
		{"http localhost lookalike refused", Config{BaseURL: "http://localhost.example.com", Token: tok}, false},
		{"no scheme", Config{BaseURL: "api.example.com", Token: tok}, false},
		{"ftp", Config{BaseURL: "ftp://api.example.com", Token: tok}, false},
		{"query", Config{BaseURL: "https://api.example.com/?x=1", Token: tok}, false},
		{"no credentials", Config{BaseURL: "https://api.example.com"}, false},
		{"token and client credentials", Config{BaseURL: "https://a.example.com", Token: tok, ClientID: "id", ClientSecret: tok}, false},
		{"client id without secret", Config{BaseURL: "https://a.example.com", ClientID: "id"}, false},
		{"client credentials", Config{BaseURL: "https://a.example.com", ClientID: "id", ClientSecret: tok}, true},
		{"token URL over http elsewhere", Config{BaseURL: "https://a.example.com", ClientID: "id", ClientSecret: tok, TokenURL: "http://auth.example.com/token"}, false},
		{"negative concurrency", Config{BaseURL: "https://a.example.com", Token: tok, Concurrency: -1}, false},
		{"negative rate", Config{BaseURL: "https://a.example.com", Token: tok, Rate: -1}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tc.cfg)
			if tc.ok != (err == nil) {
				t.Fatalf("New: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Errorf("%v does not wrap ErrConfig", err)
			}
			if c != nil {
				c.Close()
			}
		})
	}
}

func TestConfigErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	_, err := New(Config{BaseURL: "http://user:hunter2@api.example.com", Token: redact.NewSecret("t")})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v shows the URL's password", err)
	}
	cfg := Config{BaseURL: "https://a.example.com", Token: redact.NewSecret("tok-SECRET"), ClientSecret: redact.NewSecret("cs-SECRET")}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "SECRET") {
		t.Errorf("formatting the config shows a secret: %s", s)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: "https://a.example.com/", Token: redact.NewSecret("t")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := Config{Concurrency: DefaultConcurrency, MaxAttempts: DefaultMaxAttempts, BaseBackoff: DefaultBaseBackoff,
		MaxBackoff: DefaultMaxBackoff, MaxRetryAfter: DefaultMaxRetryAfter, AttemptTimeout: DefaultAttemptTimeout, UserAgent: DefaultUserAgent}
	got := c.cfg
	got.BaseURL, got.Token, got.Log = "", redact.Secret{}, nil
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if c.base != "https://a.example.com" {
		t.Errorf("base %q", c.base)
	}
	if c.tr.MaxIdleConnsPerHost != DefaultConcurrency || c.tr.MaxConnsPerHost != DefaultConcurrency {
		t.Errorf("transport not sized for the concurrency: %d idle, %d max", c.tr.MaxIdleConnsPerHost, c.tr.MaxConnsPerHost)
	}
	if c.lim != nil {
		t.Error("rate 0 must mean no limiter")
	}
}

func TestContextCancel(t *testing.T) {
	t.Parallel()
	block := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	cases := []struct {
		name     string
		steps    []step
		mod      func(*Config)
		attempts int
		unknown  bool
	}{
		{"in flight", []step{block}, nil, 1, true},
		{"during a Retry-After", []step{reply(429, nil, "Retry-After", "30")}, nil, 1, false},
		{"waiting to retry after a 503", []step{reply(503, nil, "Retry-After", "30")}, nil, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, tc.steps...)
			c := newTestClient(t, f, func(c *Config) {
				if tc.mod != nil {
					tc.mod(c)
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			res, err := createProfile(ctx, c, profileRequest("E"), "k")
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("returned %v after the cancel", d)
			}
			if res.Outcome != Unknown || res.Attempts != tc.attempts || (res.Note == NoteUnknownOutcome) != tc.unknown {
				t.Errorf("%+v", res)
			}
		})
	}
}

// A deadline shorter than the limiter's wait ends the call at the deadline, as a context error,
// with nothing sent (the caller reports NOT_SUBMITTED).
func TestDeadlineDuringRateLimit(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("c"))
	c := newTestClient(t, f, func(c *Config) { c.Rate = 0.1 })
	if _, err := call(context.Background(), c, individual, "E1", ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	res, err := call(ctx, c, individual, "E2", "")
	if !errors.Is(err, context.DeadlineExceeded) || res.Attempts != 0 {
		t.Errorf("%+v, %v; want DeadlineExceeded and no attempt", res, err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests sent, want 1", n)
	}
}

func TestConnectionReuse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		callers int
	}{{"sequential", 1}, {"8 callers on 4 connections", 8}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A body larger than one read, so an undrained answer would cost the connection.
			f := newFakeAPI(t, reply(201, api.IndividualCustomerResponse{ID: uuidOf("c"), IndividualCustomer: api.IndividualCustomer{
				Metadata: map[string]string{"pad": strings.Repeat("x", 8000)}}}))
			c := newTestClient(t, f, func(c *Config) { c.Concurrency = 4 })
			const total = 200
			var wg sync.WaitGroup
			for w := range tc.callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range total / tc.callers {
						if res, err := call(context.Background(), c, individual, fmt.Sprint(w, "-", i), ""); err != nil || res.Outcome != Created {
							t.Errorf("%+v, %v", res, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if n := len(f.requests()); n != total {
				t.Fatalf("%d requests, want %d", n, total)
			}
			if n := f.conns.Load(); n > 4 {
				t.Errorf("%d connections opened for %d requests, want at most 4", n, total)
			}
		})
	}
}

// Token requests go through the same transport, and so the same connections, as API requests.
func TestTransportShared(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("c"))
	te := &tokenEndpoint{id: "cid", secret: "csecret", expiresIn: 3600}
	c := newTestClient(t, f, withOAuth(f, te))
	src, ok := c.auth.(*oauthSource)
	if !ok || c.hc.Transport != c.tr {
		t.Fatal("no OAuth source, or the API client does not use the Client's transport")
	}
	if tt, ok := src.hc.Transport.(*tokenTransport); !ok || tt.base != c.tr {
		t.Fatal("the token client does not use the Client's transport")
	}
	for i := range 50 {
		if _, err := call(context.Background(), c, individual, fmt.Sprint("E", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.conns.Load(); n != 1 {
		t.Errorf("%d connections for 1 token and 50 API requests in sequence, want 1", n)
	}
}

// net/http must not re-send an attempt by itself when a reused connection closes without an
// answer: the retry loop has to see it, count it and remember its outcome is unknown.
func TestNoHiddenTransportReplay(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("warm-up"), drop(), reply(409, nil))
	c := newTestClient(t, f)
	ctx := context.Background()
	if _, err := call(ctx, c, individual, "E0", ""); err != nil { // leaves an idle connection
		t.Fatal(err)
	}
	res, err := call(ctx, c, individual, "E1", "key-E1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Exists || res.Attempts != 2 || res.Note != NoteExistsAfterUnknown {
		t.Errorf("%+v; want EXISTS after 2 attempts with the note", res)
	}
	n := 0
	for _, r := range f.requests() {
		if r.key == "key-E1" {
			n++
		}
	}
	if n != res.Attempts {
		t.Errorf("server saw %d requests of the record, client counted %d attempts", n, res.Attempts)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("c"))
	c := newTestClient(t, f, func(c *Config) { c.Rate = 40 })
	const n = 20
	start := time.Now()
	for i := range n {
		if _, err := call(context.Background(), c, individual, fmt.Sprint("E", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	// 20 requests at 40/s with a burst of 1 need at least 19/40 s = 475 ms; generous lower bound only.
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("%d requests in %v: faster than 40/s", n, d)
	}
	if s := c.Stats(); s.Throttled < n/2 {
		t.Errorf("limiter made %d requests wait, want most of %d", s.Throttled, n)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, reply(500, nil), reply(429, nil), created("c1"), reply(409, nil))
	c := newTestClient(t, f)
	ctx := context.Background()
	_, _ = call(ctx, c, individual, "E1", "")
	_, _ = call(ctx, c, individual, "E2", "")
	s := c.Stats()
	if s.Requests != 4 || s.Retries != 2 {
		t.Errorf("Requests %d Retries %d, want 4 and 2", s.Requests, s.Retries)
	}
	if want := map[int]int{500: 1, 429: 1, 201: 1, 409: 1}; fmt.Sprint(s.HTTPStatus) != fmt.Sprint(want) {
		t.Errorf("HTTPStatus %v, want %v", s.HTTPStatus, want)
	}
	s.HTTPStatus[500] = 99
	if c.Stats().HTTPStatus[500] != 1 {
		t.Error("Stats does not return a copy")
	}
}

func TestConcurrentCallsRace(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, reply(500, nil), created("c"))
	te := &tokenEndpoint{id: "cid", secret: "csecret", expiresIn: 3600}
	c := newTestClient(t, f, withOAuth(f, te), func(c *Config) { c.Concurrency = 8; c.Rate = 1000 })
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := call(context.Background(), c, endpoint(i%3), fmt.Sprint("E", i), ""); err != nil || res.Outcome != Created {
				t.Errorf("%+v, %v", res, err)
			}
			_ = c.Stats()
		}()
	}
	wg.Wait()
	if n := te.issued.Load(); n != 1 {
		t.Errorf("%d tokens fetched by 32 concurrent callers, want 1", n)
	}
}

// Neither secrets nor request bodies reach the log, whatever happens.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFakeAPI(t, reply(500, nil), drop(), reply(429, nil), reply(401, nil), created("p"))
	te := &tokenEndpoint{id: "cid", secret: "client-secret-XYZ", expiresIn: 3600}
	c := newTestClient(t, f, withOAuth(f, te), func(c *Config) { c.Log = log })
	res, err := createProfile(context.Background(), c, profileRequest("E-LOG"), "")
	if err != nil || res.Outcome != Created {
		t.Fatalf("%+v, %v", res, err)
	}
	c.log.Info("config", "cfg", c.cfg) // as a caller logging its config would
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "retrying") || !strings.Contains(out, "E-LOG") {
		t.Fatalf("expected retry lines in the log, got:\n%s", out)
	}
	for _, leak := range []string{"client-secret-XYZ", "tok-1", "tok-2", testToken, "4111111111111111", "123-45-6789", "Quintero", "2031-04"} {
		if strings.Contains(out, leak) {
			t.Errorf("log contains %q:\n%s", leak, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func BenchmarkCreateProfile(b *testing.B) {
	body, _ := json.Marshal(profileAnswer("p", "E-bench"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, Token: redact.NewSecret("t"), Concurrency: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := profileRequest("E-bench")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := createProfile(ctx, c, req, "k"); err != nil || res.Outcome != Created {
			b.Fatalf("%+v, %v", res, err)
		}
	}
}

// A request the API does not answer within AttemptTimeout is retried, and counts as one whose
// outcome is unknown.
func TestAttemptTimeoutRetried(t *testing.T) {
	t.Parallel()
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	f := newFakeAPI(t, slow, reply(409, nil))
	c := newTestClient(t, f, func(c *Config) { c.AttemptTimeout = 500 * time.Millisecond })
	res, err := createProfile(context.Background(), c, profileRequest("E"), "k")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Exists || res.Attempts != 2 || res.Note != NoteExistsAfterUnknown {
		t.Errorf("%+v; want EXISTS on the 2nd attempt with the note", res)
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"one line", "bad\r\n  value\tthere ", "bad value there"},
		{"card with spaces", "card 4111 1111 1111 1111", "card ****1111"},
		{"ssn with dashes", "ssn 078-05-1120 taken", "ssn ***-**-1120 taken"},
		{"tax id", "taxId 12-3456789", "taxId ***-**-6789"},
		{"dates and zips kept", "born 1990-01-31 in 02139-1234", "born 1990-01-31 in 02139-1234"},
		{"invalid UTF-8", "bad \xff byte", "bad ? byte"},
		{"long", strings.Repeat("é", 400), strings.Repeat("é", maxMessage-1) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
