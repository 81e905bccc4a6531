// Package journal keeps the --state file: an append-only JSON Lines log of what each externalId's
// submission came to (PENDING before its request, then CREATED, EXISTS or FAILED), read back when a
// run starts so that it skips what is done and re-sends what was pending with the same key.
//
// Durability: every entry is one write(2) of a whole line on a file opened O_APPEND. Once that call
// returns the line is in the kernel's page cache and survives a kill -9 of the process; only a
// power loss or kernel crash can lose it, which is what fsync guards against. fsync costs
// milliseconds, so it is a group commit: at most once per SyncInterval for all the lines written in
// it, and at Close. A crash can therefore cost the last lines of at most one interval on power
// loss, never on kill -9, and the PENDING line written before each request is what lets the next
// run settle such a record (its key is reused, and a 409 then means EXISTS).
//
// The journal holds ids, statuses, idempotency keys, row numbers and times: never a name, an
// email, a card number or an SSN.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Statuses an entry records.
const (
	StatusPending = "PENDING" // written before the request is sent
	StatusCreated = "CREATED"
	StatusExists  = "EXISTS"
	StatusFailed  = "FAILED"
)

// SyncInterval is the group commit's period: how often written lines are fsynced.
const SyncInterval = time.Second

// maxLine bounds a line read back: entries are a few hundred bytes, so a longer line means the
// file is not a journal (and reading it whole could take any amount of memory).
const maxLine = 64 << 10

// Entry is one line of the journal.
type Entry struct {
	ExternalID         string    `json:"externalId"`
	Kind               string    `json:"kind,omitempty"`
	Status             string    `json:"status"`
	IdempotencyKey     string    `json:"idempotencyKey,omitempty"`
	CustomerID         string    `json:"customerId,omitempty"`
	ProfileID          string    `json:"profileId,omitempty"`
	FinancialAccountID string    `json:"financialAccountId,omitempty"`
	Row                int       `json:"row,omitempty"`
	At                 time.Time `json:"at"`
}

func (e *Entry) check() error {
	if e.ExternalID == "" {
		return errors.New("no externalId")
	}
	switch e.Status {
	case StatusPending, StatusCreated, StatusExists, StatusFailed:
		return nil
	}
	// The status is one of our words or garbage: neither is personal data, but keep it short.
	return fmt.Errorf("unknown status %.20q", e.Status)
}

func (e *Entry) done() bool { return e.Status == StatusCreated || e.Status == StatusExists }

// ErrInUse is returned by Open when another run holds the state file.
var ErrInUse = errors.New("in use by another rosterload run (one run per state file at a time)")

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("state journal is closed")

// CorruptError is a line of an existing state file that is not a journal entry and is not the
// torn last line a crash can leave. The line's content is not quoted: the file may not be a
// journal at all (a roster given as --state by mistake).
type CorruptError struct {
	Path string
	Line int // 1-based
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("state file %s: line %d is not a journal entry (%v); is it the right file?", e.Path, e.Line, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Journal is an open state file. Its methods are safe for concurrent use.
type Journal struct {
	path     string
	f        *os.File
	warnings []string

	mu     sync.Mutex // guards what follows, and orders writes
	last   map[string]Entry
	done   map[string]Entry
	broken error // after a failed write or fsync: the file may hold a partial line, append no more
	closed bool

	dirty  atomic.Bool // lines written since the last fsync
	syncMu sync.Mutex  // one fsync at a time
	stop   chan struct{}
	exited chan struct{}
}

// Open opens the state file at path, creating it with mode 0600 if it does not exist, and loads
// its entries; the last entry of an externalId is its state. A last line cut short by a crash is
// ignored and removed (see Warnings); any other bad line is a *CorruptError naming its line.
func Open(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		if err == nil {
			err = errors.New("not a regular file")
		}
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if err := lock(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	j := &Journal{
		path:   path,
		f:      f,
		last:   map[string]Entry{},
		done:   map[string]Entry{},
		stop:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if err := j.load(); err != nil {
		_ = f.Close()
		return nil, err
	}
	go j.syncLoop()
	return j, nil
}

// load reads the entries and leaves the file ending in a complete line, ready for appending.
func (j *Journal) load() error {
	r := bufio.NewReader(j.f)
	var good int64 // offset just past the last line kept
	for n := 1; ; n++ {
		line, err := readLine(r)
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if errors.Is(err, errLongLine) {
			return &CorruptError{Path: j.path, Line: n, Err: err}
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("state file %s: reading line %d: %w", j.path, n, err)
		}
		terminated := err == nil // readLine returns io.EOF only for a line without its newline
		isLast := !terminated
		if terminated {
			_, perr := r.Peek(1)
			isLast = perr == io.EOF
		}

		content := bytes.TrimSpace(line)
		if len(content) == 0 && terminated { // a blank line is harmless
			good += int64(len(line))
			continue
		}
		e, perr := parse(content)
		switch {
		case perr == nil && terminated:
			j.apply(e)
			good += int64(len(line))
			continue
		case perr == nil:
			// Whole entry, only its newline missing: keep it and end the line.
			j.apply(e)
			if _, err := j.f.Write([]byte("\n")); err != nil {
				return fmt.Errorf("state file %s: ending line %d: %w", j.path, n, err)
			}
			return nil
		case isLast && looksTorn(content):
			j.warnings = append(j.warnings, fmt.Sprintf(
				"state file %s: line %d was cut short (the previous run stopped while writing it) and is ignored", j.path, n))
			if err := j.f.Truncate(good); err != nil {
				return fmt.Errorf("state file %s: removing torn line %d: %w", j.path, n, err)
			}
			if err := j.f.Sync(); err != nil {
				return fmt.Errorf("state file %s: %w", j.path, err)
			}
			return nil
		default:
			return &CorruptError{Path: j.path, Line: n, Err: perr}
		}
	}
}

var errLongLine = fmt.Errorf("a line longer than %d bytes", maxLine)

// readLine returns the next line with its newline; io.EOF with a non-empty line means the file
// ended without one.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLine {
			return nil, errLongLine
		}
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

func parse(content []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(content, &e); err != nil {
		return e, errors.New("not valid JSON")
	}
	if err := e.check(); err != nil {
		return e, err
	}
	return e, nil
}

// looksTorn tells the start of one of our lines (or the zeros a power loss can leave) from a
// file that is not a journal, which must not be truncated.
func looksTorn(content []byte) bool {
	return len(content) == 0 || content[0] == '{' || len(bytes.Trim(content, "\x00")) == 0
}

func (j *Journal) apply(e Entry) {
	j.last[e.ExternalID] = e
	if e.done() {
		j.done[e.ExternalID] = e
	}
}

// Warnings returns what Open found and repaired (a torn last line), one line each, for the log.
func (j *Journal) Warnings() []string { return append([]string(nil), j.warnings...) }

// Len returns how many externalIds the journal holds.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.last)
}

// Done returns the entry that settled externalID, if one was recorded: CREATED or EXISTS. Once
// done an id stays done, whatever is appended after, since the API will not forget it.
func (j *Journal) Done(externalID string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.done[externalID]
	return e, ok
}

// Pending returns externalID's PENDING entry when nothing was recorded after it: a request may
// have been sent and its outcome is unknown. Its IdempotencyKey is the one to send again.
func (j *Journal) Pending(externalID string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.last[externalID]
	if !ok || e.Status != StatusPending {
		return Entry{}, false
	}
	return e, true
}

// Record appends e as one line (At defaults to now, UTC). The line is on its way to disk when
// Record returns: see the package comment for what that survives.
func (j *Journal) Record(e Entry) error {
	if err := e.check(); err != nil {
		return fmt.Errorf("state journal: entry for row %d: %w", e.Row, err)
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("state journal: %w", err)
	}
	line = append(line, '\n')

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if j.broken != nil {
		return j.broken
	}
	// One call with the whole line: a process killed around it leaves the line whole or absent.
	if _, err := j.f.Write(line); err != nil {
		j.broken = fmt.Errorf("state file %s: an earlier write failed, nothing more is recorded: %w", j.path, err)
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	j.apply(e)
	j.dirty.Store(true)
	return nil
}

// Sync flushes the lines written so far to the disk (fsync). A failure also makes later Records
// fail, since the disk may not hold what was written.
func (j *Journal) Sync() error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if !j.dirty.Swap(false) {
		return nil
	}
	if err := j.f.Sync(); err != nil {
		err = fmt.Errorf("state file %s: flushing to disk: %w", j.path, err)
		j.mu.Lock()
		if j.broken == nil {
			j.broken = err
		}
		j.mu.Unlock()
		return err
	}
	return nil
}

// syncLoop is the group commit.
func (j *Journal) syncLoop() {
	defer close(j.exited)
	t := time.NewTicker(SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = j.Sync() // a failure is kept in j.broken and returned by the next Record
		case <-j.stop:
			return
		}
	}
}

// Close flushes and closes the file. Later Records return ErrClosed; a second Close does nothing.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	close(j.stop)
	<-j.exited
	return errors.Join(j.Sync(), j.f.Close())
}
