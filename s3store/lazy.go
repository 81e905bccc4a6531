package s3store

import (
	"context"
	"sync"
)

// Lazy is a Store made at its first use, so that a command on local files never loads the AWS
// configuration (nor fails on a broken one). It is safe for concurrent use.
type Lazy struct {
	Options Options

	mu sync.Mutex
	st *Store
}

// Get returns the Store, making it on the first call. A failure is not kept: the next call
// tries again.
func (l *Lazy) Get(ctx context.Context) (*Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.st != nil {
		return l.st, nil
	}
	st, err := New(ctx, l.Options)
	if err != nil {
		return nil, err
	}
	l.st = st
	return st, nil
}
