package emulator

import (
	"context"
	"net/http"
	"time"
)

// fault is what the fault injection decided for one API request.
type fault int

const (
	noFault       fault = iota
	faultLimited        // over Config.RateLimit: 429
	faultThrottle       // 429, nothing done
	faultFail           // 500, nothing done
	faultDrop           // connection closed, nothing done
	faultLost500        // committed, then answered 500
	faultLostDrop       // committed, then connection closed
)

var faultNames = [...]string{"", "rate_limited", "throttled", "failed", "dropped", "lost_response_500", "lost_response_dropped"}

func (f fault) String() string { return faultNames[f] }

// drawFault decides one API request's fault. The limiter goes first; then one draw from the seeded
// RNG falls into consecutive intervals, throttle, fail, drop, lost response, so that each rate is
// the fraction of all requests it hits (an earlier kind wins where the rates add up beyond 1).
// Two draws are made for every request whatever the rates, so a seed replays the same sequence.
func (s *Server) drawFault() fault {
	if s.limiter != nil && !s.limiter.Allow() {
		return faultLimited
	}
	s.faultMu.Lock()
	u, half := s.rng.Float64(), s.rng.Float64()
	s.faultMu.Unlock()
	c := &s.cfg
	switch {
	case u < c.ThrottleRate:
		return faultThrottle
	case u < c.ThrottleRate+c.FailRate:
		return faultFail
	case u < c.ThrottleRate+c.FailRate+c.DropRate:
		return faultDrop
	case u < c.ThrottleRate+c.FailRate+c.DropRate+c.LostResponseRate:
		if half < 0.5 {
			return faultLost500
		}
		return faultLostDrop
	}
	return noFault
}

func tooManyRequests() reply {
	rep := errorReply(http.StatusTooManyRequests, "too many requests: retry after 1 second")
	rep.header = http.Header{"Retry-After": {"1"}}
	return rep
}

// drop closes the request's connection without an answer, as a network fault would. Where the
// connection cannot be taken over (HTTP/2), the handler aborts, which resets the stream.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http's own way to abort a response; it is recovered there
	}
	_ = conn.Close()
}

// sleep waits d, or until ctx ends; it reports whether the wait ran its course.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
