package emulator

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestConcurrentCreatesHoldEachExternalIDOnce sends 500 distinct externalIds three times each, as
// different kinds, from 32 goroutines at once: every externalId must be held by exactly one
// customer, created by exactly one request.
func TestConcurrentCreatesHoldEachExternalIDOnce(t *testing.T) {
	t.Parallel()
	const (
		ids     = 500
		repeats = 3
		workers = 32
	)
	e := newEnv(t, Config{})
	// Keep-alive connections here: no faults and no keys, so nothing is replayed by the transport.
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(tr.CloseIdleConnections)
	e.client = &http.Client{Transport: tr, Timeout: time.Minute}

	kinds := []string{"individual", "ewa", "business"}
	jobs := make([]req, 0, ids*repeats)
	for i := range ids {
		for r := range repeats {
			jobs = append(jobs, create(kinds[(i+r)%len(kinds)], fmt.Sprintf("conc-%03d", i)))
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(jobs), func(a, b int) { jobs[a], jobs[b] = jobs[b], jobs[a] })

	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		wg       sync.WaitGroup
		next     = make(chan req)
	)
	for range workers {
		wg.Go(func() {
			for r := range next {
				res, err := e.send(t, r)
				mu.Lock()
				if err != nil {
					statuses[-1]++
				} else {
					statuses[res.status]++
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()

	if statuses[http.StatusCreated] != ids || statuses[http.StatusConflict] != ids*(repeats-1) || len(statuses) != 2 {
		t.Errorf("statuses %v, want %d x 201 and %d x 409", statuses, ids, ids*(repeats-1))
	}
	for i := range ids {
		if n := e.srv.ExternalIDCount(fmt.Sprintf("conc-%03d", i)); n != 1 {
			t.Errorf("conc-%03d is held by %d customers", i, n)
		}
	}
	s := e.srv.Stats()
	if s.Customers != ids || s.Profiles != s.FinancialAccounts || s.Requests != ids*repeats {
		t.Errorf("Stats %+v, want %d customers, one account per profile, %d requests", s, ids, ids*repeats)
	}
}

// TestConcurrentSameIdempotencyKey sends one request with one key from many goroutines at once:
// one creation, and every caller gets its answer.
func TestConcurrentSameIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Idempotency: true})
	r := create("ewa", "same-key")
	r.header = map[string]string{"Idempotency-Key": "one-key"}
	const callers = 20
	bodies := make([][]byte, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			res, err := e.send(t, r)
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
				return
			}
			if res.status != http.StatusCreated {
				t.Errorf("caller %d: status %d: %s", i, res.status, res.body)
			}
			bodies[i] = res.body
		})
	}
	wg.Wait()
	for i := 1; i < callers; i++ {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("caller %d got %s, caller 0 %s", i, bodies[i], bodies[0])
		}
	}
	if s := e.srv.Stats(); s.Customers != 1 || s.Profiles != 1 {
		t.Errorf("Stats %+v, want one enrollment", s)
	}
}
