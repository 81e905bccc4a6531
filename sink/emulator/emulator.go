// Package emulator serves an in-memory stand-in for the customer platform's API: OAuth2 client-
// credentials tokens and the requests of every registered record kind (ingest.Spec) go in; the
// seeds' response shapes, validation and duplicate errors, or injected faults come out, with counts
// a test can read to prove nobody was created twice.
//
// Routes:
//
//	POST /oauth2/token                    client credentials (form body or HTTP basic auth)
//	POST <each kind's endpoint>           its request -> 201, 400, 409:
//	POST /v1/customers                      INDIVIDUAL or BUSINESS customer
//	POST /v1/customer-profiles              EWA enrollment: customer + financial account + profile
//	GET  /v1/customers/{customerId}       the stored customer -> 200, 404
//	GET  /_sandbox/stats                  counts of what was created (no auth)
//
// Every /v1/ request needs a bearer token from /oauth2/token (or IssueToken), and goes through
// the fault injection of its Config before it reaches its handler.
//
// Idempotency-Key (when Config.Idempotency is set): a second request with a key that is still in
// flight waits for the first one's answer (as long as its own client waits) rather than being
// told 409, because rosterload reads any 409 as "this externalId exists" and the waiting request
// gets the answer the client needs: the first one's, ids included.
package emulator

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// Defaults of Config's credentials and token lifetime.
const (
	DefaultClientID     = "sandbox"
	DefaultClientSecret = "sandbox-secret"
	DefaultTokenTTL     = 15 * time.Minute
)

// MaxBodyBytes is the largest request body accepted (413 beyond it).
const MaxBodyBytes = 1 << 20

// ErrConfig is wrapped by every error New returns for a bad Config.
var ErrConfig = errors.New("invalid emulator configuration")

// Config says how the emulator behaves. The zero value is a well-behaved server with the default
// credentials and no faults.
type Config struct {
	Latency          time.Duration // added to every API request
	FailRate         float64       // fraction answered 500 (nothing committed)
	ThrottleRate     float64       // fraction answered 429 with Retry-After: 1
	DropRate         float64       // fraction whose connection is closed with no answer (nothing committed)
	LostResponseRate float64       // fraction committed, then answered 500 or dropped (half each)
	// RateLimit is the requests/s beyond which it answers 429 (0 = none). The burst is one second's
	// worth of requests (at least 1).
	RateLimit   float64
	Idempotency bool // honour Idempotency-Key (the real API does not document it)

	ClientID     string        // default "sandbox"
	ClientSecret redact.Secret // default "sandbox-secret"
	TokenTTL     time.Duration // default 15m

	Validator *validate.Validator // nil: New makes one with default options
	Seed      uint64              // fault-injection RNG seed (0: random)
	Now       func() time.Time    // nil: time.Now; decides token expiry and createdAt
	Log       *slog.Logger        // nil: discard
}

// Stats are the counts of what the emulator holds and was asked.
type Stats struct {
	Customers         int `json:"customers"`
	Profiles          int `json:"profiles"`
	FinancialAccounts int `json:"financialAccounts"`
	// Requests counts the /v1/ calls received, faulted ones included; token and stats calls are
	// not counted.
	Requests int `json:"requests"`
}

// Server is the emulator. It is an http.Handler, safe for concurrent use.
type Server struct {
	cfg     Config
	v       *validate.Validator
	log     *slog.Logger
	now     func() time.Time
	limiter *rate.Limiter // nil: no rate limit
	actor   api.Actor     // createdBy of everything this server creates
	// endpoints are the kinds registered when the server was made, by endpoint path.
	endpoints map[string][]*ingest.Spec

	requests atomic.Int64

	faultMu sync.Mutex
	rng     *mrand.Rand

	tokMu  sync.Mutex
	tokens map[string]time.Time // token -> expiry

	idemMu sync.Mutex
	idem   map[string]*idemEntry

	mu        sync.Mutex // guards the records below
	customers map[string]*customer
	byExtID   map[string]string // externalId -> customer id: one namespace for all kinds
	profiles  int
	accounts  int
}

// customer is one stored customer: its answer body, kept encoded so that GET and an idempotent
// replay of its creation share one copy, and its externalId.
type customer struct {
	externalID string
	body       []byte
}

// New returns a Server for cfg, with its defaults filled in.
func New(cfg Config) (*Server, error) {
	for _, r := range []struct {
		name string
		v    float64
	}{{"FailRate", cfg.FailRate}, {"ThrottleRate", cfg.ThrottleRate}, {"DropRate", cfg.DropRate}, {"LostResponseRate", cfg.LostResponseRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return nil, fmt.Errorf("%w: %s is %v, want a fraction from 0 to 1", ErrConfig, r.name, r.v)
		}
	}
	if math.IsNaN(cfg.RateLimit) || math.IsInf(cfg.RateLimit, 0) || cfg.RateLimit < 0 {
		return nil, fmt.Errorf("%w: RateLimit is %v, want requests/s >= 0", ErrConfig, cfg.RateLimit)
	}
	if cfg.Latency < 0 {
		return nil, fmt.Errorf("%w: Latency is %v, want >= 0", ErrConfig, cfg.Latency)
	}
	if cfg.TokenTTL < 0 {
		return nil, fmt.Errorf("%w: TokenTTL is %v, want >= 0", ErrConfig, cfg.TokenTTL)
	}
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.ClientSecret.Empty() {
		cfg.ClientSecret = redact.NewSecret(DefaultClientSecret)
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	s := &Server{
		cfg:       cfg,
		v:         cfg.Validator,
		log:       cfg.Log,
		now:       cfg.Now,
		actor:     api.Actor{ID: newUUID(), Type: "SERVICE_ACCOUNT"},
		tokens:    make(map[string]time.Time),
		idem:      make(map[string]*idemEntry),
		customers: make(map[string]*customer),
		byExtID:   make(map[string]string),
		endpoints: make(map[string][]*ingest.Spec),
	}
	for _, sp := range ingest.Specs() {
		s.endpoints[sp.Endpoint.Path] = append(s.endpoints[sp.Endpoint.Path], sp)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.v == nil {
		v, err := validate.New(validate.Options{Now: cfg.Now})
		if err != nil {
			return nil, fmt.Errorf("emulator: default validator: %w", err)
		}
		s.v = v
	}
	if cfg.RateLimit > 0 {
		burst := max(1, int(math.Ceil(cfg.RateLimit)))
		s.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), burst)
	}
	seed := cfg.Seed
	if seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		seed = binary.LittleEndian.Uint64(b[:])
	}
	s.rng = mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return s, nil
}

// ServeHTTP answers the emulator's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/oauth2/token":
		s.serveToken(w, r)
	case p == "/_sandbox/stats":
		s.serveStats(w, r)
	case strings.HasPrefix(p, "/v1/"):
		s.serveAPI(w, r)
	default:
		writeReply(w, errorReply(http.StatusNotFound, "no such endpoint"))
	}
}

// Stats returns the current counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := Stats{Customers: len(s.customers), Profiles: s.profiles, FinancialAccounts: s.accounts}
	s.mu.Unlock()
	st.Requests = int(s.requests.Load())
	return st
}

// ExternalIDCount returns how many stored customers hold externalId id (an EWA enrollment's
// customer included). It counts the records themselves, not the uniqueness index, so that a test
// calling it would see a broken index.
func (s *Server) ExternalIDCount(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.customers {
		if c.externalID == id {
			n++
		}
	}
	return n
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeReply(w, errorReply(http.StatusMethodNotAllowed, "use GET"))
		return
	}
	writeReply(w, jsonReply(http.StatusOK, s.Stats()))
}

// stamp is a createdAt value: RFC 3339, milliseconds, UTC, as the seeds show.
func (s *Server) stamp() string {
	return s.now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
