// Package client sends one record's request to its endpoint of the platform's API, with retries, token refresh and a client-side rate limit, and returns what became
// of it: Created (with the new ids), Exists or Failed (with the API's message and field errors).
package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// ErrConfig is wrapped by every error New returns: the configuration cannot work (exit 2).
var ErrConfig = errors.New("API client configuration")

// Config configures a Client. Zero durations and counts take the defaults noted.
type Config struct {
	BaseURL        string        // https, or http when the host is loopback (127.0.0.0/8, ::1, localhost)
	Token          redact.Secret // static bearer token (ROSTERLOAD_TOKEN), or:
	ClientID       string        // OAuth2 client credentials
	ClientSecret   redact.Secret //
	TokenURL       string        // default BaseURL + "/oauth2/token"; same scheme rule as BaseURL
	Concurrency    int           // callers at once; sizes the connection pool (default 4)
	Rate           float64       // requests per second across all callers, 0 = unlimited
	MaxAttempts    int           // requests per record at most (default 6)
	BaseBackoff    time.Duration // first retry's backoff ceiling (default 250ms), doubled per retry, full jitter
	MaxBackoff     time.Duration // backoff ceiling (default 15s)
	MaxRetryAfter  time.Duration // cap on an honoured Retry-After (default 30s)
	AttemptTimeout time.Duration // one request, answer included (default 30s); also bounds a token request
	UserAgent      string        // default "rosterload"
	Log            *slog.Logger  // default: discard
}

// Defaults of Config's zero values.
const (
	DefaultConcurrency    = 4
	DefaultMaxAttempts    = 6
	DefaultBaseBackoff    = 250 * time.Millisecond
	DefaultMaxBackoff     = 15 * time.Second
	DefaultMaxRetryAfter  = 30 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
	DefaultUserAgent      = "rosterload"
)

// PathToken is the token endpoint's path, relative to Config.BaseURL; a record kind's endpoint
// comes with its request (api.Endpoint).
const PathToken = "/oauth2/token"

// Client submits records. It is safe for concurrent use; one Client serves a whole run.
type Client struct {
	cfg  Config // defaults applied
	base string // BaseURL without a trailing slash
	tr   *http.Transport
	hc   *http.Client
	auth tokenSource
	lim  *rate.Limiter // nil: unlimited
	log  *slog.Logger

	mu    sync.Mutex
	stats Stats
}

// Stats counts what a Client did, for the run's summary.
type Stats struct {
	Requests      int         // requests sent to the API's endpoints (token requests not included)
	Retries       int         // requests beyond a record's first
	HTTPStatus    map[int]int // answers by HTTP status
	TokenRequests int         // requests sent to the token endpoint, auth-style probes and retries included
	Throttled     int         // requests the rate limit made wait
}

// New checks cfg and builds a Client. Its errors wrap ErrConfig and never show a secret.
func New(cfg Config) (*Client, error) {
	if cfg.Concurrency < 0 || cfg.Rate < 0 || cfg.MaxAttempts < 0 || cfg.BaseBackoff < 0 ||
		cfg.MaxBackoff < 0 || cfg.MaxRetryAfter < 0 || cfg.AttemptTimeout < 0 {
		return nil, fmt.Errorf("%w: concurrency, rate, attempts and durations may not be negative", ErrConfig)
	}
	setDefault(&cfg.Concurrency, DefaultConcurrency)
	setDefault(&cfg.MaxAttempts, DefaultMaxAttempts)
	setDefault(&cfg.BaseBackoff, DefaultBaseBackoff)
	setDefault(&cfg.MaxBackoff, DefaultMaxBackoff)
	setDefault(&cfg.MaxRetryAfter, DefaultMaxRetryAfter)
	setDefault(&cfg.AttemptTimeout, DefaultAttemptTimeout)
	setDefault(&cfg.UserAgent, DefaultUserAgent)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}

	base, err := checkURL("base URL", cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(base.String(), "/"), log: cfg.Log}
	c.tr = newTransport(cfg.Concurrency)
	c.hc = &http.Client{
		Transport: c.tr,
		// A redirect would re-send a body full of personal data to a URL nobody configured:
		// the 3xx is returned as it is and the record fails.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if cfg.Rate > 0 {
		// Burst 1: requests are spaced evenly rather than let out in a rush after an idle spell.
		c.lim = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}

	hasOAuth := cfg.ClientID != "" || !cfg.ClientSecret.Empty()
	switch {
	case !cfg.Token.Empty() && hasOAuth:
		return nil, fmt.Errorf("%w: both a static token and client credentials are set: give one", ErrConfig)
	case !cfg.Token.Empty():
		c.auth = staticToken(cfg.Token)
	case cfg.ClientID != "" && !cfg.ClientSecret.Empty():
		tokenURL := cfg.TokenURL
		if tokenURL == "" {
			tokenURL = c.base + PathToken
		}
		// The secret goes to the token endpoint: the same https rule applies to it.
		tu, err := checkURL("token URL", tokenURL)
		if err != nil {
			return nil, err
		}
		c.auth = newOAuthSource(cfg, tu, c.tr, c.log, func() { c.count(func(s *Stats) { s.TokenRequests++ }) })
	case hasOAuth:
		return nil, fmt.Errorf("%w: client credentials need both a client id and a client secret", ErrConfig)
	default:
		return nil, fmt.Errorf("%w: no credentials: set a static token or client credentials", ErrConfig)
	}
	return c, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// checkURL parses raw and refuses plain http to anything but this machine, since requests carry
// tokens and personal data.
func checkURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: %s %q is not an http(s) URL with a host", ErrConfig, what, redactURL(raw))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%w: %s %s uses plain http to a host that is not this machine: use https",
			ErrConfig, what, u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: %s %s may not have a query or fragment", ErrConfig, what, u.Redacted())
	}
	return u, nil
}

// redactURL hides a password in a URL that did not parse well enough for url.URL.Redacted.
func redactURL(raw string) string {
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		if i := strings.Index(raw, "://"); i >= 0 && i < at {
			return raw[:i+3] + "[REDACTED]" + raw[at:]
		}
		return "[REDACTED]" + raw[at:]
	}
	return raw
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newTransport builds the one transport of a Client, its token requests included, sized so that
// every caller keeps its connection between requests instead of opening a new one each time.
func newTransport(concurrency int) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          max(100, concurrency),
		MaxIdleConnsPerHost:   concurrency,
		MaxConnsPerHost:       concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Stats returns a copy of the counts so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.HTTPStatus = make(map[int]int, len(c.stats.HTTPStatus))
	for k, v := range c.stats.HTTPStatus {
		s.HTTPStatus[k] = v
	}
	return s
}

func (c *Client) count(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.stats)
}

// Close releases idle connections. Calls in flight finish normally.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// IdempotencyKey is a record's Idempotency-Key: the hex SHA-256 of its kind, externalId and request
// body. It is the same in every run for the same row content, so a re-run after a crash presents
// the key the interrupted run used, and a changed row gets a new key.
func IdempotencyKey(kind, externalID string, body []byte) string {
	h := sha256.New()
	// Lengths before each part keep ("ab","c") and ("a","bc") apart.
	fmt.Fprintf(h, "%d:%s\x00%d:%s\x00", len(kind), kind, len(externalID), externalID)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Create posts a record's request (body, of kind kind) to its endpoint and returns what became of
// it. A Created result carries the ids the endpoint's documented answer yields (UUIDs: an EWA
// enrollment's ProfileID, CustomerID and FinancialAccountID, a customer's CustomerID); a 2xx
// without them is Failed (Result.Undocumented). idempotencyKey "" means IdempotencyKey(kind,
// externalID, body as encoded). The error is the context's, or a *CredentialsError (wrapping
// ErrCredentials) when no access token can be had: the run cannot go on. See Result.
func (c *Client) Create(ctx context.Context, ep api.Endpoint, kind, externalID string, body any, idempotencyKey string) (Result, error) {
	if v := reflect.ValueOf(body); !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return Result{Outcome: Failed, Message: "no request to send"}, nil
	}
	return c.send(ctx, ep, kind, externalID, body, idempotencyKey)
}

// URL returns the API's base URL as configured, for messages: without userinfo, query or fragment.
func (c *Client) URL() string { return displayURL(c.base) }

// displayURL shows a URL without anything secret it may carry (userinfo, query, fragment).
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactURL(raw)
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
