package notify

// Tests of Post against real HTTP receivers (httptest): what a receiver gets, how often, how
// long a failing one can hold the caller, and what an error may show of the URL.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is what a receiver got: one entry per request.
type received struct {
	method, path, contentType, userAgent, body string
}

// receiver is an httptest server that records each request and answers with answer(n), n the
// request's number from 1.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), string(b)})
		n := len(rc.got)
		rc.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// fast keeps the retries of a test short; the deadline stays long enough for them.
var fast = Options{Backoff: 10 * time.Millisecond, Deadline: 5 * time.Second}

const body = `{"text":"rosterload: 3 rows, 3 CREATED","counts":{"CREATED":3}}`

// TestPostDelivers: a receiver answering any 2xx gets exactly one POST of the JSON body.
func TestPostDelivers(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusOK, http.StatusAccepted, http.StatusNoContent} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, status(code))
			if err := Post(context.Background(), rc.URL+"/hooks/run", []byte(body), fast); err != nil {
				t.Fatalf("Post: %v", err)
			}
			got := rc.requests()
			want := received{http.MethodPost, "/hooks/run", "application/json", DefaultUserAgent, body}
			if len(got) != 1 || got[0] != want {
				t.Errorf("the receiver got %+v, want exactly one %+v", got, want)
			}
		})
	}
}

// TestPostRetries: network-level trouble, 429 and 5xx are tried again up to Attempts; another
// 4xx is final; an error wraps ErrNotDelivered and says what the last attempt got.
func TestPostRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answer   func(int, http.ResponseWriter, *http.Request)
		wantN    int
		wantErr  string // "" delivered
		attempts int    // Options.Attempts (0: the default)
	}{
		{name: "500 every time", answer: status(500), wantN: DefaultAttempts, wantErr: "not delivered after 3 attempts: HTTP 500 Internal Server Error"},
		{name: "429 every time", answer: status(429), wantN: DefaultAttempts, wantErr: "after 3 attempts: HTTP 429 Too Many Requests"},
		{name: "503 with Attempts 2", answer: status(503), attempts: 2, wantN: 2, wantErr: "after 2 attempts: HTTP 503"},
		{name: "400 is final", answer: status(400), wantN: 1, wantErr: "after 1 attempt: HTTP 400 Bad Request"},
		{name: "404 is final", answer: status(404), wantN: 1, wantErr: "after 1 attempt: HTTP 404 Not Found"},
		{name: "500 then 200", wantN: 2, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.WriteHeader(500)
			}
		}},
		{name: "a dropped connection then 200", wantN: 2, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			}
		}},
		{name: "429 with Retry-After 1 then 200", wantN: 2, answer: func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(429)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, tt.answer)
			opts := fast
			opts.Attempts = tt.attempts
			start := time.Now()
			err := Post(context.Background(), rc.URL+"/hook", []byte(body), opts)
			took := time.Since(start)
			if n := len(rc.requests()); n != tt.wantN {
				t.Errorf("the receiver got %d requests, want %d", n, tt.wantN)
			}
			if took > opts.Deadline {
				t.Errorf("Post took %v, more than its %v deadline", took, opts.Deadline)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Post: %v, want it delivered", err)
			case tt.wantErr != "" && (!errors.Is(err, ErrNotDelivered) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Post: %v, want an error wrapping ErrNotDelivered saying %q", err, tt.wantErr)
			}
		})
	}
}

// TestPostBoundedByDeadline: a receiver that never answers, or answers 500 slower than the
// deadline allows retries, holds Post no longer than its deadline.
func TestPostBoundedByDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answer  func(int, http.ResponseWriter, *http.Request)
		opts    Options
		wantErr string
	}{
		{
			name:    "never answers, the deadline before the attempt timeout",
			answer:  hang,
			opts:    Options{Deadline: 300 * time.Millisecond},
			wantErr: "no answer within the 300ms deadline",
		},
		{
			name:    "never answers, attempts time out",
			answer:  hang,
			opts:    Options{Deadline: time.Second, AttemptTimeout: 100 * time.Millisecond, Backoff: 10 * time.Millisecond},
			wantErr: "after 3 attempts: no answer within 100ms",
		},
		{
			name:    "500 with a backoff longer than the deadline",
			answer:  status(500),
			opts:    Options{Deadline: 300 * time.Millisecond, Backoff: time.Second},
			wantErr: "after 1 attempt: HTTP 500 Internal Server Error; no time left for a retry within the 300ms deadline",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, tt.answer)
			start := time.Now()
			err := Post(context.Background(), rc.URL+"/hook", []byte(body), tt.opts)
			if took, limit := time.Since(start), tt.opts.Deadline+200*time.Millisecond; took > limit {
				t.Errorf("Post took %v, want at most its deadline %v (and a little)", took, tt.opts.Deadline)
			}
			if !errors.Is(err, ErrNotDelivered) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Post: %v, want an error wrapping ErrNotDelivered saying %q", err, tt.wantErr)
			}
		})
	}
}

// hang answers only when the client gives up.
func hang(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// TestDefaults: the zero Options bound a Post by 15 s whatever the receiver does, and the
// attempts fit in it.
func TestDefaults(t *testing.T) {
	t.Parallel()
	o := Options{}.withDefaults()
	if o.Deadline != 15*time.Second {
		t.Errorf("default Deadline %v, want 15s", o.Deadline)
	}
	if o.Attempts != 3 || o.UserAgent != "rosterload" {
		t.Errorf("defaults %+v, want 3 attempts and the User-Agent rosterload", o)
	}
	if o.AttemptTimeout >= o.Deadline {
		t.Errorf("AttemptTimeout %v leaves no room for a retry within %v", o.AttemptTimeout, o.Deadline)
	}
	set := Options{Deadline: time.Second, Attempts: 1, AttemptTimeout: time.Millisecond, Backoff: time.Millisecond, UserAgent: "x"}
	if got := set.withDefaults(); got != set {
		t.Errorf("withDefaults changed set options: %+v, want %+v", got, set)
	}
}

// TestPostRefusesURL: a URL that is not http(s) with a host is refused before any request.
func TestPostRefusesURL(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, status(200))
	host := strings.TrimPrefix(rc.URL, "http://")
	tests := []struct{ name, url string }{
		{"empty", ""},
		{"ftp", "ftp://" + host + "/hook"},
		{"file", "file:///etc/passwd"},
		{"no scheme", host + "/hook"},
		{"no host", "http:///hook"},
		{"opaque", "http:" + host},
		{"does not parse", "http://" + host + "/%zz"},
		{"mailto", "mailto:ops@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Post(context.Background(), tt.url, []byte(body), fast)
			if !errors.Is(err, ErrURL) {
				t.Errorf("Post(%q) = %v, want an error wrapping ErrURL", tt.url, err)
			}
		})
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the receiver got %d requests, want none", n)
	}
}

// TestErrorHidesSecrets: a webhook's userinfo, query and token-like path segments appear in no
// error, whatever went wrong; the host and plain words of the path do, so a person knows which
// webhook failed. Every error is one line.
func TestErrorHidesSecrets(t *testing.T) {
	t.Parallel()
	failing := newReceiver(t, status(500))
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens there any more: a network error
	secrets := []string{"hunter2", "T0AB12CD", "B0XY34ZW", "s3cr3tT0kenPart", "qs3cret", "fr4gment"}
	path := "/services/T0AB12CD/B0XY34ZW/s3cr3tT0kenPart?token=qs3cret#fr4gment"
	withSecrets := func(base string) string {
		return strings.Replace(base, "://", "://user:hunter2@", 1) + path
	}
	tests := []struct {
		name, url, wantShown string
	}{
		{"500", withSecrets(failing.URL), failing.URL[len("http://"):] + "/services/…/…/…?…#…"},
		{"unreachable", withSecrets(gone.URL), "/services/…/…/…?…#…"},
		{"refused scheme", strings.Replace(withSecrets(failing.URL), "http", "gopher", 1), "gopher://…@"},
		{"token in the only segment", failing.URL + "/Zk9pQm2xLr8", failing.URL[len("http://"):] + "/…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Post(context.Background(), tt.url, []byte(body), fast)
			if err == nil {
				t.Fatal("Post succeeded, want an error")
			}
			msg := err.Error()
			for _, s := range append(secrets, "Zk9pQm2xLr8") {
				if strings.Contains(msg, s) {
					t.Errorf("the error %q shows the secret %q", msg, s)
				}
			}
			if !strings.Contains(msg, tt.wantShown) {
				t.Errorf("the error %q does not show the URL as %q", msg, tt.wantShown)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("the error %q is more than one line", msg)
			}
		})
	}
}

// TestRedirects: a redirect to the same host is followed with the body; one to another host
// is not, and that host gets nothing.
func TestRedirects(t *testing.T) {
	t.Parallel()
	other := newReceiver(t, status(200))
	tests := []struct {
		name      string
		target    func(self string) string
		wantErr   string
		wantOther int
	}{
		{name: "same host", target: func(self string) string { return self + "/moved" }},
		{name: "another host", target: func(string) string { return other.URL + "/stolen" }, wantErr: "redirected to another host: not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var self string
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/hook" {
					http.Redirect(w, r, tt.target(self), http.StatusPermanentRedirect)
				}
			})
			self = rc.URL
			err := Post(context.Background(), rc.URL+"/hook", []byte(body), fast)
			if tt.wantErr == "" {
				got := rc.requests()
				if err != nil || len(got) != 2 || got[1].path != "/moved" || got[1].body != body {
					t.Errorf("Post: %v; the receiver got %+v, want the body at /moved", err, got)
				}
			} else if !errors.Is(err, ErrNotDelivered) || !strings.Contains(err.Error(), tt.wantErr) || len(rc.requests()) != 1 {
				t.Errorf("Post: %v after %d requests, want one request and %q", err, len(rc.requests()), tt.wantErr)
			}
			if n := len(other.requests()); n != tt.wantOther {
				t.Errorf("the other host got %d requests, want %d", n, tt.wantOther)
			}
		})
	}
}

// TestShown: what a message shows of a URL.
func TestShown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.slack.com/services/…/…/…"},
		{"https://discord.com/api/webhooks/123456789/abcDEF-ghi", "https://discord.com/api/webhooks/…/…"},
		{"https://u:p@example.com:8443/notify?key=abc", "https://…@example.com:8443/notify?…"},
		{"https://example.com", "https://example.com"},
		{"https://example.com/averyveryverylongword", "https://example.com/…"},
		{"http://example.com/%zz", "(a URL that does not parse)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Shown(tt.in); got != tt.want {
				t.Errorf("Shown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
