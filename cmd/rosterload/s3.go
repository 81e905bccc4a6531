package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/ingest/xlsxread"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/s3store"
)

// s3Options are the flags of S3 access, and the store they configure, made at its first use so
// that a run on local files never loads the AWS configuration.
type s3Options struct {
	endpoint string
	sse      string
	kmsKeyID string

	store  *s3store.Store
	pinned map[string]s3store.Object // SOURCE as given -> the object first read for it
}

func (o *s3Options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.endpoint, "s3-endpoint", "", "S3-compatible endpoint `URL` (default: AWS_ENDPOINT_URL_S3, else AWS); addressed path-style")
	fs.StringVar(&o.sse, "s3-sse", "", "server-side encryption of uploaded reports and state: AES256 or aws:kms")
	fs.StringVar(&o.kmsKeyID, "s3-kms-key-id", "", "KMS key `id` for --s3-sse aws:kms (default: the bucket's or aws/s3)")
}

// open returns the store, making it on first use.
func (o *s3Options) open(ctx context.Context) (*s3store.Store, error) {
	if o.store != nil {
		return o.store, nil
	}
	opts := s3store.Options{Endpoint: o.endpoint, SSE: o.sse, KMSKeyID: o.kmsKeyID}
	if err := opts.Check(); err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	st, err := s3store.New(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errConfig, err)
	}
	o.store = st
	return st, nil
}

// parseS3URL parses an s3:// argument; what refers to it in the message ("SOURCE", "--report").
func parseS3URL(what, s string) (s3store.URL, error) {
	u, err := s3store.ParseURL(s)
	if err != nil {
		return u, &usageError{msg: what + ": " + err.Error()}
	}
	return u, nil
}

// remoteSource is an S3 source as it was read.
type remoteSource struct {
	prefix bool           // SOURCE named a prefix; Object is its newest object
	obj    s3store.Object // the object read: key, size, last modified, ETag
}

// openS3Source opens an s3:// SOURCE: a prefix's newest object, a CSV streamed from GetObject,
// an XLSX copied to a private temp file of at most the unzip limit (its reader needs random
// access). A second open of the same SOURCE in one command (the --max-invalid pass, then the
// run) reads the same object and version, or fails.
func openS3Source(ctx context.Context, o *sourceOptions, source string, opts ingest.OpenOptions) (*ingest.Source, *remoteSource, error) {
	u, err := parseS3URL("SOURCE", source)
	if err != nil {
		return nil, nil, err
	}
	st, err := o.s3.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	rs := &remoteSource{prefix: u.IsPrefix()}
	pin, pinned := o.s3.pinned[source]
	switch {
	case pinned:
		u = pin.URL
	case rs.prefix:
		newest, err := st.Newest(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		u, pin.ETag = newest.URL, newest.ETag
	}
	name := u.String()
	var src *ingest.Source
	switch ext := strings.ToLower(path.Ext(u.Key)); ext {
	case ".xlsx", ".xlsm":
		limit := opts.MaxUnzipSize
		if limit <= 0 {
			limit = xlsxread.DefaultMaxUnzipSize
		}
		tf, err := st.Download(ctx, u, pin.ETag, limit)
		if errors.Is(err, s3store.ErrTooLarge) {
			return nil, nil, fmt.Errorf("%w (--max-unzip-mb sets the limit)", err)
		}
		if err != nil {
			return nil, nil, err
		}
		xr, err := xlsxread.OpenReader(tf, tf.Size(), name, xlsxread.Options{Sheet: opts.Sheet, HeaderRow: opts.HeaderRow, MaxUnzipSize: opts.MaxUnzipSize})
		if err != nil {
			tf.Close()
			return nil, nil, err
		}
		rs.obj = tf.Object
		src = &ingest.Source{Reader: closeAfter{xr, tf}, Format: "xlsx", Detail: "sheet " + xr.Sheet()}
	case ".xls", ".ods", ".numbers":
		return nil, nil, rows.Unreadable(name, "%s files are not supported: save the roster as XLSX or CSV", ext)
	default:
		body, err := st.Open(ctx, u, pin.ETag)
		if err != nil {
			return nil, nil, err
		}
		rs.obj = body.Object
		if src, err = ingest.OpenCSV(body, name, opts); err != nil {
			return nil, nil, err
		}
	}
	if o.s3.pinned == nil {
		o.s3.pinned = map[string]s3store.Object{}
	}
	o.s3.pinned[source] = rs.obj
	return src, rs, nil
}

// closeAfter closes a reader, then the temp file under it.
type closeAfter struct {
	rows.Reader
	under io.Closer
}

func (c closeAfter) Close() error { return errors.Join(c.Reader.Close(), c.under.Close()) }

// logRemoteSource says which object an S3 source is, and recordRemoteSource puts it in the summary.
func logRemoteSource(log *slog.Logger, source string, rs *remoteSource) {
	args := []any{"key", rs.obj.URL.Key, "size", rs.obj.Size, "lastModified", rs.obj.LastModified.UTC().Format(time.RFC3339), "etag", rs.obj.ETag}
	if rs.prefix {
		log.Info("newest object under the prefix", append([]any{"prefix", source}, args...)...)
		return
	}
	log.Info("S3 object", append([]any{"url", source}, args...)...)
}

func recordRemoteSource(sum *reports.Summary, rs *remoteSource) {
	sum.SourceObject = rs.obj.URL.String()
	sum.SourceETag = rs.obj.ETag
}

// recheckSource asks S3 again for the source's ETag at the end of the run: a roster replaced
// while it was read is worth a warning (the report describes the version read).
func recheckSource(ctx context.Context, st *s3store.Store, rs *remoteSource, sum *reports.Summary, log *slog.Logger) {
	now, err := st.Stat(ctx, rs.obj.URL)
	switch {
	case errors.Is(err, s3store.ErrNotFound):
		sum.SourceChanged = true
		log.Warn("the source object was deleted during the run; the report describes the version read", "url", rs.obj.URL.String(), "etag", rs.obj.ETag)
	case err != nil:
		log.Warn("could not check whether the source changed during the run", "error", oneLine(err.Error()))
	case now.ETag != rs.obj.ETag:
		sum.SourceChanged = true
		log.Warn("the source object changed during the run; the report describes the version read",
			"url", rs.obj.URL.String(), "etagRead", rs.obj.ETag, "etagNow", now.ETag, "lastModified", now.LastModified.UTC().Format(time.RFC3339))
	}
}

// destination is where a report or summary goes: a local path, or an s3:// URL written first to a
// private temp directory (0700; the files in it 0600) and uploaded when complete.
type destination struct {
	dest  string       // the path, or the object's URL
	local string       // where it is written
	url   *s3store.URL // nil: a local path
	dir   string       // the temp directory, for an S3 output
	store *s3store.Store
}

// newDestination settles a destination. An S3 one whose key ends in "/" gets name under it; its
// bucket, credentials and endpoint are checked now, before the run, not after it.
func newDestination(ctx context.Context, s3o *s3Options, what, dest, name string) (*destination, error) {
	if !s3store.IsURL(dest) {
		return &destination{dest: dest, local: dest}, nil
	}
	u, err := parseS3URL(what, dest)
	if err != nil {
		return nil, err
	}
	if u.IsPrefix() {
		u = u.Join(name)
	}
	st, err := s3o.open(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.CheckWritable(ctx, u); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rosterload-out-*")
	if err != nil {
		return nil, fmt.Errorf("%s %s: a temp directory to write it in: %w", what, u, err)
	}
	return &destination{dest: u.String(), local: filepath.Join(dir, path.Base(u.Key)), url: &u, dir: dir, store: st}, nil
}

// commit uploads an S3 output. If the upload fails the local copy is kept, and the error says
// where, since it may be all that is left of a run's outcome.
func (o *destination) commit(ctx context.Context) error {
	if o.url == nil {
		return nil
	}
	f, err := os.Open(o.local)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := o.store.Upload(ctx, *o.url, f, contentType(o.local)); err != nil {
		o.dir = "" // keep it
		return fmt.Errorf("%w (a copy is kept at %s)", err, o.local)
	}
	return nil
}

// cleanup removes an S3 output's temp directory.
func (o *destination) cleanup() {
	if o != nil && o.dir != "" {
		os.RemoveAll(o.dir)
	}
}

func contentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return "application/x-ndjson"
	case ".json":
		return "application/json"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// summaryName is the summary's name in a directory or under an S3 prefix: beside the report's.
func summaryName(reportName string) string {
	base := strings.TrimSuffix(reportName, filepath.Ext(reportName))
	return strings.TrimSuffix(base, ".report") + ".summary.json"
}

// s3State is a --state journal kept in S3: downloaded at the start into a private temp file
// (absent: a new journal), uploaded every `every` rows submitted and at the end. A crash
// between checkpoints loses the lines since the last one; the next run sends those rows again
// and the platform's 409 on externalId makes them EXISTS, so nobody is created twice.
type s3State struct {
	url   s3store.URL
	local string
	dir   string
	store *s3store.Store
	every int64
	log   *slog.Logger

	rd      *os.File // the journal, read by checkpoints once detach removed its name
	rows    atomic.Int64
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex // one upload at a time
	saved   int64      // bytes of the journal last uploaded
	running bool       // start was called: finish must be too
}

// started reports whether the checkpoints run, so that finish has a journal to save.
func (s *s3State) started() bool { return s.running }

// openS3State downloads the journal at dest into a private temp file.
func openS3State(ctx context.Context, s3o *s3Options, dest string, every int, log *slog.Logger) (*s3State, error) {
	u, err := parseS3URL("--state", dest)
	if err != nil {
		return nil, err
	}
	if u.IsPrefix() {
		return nil, &usageError{msg: fmt.Sprintf("--state %s: name an object (…/state.jsonl), not a prefix", dest)}
	}
	if every < 1 {
		return nil, &usageError{msg: fmt.Sprintf("--state-checkpoint %d: want 1 or more rows", every)}
	}
	st, err := s3o.open(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rosterload-state-*")
	if err != nil {
		return nil, fmt.Errorf("state %s: a temp directory: %w", dest, err)
	}
	s := &s3State{url: u, dir: dir, local: filepath.Join(dir, "state.jsonl"), store: st, every: int64(every), log: log,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.download(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *s3State) download(ctx context.Context) error {
	f, err := os.OpenFile(s.local, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("state %s: %w", s.url, err)
	}
	defer f.Close()
	r, err := s.store.Open(ctx, s.url, "")
	if errors.Is(err, s3store.ErrNotFound) {
		// A first run. Check now that the journal can be saved at the end.
		if err := s.store.CheckWritable(ctx, s.url); err != nil {
			return err
		}
		s.log.Info("no state journal in S3 yet: starting a new one", "url", s.url.String())
		return nil
	}
	if err != nil {
		return err
	}
	defer r.Close()
	n, err := io.Copy(f, r)
	if err != nil {
		return err
	}
	s.saved = n
	s.log.Info("state journal downloaded", "url", s.url.String(), "bytes", n, "etag", r.Object.ETag)
	return nil
}

// name replaces the temp file's path by the URL in the journal's messages.
func (s *s3State) name(msg string) string { return strings.ReplaceAll(msg, s.local, s.url.String()) }

// detach, once the journal is open, keeps a descriptor of it for the checkpoints and removes its
// name: the journal appends through its own descriptor, and not even a kill -9 leaves the copy
// behind.
func (s *s3State) detach() error {
	f, err := os.Open(s.local)
	if err != nil {
		return fmt.Errorf("state %s: %w", s.url, err)
	}
	s.rd = f
	if runtime.GOOS != "windows" && os.RemoveAll(s.dir) == nil {
		s.dir = ""
	}
	return nil
}

// start runs the checkpoints until finish.
func (s *s3State) start(ctx context.Context) {
	s.running = true
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.kick:
				if err := s.upload(ctx); err != nil {
					s.log.Warn("state checkpoint failed; the next one will try again", "error", oneLine(err.Error()))
				}
			case <-s.stop:
				return
			}
		}
	}()
}

// rowDone counts a row through the sink and asks for a checkpoint every `every` rows. It does
// not wait: a checkpoint asked for while one is running is merged into the next.
func (s *s3State) rowDone() {
	if s.rows.Add(1)%s.every == 0 {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// finish stops the checkpoints and uploads the journal as it ends.
func (s *s3State) finish(ctx context.Context) error {
	close(s.stop)
	<-s.done
	if err := s.upload(ctx); err != nil {
		return fmt.Errorf("%w: the rows since the last checkpoint will be sent again by the next run (and found to exist)", err)
	}
	s.log.Info("state journal saved", "url", s.url.String(), "bytes", s.saved)
	return nil
}

// upload sends the journal's complete lines: a line being appended as the copy is taken is left
// for the next checkpoint.
func (s *s3State) upload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.rd
	n, err := completeLines(f)
	if err != nil {
		return fmt.Errorf("state %s: %w", s.url, err)
	}
	if _, err := s.store.Upload(ctx, s.url, io.NewSectionReader(f, 0, n), "application/x-ndjson"); err != nil {
		return err
	}
	s.saved = n
	s.log.Debug("state checkpoint", "url", s.url.String(), "rows", s.rows.Load(), "bytes", n)
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

// cleanup removes the local copy.
func (s *s3State) cleanup() {
	if s.rd != nil {
		s.rd.Close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// checkpointSink counts the rows through the sink for the state's checkpoints.
type checkpointSink struct {
	pipeline.Sink
	state *s3State
}

func (c checkpointSink) Submit(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
	o, err := c.Sink.Submit(ctx, rec)
	c.state.rowDone()
	return o, err
}
