package client

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/rosterload/rosterload/redact"
)

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

// oauthSource caches a client-credentials token and refreshes it before it expires. It is ours
// rather than oauth2.ReuseTokenSourceWithExpiry because a 401 must drop the cached token (the
// library's cache would hand the refused token back until its expiry), and because a token
// request must end with the caller's context on an interrupt; clientcredentials still does the
// protocol.
type oauthSource struct {
	cc      *clientcredentials.Config
	hc      *http.Client // the Client's transport, for the token endpoint
	timeout time.Duration
	sem     chan struct{} // one token request at a time; the others wait for its token
	log     *slog.Logger
	fetched func()

	mu        sync.Mutex
	tok       string
	refreshAt time.Time // zero: no expiry given
}

// refreshMargin is how long before its expiry a token is replaced: a minute, or a quarter of its
// lifetime for short-lived tokens, so that a request never leaves with a token about to lapse.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(time.Minute, lifetime/4)
}

func (s *oauthSource) cached() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != "" && (s.refreshAt.IsZero() || time.Now().Before(s.refreshAt)) {
		return s.tok
	}
	return ""
}

func (s *oauthSource) token(ctx context.Context) (string, error) {
	if t := s.cached(); t != "" {
		return t, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.sem }()
	if t := s.cached(); t != "" { // fetched while this caller waited
		return t, nil
	}

	fctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	fctx = context.WithValue(fctx, oauth2.HTTPClient, s.hc)
	start := time.Now()
	s.fetched()
	t, err := s.cc.Token(fctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", tokenError(err)
	}
	if t.AccessToken == "" {
		return "", &authError{msg: "the token endpoint answered without an access token"}
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

func (s *oauthSource) invalidate(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Only the refused token is dropped: callers that saw the same 401 at once share one refresh.
	if s.tok == tok {
		s.tok = ""
	}
	return true
}

// authError is a failed token request. Its message never holds the endpoint's body, which may
// echo the credentials.
type authError struct {
	retryable bool
	status    int
	msg       string
}

func (e *authError) Error() string { return e.msg }

func tokenError(err error) *authError {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		st := re.Response.StatusCode
		if st == http.StatusTooManyRequests || st >= 500 {
			return &authError{retryable: true, status: st, msg: "the token endpoint answered " + statusLine(st)}
		}
		return &authError{status: st, msg: "the token endpoint refused the client credentials: " + statusLine(st)}
	}
	// No answer (connection refused, reset, timeout) or an unreadable one: worth another try.
	return &authError{retryable: true, msg: "token request failed: " + clean(err.Error())}
}
