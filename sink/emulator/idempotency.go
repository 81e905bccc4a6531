package emulator

import (
	"context"
	"crypto/sha256"
	"net/http"
)

// maxIdempotencyKey bounds a key's length, so that keys cannot be used to fill memory faster
// than bodies can.
const maxIdempotencyKey = 255

// idemEntry is one Idempotency-Key: the request it was first used with and, once done is
// closed, that request's answer.
type idemEntry struct {
	fingerprint [sha256.Size]byte
	done        chan struct{}
	rep         reply
}

// fingerprint identifies a request by method, path and exact body bytes.
func fingerprint(r *http.Request, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	var fp [sha256.Size]byte
	h.Sum(fp[:0])
	return fp
}

// idempotent runs do once per key. The first request with a key runs it and keeps its answer,
// whatever its status; a later one with the same request gets that answer again, marked
// Idempotent-Replayed, with no side effect; one with another request gets 422. A later one that
// arrives while the first is still running waits for it (see the package doc). ok is false when
// the caller's context ended first: there is nobody to answer.
func (s *Server) idempotent(ctx context.Context, key string, fp [sha256.Size]byte, do func() reply) (rep reply, ok bool) {
	s.idemMu.Lock()
	e, seen := s.idem[key]
	if !seen {
		e = &idemEntry{fingerprint: fp, done: make(chan struct{})}
		s.idem[key] = e
		s.idemMu.Unlock()
		// do never panics (handle recovers), so done is always closed and no waiter is stuck.
		e.rep = do()
		close(e.done)
		return e.rep, true
	}
	s.idemMu.Unlock()
	if e.fingerprint != fp {
		return errorReply(http.StatusUnprocessableEntity, "this Idempotency-Key was already used with a different request"), true
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return reply{}, false
	}
	rep = e.rep
	h := rep.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Idempotent-Replayed", "true")
	rep.header = h
	return rep, true
}
