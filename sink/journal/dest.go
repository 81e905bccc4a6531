package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rosterload/rosterload/output"
)

// ErrRefused is what OpenDest's refusals of the state file itself wrap (those of OpenFor: in
// use, written for another kind or API, not a journal), as opposed to a failure to fetch it.
var ErrRefused = errors.New("state file refused")

// Kept is an open journal and where it is kept (the --state output). For an s3:// destination the journal is appended
// to in its local copy as on disk, and uploaded every `every` outcomes recorded and by Save at
// the end. A crash between checkpoints loses the lines since the last one; the next run sends
// those rows again and the platform's 409 on externalId makes them EXISTS, so nobody is created
// twice. The cost is repeated requests, never a duplicate customer.
type Kept struct {
	*Journal
	dest  *output.Dest
	log   *slog.Logger
	every int64

	rd    *os.File // the local copy, read by the uploads once its name is gone
	count atomic.Int64
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	mu    sync.Mutex // one upload at a time
	saved int64      // bytes of the journal last uploaded
}

// OpenDest opens the journal kept at d for opts (see OpenFor), fetching an s3:// one first, and
// starts its checkpoints (every `every` outcomes, under ctx) until Save. Errors are the fetch's,
// or OpenFor's wrapping ErrRefused and naming d rather than its local copy.
func OpenDest(ctx context.Context, d *output.Dest, every int, opts Options, log *slog.Logger) (*Kept, error) {
	k := &Kept{dest: d, log: log, every: int64(max(every, 1))}
	if d.Remote() {
		obj, found, err := d.Fetch(ctx)
		if err != nil {
			return nil, err
		}
		if found {
			k.saved = obj.Size
			log.Info("state journal downloaded", "url", d.Name, "bytes", obj.Size, "etag", obj.ETag)
		} else {
			log.Info("no state journal in S3 yet: starting a new one", "url", d.Name)
		}
	}
	j, err := OpenFor(d.Local, opts)
	if err != nil {
		return nil, &refusal{msg: k.name(err.Error()), err: err}
	}
	for i, w := range j.warnings {
		j.warnings[i] = k.name(w)
	}
	k.Journal = j
	if !d.Remote() {
		return k, nil
	}
	// Keep a descriptor for the uploads and remove the copy's name: the journal appends through
	// its own descriptor, and not even a kill -9 leaves the copy behind.
	rd, err := os.Open(d.Local)
	if err != nil {
		j.Close()
		return nil, fmt.Errorf("state %s: %w", d.Name, err)
	}
	k.rd = rd
	if runtime.GOOS != "windows" {
		d.Cleanup()
	}
	k.kick, k.stop, k.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	j.outcome = k.outcome
	j.keep = k.keep
	go k.checkpoints(ctx)
	return k, nil
}

// refusal is an OpenFor error said of the destination.
type refusal struct {
	msg string
	err error
}

func (r *refusal) Error() string   { return r.msg }
func (r *refusal) Unwrap() []error { return []error{ErrRefused, r.err} }

// name replaces the local copy's path by the destination's name in a message.
func (k *Kept) name(msg string) string {
	return strings.ReplaceAll(msg, k.dest.Local, k.dest.Name)
}

// outcome counts an outcome recorded and asks for a checkpoint every `every`. It does not wait:
// a checkpoint asked for while one runs is merged into the next.
func (k *Kept) outcome() {
	if k.count.Add(1)%k.every == 0 {
		select {
		case k.kick <- struct{}{}:
		default:
		}
	}
}

func (k *Kept) checkpoints(ctx context.Context) {
	defer close(k.done)
	for {
		select {
		case <-k.kick:
			if err := k.upload(ctx); err != nil {
				k.log.Warn("state checkpoint failed; the next one will try again", "error", err.Error())
			}
		case <-k.stop:
			return
		}
	}
}

// keep takes the journal's compacted copy at Close (a file without a name): Save uploads it.
func (k *Kept) keep(f *os.File) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_ = k.rd.Close()
	k.rd = f
}

// Save, once the journal is closed, stops the checkpoints and uploads the journal as it ends
// (compacted by Close);
// a local journal is saved already. It releases the local copy.
func (k *Kept) Save(ctx context.Context) error {
	if k.rd == nil {
		return nil
	}
	close(k.stop)
	<-k.done
	defer func() {
		k.rd.Close()
		k.dest.Cleanup()
	}()
	if err := k.upload(ctx); err != nil {
		return fmt.Errorf("%w: the rows since the last checkpoint will be sent again by the next run (and found to exist)", err)
	}
	k.log.Info("state journal saved", "url", k.dest.Name, "bytes", k.saved)
	return nil
}

// upload sends the journal's complete lines: a line being appended as the copy is taken is left
// for the next checkpoint.
func (k *Kept) upload(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	n, err := completeLines(k.rd)
	if err != nil {
		return fmt.Errorf("state %s: %w", k.dest.Name, err)
	}
	if err := k.dest.Upload(ctx, io.NewSectionReader(k.rd, 0, n)); err != nil {
		return err
	}
	k.saved = n
	k.log.Debug("state checkpoint", "url", k.dest.Name, "outcomes", k.count.Load(), "bytes", n)
	return nil
}

// completeLines returns the length of f up to its last newline.
func completeLines(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	end := fi.Size()
	buf := make([]byte, 64<<10)
	for end > 0 {
		off := max(end-int64(len(buf)), 0)
		b := buf[:end-off]
		if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		end = off
	}
	return 0, nil
}
