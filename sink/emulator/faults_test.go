package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
)

// isDropped reports whether err is what a client sees when the server closed the connection
// without an answer.
func isDropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

func TestFaultsAtRateOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		cfg          Config
		wantStatus   int // 0: the connection is dropped
		wantRetry    string
		wantCommited bool
	}{
		{name: "fail", cfg: Config{FailRate: 1}, wantStatus: http.StatusInternalServerError},
		{name: "throttle", cfg: Config{ThrottleRate: 1}, wantStatus: http.StatusTooManyRequests, wantRetry: "1"},
		{name: "drop", cfg: Config{DropRate: 1}, wantStatus: 0},
		// Earlier kinds win where rates add up beyond 1.
		{name: "throttle before fail", cfg: Config{ThrottleRate: 1, FailRate: 1}, wantStatus: http.StatusTooManyRequests, wantRetry: "1"},
		{name: "fail before drop", cfg: Config{FailRate: 1, DropRate: 1}, wantStatus: http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.cfg)
			for _, kind := range []string{"individual", "ewa"} {
				got, err := e.send(t, create(kind, "fault-"+kind))
				if tc.wantStatus == 0 {
					if err == nil {
						t.Fatalf("%s: got %d %s, want a dropped connection", kind, got.status, got.body)
					}
					if !isDropped(err) {
						t.Errorf("%s: error %v, want EOF or connection reset", kind, err)
					}
				} else {
					if err != nil {
						t.Fatalf("%s: %v", kind, err)
					}
					if got.status != tc.wantStatus {
						t.Fatalf("%s: status %d, want %d", kind, got.status, tc.wantStatus)
					}
					if ra := got.header.Get("Retry-After"); ra != tc.wantRetry {
						t.Errorf("%s: Retry-After %q, want %q", kind, ra, tc.wantRetry)
					}
				}
			}
			want := Stats{Requests: 2}
			if s := e.srv.Stats(); s != want {
				t.Errorf("Stats %+v, want %+v: nothing may be done", s, want)
			}
		})
	}
}

// TestLostResponse checks that the work is committed although the client sees an error, and that
// both ways of losing the answer happen.
func TestLostResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{LostResponseRate: 1, Seed: 1})
	const n = 16
	got500, dropped := 0, 0
	for i := range n {
		ext := fmt.Sprintf("lost-%d", i)
		kind := []string{"individual", "ewa"}[i%2]
		res, err := e.send(t, create(kind, ext))
		switch {
		case err != nil && isDropped(err):
			dropped++
		case err != nil:
			t.Fatalf("%s: error %v, want EOF or connection reset", ext, err)
		case res.status == http.StatusInternalServerError:
			got500++
			if decode[api.ErrorResponse](t, res.body).Message == "" {
				t.Errorf("500 without a message")
			}
		default:
			t.Fatalf("%s: status %d, want 500 or a dropped connection: %s", ext, res.status, res.body)
		}
		if c := e.srv.ExternalIDCount(ext); c != 1 {
			t.Errorf("%s: ExternalIDCount %d, want 1: a lost response is committed", ext, c)
		}
	}
	if got500 == 0 || dropped == 0 {
		t.Errorf("500s %d, drops %d: want both kinds of lost response", got500, dropped)
	}
	want := Stats{Customers: n, Profiles: n / 2, FinancialAccounts: n / 2, Requests: n}
	if s := e.srv.Stats(); s != want {
		t.Errorf("Stats %+v, want %+v", s, want)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	// One request per 5 s, burst 1: the second and third come far sooner.
	e := newEnv(t, Config{RateLimit: 0.2})
	want := []int{http.StatusCreated, http.StatusTooManyRequests, http.StatusTooManyRequests}
	for i, w := range want {
		got := e.must(t, create("individual", fmt.Sprintf("rl-%d", i)))
		if got.status != w {
			t.Fatalf("request %d: status %d, want %d", i, got.status, w)
		}
		if w == http.StatusTooManyRequests && got.header.Get("Retry-After") != "1" {
			t.Errorf("request %d: Retry-After %q, want 1", i, got.header.Get("Retry-After"))
		}
	}
	if s := e.srv.Stats(); s.Customers != 1 || s.Requests != 3 {
		t.Errorf("Stats %+v, want 1 customer of 3 requests", s)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	const latency = 150 * time.Millisecond
	e := newEnv(t, Config{Latency: latency})
	start := time.Now()
	if got := e.must(t, create("individual", "slow-1")); got.status != http.StatusCreated {
		t.Fatalf("status %d", got.status)
	}
	if d := time.Since(start); d < latency {
		t.Errorf("answered in %v, want at least %v", d, latency)
	}

	// A client that gives up during the latency leaves nothing behind.
	impatient := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Millisecond}
	e2 := *e
	e2.client = impatient
	if _, err := e2.send(t, create("individual", "slow-2")); err == nil {
		t.Fatal("the impatient client got an answer")
	}
	time.Sleep(2 * latency)
	if n := e.srv.ExternalIDCount("slow-2"); n != 0 {
		t.Errorf("a request whose client gave up during the latency created its customer")
	}
}

func TestFaultsAreSeeded(t *testing.T) {
	t.Parallel()
	statuses := func(seed uint64) []int {
		e := newEnv(t, Config{FailRate: 0.3, ThrottleRate: 0.3, Seed: seed})
		var out []int
		for i := range 24 {
			got := e.must(t, req{method: http.MethodGet, path: fmt.Sprintf("/v1/customers/%d", i)})
			out = append(out, got.status)
		}
		return out
	}
	a, b, c := statuses(99), statuses(99), statuses(100)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("different seeds, same faults: %v", a)
	}
	seen := map[int]bool{}
	for _, s := range a {
		seen[s] = true
	}
	if !seen[404] || !seen[429] || !seen[500] {
		t.Errorf("statuses %v: want a mix of 404, 429 and 500", a)
	}
}

// TestRetryingClientCreatesNobodyTwice plays a client that retries every fault with one
// idempotency key per record, as rosterload does, against every kind of fault at once.
func TestRetryingClientCreatesNobodyTwice(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		idempotency bool
	}{{"idempotency on", true}, {"idempotency off", false}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, Config{Idempotency: tc.idempotency, ThrottleRate: 0.1, FailRate: 0.1, DropRate: 0.1, LostResponseRate: 0.3, Seed: 42})
			const n = 40
			final := map[int]int{}
			replays := 0
			for i := range n {
				ext := fmt.Sprintf("retry-%d", i)
				r := create([]string{"individual", "business", "ewa"}[i%3], ext)
				r.header = map[string]string{"Idempotency-Key": "key-" + ext}
				var res resp
				for attempt := 1; ; attempt++ {
					if attempt > 50 {
						t.Fatalf("%s: no final answer after 50 attempts", ext)
					}
					got, err := e.send(t, r)
					if err != nil || got.status >= 500 || got.status == http.StatusTooManyRequests {
						continue
					}
					res = got
					break
				}
				final[res.status]++
				if res.header.Get("Idempotent-Replayed") == "true" {
					replays++
				}
				if c := e.srv.ExternalIDCount(ext); c != 1 {
					t.Errorf("%s: ExternalIDCount %d, want 1", ext, c)
				}
			}
			if s := e.srv.Stats(); s.Customers != n {
				t.Errorf("Customers %d, want %d", s.Customers, n)
			}
			if tc.idempotency {
				// A lost 201 is replayed to the retry: every record ends CREATED, with its ids.
				if final[http.StatusCreated] != n || replays == 0 {
					t.Errorf("final statuses %v, %d replays: want all %d created, some by replay", final, replays, n)
				}
			} else {
				// Without it the retry of a lost 201 meets its own record: 409.
				if final[http.StatusCreated]+final[http.StatusConflict] != n || final[http.StatusConflict] == 0 {
					t.Errorf("final statuses %v: want 201s and, for lost responses, 409s", final)
				}
			}
		})
	}
}
