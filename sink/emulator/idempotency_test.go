package emulator

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Idempotency: true})
	bad := individual("idem-bad")
	bad.FirstName = ""
	cases := []struct {
		name   string
		r      req
		status int
		ext    string // the externalId whose count must stay 1 ("" none)
	}{
		{"individual 201", create("individual", "idem-ind"), http.StatusCreated, "idem-ind"},
		{"business 201", create("business", "idem-bus"), http.StatusCreated, "idem-bus"},
		{"EWA 201", create("ewa", "idem-ewa"), http.StatusCreated, "idem-ewa"},
		{"400", req{path: "/v1/customers", body: bad}, http.StatusBadRequest, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.r.header = map[string]string{"Idempotency-Key": "key-" + tc.name}
			first := e.must(t, tc.r)
			if first.status != tc.status {
				t.Fatalf("first: status %d, want %d: %s", first.status, tc.status, first.body)
			}
			if first.header.Get("Idempotent-Replayed") != "" {
				t.Errorf("the first answer is marked as a replay")
			}
			for i := range 2 {
				again := e.must(t, tc.r)
				if again.status != first.status || !bytes.Equal(again.body, first.body) {
					t.Fatalf("replay %d: %d %s\nwant the first answer: %d %s", i, again.status, again.body, first.status, first.body)
				}
				if again.header.Get("Idempotent-Replayed") != "true" {
					t.Errorf("replay %d is not marked Idempotent-Replayed", i)
				}
			}
			if tc.ext != "" && e.srv.ExternalIDCount(tc.ext) != 1 {
				t.Errorf("ExternalIDCount(%s) = %d, want 1", tc.ext, e.srv.ExternalIDCount(tc.ext))
			}
		})
	}
	t.Cleanup(func() {
		want := Stats{Customers: 3, Profiles: 1, FinancialAccounts: 1, Requests: 12}
		if s := e.srv.Stats(); s != want {
			t.Errorf("Stats %+v, want %+v: a replay had a side effect", s, want)
		}
	})
}

func TestIdempotencyKeyReuse422(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Idempotency: true})
	key := map[string]string{"Idempotency-Key": "reused"}
	first := e.must(t, req{path: "/v1/customers", body: individual("reuse-a"), header: key})
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	cases := []struct {
		name string
		r    req
	}{
		{"another body", req{path: "/v1/customers", body: individual("reuse-b"), header: key}},
		{"same externalId, a field changed", req{path: "/v1/customers", body: func() any { c := individual("reuse-a"); c.LastName = "Brown"; return c }(), header: key}},
		{"another endpoint", req{path: "/v1/customer-profiles", body: individual("reuse-a"), header: key}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := e.must(t, tc.r)
			if got.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", got.status, got.body)
			}
		})
	}
	if n := e.srv.ExternalIDCount("reuse-b"); n != 0 {
		t.Errorf("the refused request created reuse-b (%d)", n)
	}
	if s := e.srv.Stats(); s.Customers != 1 {
		t.Errorf("Customers %d, want 1", s.Customers)
	}
}

func TestIdempotencyOffIgnoresTheKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Idempotency: false})
	r := create("ewa", "off-1")
	r.header = map[string]string{"Idempotency-Key": "k"}
	if got := e.must(t, r); got.status != http.StatusCreated {
		t.Fatalf("first: %d %s", got.status, got.body)
	}
	got := e.must(t, r)
	if got.status != http.StatusConflict {
		t.Fatalf("second: status %d, want 409 (no replay with idempotency off): %s", got.status, got.body)
	}
	if got.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("a replay with idempotency off")
	}
	// And a different body under the same key is simply processed.
	other := create("individual", "off-2")
	other.header = r.header
	if got := e.must(t, other); got.status != http.StatusCreated {
		t.Fatalf("other body, same key: %d %s", got.status, got.body)
	}
}

func TestIdempotencyKeyTooLong(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Idempotency: true})
	r := create("individual", "long-key")
	r.header = map[string]string{"Idempotency-Key": string(bytes.Repeat([]byte("k"), maxIdempotencyKey+1))}
	if got := e.must(t, r); got.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", got.status)
	}
	if n := e.srv.ExternalIDCount("long-key"); n != 0 {
		t.Errorf("created %d", n)
	}
}

// TestIdempotencyInFlightWaits holds the first request's work and checks that a second one with
// the same key waits for its answer instead of doing the work again, and gives up with its client.
func TestIdempotencyInFlightWaits(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Idempotency: true})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	runs := 0 // written by do, which must run once; read after it
	do := func() reply {
		runs++
		<-release
		return reply{status: http.StatusCreated, body: []byte(`{"id":"x"}`)}
	}
	fp := [32]byte{1}
	firstDone := make(chan reply)
	go func() {
		rep, _ := s.idempotent(context.Background(), "k", fp, do)
		firstDone <- rep
	}()
	// Wait until the first call holds the key.
	for {
		s.idemMu.Lock()
		_, held := s.idem["k"]
		s.idemMu.Unlock()
		if held {
			break
		}
		time.Sleep(time.Millisecond)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, ok := s.idempotent(ctx, "k", fp, do); ok {
		t.Fatal("a waiter whose client gave up got an answer")
	}

	secondDone := make(chan reply)
	go func() {
		rep, ok := s.idempotent(context.Background(), "k", fp, do)
		if !ok {
			t.Error("the waiter got no answer")
		}
		secondDone <- rep
	}()
	select {
	case <-secondDone:
		t.Fatal("the second request did not wait for the first")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	first, second := <-firstDone, <-secondDone
	if runs != 1 {
		t.Errorf("the work ran %d times, want once", runs)
	}
	if second.status != first.status || !bytes.Equal(second.body, first.body) || second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("waiter got %d %s %v, want the first answer replayed", second.status, second.body, second.header)
	}
	if first.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the first answer is marked as a replay")
	}
}
