package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rosterload/rosterload/redact"
)

const (
	tokClientID = "client-id-ABC123"
	tokSecret   = "client-secret-XYZ789"
)

// tokenServer is a token endpoint answering with h, counting the requests it receives.
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

// tokenReply answers status with body as it is, under Content-Type ctype, and header pairs.
func tokenReply(status int, ctype, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// goodToken issues a bearer token to the right credentials, presented either way.
func goodToken(formOnly bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if (basic && formOnly) || id != tokClientID || secret != tokSecret {
			tokenReply(401, "application/json", `{"error":"invalid_client"}`)(w, r)
			return
		}
		tokenReply(200, "application/json", `{"access_token":"tok-ok","token_type":"Bearer","expires_in":3600}`)(w, r)
	}
}

// deadURL is an address nothing listens at: every connection is refused.
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

// callMany makes n calls from conc goroutines at once, as the pipeline does.
func callMany(c *Client, n, conc int) ([]Result, []error) {
	res, errs := make([]Result, n), make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, conc)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res[i], errs[i] = call(context.Background(), c, endpoint(i%3), fmt.Sprint("E-", i), "")
		}()
	}
	wg.Wait()
	return res, errs
}

// A token endpoint that refuses the client, or answers something that is not a token, or is
// down, stops every call with one *CredentialsError, after a handful of token requests whatever
// the number of records and callers; the message names the variables and the URL, never a value.
func TestTokenEndpointFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		h         http.HandlerFunc // nil: nothing listens
		userinfo  bool             // the token URL carries a user and password
		requests  int64            // token requests the endpoint sees for the whole run
		status    int
		code      string
		transient bool
		msgHas    string
	}{
		{name: "401 invalid_client", h: tokenReply(401, "application/json", `{"error":"invalid_client","error_description":"secret `+tokSecret+` is wrong"}`),
			requests: 2, status: 401, code: "invalid_client", msgHas: "refused the client credentials: HTTP 401 Unauthorized, error invalid_client"},
		{name: "400 invalid_client", h: tokenReply(400, "application/json", `{"error":"invalid_client"}`),
			requests: 2, status: 400, code: "invalid_client", msgHas: "refused the client credentials: HTTP 400 Bad Request, error invalid_client"},
		{name: "400 invalid_grant, form-encoded", h: tokenReply(400, "application/x-www-form-urlencoded", `error=invalid_grant`),
			requests: 2, status: 400, code: "invalid_grant", msgHas: "error invalid_grant"},
		{name: "400 unsupported_grant_type", h: tokenReply(400, "application/json", `{"error":"unsupported_grant_type"}`),
			requests: 2, status: 400, code: "unsupported_grant_type", msgHas: "refused the client credentials"},
		{name: "403 HTML", h: tokenReply(403, "text/html", `<html>forbidden</html>`),
			requests: 2, status: 403, msgHas: "HTTP 403 Forbidden"},
		{name: "error code echoing the secret", h: tokenReply(401, "application/json", `{"error":"`+tokSecret+`"}`),
			requests: 2, status: 401, msgHas: "with an error code"},
		{name: "200 HTML login page", h: tokenReply(200, "text/html; charset=utf-8", `<!DOCTYPE html><html><body>Sign in</body></html>`),
			requests: 1, status: 200, msgHas: "HTTP 200 OK with an HTML page, not an access token"},
		{name: "200 HTML said to be JSON", h: tokenReply(200, "application/json", `<html><body>Sign in</body></html>`),
			requests: 1, status: 200, msgHas: "an HTML page"},
		{name: "200 JSON without access_token", h: tokenReply(200, "application/json", `{"token_type":"Bearer","expires_in":3600}`),
			requests: 1, status: 200, msgHas: "a JSON object without an access_token"},
		{name: "200 plain text", h: tokenReply(200, "text/plain", `OK`),
			requests: 1, status: 200, msgHas: "a text/plain body"},
		{name: "200 empty body", h: tokenReply(200, "application/json", ``),
			requests: 1, status: 200, msgHas: "an empty body"},
		{name: "200 not a bearer token", h: tokenReply(200, "application/json", `{"access_token":"t","token_type":"mac"}`),
			requests: 1, status: 200, msgHas: "a mac token, not a bearer token"},
		{name: "200 with an OAuth2 error", h: tokenReply(200, "application/json", `{"error":"unauthorized_client"}`),
			requests: 1, status: 200, code: "unauthorized_client", msgHas: "refused the client credentials"},
		{name: "404", h: tokenReply(404, "text/plain", `404 page not found`),
			requests: 2, status: 404, msgHas: "is --token-url the platform's token endpoint?"},
		{name: "redirect", h: tokenReply(302, "text/html", ``, "Location", "https://sso.example.com/login"),
			requests: 1, status: 302, msgHas: "a redirect (not followed)"},
		{name: "500 forever", h: tokenReply(500, "application/json", `{"error":"server_error"}`), userinfo: true,
			requests: MaxTokenFailures, status: 500, code: "server_error", transient: true, msgHas: "gave up after 5 token requests in a row"},
		{name: "429 forever", h: tokenReply(429, "application/json", `{}`, "Retry-After", "0"),
			requests: MaxTokenFailures, status: 429, transient: true, msgHas: "HTTP 429 Too Many Requests"},
		{name: "not listening", requests: MaxTokenFailures, transient: true, msgHas: "gave no answer (dial tcp 127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, created("c"))
			var ts *tokenServer
			tokenURL := deadURL(t) + "/oauth2/token"
			if tc.h != nil {
				ts = newTokenServer(t, tc.h)
				tokenURL = ts.srv.URL + "/oauth2/token"
			}
			shown := tokenURL
			if tc.userinfo {
				tokenURL = strings.Replace(tokenURL, "http://", "http://url-user:url-password@", 1)
			}
			c := newTestClient(t, f, func(c *Config) {
				c.Token = redact.Secret{}
				c.ClientID, c.ClientSecret, c.TokenURL, c.Concurrency = tokClientID, redact.NewSecret(tokSecret), tokenURL, 8
			})
			results, errs := callMany(c, 50, 8)

			var first *CredentialsError
			for i, err := range errs {
				ce, ok := errors.AsType[*CredentialsError](err)
				if !ok || !errors.Is(err, ErrCredentials) {
					t.Fatalf("call %d: error %v, want a *CredentialsError", i, err)
				}
				if first == nil {
					first = ce
				}
				if res := results[i]; res.Outcome != Failed || res.Attempts != 0 || res.Message != clean(ce.Error()) {
					t.Fatalf("call %d: %+v; want FAILED without a request, saying why", i, res)
				}
			}
			if ts != nil {
				if n := ts.calls.Load(); n != tc.requests {
					t.Errorf("the token endpoint saw %d requests for 50 records, want %d", n, tc.requests)
				}
			}
			if n := c.Stats().TokenRequests; int64(n) != tc.requests {
				t.Errorf("Stats.TokenRequests = %d, want %d", n, tc.requests)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("%d API requests made without a token", n)
			}
			if first.Status != tc.status || first.Code != tc.code || first.Transient != tc.transient || first.TokenURL != shown {
				t.Errorf("error %+v: want status %d, code %q, transient %v, URL %s", first, tc.status, tc.code, tc.transient, shown)
			}
			msg := first.Error()
			if !strings.Contains(msg, tc.msgHas) {
				t.Errorf("message %q, want it to contain %q", msg, tc.msgHas)
			}
			for _, want := range []string{"ROSTERLOAD_CLIENT_ID", "ROSTERLOAD_CLIENT_SECRET", shown} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not name %q", msg, want)
				}
			}
			for _, leak := range []string{tokSecret, tokClientID, "url-password", "url-user", "Sign in", "sso.example.com"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q shows %q", msg, leak)
				}
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is not one line: %q", msg)
			}
		})
	}
}

// A token endpoint that recovers, or wants the credentials in the form body, gives its token
// with few requests; the way found is kept for the next token.
func TestTokenEndpointRecovers(t *testing.T) {
	t.Parallel()
	flaky := func() http.HandlerFunc {
		var n atomic.Int64
		return func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) <= 2 {
				tokenReply(503, "text/html", "<html>maintenance</html>")(w, r)
				return
			}
			goodToken(false)(w, r)
		}
	}
	cases := []struct {
		name     string
		h        http.HandlerFunc
		api      []step
		requests int64
	}{
		{"503 twice, then a token", flaky(), []step{created("c")}, 3},
		{"credentials in the form body", goodToken(true), []step{created("c")}, 2},
		// Header refused once, then the form is used, and again for the token after the 401.
		{"form body kept for the refresh", goodToken(true), []step{reply(401, nil), created("c")}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, tc.api...)
			ts := newTokenServer(t, tc.h)
			c := newTestClient(t, f, func(c *Config) {
				c.Token = redact.Secret{}
				c.ClientID, c.ClientSecret, c.TokenURL = tokClientID, redact.NewSecret(tokSecret), ts.srv.URL+"/oauth2/token"
			})
			for i := range 10 {
				res, err := call(context.Background(), c, endpoint(i%3), fmt.Sprint("E-", i), "")
				if err != nil || res.Outcome != Created {
					t.Fatalf("call %d: %+v, %v", i, res, err)
				}
			}
			if n := ts.calls.Load(); n != tc.requests {
				t.Errorf("%d token requests, want %d", n, tc.requests)
			}
			for _, r := range f.requests() {
				if r.auth != "Bearer tok-ok" {
					t.Fatalf("Authorization %q", r.auth)
				}
			}
		})
	}
}

// Credentials revoked during a run: the record refused with a 401 gets no new token, fails with
// the credentials error, and no later record asks again.
func TestCredentialsRevokedDuringRun(t *testing.T) {
	t.Parallel()
	var revoked atomic.Bool
	ts := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		if revoked.Load() {
			tokenReply(401, "application/json", `{"error":"invalid_client"}`)(w, r)
			return
		}
		goodToken(false)(w, r)
	})
	f := newFakeAPI(t, created("c1"), reply(401, api401()))
	c := newTestClient(t, f, func(c *Config) {
		c.Token = redact.Secret{}
		c.ClientID, c.ClientSecret, c.TokenURL = tokClientID, redact.NewSecret(tokSecret), ts.srv.URL+"/oauth2/token"
	})
	ctx := context.Background()
	if res, err := call(ctx, c, individual, "E-1", ""); err != nil || res.Outcome != Created {
		t.Fatalf("%+v, %v", res, err)
	}
	revoked.Store(true)
	res, err := call(ctx, c, individual, "E-2", "")
	if !errors.Is(err, ErrCredentials) || res.Outcome != Failed || res.Attempts != 1 || res.HTTPStatus != 401 {
		t.Fatalf("%+v, %v; want FAILED after one 401 and the credentials error", res, err)
	}
	before := ts.calls.Load()
	for i := range 5 {
		if _, err := call(ctx, c, individual, fmt.Sprint("E-x", i), ""); !errors.Is(err, ErrCredentials) {
			t.Fatalf("later call: %v", err)
		}
	}
	if after := ts.calls.Load(); after != before {
		t.Errorf("%d more token requests after the refusal", after-before)
	}
}

func api401() any {
	return map[string]string{"message": "the access token is not known"}
}

// The message of each kind of failure reads as one sentence a person can act on.
func TestCredentialsErrorMessage(t *testing.T) {
	t.Parallel()
	e := &CredentialsError{TokenURL: "https://auth.example.com/oauth2/token", Status: 401, Code: "invalid_client",
		reason: "the token endpoint refused the client credentials: HTTP 401 Unauthorized, error invalid_client: check the client id and secret"}
	want := "cannot get an access token with ROSTERLOAD_CLIENT_ID / ROSTERLOAD_CLIENT_SECRET from https://auth.example.com/oauth2/token: " +
		"the token endpoint refused the client credentials: HTTP 401 Unauthorized, error invalid_client: check the client id and secret"
	if got := e.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !errors.Is(fmt.Errorf("wrapped: %w", e), ErrCredentials) {
		t.Error("does not wrap ErrCredentials")
	}
}
