package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/rosterload/rosterload/redact"
)

// ErrCredentials is wrapped by every *CredentialsError: no access token can be had with the
// client credentials, so no record can be sent for the rest of the run.
var ErrCredentials = errors.New("no access token can be had with the client credentials (ROSTERLOAD_CLIENT_ID / ROSTERLOAD_CLIENT_SECRET)")

// MaxTokenFailures bounds the token requests in a row that may fail, auth-style probe and retries
// included, before a Client stops asking: a refusal (401, 403, another 4xx, an answer that is not
// a bearer token) ends it at once; a token endpoint that is down or busy (5xx, 429, no answer) is
// retried with backoff up to this many requests. Either way the error is then final for the
// Client: every later call gets it without a request, whatever the number of records and callers.
const MaxTokenFailures = 5

// CredentialsError says why no access token can be had. Its message is one line that names the
// credentials' variables (never their values) and the token URL (without userinfo or query), and
// what the endpoint answered (status, OAuth2 error code), never its body, which may echo the secret.
type CredentialsError struct {
	TokenURL  string // the token endpoint, without userinfo or query
	Status    int    // the endpoint's last HTTP status; 0: it gave no answer
	Code      string // the OAuth2 error code it answered ("invalid_client"), when it gave a plain one
	Requests  int    // token requests made in a row before giving up
	Transient bool   // the endpoint was down or busy (5xx, 429, no answer) rather than refusing
	reason    string
}

func (e *CredentialsError) Error() string {
	return "cannot get an access token with ROSTERLOAD_CLIENT_ID / ROSTERLOAD_CLIENT_SECRET from " + e.TokenURL + ": " + e.reason
}

// Unwrap makes errors.Is(err, ErrCredentials) hold.
func (e *CredentialsError) Unwrap() error { return ErrCredentials }

// tokenSource gives the bearer token for a request and, after a 401, drops it.
type tokenSource interface {
	token(ctx context.Context) (string, error)
	// invalidate drops tok if it is still the current token and reports whether a new one can
	// be fetched (false: the token is static and a 401 is final).
	invalidate(tok string) bool
}

type staticToken redact.Secret

func (s staticToken) token(context.Context) (string, error) { return redact.Secret(s).Reveal(), nil }
func (staticToken) invalidate(string) bool                  { return false }

// Ways to present the client credentials (RFC 6749 2.3.1): in an HTTP Basic Authorization header
// or in the form body. Servers differ, and the emulator takes both; as golang.org/x/oauth2's auto-
// detection does, the header is tried first and the form once after a refusal, but here the probe
// is ours, so that it happens only after a refusal (not after a 5xx or no answer) and counts
// against MaxTokenFailures.
const (
	styleUnknown = -1
	styleHeader  = 0
	styleParams  = 1
)

// oauthSource caches a client-credentials token and refreshes it before it expires. It is ours
// rather than oauth2.ReuseTokenSourceWithExpiry because a 401 must drop the cached token (the
// library's cache would hand the refused token back until its expiry), because a token request
// must end with the caller's context on an interrupt, and because token requests must be bounded
// per run (MaxTokenFailures); clientcredentials still does the protocol.
type oauthSource struct {
	styles  [2]*clientcredentials.Config // by style
	hc      *http.Client                 // the Client's transport, counting token requests
	url     string                       // the token URL for messages
	secret  string                       // to keep it out of a message, should an endpoint echo it as an error code
	timeout time.Duration
	backoff func(n int) time.Duration
	maxRA   time.Duration
	sem     chan struct{} // one token fetch at a time; the others wait for its token, or its error
	log     *slog.Logger

	mu        sync.Mutex
	tok       string
	refreshAt time.Time // zero: no expiry given
	style     int
	dead      *CredentialsError // set: no token will be had; every call returns it
}

func newOAuthSource(cfg Config, tokenURL *url.URL, tr http.RoundTripper, log *slog.Logger, counted func()) *oauthSource {
	s := &oauthSource{
		hc: &http.Client{
			Transport: &tokenTransport{base: tr, counted: counted},
			// As for API requests: the credentials are not re-sent to a URL nobody configured.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		url:     displayURL(tokenURL.String()),
		secret:  cfg.ClientSecret.Reveal(),
		timeout: cfg.AttemptTimeout,
		maxRA:   cfg.MaxRetryAfter,
		sem:     make(chan struct{}, 1),
		log:     log,
		style:   styleUnknown,
	}
	// Equal jitter: a wait of at least half the ceiling, so that the retries of a token endpoint
	// that is down span a few seconds (BaseBackoff 250ms: about 2 to 4 s in all), not a few ms.
	s.backoff = func(n int) time.Duration {
		ceiling := cfg.MaxBackoff
		if n-1 < 32 {
			if d := cfg.BaseBackoff << (n - 1); d > 0 && d < ceiling {
				ceiling = d
			}
		}
		return ceiling/2 + rand.N(ceiling/2+1)
	}
	for style, as := range map[int]oauth2.AuthStyle{styleHeader: oauth2.AuthStyleInHeader, styleParams: oauth2.AuthStyleInParams} {
		s.styles[style] = &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret.Reveal(),
			TokenURL:     tokenURL.String(),
			AuthStyle:    as,
		}
	}
	return s
}

// refreshMargin is how long before its expiry a token is replaced: a minute, or a quarter of its
// lifetime for short-lived tokens, so that a request never leaves with a token about to lapse.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(time.Minute, lifetime/4)
}

// current returns the cached token, or the final error, or neither.
func (s *oauthSource) current() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead != nil {
		return "", s.dead
	}
	if s.tok != "" && (s.refreshAt.IsZero() || time.Now().Before(s.refreshAt)) {
		return s.tok, nil
	}
	return "", nil
}

func (s *oauthSource) token(ctx context.Context) (string, error) {
	if t, err := s.current(); t != "" || err != nil {
		return t, err
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.sem }()
	if t, err := s.current(); t != "" || err != nil { // fetched, or given up on, while this caller waited
		return t, err
	}
	t, start, err := s.fetch(ctx)
	if err != nil {
		if ce, ok := errors.AsType[*CredentialsError](err); ok {
			s.mu.Lock()
			s.dead = ce
			s.mu.Unlock()
			s.log.Warn("no access token: giving up on the token endpoint", "url", s.url, "status", ce.Status,
				"code", ce.Code, "requests", ce.Requests)
		}
		return "", err
	}
	s.mu.Lock()
	s.tok = t.AccessToken
	s.refreshAt = time.Time{}
	if !t.Expiry.IsZero() {
		s.refreshAt = t.Expiry.Add(-refreshMargin(t.Expiry.Sub(start)))
	}
	s.mu.Unlock()
	s.log.Debug("access token fetched", "expires_in", time.Until(t.Expiry).Round(time.Second).String())
	return t.AccessToken, nil
}

// fetch asks for a token until one comes, the endpoint refuses, MaxTokenFailures requests have
// failed in a row or ctx ends. Its error is ctx's or a *CredentialsError.
func (s *oauthSource) fetch(ctx context.Context) (*oauth2.Token, time.Time, error) {
	s.mu.Lock()
	style := s.style
	s.mu.Unlock()
	probing := style == styleUnknown
	if probing {
		style = styleHeader
	}
	for n := 1; ; n++ {
		a := &tokenAnswer{}
		fctx, cancel := context.WithTimeout(ctx, s.timeout)
		fctx = context.WithValue(fctx, oauth2.HTTPClient, s.hc)
		fctx = context.WithValue(fctx, answerKey{}, a)
		start := time.Now()
		t, err := s.styles[style].Token(fctx)
		cancel()
		if err == nil && !isBearer(t.TokenType) {
			err = errNotBearer
		}
		if err == nil {
			s.mu.Lock()
			s.style = style
			s.mu.Unlock()
			return t, start, nil
		}
		if ctx.Err() != nil {
			return nil, time.Time{}, ctx.Err()
		}
		ce := s.classify(a, t, err)
		ce.Requests = n
		s.log.Debug("token request failed", "attempt", n, "status", ce.Status, "code", ce.Code, "transient", ce.Transient)
		if !ce.Transient {
			// The other way of presenting the credentials, once, if the first way was refused.
			if probing && style == styleHeader && ce.Status >= 400 && ce.Status < 500 && n < MaxTokenFailures {
				style = styleParams
				continue
			}
			return nil, time.Time{}, ce
		}
		if n >= MaxTokenFailures {
			ce.reason += fmt.Sprintf("; gave up after %d token requests in a row", n)
			return nil, time.Time{}, ce
		}
		wait := s.backoff(n)
		if ce.Status == http.StatusTooManyRequests || ce.Status == http.StatusServiceUnavailable {
			if ra, ok := parseRetryAfter(a.retryAfter, time.Now()); ok {
				wait = min(ra, s.maxRA)
			}
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, time.Time{}, err
		}
	}
}

var errNotBearer = errors.New("not a bearer token")

func isBearer(tokenType string) bool {
	return tokenType == "" || strings.EqualFold(tokenType, "bearer")
}

// refusalCodes are the RFC 6749 5.2 error codes that refuse the client or its grant.
var refusalCodes = map[string]bool{
	"invalid_client": true, "unauthorized_client": true, "invalid_grant": true,
	"unsupported_grant_type": true, "invalid_scope": true, "access_denied": true,
}

// classify turns a failed token request into an error, from what the endpoint answered, never
// from its body or the library's message (which quotes the body).
func (s *oauthSource) classify(a *tokenAnswer, t *oauth2.Token, err error) *CredentialsError {
	ce := &CredentialsError{TokenURL: s.url, Status: a.status}
	code := ""
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok && re.Response != nil {
		ce.Status = re.Response.StatusCode
		code = re.ErrorCode
	}
	ce.Code = s.safeCode(code)
	answered := statusLine(ce.Status)
	if ce.Code != "" {
		answered += ", error " + ce.Code
	} else if code != "" {
		answered += ", with an error code"
	}
	st := ce.Status
	switch {
	case st == 0 || a.readFailed:
		ce.Transient = true
		ce.reason = "the token endpoint gave no answer (" + noAnswer(err) + ")"
		if a.readFailed {
			ce.reason = "the token endpoint's answer (" + statusLine(st) + ") was cut short"
		}
	case st == http.StatusTooManyRequests || st == http.StatusRequestTimeout || st >= 500:
		ce.Transient = true
		ce.reason = "the token endpoint answered " + answered
	case st >= 300 && st < 400:
		ce.reason = "the token endpoint answered " + answered + ", a redirect (not followed): is --token-url the platform's token endpoint?"
	case st == http.StatusUnauthorized || st == http.StatusForbidden || refusalCodes[code]:
		ce.reason = "the token endpoint refused the client credentials: " + answered + ": check the client id and secret"
	case st == http.StatusNotFound || st == http.StatusMethodNotAllowed:
		ce.reason = "the token endpoint answered " + answered + ": is --token-url the platform's token endpoint?"
	case st >= 400 || code != "":
		ce.reason = "the token endpoint refused the token request: " + answered
	case errors.Is(err, errNotBearer):
		typ := "another kind of"
		if tokenTypeRE.MatchString(t.TokenType) {
			typ = "a " + t.TokenType
		}
		ce.reason = fmt.Sprintf("the token endpoint answered %s with %s token, not a bearer token", statusLine(st), typ)
	default:
		what := a.describe()
		hint := ": is --token-url the platform's token endpoint?"
		if what == "an HTML page" {
			hint += " a login page or a proxy answers like this"
		}
		ce.reason = fmt.Sprintf("the token endpoint answered %s with %s, not an access token%s", statusLine(st), what, hint)
	}
	return ce
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,40}$`)
var tokenTypeRE = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,20}$`)

// safeCode is an OAuth2 error code fit to show: a short plain word that does not hold the secret.
func (s *oauthSource) safeCode(code string) string {
	if !codeRE.MatchString(code) || (s.secret != "" && strings.Contains(code, s.secret)) {
		return ""
	}
	return code
}

// noAnswer says why a request got no answer, without the URL the library's error repeats.
func noAnswer(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		if ue.Timeout() {
			return "timed out"
		}
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return clean(err.Error())
}

func (s *oauthSource) invalidate(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Only the refused token is dropped: callers that saw the same 401 at once share one refresh.
	if s.tok == tok {
		s.tok = ""
	}
	return true
}

// tokenTransport counts the requests to the token endpoint and notes what each one was
// answered, for the request's tokenAnswer (a context value), since the library's errors do not
// say it without the body.
type tokenTransport struct {
	base    http.RoundTripper
	counted func()
}

type answerKey struct{}

// tokenAnswer is what the token endpoint answered one request: never its body, only its first
// byte, to tell an HTML page or a JSON object from the rest.
type tokenAnswer struct {
	status     int
	ctype      string
	retryAfter string
	first      byte // the body's first non-blank byte, 0 if none
	readFailed bool // the body could not be read whole
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.counted()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if a, ok := req.Context().Value(answerKey{}).(*tokenAnswer); ok {
		a.status, a.ctype, a.retryAfter = resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After")
		resp.Body = &sniffBody{ReadCloser: resp.Body, a: a}
	}
	return resp, nil
}

type sniffBody struct {
	io.ReadCloser
	a *tokenAnswer
}

func (b *sniffBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.a.first == 0 {
		if i := bytes.IndexFunc(p[:n], func(r rune) bool { return !strings.ContainsRune(" \t\r\n\ufeff", r) }); i >= 0 {
			b.a.first = p[i]
		}
	}
	if err != nil && err != io.EOF {
		b.a.readFailed = true
	}
	return n, err
}

// describe says what kind of answer a token request got that did not hold a token.
func (a *tokenAnswer) describe() string {
	mt, _, _ := mime.ParseMediaType(a.ctype)
	mt = strings.ToLower(mt)
	switch {
	case a.first == '<' || mt == "text/html" || mt == "application/xhtml+xml":
		return "an HTML page"
	case a.first == '{':
		return "a JSON object without an access_token"
	case a.first == 0:
		return "an empty body"
	case isJSONType(mt):
		return "JSON that is not a token"
	case mt != "":
		return fmt.Sprintf("a %.40s body", mt)
	}
	return "a body that is not a token"
}
