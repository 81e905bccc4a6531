package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenResponse is the body of a successful token request (RFC 6749 section 5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// oauthError is the body of a failed token request (RFC 6749 section 5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// serveToken is the client-credentials token endpoint. The client authenticates with HTTP basic
// auth or client_id/client_secret in the form body, as golang.org/x/oauth2 may do either.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeReply(w, jsonReply(http.StatusMethodNotAllowed, oauthError{"invalid_request", "use POST"}))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		writeReply(w, jsonReply(status, oauthError{"invalid_request", "the body is not a readable form"}))
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		// RFC 6749 2.3.1: both halves are form-encoded before they go into the header.
		id, secret = formUnescape(u), formUnescape(p)
	}
	if !s.validClient(id, secret) {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		writeReply(w, jsonReply(http.StatusUnauthorized, oauthError{Error: "invalid_client"}))
		s.log.Info("token refused: invalid client credentials")
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		writeReply(w, jsonReply(http.StatusBadRequest, oauthError{"invalid_request", "grant_type is missing"}))
		return
	default:
		writeReply(w, jsonReply(http.StatusBadRequest, oauthError{Error: "unsupported_grant_type"}))
		return
	}
	writeReply(w, jsonReply(http.StatusOK, tokenResponse{
		AccessToken: s.IssueToken(),
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.cfg.TokenTTL / time.Second),
	}))
}

func formUnescape(v string) string {
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

// validClient compares in constant time, so the answer's timing does not tell how much of a
// guessed secret was right.
func (s *Server) validClient(id, secret string) bool {
	okID := subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) == 1
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret.Reveal())) == 1
	return okID && okSecret
}

// IssueToken returns a new random access token valid for Config.TokenTTL, as the token endpoint
// would, for tests and in-process use.
func (s *Server) IssueToken() string {
	tok := rand.Text()
	now := s.now()
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	// Expired tokens are dropped now and then, so that a long sandbox run does not keep them all.
	if len(s.tokens) >= 1024 {
		for t, exp := range s.tokens {
			if !now.Before(exp) {
				delete(s.tokens, t)
			}
		}
	}
	s.tokens[tok] = now.Add(s.cfg.TokenTTL)
	return tok
}

// authorize checks a /v1/ request's bearer token; a non-zero reply is the 401 to answer.
func (s *Server) authorize(r *http.Request) (reply, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return unauthorized("a bearer token is required: get one from POST /oauth2/token"), false
	}
	now := s.now()
	s.tokMu.Lock()
	exp, known := s.tokens[tok]
	expired := known && !now.Before(exp)
	if expired {
		delete(s.tokens, tok)
	}
	s.tokMu.Unlock()
	switch {
	case !known:
		return unauthorized("the access token is not known"), false
	case expired:
		return unauthorized("the access token has expired"), false
	}
	return reply{}, true
}

func unauthorized(msg string) reply {
	rep := errorReply(http.StatusUnauthorized, msg)
	rep.header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
	return rep
}
