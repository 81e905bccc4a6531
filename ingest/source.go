package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rosterload/rosterload/ingest/xlsxread"
	"github.com/rosterload/rosterload/s3store"
)

// Opener opens rosters by name: a file on disk, an s3:// object, or the newest object directly
// under an s3:// prefix. It pins what it read: a second open of the same name in one command
// (the --max-invalid pass, then the run) reads the same object and version, or fails with
// s3store.ErrChanged. Its methods are safe for concurrent use.
type Opener struct {
	// S3 is the store s3:// names are read from (required for them), made at the first one.
	S3 *s3store.Lazy
	// MaxAge, when set, refuses a prefix whose newest object is older, with an error wrapping
	// ErrStale (checked at the first open of a name: a second one reads the pinned object). For
	// any other source it is a configuration error.
	MaxAge time.Duration
	// Now is the clock MaxAge is measured against (nil: time.Now); tests move it.
	Now func() time.Time
	// Survey opens rosters to show what their mapping would be (`rosterload mapping`): what the
	// content checks would refuse becomes a Guess on the Roster instead.
	Survey bool

	mu     sync.Mutex
	pinned map[string]s3store.Object // name as given -> the object first read for it
}

// Remote is the S3 object a source was read from.
type Remote struct {
	Prefix bool           // the name was a prefix, and Object its newest object
	Object s3store.Object // key, size, last modified, ETag
	store  *s3store.Store
}

// Open opens the roster called name: a local path, or an s3:// URL (a CSV is streamed from
// S3 and never lands on disk; an XLSX is copied to a private temp file of at most the unzip
// limit, since its reader needs random access).
func (o *Opener) Open(ctx context.Context, name string, opts OpenOptions) (*Source, error) {
	if !s3store.IsURL(name) {
		if err := o.checkMaxAge(name, false); err != nil {
			return nil, err
		}
		return Open(name, opts)
	}
	u, err := s3store.ParseURL(name)
	if err != nil {
		return nil, fmt.Errorf("SOURCE: %w", err)
	}
	if err := o.checkMaxAge(name, u.IsPrefix()); err != nil {
		return nil, err
	}
	st, err := o.S3.Get(ctx)
	if err != nil {
		return nil, err
	}
	rm := &Remote{Prefix: u.IsPrefix(), store: st}
	o.mu.Lock()
	pin, pinned := o.pinned[name]
	o.mu.Unlock()
	switch {
	case pinned:
		u = pin.URL
	case rm.Prefix:
		newest, err := st.Newest(ctx, u)
		if err != nil {
			return nil, err
		}
		if err := o.checkAge(u, newest); err != nil {
			return nil, err
		}
		u, pin.ETag = newest.URL, newest.ETag
	}
	src, err := openAs(u.String(), strings.ToLower(path.Ext(u.Key)), opts,
		func(xo xlsxread.Options) (*xlsxread.Reader, io.Closer, error) {
			limit := xo.MaxUnzipSize
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
			xr, err := xlsxread.OpenReader(tf, tf.Size(), u.String(), xo)
			if err != nil {
				tf.Close()
				return nil, nil, err
			}
			rm.Object = tf.Object
			return xr, tf, nil
		},
		func() (io.Reader, error) {
			body, err := st.Open(ctx, u, pin.ETag)
			if err != nil {
				return nil, err
			}
			rm.Object = body.Object
			return body, nil
		})
	if err != nil {
		return nil, err
	}
	src.Remote = rm
	o.mu.Lock()
	if o.pinned == nil {
		o.pinned = map[string]s3store.Object{}
	}
	o.pinned[name] = rm.Object
	o.mu.Unlock()
	return src, nil
}

// Log says which object a source named name is: its key, size, last-modified time and ETag.
func (r *Remote) Log(log *slog.Logger, name string) {
	args := []any{"key", r.Object.URL.Key, "size", r.Object.Size, "lastModified", r.Object.LastModified.UTC().Format(time.RFC3339), "etag", r.Object.ETag}
	if r.Prefix {
		log.Info("newest object under the prefix", append([]any{"prefix", name}, args...)...)
		return
	}
	log.Info("S3 object", append([]any{"url", name}, args...)...)
}

// Changed asks S3 again for the object's ETag at the end of a run and reports whether the
// object was replaced or deleted since it was read, with a warning in the log: the report
// describes the version read. A failure to ask is a warning too, and not a change.
func (r *Remote) Changed(ctx context.Context, log *slog.Logger) bool {
	read := r.Object
	now, err := r.store.Stat(ctx, read.URL)
	switch {
	case errors.Is(err, s3store.ErrNotFound):
		log.Warn("the source object was deleted during the run; the report describes the version read", "url", read.URL.String(), "etag", read.ETag)
		return true
	case err != nil:
		log.Warn("could not check whether the source changed during the run", "error", err.Error())
	case now.ETag != read.ETag:
		log.Warn("the source object changed during the run; the report describes the version read",
			"url", read.URL.String(), "etagRead", read.ETag, "etagNow", now.ETag, "lastModified", now.LastModified.UTC().Format(time.RFC3339))
		return true
	}
	return false
}

// Roster is an open source with its mapping settled.
type Roster struct {
	*Source
	Config Config
	Mapper *Mapper
	// Guesses are the unplaced columns whose first rows' values look like a field's (content.go).
	Guesses []Guess
	name    string // as opened
}

// OpenRoster opens the roster called name, reads its header and settles its mapping from cfg.
func (o *Opener) OpenRoster(ctx context.Context, name string, cfg Config, opts OpenOptions) (*Roster, error) {
	src, err := o.Open(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	header, err := src.Header()
	if err != nil {
		src.Close()
		return nil, err
	}
	m, err := NewMapper(cfg, header)
	if err != nil {
		src.Close()
		return nil, err
	}
	r := &Roster{Source: src, Config: cfg, Mapper: m, name: name}
	if err := r.sniff(o.Survey); err != nil {
		src.Close()
		return nil, err
	}
	return r, nil
}

// Name is the name a roster's outputs are named after: the file's, or the S3 object's (a
// prefix's newest).
func (r *Roster) Name() string {
	if r.Remote != nil {
		return path.Base(r.Remote.Object.URL.Key)
	}
	return filepath.Base(r.name)
}

// EstimateRows returns the data rows of a CSV file on disk, near enough (a quoted cell may hold
// a line break), counted at disk speed; false for another roster, whose rows cannot be counted
// without reading them.
func (r *Roster) EstimateRows() (int64, bool) {
	if r.Remote != nil || r.Format != "csv" {
		return 0, false
	}
	f, err := os.Open(r.name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	lines := int64(0)
	for {
		n, err := f.Read(buf)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			return lines - 1, lines > 0 // the header is not a data row
		}
		if err != nil {
			return 0, false
		}
	}
}
