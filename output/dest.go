package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rosterload/rosterload/s3store"
)

// Dest is where one settled output goes (see Resolve): a local path, which the writer writes in
// place (atomically, through File); or an s3:// URL, written first to a private temp directory
// (0700; the files in it 0600) and uploaded by Commit. The report, the summary, the payload and
// the state journal all go through it.
type Dest struct {
	Name  string // the path, or the object's URL: what messages and the summary name
	Local string // the file to write
	// ContentType is what an upload says the object is; by default from Local's extension.
	ContentType string

	url   s3store.URL
	store *s3store.Store // nil: a local path
	dir   string         // the temp directory of an s3:// output, until Cleanup
}

// NewDest settles the destination dest of flag ("--report"). It sends no request; an s3://
// output gets its temp directory, and store is made if it was not yet.
func NewDest(ctx context.Context, store *s3store.Lazy, flag, dest string) (*Dest, error) {
	if !s3store.IsURL(dest) {
		return &Dest{Name: dest, Local: dest}, nil
	}
	u, err := s3store.ParseURL(dest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	st, err := store.Get(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rosterload-out-*")
	if err != nil {
		return nil, fmt.Errorf("%s %s: a temp directory to write it in: %w", flag, u, err)
	}
	local := filepath.Join(dir, path.Base(u.Key))
	return &Dest{Name: u.String(), Local: local, ContentType: contentType(local), url: u, store: st, dir: dir}, nil
}

// OpenDest is NewDest, and for an s3:// output a check that its bucket exists and that the
// credentials and endpoint work: found before the run, not after a night of it.
func OpenDest(ctx context.Context, store *s3store.Lazy, flag, dest string) (*Dest, error) {
	d, err := NewDest(ctx, store, flag, dest)
	if err != nil {
		return nil, err
	}
	if err := d.CheckWritable(ctx); err != nil {
		d.Cleanup()
		return nil, err
	}
	return d, nil
}

// Remote reports whether the output is uploaded (an s3:// URL).
func (d *Dest) Remote() bool { return d.store != nil }

// CheckWritable checks that an s3:// output can be uploaded (see s3store.Store.CheckWritable).
func (d *Dest) CheckWritable(ctx context.Context) error {
	if d.store == nil {
		return nil
	}
	return d.store.CheckWritable(ctx, d.url)
}

// Fetch copies an s3:// output's current object to Local, for an output that is appended to
// (the state journal), and returns what S3 said of it; found is false, and the bucket checked
// for writing, when there is no such object yet. A local output is where it is: found, nothing
// copied.
func (d *Dest) Fetch(ctx context.Context) (obj s3store.Object, found bool, err error) {
	obj, found, err = d.Copy(ctx)
	if err == nil && !found {
		err = d.CheckWritable(ctx)
	}
	return obj, found, err
}

// Copy is Fetch for a reader (validate --state): no object is not an error, and nothing is
// written to the bucket.
func (d *Dest) Copy(ctx context.Context) (obj s3store.Object, found bool, err error) {
	if d.store == nil {
		return s3store.Object{}, true, nil
	}
	f, err := os.OpenFile(d.Local, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return obj, false, fmt.Errorf("%s: a local copy: %w", d.Name, err)
	}
	defer f.Close()
	r, err := d.store.Open(ctx, d.url, "")
	if errors.Is(err, s3store.ErrNotFound) {
		return obj, false, nil
	}
	if err != nil {
		return obj, false, err
	}
	defer r.Close()
	n, err := io.Copy(f, r)
	if err != nil {
		return obj, false, err
	}
	obj = r.Object
	obj.Size = n
	return obj, true, nil
}

// Upload sends body as an s3:// output's object (a local output: it does nothing).
func (d *Dest) Upload(ctx context.Context, body io.Reader) error {
	if d.store == nil {
		return nil
	}
	_, err := d.store.Upload(ctx, d.url, body, d.ContentType)
	return err
}

// Commit uploads an s3:// output once Local is complete. If the upload fails the local copy
// is kept, and the error says where: it may be all that is left of a run's outcome.
func (d *Dest) Commit(ctx context.Context) error {
	if d.store == nil {
		return nil
	}
	f, err := os.Open(d.Local)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := d.Upload(ctx, f); err != nil {
		d.dir = "" // keep it
		return fmt.Errorf("%w (a copy is kept at %s)", err, d.Local)
	}
	return nil
}

// Cleanup removes an s3:// output's temp directory (unless Commit kept it). It may be called
// more than once, and on a nil Dest.
func (d *Dest) Cleanup() {
	if d != nil && d.dir != "" {
		os.RemoveAll(d.dir)
		d.dir = ""
	}
}

// contentType is what an uploaded output is, by its extension.
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
