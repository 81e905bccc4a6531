package client

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/redact"
)

// The built-in kinds' endpoints, as their specs declare them.
var (
	profileEndpoint    = ingest.Lookup(ingest.KindEWA).Endpoint
	individualEndpoint = ingest.Lookup(ingest.KindIndividual).Endpoint
	businessEndpoint   = ingest.Lookup(ingest.KindBusiness).Endpoint
)

// createProfile, createIndividual and createBusiness send a request of their kind with Create.
func createProfile(ctx context.Context, c *Client, req *api.CustomerProfileRequest, key string) (Result, error) {
	return c.Create(ctx, profileEndpoint, string(ingest.KindEWA), req.ExternalID, req, key)
}

func createIndividual(ctx context.Context, c *Client, req *api.IndividualCustomer, key string) (Result, error) {
	return c.Create(ctx, individualEndpoint, string(ingest.KindIndividual), req.ExternalID, req, key)
}

func createBusiness(ctx context.Context, c *Client, req *api.BusinessCustomer, key string) (Result, error) {
	return c.Create(ctx, businessEndpoint, string(ingest.KindBusiness), req.ExternalID, req, key)
}

// step is how the fake API answers one request.
type step func(w http.ResponseWriter, r *http.Request)

// reply answers status with body (JSON-encoded unless a string) and header pairs.
func reply(status int, body any, header ...string) step {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		switch b := body.(type) {
		case nil:
		case string:
			_, _ = io.WriteString(w, b)
		default:
			_ = json.NewEncoder(w).Encode(b)
		}
	}
}

// drop reads the request and closes the connection without an answer: the lost-response case.
func drop() step {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_ = conn.Close()
	}
}

// created answers 201 with the documented object of the request's endpoint, its ids derived
// from name (uuidOf) and its externalId the request's.
func created(name string) step {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ExternalID string `json:"externalId"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		var v any = api.IndividualCustomerResponse{ID: uuidOf(name), Status: api.StatusActive,
			IndividualCustomer: api.IndividualCustomer{ExternalID: req.ExternalID}}
		if r.URL.Path == profileEndpoint.Path {
			v = profileAnswer(name, req.ExternalID)
		}
		reply(http.StatusCreated, v)(w, r)
	}
}

// profileAnswer is the documented answer to an EWA enrollment: ids uuidOf(name), of name+"/customer"
// and of name+"/account".
func profileAnswer(name, externalID string) api.CustomerProfile {
	return api.CustomerProfile{ID: uuidOf(name), ExternalID: externalID, CustomerID: uuidOf(name + "/customer"),
		FinancialAccountID: uuidOf(name + "/account"), FirstName: "Zoë", LastName: "Quintero-Ålvarez", ProgramID: "prog-1",
		LatestEligibilityStatus: &api.EligibilityStatus{ID: uuidOf(name + "/eligibility"), Status: "NEW"}}
}

// uuidOf is a UUID (version 4 form) derived from name, so that a test can name the ids it expects.
func uuidOf(name string) string {
	b := sha256.Sum256([]byte(name))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// seen is one request the fake API received.
type seen struct {
	path, key, auth, ua, ctype string
	at                         time.Time
	body                       []byte
}

// fakeAPI answers its API requests with a script, one step per request (the last step repeats),
// and records them. Its token endpoint is set by tokens.
type fakeAPI struct {
	srv    *httptest.Server
	conns  atomic.Int64 // connections opened to the server
	tokens *tokenEndpoint

	mu    sync.Mutex
	steps []step
	reqs  []seen
}

func newFakeAPI(t *testing.T, steps ...step) *fakeAPI {
	t.Helper()
	f := &fakeAPI{steps: steps}
	f.srv = httptest.NewUnstartedServer(f)
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == PathToken {
		if f.tokens == nil {
			http.NotFound(w, r)
			return
		}
		f.tokens.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, seen{
		path: r.URL.Path, key: r.Header.Get("Idempotency-Key"), auth: r.Header.Get("Authorization"),
		ua: r.Header.Get("User-Agent"), ctype: r.Header.Get("Content-Type"), at: time.Now(), body: body,
	})
	s := f.steps[min(n, len(f.steps)-1)]
	f.mu.Unlock()
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	s(w, r)
}

func (f *fakeAPI) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// tokenEndpoint is an OAuth2 client-credentials token endpoint issuing tok-1, tok-2, ...
type tokenEndpoint struct {
	id, secret string
	formOnly   bool // refuse HTTP Basic credentials, as some servers do
	expiresIn  int  // seconds; 0: no expires_in
	fail       []int

	issued atomic.Int64
	calls  atomic.Int64
}

func (e *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := e.calls.Add(1)
	if int(n) <= len(e.fail) {
		w.WriteHeader(e.fail[n-1])
		_, _ = io.WriteString(w, `{"error":"server_error"}`)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if (basic && e.formOnly) || id != e.id || secret != e.secret {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	tok := map[string]any{"access_token": fmt.Sprintf("tok-%d", e.issued.Add(1)), "token_type": "Bearer"}
	if e.expiresIn > 0 {
		tok["expires_in"] = e.expiresIn
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(tok)
}

const testToken = "static-test-token-0123456789"

// newTestClient is a client of f with a static token and millisecond backoffs.
func newTestClient(t *testing.T, f *fakeAPI, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:        f.srv.URL,
		Token:          redact.NewSecret(testToken),
		BaseBackoff:    time.Millisecond,
		MaxBackoff:     5 * time.Millisecond,
		AttemptTimeout: 5 * time.Second,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// withOAuth switches a config to client credentials against f's token endpoint.
func withOAuth(f *fakeAPI, e *tokenEndpoint) func(*Config) {
	f.tokens = e
	return func(c *Config) {
		c.Token = redact.Secret{}
		c.ClientID, c.ClientSecret = e.id, redact.NewSecret(e.secret)
	}
}

func profileRequest(id string) *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID: id, ProgramID: "prog-1", EligibilityStatus: "NEW",
		CustomerData: &api.IndividualCustomer{Type: api.TypeIndividual, FirstName: "Zoë", LastName: "Quintero-Ålvarez",
			SocialID: "123-45-6789", SocialIDCountryCode: "USA"},
		FinancialAccountData: &api.FinancialAccountData{Name: "Card", Subtype: "DEBIT",
			Card: &api.Card{FirstName: "Zoë", LastName: "Quintero-Ålvarez", CardNumber: "4111111111111111", Expiry: "2031-04"}},
	}
}
