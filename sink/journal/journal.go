// Package journal keeps the --state file: what each externalId's submission came to (PENDING
// before its request, then CREATED, EXISTS or FAILED), appended as it happens, and for each one
// done what the nightly reconciliation needs (the platform's ids, the days it was first and last
// seen and went missing, a fingerprint of each field sent: sums.go, sightings.go), read back
// when a run starts and compacted to one line per employee when it ends (compact.go).
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
//
// Binding: the first line of a state file is a header naming the record kind and the API host it
// was written for, e.g. {"rosterload":"state","version":2,"kind":"ewa","apiHost":"api.example.com",
// "createdAt":"..."}; OpenFor refuses a state of another kind or host (ErrMismatch), so that a
// sandbox or staging state never makes a production run skip anyone. A file of an earlier version
// (entries only, each with its kind) is bound on its first OpenFor. An earlier rosterload refuses
// a file with a header (its first line is not an entry).
//
// Loading: entries are read into a compact, pointer-free table (see store.go) in time and memory
// proportional to the number of employees, with progress reported for a large file.
package journal

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rosterload/rosterload/redact"
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
	// Sums, for a CREATED or EXISTS entry, are the fingerprints of the request that was sent
	// (from Fingerprint); they are written as the line's shape and sums.
	Sums Sums `json:"-"`
}

func (e *Entry) check() error {
	if e.ExternalID == "" {
		return errNoExternalID
	}
	switch e.Status {
	case StatusPending, StatusCreated, StatusExists, StatusFailed:
		return nil
	}
	// The status is one of our words or garbage: neither is personal data, but keep it short.
	return unknownStatus(e.Status)
}

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

// ErrMismatch is what a *MismatchError is: the state file was written for another record kind or
// another API host than this run's. Such a state is never used to skip anyone.
var ErrMismatch = errors.New("state file written for another kind or API")

// Binding is what a state file is for: the kind of record its entries are and the host of the
// API they were sent to (lower-case, without a port).
type Binding struct {
	Kind string
	Host string // "" when the file does not say (a file of an earlier version)
}

func (b Binding) String() string {
	if b.Host == "" {
		return fmt.Sprintf("kind %s (API host not recorded)", b.Kind)
	}
	return fmt.Sprintf("kind %s at API host %s", b.Kind, b.Host)
}

// MismatchError refuses a state file bound to another kind or API host than the run's: a state of
// the sandbox or of staging must never make a production run skip anyone, nor a state of one kind
// a run of another. errors.Is(err, ErrMismatch) holds.
type MismatchError struct {
	Path string
	File Binding // what the file holds
	Run  Binding // what this run is
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("state file %s was written for %s, but this run is %s: use one state file per kind and API (give this run another --state)",
		e.Path, e.File, e.Run)
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Options binds a journal to the run that uses it.
type Options struct {
	// Kind is the run's record kind (ewa, individual, business). Required.
	Kind string
	// Host is the API's host: a URL ("https://api.example.com:8443/v1") or host[:port] is
	// reduced to its lower-cased host name, so that the port (the in-process sandbox takes a
	// random one each run) does not matter. Required.
	Host string
	// Progress, if set, is called about once a second while a large state file loads, and once
	// more at the end (Done) if it was called at all, e.g. to log "loading state: 45%". It is
	// called on the goroutine that called OpenFor.
	Progress func(LoadProgress)
	// Key keys the fingerprints (ROSTERLOAD_STATE_KEY); empty: a salt kept in the state's header
	// (see sums.go for what each protects). A state made with a key needs the same key (ErrKey).
	Key redact.Secret
	// Today is the day the run's sightings are of (its UTC date); zero: now.
	Today time.Time
	// ReadOnly opens the state to read it only (validate --state): no lock, so a run on the
	// same file is not blocked; nothing written, upgraded or compacted, whatever is found; an
	// absent file reads as an empty state. Host "" then accepts a state of any API host (a dry
	// run has none); the kind must still match.
	ReadOnly bool

	progressEvery time.Duration // tests: 0 is once a second
}

// LoadProgress is how far the load of a state file is.
type LoadProgress struct {
	Path  string
	Lines int64 // lines read so far
	Bytes int64 // bytes read so far
	Size  int64 // the file's size
	Done  bool  // the load is over: the last call
}

// Percent returns how much of the file was read, 0 to 100.
func (p LoadProgress) Percent() int {
	if p.Size <= 0 {
		return 100
	}
	return int(min(100, p.Bytes*100/p.Size))
}

// Journal is an open state file. Its methods are safe for concurrent use.
type Journal struct {
	path      string
	f         *os.File // nil for an absent file opened ReadOnly
	warnings  []string
	kind      string // the file's kind; "" only for a headerless file opened by Open (any kind)
	host      string // the file's API host; "" when not bound
	readOnly  bool
	today     uint16 // Options.Today as a day
	createdAt time.Time
	scheme    *scheme // how fingerprints are made; set once the header (or its absence) is read
	shapes    *shapes
	sumsValid bool // the file's fingerprints are of this journal's scheme
	// bound: opened by OpenFor, with a header holding the fingerprints' scheme; a journal
	// opened by Open keeps no fingerprints, since nothing would say how to read them.
	bound   bool
	upgrade string // why the file must be rewritten at open ("" for no need)

	// keep, if set, takes the compacted state at Close instead of the file's name (an s3://
	// state, whose local copy has no name: see Kept).
	keep func(*os.File)

	mu      sync.Mutex // guards what follows, and orders writes
	st      *store
	broken  error // after a failed write or fsync: the file may hold a partial line, append no more
	closed  bool
	changed bool // recorded, seen, marked or refreshed: compact at Close

	// outcome, if set, is called after each outcome (not PENDING) is written: the checkpoints
	// of a journal kept in S3 count them (see Kept).
	outcome func()

	dirty  atomic.Bool // lines written since the last fsync
	syncMu sync.Mutex  // one fsync at a time
	stop   chan struct{}
	exited chan struct{}
}

// OpenFor opens the state file at path for a run of opts.Kind against the API at opts.Host,
// creating it with mode 0600 if it does not exist, and loads its entries; the last entry of an
// externalId is its state.
//
// A new (or empty) file gets a header line binding it to the kind and host. A file with a header
// for another kind or host is refused with a *MismatchError (errors.Is ErrMismatch), and so is a
// file of an earlier version (no header) whose entries are of another kind; one whose entries are
// of this kind is bound to this run's kind and host by rewriting it with a header (said in
// Warnings). Entries without a kind are never used to skip (said in Warnings).
//
// A last line cut short by a crash is ignored and removed (see Warnings); any other bad line is
// a *CorruptError naming its line. A file held by another run is ErrInUse. A refused file is
// left as it was.
func OpenFor(path string, opts Options) (*Journal, error) {
	kind := strings.ToLower(strings.TrimSpace(opts.Kind))
	if kind == "" {
		return nil, errors.New("state journal: no record kind given")
	}
	host := ""
	if !opts.ReadOnly || strings.TrimSpace(opts.Host) != "" {
		var err error
		if host, err = normHost(opts.Host); err != nil {
			return nil, fmt.Errorf("state journal: API host: %w", err)
		}
	}
	opts.Kind, opts.Host = kind, host
	return open(path, opts, true)
}

// Open opens the state file at path without binding it to a kind or API host, for tools and
// tests that read a state: a headerless file is used whatever its entries' kinds, and a new file
// gets no header. A file with a header keeps to its kind (its host is not checked). A run uses
// OpenFor, which refuses a state written for another kind or API.
func Open(path string) (*Journal, error) { return open(path, Options{}, false) }

func open(path string, opts Options, bound bool) (*Journal, error) {
	var (
		f    *os.File
		size int64
		err  error
	)
	if opts.ReadOnly {
		f, size, err = openRead(path)
	} else {
		f, size, err = openLocked(path)
	}
	if err != nil {
		return nil, err
	}
	today := opts.Today
	if today.IsZero() {
		today = time.Now()
	}
	j := &Journal{
		path:     path,
		f:        f,
		readOnly: opts.ReadOnly,
		today:    dayOf(today.UTC()),
		st:       newStore(nil),
		stop:     make(chan struct{}),
		exited:   make(chan struct{}),
	}
	if bound {
		j.kind, j.host, j.bound = opts.Kind, opts.Host, true
	}
	if f != nil {
		err = j.load(size, opts, bound)
	} else {
		err = j.useScheme(opts, nil)
	}
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, err
	}
	if j.readOnly {
		close(j.exited)
	} else {
		go j.syncLoop()
	}
	return j, nil
}

// openRead opens path for reading only, taking no lock: nil for an absent file.
func openRead(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("state file: %w", err)
	}
	fi, err := regular(f, path)
	if err != nil {
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// regular stats f, the file at path, and closes it unless it is a regular file.
func regular(f *os.File, path string) (os.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		if err == nil {
			err = errors.New("not a regular file")
		}
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return fi, nil
}

// useScheme settles how fingerprints are made once the header is read (h nil: there is none, or
// it is of a version without fingerprints).
func (j *Journal) useScheme(opts Options, h *header) error {
	var err error
	switch {
	case h != nil && h.Sums == schemeKeyed:
		switch {
		case opts.Key.Empty():
			return fmt.Errorf("state file %s was made with ROSTERLOAD_STATE_KEY set, and it is not: set the ROSTERLOAD_STATE_KEY the state was made with: %w", j.path, ErrKey)
		case keyID(opts.Key) != h.KeyID:
			return fmt.Errorf("state file %s was made with another ROSTERLOAD_STATE_KEY: set the ROSTERLOAD_STATE_KEY the state was made with: %w", j.path, ErrKey)
		}
		j.scheme, err = newScheme(opts.Key, nil)
		j.sumsValid = true
	case h != nil && h.Sums == schemeSalted && opts.Key.Empty():
		j.scheme, err = newScheme(opts.Key, h.Salt)
		j.sumsValid = true
	case h != nil && h.Sums == schemeSalted:
		j.scheme, err = newScheme(opts.Key, nil)
		j.upgrade = "fingerprints keyed from now on"
		j.warnings = append(j.warnings, fmt.Sprintf(
			"state file %s was made without ROSTERLOAD_STATE_KEY; it is keyed from now on, and until each employee is seen again tonight, a change to what was sent before cannot be told", j.path))
	default:
		j.scheme, err = newScheme(opts.Key, nil)
		if h != nil {
			j.upgrade = "written by an earlier rosterload"
		}
	}
	j.shapes = newShapes(j.scheme)
	j.st.shapes = j.shapes
	return err
}

// openLocked opens path and takes its lock, making sure the lock is on the file the path names
// now: a run compacting or upgrading a state replaces the file (see compact.go), and one that
// opened the old file just before must not go on with it.
func openLocked(path string) (*os.File, int64, error) {
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, 0, fmt.Errorf("state file: %w", err)
		}
		fi, err := regular(f, path)
		if err != nil {
			return nil, 0, err
		}
		if err := lock(f); err != nil {
			_ = f.Close()
			return nil, 0, fmt.Errorf("state file %s: %w", path, err)
		}
		now, err := os.Stat(path)
		if err == nil && os.SameFile(now, fi) {
			return f, fi.Size(), nil
		}
		_ = f.Close()
		if attempt == 3 {
			return nil, 0, fmt.Errorf("state file %s: replaced by another run while opening it", path)
		}
	}
}

// load reads the entries and, unless read-only, leaves the file ending in a complete line, ready
// for appending, bound to the run when bound, and of the current version.
func (j *Journal) load(size int64, opts Options, bound bool) error {
	r := bufio.NewReaderSize(j.f, 1<<20)
	var (
		good     int64 // offset just past the last line kept
		hd       *header
		entries  int // entries read (headerless files: whether there were any)
		kindless int // entries without a kind, not used when bound
		rw       raw
		h        header
		shl      shapeLine
		fileSh   = map[int64]*shape{} // the file's shape ids
		sums     []byte
	)
	pr := progress{fn: opts.Progress, every: opts.progressEvery, p: LoadProgress{Path: j.path, Size: size}}
	pr.start()
	n := 0
loop:
	for {
		n++
		line, err := readLine(r)
		if err == io.EOF && len(line) == 0 {
			break
		}
		if errors.Is(err, errLongLine) {
			return &CorruptError{Path: j.path, Line: n, Err: err}
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("state file %s: reading line %d: %w", j.path, n, err)
		}
		pr.line(len(line))
		terminated := err == nil // readLine returns io.EOF only for a line without its newline

		content := bytes.TrimSpace(line)
		if len(content) == 0 && terminated { // a blank line is harmless
			good += int64(len(line))
			continue
		}
		kind, perr := parseLine(content, &rw, &h, &shl)
		switch {
		case perr != nil:
		case kind == lineHeader && (hd != nil || entries > 0):
			perr = errors.New("a second header, or a header after entries")
		case kind == lineHeader:
			if err := j.useHeader(h, n, opts, bound); err != nil {
				return err
			}
			hd = &h
		case kind == lineShape:
			if hd == nil {
				perr = errors.New("a shape line before the header")
			} else if j.sumsValid {
				fileSh[shl.ID] = j.shapes.intern(shl.Paths, shapeKey(nil, shl.Paths))
			}
		default:
			entries++
			if perr = j.resolveSums(&rw, fileSh, &sums); perr != nil {
				break
			}
			switch {
			case j.kind == "" || string(rw.kind) == j.kind: // no allocation
				j.st.apply(&rw)
			case len(rw.kind) == 0:
				kindless++
			case hd == nil:
				return &MismatchError{Path: j.path, File: Binding{Kind: string(rw.kind)}, Run: Binding{Kind: opts.Kind, Host: opts.Host}}
			default:
				return &CorruptError{Path: j.path, Line: n, Err: errors.New("an entry of another kind than the file's header")}
			}
		}
		switch {
		case perr == nil && terminated:
			good += int64(len(line))
			continue
		case perr == nil:
			// Whole entry, only its newline missing: keep it and end the line.
			if !j.readOnly {
				if _, err := j.f.Write([]byte("\n")); err != nil {
					return fmt.Errorf("state file %s: ending line %d: %w", j.path, n, err)
				}
			}
			good += int64(len(line)) + 1
			break loop
		}
		// line is not valid after the Peek: decide on its content first.
		torn := looksTorn(content)
		isLast := !terminated
		if terminated {
			_, err := r.Peek(1)
			isLast = err == io.EOF
		}
		if !isLast || !torn {
			return &CorruptError{Path: j.path, Line: n, Err: perr}
		}
		j.warnings = append(j.warnings, fmt.Sprintf(
			"state file %s: line %d was cut short (the previous run stopped while writing it) and is ignored", j.path, n))
		if j.readOnly {
			break
		}
		if err := j.f.Truncate(good); err != nil {
			return fmt.Errorf("state file %s: removing torn line %d: %w", j.path, n, err)
		}
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("state file %s: %w", j.path, err)
		}
		break
	}
	pr.finish()
	if kindless > 0 && j.kind != "" {
		j.warnings = append(j.warnings, fmt.Sprintf(
			"state file %s: %d entries carry no record kind and are not used to skip rows", j.path, kindless))
	}
	if j.scheme == nil {
		if err := j.useScheme(opts, nil); err != nil {
			return err
		}
	}
	switch {
	case j.readOnly || !bound:
		return nil
	case hd == nil && entries == 0:
		// New, empty or blank: start it with the header.
		if good > 0 {
			if err := j.f.Truncate(0); err != nil {
				return fmt.Errorf("state file %s: %w", j.path, err)
			}
		}
		return j.writeHeader(j.f)
	case hd == nil:
		if err := j.rewrite(); err != nil {
			return fmt.Errorf("state file %s: adding its header: %w", j.path, err)
		}
		j.warnings = append(j.warnings, fmt.Sprintf(
			"state file %s had no header (written by an earlier rosterload); its %d entries are of kind %s, so it is now bound to %s",
			j.path, entries-kindless, opts.Kind, Binding{Kind: opts.Kind, Host: opts.Host}))
	case j.upgrade != "":
		if err := j.rewrite(); err != nil {
			return fmt.Errorf("state file %s: upgrading it (%s): %w", j.path, j.upgrade, err)
		}
	}
	return nil
}

// resolveSums turns the shape and sums a line names into rw's fingerprints (none when the file's
// are not of this journal's scheme); sums is scratch space.
func (j *Journal) resolveSums(rw *raw, fileSh map[int64]*shape, sums *[]byte) error {
	if rw.shapeNo == 0 && len(rw.sumsText) == 0 {
		return nil
	}
	if !j.sumsValid {
		return nil
	}
	sh := fileSh[rw.shapeNo]
	if sh == nil {
		return errors.New("fingerprints of an undefined shape")
	}
	n := base64.StdEncoding.DecodedLen(len(rw.sumsText))
	if cap(*sums) < n {
		*sums = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode((*sums)[:n], rw.sumsText)
	if err != nil || n != sh.size {
		return errors.New("fingerprints that do not fit their shape")
	}
	rw.sh, rw.sums = sh, (*sums)[:n]
	return nil
}

// useHeader checks a header line against the run.
func (j *Journal) useHeader(h header, n int, opts Options, bound bool) error {
	if h.Version > formatVersion {
		return fmt.Errorf("state file %s was written by a newer rosterload (state format %d; this one reads %d): use that version", j.path, h.Version, formatVersion)
	}
	kind := strings.ToLower(strings.TrimSpace(h.Kind))
	host, err := normHost(h.APIHost)
	if h.Version < oldVersion || kind == "" || err != nil {
		return &CorruptError{Path: j.path, Line: n, Err: errors.New("a header without a known version, a kind and an API host")}
	}
	if h.Version == formatVersion && !(h.Sums == schemeKeyed && h.KeyID != "" || h.Sums == schemeSalted && len(h.Salt) == saltSize) {
		return &CorruptError{Path: j.path, Line: n, Err: errors.New("a header that does not say how its fingerprints are made")}
	}
	if bound && (kind != opts.Kind || (opts.Host != "" && host != opts.Host)) {
		return &MismatchError{Path: j.path, File: Binding{Kind: kind, Host: host}, Run: Binding{Kind: opts.Kind, Host: opts.Host}}
	}
	j.kind, j.host, j.createdAt = kind, host, h.CreatedAt
	if h.Version < formatVersion {
		return j.useScheme(opts, &header{})
	}
	return j.useScheme(opts, &h)
}

func (j *Journal) header() header {
	if j.createdAt.IsZero() {
		j.createdAt = time.Now().UTC().Truncate(time.Second)
	}
	h := header{Rosterload: headerMagic, Version: formatVersion, Kind: j.kind, APIHost: j.host, CreatedAt: j.createdAt}
	if j.scheme.keyed {
		h.Sums, h.KeyID = schemeKeyed, j.scheme.keyID
	} else {
		h.Sums, h.Salt = schemeSalted, j.scheme.salt
	}
	return h
}

// writeHeader writes the header line to f, an empty file, and flushes it.
func (j *Journal) writeHeader(f *os.File) error {
	line, err := json.Marshal(j.header())
	if err != nil {
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("state file %s: writing its header: %w", j.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// normHost reduces a URL or host[:port] to its lower-cased host name.
func normHost(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", errors.New("not a URL")
		}
		s = u.Host
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	s = strings.TrimSuffix(strings.ToLower(strings.Trim(s, "[]")), ".")
	if s == "" || strings.ContainsAny(s, "/@ ") {
		return "", errors.New("no host name")
	}
	return s, nil
}

// progress calls Options.Progress about every second during a load.
type progress struct {
	fn     func(LoadProgress)
	every  time.Duration
	p      LoadProgress
	next   time.Time
	called bool
}

func (p *progress) start() {
	if p.every <= 0 {
		p.every = time.Second
	}
	p.next = time.Now().Add(p.every)
}

func (p *progress) line(n int) {
	p.p.Lines++
	p.p.Bytes += int64(n)
	if p.fn != nil && p.p.Lines%4096 == 0 {
		if now := time.Now(); now.After(p.next) {
			p.next = now.Add(p.every)
			p.called = true
			p.fn(p.p)
		}
	}
}

func (p *progress) finish() {
	if p.called {
		p.p.Done = true
		p.fn(p.p)
	}
}

var errLongLine = fmt.Errorf("a line longer than %d bytes", maxLine)

// readLine returns the next line with its newline, valid until the next read; io.EOF with a
// non-empty line means the file ended without one.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > maxLine {
		return nil, errLongLine
	}
	return line, err
}

// looksTorn tells the start of one of our lines (or the zeros a power loss can leave) from a
// file that is not a journal, which must not be truncated. A line of valid JSON was not cut.
func looksTorn(content []byte) bool {
	return len(content) == 0 || (content[0] == '{' && !json.Valid(content)) || len(bytes.Trim(content, "\x00")) == 0
}

// Warnings returns what Open found and repaired (a torn last line, a header added), one line
// each, for the log.
func (j *Journal) Warnings() []string { return append([]string(nil), j.warnings...) }

// Len returns how many externalIds the journal holds (of its kind, when it has one).
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.st.len()
}

// Done returns the entry that settled externalID, if one was recorded: CREATED or EXISTS, of the
// journal's kind. Once done an id stays done, whatever is appended after, since the API will not
// forget it.
func (j *Journal) Done(externalID string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.st.done(externalID)
	if !ok || (j.kind != "" && e.Kind != j.kind) {
		return Entry{}, false
	}
	return e, true
}

// Pending returns externalID's PENDING entry when nothing was recorded after it: a request may
// have been sent and its outcome is unknown. Its IdempotencyKey is the one to send again.
func (j *Journal) Pending(externalID string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.st.pendingEntry(externalID)
	if !ok || (j.kind != "" && e.Kind != j.kind) {
		return Entry{}, false
	}
	return e, true
}

// Record appends e as one line (At defaults to now, UTC; Kind to the journal's, and another kind
// is refused). The line is on its way to disk when Record returns: see the package comment for
// what that survives. A CREATED or EXISTS entry counts as seen today, and keeps its Sums (those
// of another journal are dropped).
func (j *Journal) Record(e Entry) error {
	if err := e.check(); err != nil {
		return fmt.Errorf("state journal: entry for row %d: %w", e.Row, err)
	}
	if j.readOnly {
		return fmt.Errorf("state journal %s: opened read-only", j.path)
	}
	if j.kind != "" {
		if e.Kind == "" {
			e.Kind = j.kind
		} else if e.Kind != j.kind {
			return fmt.Errorf("state journal: entry for row %d is of kind %.20q, and this state is for kind %s", e.Row, e.Kind, j.kind)
		}
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	done := e.Status == StatusCreated || e.Status == StatusExists
	if !done || !j.bound || e.Sums.sh == nil || e.Sums.sh.owner != j.shapes || len(e.Sums.b) > maxSums {
		e.Sums = Sums{}
	}
	r := rawOf(&e)
	if done {
		r.hasSeen, r.first, r.last = true, j.today, j.today
	}
	line, err := appendLine(nil, &r)
	if err != nil {
		return fmt.Errorf("state journal: %w", err)
	}
	if len(line) > maxLine {
		return fmt.Errorf("state journal: entry for row %d: %w", e.Row, errLongLine)
	}

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if j.broken != nil {
		return j.broken
	}
	if sh := e.Sums.sh; sh != nil && !sh.saved {
		// The shape's definition goes first, in the same write.
		def, err := appendShape(nil, sh)
		if err != nil {
			return fmt.Errorf("state journal: %w", err)
		}
		line = append(def, line...)
	}
	// One call with the whole line: a process killed around it leaves the line whole or absent.
	if _, err := j.f.Write(line); err != nil {
		j.broken = fmt.Errorf("state file %s: an earlier write failed, nothing more is recorded: %w", j.path, err)
		return fmt.Errorf("state file %s: %w", j.path, err)
	}
	if e.Sums.sh != nil {
		e.Sums.sh.saved = true
	}
	j.st.apply(&r)
	if done {
		j.st.slot(j.st.index[e.ExternalID]).seen = true
	}
	j.changed = true
	j.dirty.Store(true)
	if j.outcome != nil && e.Status != StatusPending {
		j.outcome()
	}
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

// Close flushes the file and, when anything was recorded or seen, compacts it (see compact.go),
// then closes it. Later Records return ErrClosed; a second Close does nothing. A read-only
// journal is closed as it was.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	if j.readOnly {
		if j.f == nil {
			return nil
		}
		return j.f.Close()
	}
	close(j.stop)
	<-j.exited
	err := j.Sync()
	j.mu.Lock()
	if err == nil && j.broken == nil && j.changed && j.kind != "" && j.host != "" {
		// (A headerless state opened by Open stays as it is: it has no header to write.)
		err = j.compact()
	}
	j.mu.Unlock()
	unlock(j.f)
	return errors.Join(err, j.f.Close())
}
