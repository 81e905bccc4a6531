package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Object is what S3 says of one object.
type Object struct {
	URL          URL
	Size         int64
	LastModified time.Time
	ETag         string // without its quotes
	// SSE and KMSKeyID are the server-side encryption the store reports (Stat and Upload).
	SSE      string
	KMSKeyID string
}

func unquote(etag *string) string { return strings.Trim(aws.ToString(etag), `"`) }

func quote(etag string) *string {
	if etag == "" {
		return nil
	}
	return aws.String(`"` + etag + `"`)
}

// bounded is the context of a call that must answer within the setup timeout.
func (s *Store) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opts.SetupTimeout)
}

// Stat returns what S3 says of the object at u.
func (s *Store) Stat(ctx context.Context, u URL) (Object, error) {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	c, err := s.client(ctx, u.Bucket)
	if err != nil {
		return Object{}, s.fail("read", u, err)
	}
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &u.Bucket, Key: &u.Key})
	if err != nil {
		return Object{}, s.fail("read", u, err)
	}
	return Object{URL: u, Size: aws.ToInt64(out.ContentLength), LastModified: aws.ToTime(out.LastModified),
		ETag: unquote(out.ETag), SSE: string(out.ServerSideEncryption), KMSKeyID: aws.ToString(out.SSEKMSKeyId)}, nil
}

// Newest returns the most recently modified object directly under the prefix u (objects in
// "sub-folders" are not considered: an archive folder beside the incoming files must not win
// because moving a file there made a fresh copy). Folder markers are skipped; of two objects
// modified in the same second, the greater key wins.
func (s *Store) Newest(ctx context.Context, u URL) (Object, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*s.opts.SetupTimeout) // a listing may take a few pages
	defer cancel()
	c, err := s.client(ctx, u.Bucket)
	if err != nil {
		return Object{}, s.fail("list", u, err)
	}
	var best *types.Object
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &u.Bucket, Prefix: &u.Key, Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Object{}, s.fail("list", u, err)
		}
		for i := range page.Contents {
			o := &page.Contents[i]
			k := aws.ToString(o.Key)
			if k == u.Key || strings.HasSuffix(k, "/") {
				continue
			}
			if best == nil || newer(o, best) {
				best = o
			}
		}
	}
	if best == nil {
		return Object{}, &Error{Op: "list", URL: u.String(), Reason: "no object under this prefix", Kind: ErrNotFound}
	}
	return Object{URL: URL{Bucket: u.Bucket, Key: aws.ToString(best.Key)}, Size: aws.ToInt64(best.Size),
		LastModified: aws.ToTime(best.LastModified), ETag: unquote(best.ETag)}, nil
}

func newer(a, b *types.Object) bool {
	ta, tb := aws.ToTime(a.LastModified), aws.ToTime(b.LastModified)
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return aws.ToString(a.Key) > aws.ToString(b.Key)
}

// errSetupTimeout ends a call that had no answer within the setup timeout.
var errSetupTimeout = fmt.Errorf("no answer in time: %w", context.DeadlineExceeded)

// Reader is an object's content being streamed; Close ends the request.
type Reader struct {
	io.ReadCloser
	Object Object
	cancel context.CancelFunc
	url    URL
	store  *Store
}

// Read returns the content; a failure of the connection midway is an *Error naming the URL.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = r.store.fail("read", r.url, err)
	}
	return n, err
}

// Close ends the request and releases its connection.
func (r *Reader) Close() error {
	err := r.ReadCloser.Close()
	r.cancel()
	return err
}

// ReadAll reads the small object at u (a mapping file, a clients manifest) whole, up to one
// byte more than limit so that the caller can refuse a larger one.
func (s *Store) ReadAll(ctx context.Context, u URL, limit int64) ([]byte, error) {
	r, err := s.Open(ctx, u, "")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, limit+1))
}

// Open streams the object at u. If etag is not "", the object must still have it (a prefix's
// newest object replaced between the listing and now is ErrChanged rather than another file).
// Only the request up to the first byte is bounded in time; the stream then runs as long as
// the reader reads.
func (s *Store) Open(ctx context.Context, u URL, etag string) (*Reader, error) {
	ctx, cancelCause := context.WithCancelCause(ctx)
	cancel := func() { cancelCause(nil) }
	t := time.AfterFunc(s.opts.SetupTimeout, func() { cancelCause(errSetupTimeout) })
	c, err := s.client(ctx, u.Bucket)
	var out *s3.GetObjectOutput
	if err == nil {
		out, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &u.Bucket, Key: &u.Key, IfMatch: quote(etag)})
	}
	if !t.Stop() && err == nil {
		// The timer fired as the answer came: the context is cancelled, the body unusable.
		out.Body.Close()
		err = errSetupTimeout
	}
	if err != nil {
		if errors.Is(context.Cause(ctx), errSetupTimeout) {
			err = errSetupTimeout
		}
		cancel()
		return nil, s.fail("read", u, err)
	}
	obj := Object{URL: u, Size: aws.ToInt64(out.ContentLength), LastModified: aws.ToTime(out.LastModified),
		ETag: unquote(out.ETag), SSE: string(out.ServerSideEncryption), KMSKeyID: aws.ToString(out.SSEKMSKeyId)}
	return &Reader{ReadCloser: out.Body, Object: obj, cancel: cancel, url: u, store: s}, nil
}

// TempFile is a private local copy of an object (mode 0600), for readers that need random
// access. Its name is removed as soon as it is created where the system allows it (so not even
// a kill -9 leaves the copy behind), else by Close.
type TempFile struct {
	*os.File
	Object  Object
	removed bool
}

// Size returns the copy's size in bytes.
func (t *TempFile) Size() int64 { return t.Object.Size }

// Close closes and removes the copy.
func (t *TempFile) Close() error {
	err := t.File.Close()
	if !t.removed {
		if rerr := os.Remove(t.File.Name()); rerr != nil && err == nil && !errors.Is(rerr, os.ErrNotExist) {
			err = rerr
		}
	}
	return err
}

// Download copies the object at u (which must still have etag, if given) to a private temp
// file. An object larger than maxBytes is refused with ErrTooLarge, from its Content-Length
// before anything is copied, and counted as it is copied in case that lied.
func (s *Store) Download(ctx context.Context, u URL, etag string, maxBytes int64) (*TempFile, error) {
	r, err := s.Open(ctx, u, etag)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	tooLarge := func() error {
		return &Error{Op: "read", URL: u.String(), Kind: ErrTooLarge,
			Reason: fmt.Sprintf("is %s, more than the %s allowed", byteSize(r.Object.Size), byteSize(maxBytes))}
	}
	if maxBytes > 0 && r.Object.Size > maxBytes {
		return nil, tooLarge()
	}
	f, err := os.CreateTemp(s.opts.TempDir, "rosterload-*.download")
	if err != nil {
		return nil, fmt.Errorf("read %s: a temp file for the copy: %w", u, err)
	}
	t := &TempFile{File: f, Object: r.Object}
	if runtime.GOOS != "windows" {
		t.removed = os.Remove(f.Name()) == nil
	}
	src := io.Reader(r)
	if maxBytes > 0 {
		src = io.LimitReader(r, maxBytes+1)
	}
	n, err := io.Copy(f, src)
	if err == nil && maxBytes > 0 && n > maxBytes {
		r.Object.Size = n
		err = tooLarge()
	}
	if err != nil {
		t.Close()
		var se *Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s: writing the local copy: %w", u, err)
	}
	t.Object.Size = n
	return t, nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Upload writes body to the object at u through the SDK's upload manager (multipart for a
// large body), requesting the Store's server-side encryption, and returns what S3 answered.
func (s *Store) Upload(ctx context.Context, u URL, body io.Reader, contentType string) (Object, error) {
	c, err := s.client(ctx, u.Bucket)
	if err != nil {
		return Object{}, s.fail("write", u, err)
	}
	up := manager.NewUploader(c, func(m *manager.Uploader) {
		m.PartSize = uploadPartSize
		m.Concurrency = uploadPartsOnce
	})
	in := &s3.PutObjectInput{Bucket: &u.Bucket, Key: &u.Key, Body: body}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if s.opts.SSE != "" {
		in.ServerSideEncryption = types.ServerSideEncryption(s.opts.SSE)
	}
	if s.opts.KMSKeyID != "" {
		in.SSEKMSKeyId = aws.String(s.opts.KMSKeyID)
	}
	out, err := up.Upload(ctx, in)
	if err != nil {
		return Object{}, s.fail("write", u, err)
	}
	return Object{URL: u, ETag: unquote(out.ETag), SSE: string(out.ServerSideEncryption), KMSKeyID: aws.ToString(out.SSEKMSKeyId)}, nil
}

// CheckWritable checks, before a long run, that a report or state destination's bucket exists
// and that the credentials and endpoint work, so that hours of work do not end in a failed
// upload. Access denied on the listing is not an error: credentials may write without listing.
func (s *Store) CheckWritable(ctx context.Context, u URL) error {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	c, err := s.client(ctx, u.Bucket)
	if err != nil {
		return s.fail("write", u, err)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &u.Bucket, Prefix: &u.Key, MaxKeys: aws.Int32(1)})
	if err != nil {
		err = s.fail("write", u, err)
		if errors.Is(err, ErrDenied) {
			return nil
		}
		return err
	}
	return nil
}
