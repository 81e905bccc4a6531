package client

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A limiter wait that the caller's deadline cuts short gives its turn back: the next call waits
// for the turn the cut one would have had, not for the one after it.
func TestRateLimitWaitCutShortGivesTurnBack(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, created("c"))
	c := newTestClient(t, f, func(c *Config) { c.Rate = 1 }) // one turn a second, none saved up
	if res, err := call(context.Background(), c, individual, "E1", ""); err != nil || res.Outcome != Created {
		t.Fatalf("first call: %+v, %v", res, err)
	}
	// E2's turn is a second away; its deadline ends the wait halfway.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if res, err := call(ctx, c, individual, "E2", ""); !errors.Is(err, context.DeadlineExceeded) || res.Attempts != 0 {
		t.Fatalf("second call: %+v, %v; want DeadlineExceeded and no attempt", res, err)
	}
	// E3 takes E2's turn, about half a second away; had E2 kept it, E3's would be about 1.5 s away.
	ctx, cancel = context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	if res, err := call(ctx, c, individual, "E3", ""); err != nil || res.Outcome != Created {
		t.Errorf("third call: %+v, %v; want Created within the turn E2 gave back", res, err)
	}
	if s := c.Stats(); s.Throttled != 2 {
		t.Errorf("%d calls waited for the limiter, want 2 (E2 and E3)", s.Throttled)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests sent, want 2 (E1 and E3)", n)
	}
}
