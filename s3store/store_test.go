package s3store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/rosterload/rosterload/s3store/miniotest"
)

var minio *miniotest.Server

func TestMain(m *testing.M) { os.Exit(miniotest.Main(m, &minio)) }

// bucket creates a bucket for one test, named after it.
func bucket(t *testing.T) string { return miniotest.NewBucket(t, minio) }

func newStore(t *testing.T, o Options) *Store {
	t.Helper()
	s, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t *testing.T, b, key string, data []byte) {
	t.Helper()
	if err := minio.Put(context.Background(), b, key, data); err != nil {
		t.Fatal(err)
	}
}

func TestOpenStreamsObject(t *testing.T) {
	miniotest.Need(t, minio)
	t.Parallel()
	b := bucket(t)
	data := []byte("externalId,firstName\nE1,Ann\n")
	put(t, b, "in/roster.csv", data)
	s := newStore(t, Options{})
	u := URL{Bucket: b, Key: "in/roster.csv"}
	r, err := s.Open(context.Background(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %q, %v; want %q", got, err, data)
	}
	if r.Object.Size != int64(len(data)) || r.Object.ETag == "" || strings.Contains(r.Object.ETag, `"`) || time.Since(r.Object.LastModified) > time.Hour {
		t.Errorf("object %+v: want size %d, an unquoted ETag, a recent LastModified", r.Object, len(data))
	}
	st, err := s.Stat(context.Background(), u)
	if err != nil || st.ETag != r.Object.ETag {
		t.Errorf("Stat = %+v, %v; want ETag %s", st, err, r.Object.ETag)
	}

	// Pinned to its ETag, a replaced object is refused rather than read.
	put(t, b, "in/roster.csv", []byte("externalId\nE2\n"))
	_, err = s.Open(context.Background(), u, r.Object.ETag)
	if !errors.Is(err, ErrChanged) || !errors.Is(err, ErrS3) {
		t.Errorf("Open with the old ETag: %v, want ErrChanged", err)
	}
}

func TestNewest(t *testing.T) {
	miniotest.Need(t, minio)
	t.Parallel()
	b := bucket(t)
	put(t, b, "client/incoming/", nil) // a folder marker
	put(t, b, "client/incoming/2024-01-01.csv", []byte("old"))
	time.Sleep(1100 * time.Millisecond) // LastModified has a resolution of a second on some stores
	put(t, b, "client/incoming/2024-02-01.csv", []byte("newest"))
	time.Sleep(1100 * time.Millisecond)
	put(t, b, "client/incoming/archive/2024-01-01.csv", []byte("moved later, not a candidate"))
	put(t, b, "client/incomingX.csv", []byte("outside the prefix"))
	s := newStore(t, Options{})

	o, err := s.Newest(context.Background(), URL{Bucket: b, Key: "client/incoming/"})
	if err != nil {
		t.Fatal(err)
	}
	if o.URL.Key != "client/incoming/2024-02-01.csv" || o.Size != 6 || o.ETag == "" {
		t.Errorf("Newest = %+v, want client/incoming/2024-02-01.csv of 6 bytes", o)
	}
	r, err := s.Open(context.Background(), o.URL, o.ETag)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "newest" {
		t.Errorf("read %q", got)
	}

	_, err = s.Newest(context.Background(), URL{Bucket: b, Key: "client/empty/"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "s3://"+b+"/client/empty/") {
		t.Errorf("empty prefix: %v, want ErrNotFound naming the prefix", err)
	}
}

func TestDownload(t *testing.T) {
	miniotest.Need(t, minio)
	t.Parallel()
	b := bucket(t)
	data := bytes.Repeat([]byte("0123456789"), 1000)
	put(t, b, "roster.xlsx", data)
	dir := t.TempDir()
	s := newStore(t, Options{TempDir: dir})
	u := URL{Bucket: b, Key: "roster.xlsx"}

	t.Run("copy", func(t *testing.T) {
		f, err := s.Download(context.Background(), u, "", int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("copy has mode %v, want 0600", fi.Mode().Perm())
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("the copy's name is still in %s while open: %v (want it unlinked)", dir, ents)
		}
		got := make([]byte, 10)
		if _, err := f.ReadAt(got, 9990); err != nil || string(got) != "0123456789" || f.Size() != int64(len(data)) {
			t.Errorf("ReadAt: %q %v, size %d", got, err, f.Size())
		}
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Run("over the cap", func(t *testing.T) {
		_, err := s.Download(context.Background(), u, "", int64(len(data))-1)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), u.String()) {
			t.Errorf("Download over the cap: %v, want ErrTooLarge naming the URL", err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("a refused download left %v in %s", ents, dir)
		}
	})
}

func TestUploadSSE(t *testing.T) {
	miniotest.Need(t, minio)
	t.Parallel()
	b := bucket(t)
	small := []byte("row,status\n2,VALID\n")
	big := bytes.Repeat([]byte("2,VALID,some report line\n"), (17<<20)/25) // > 2 parts: multipart
	tests := []struct {
		name, sse, kmsKey string
		body              []byte
		wantSSE           string
	}{
		{"none", "", "", small, ""},
		{"sse-s3", SSEAES256, "", small, "AES256"},
		{"sse-kms", SSEKMS, miniotest.KMSKeyName, small, "aws:kms"},
		{"sse-s3 multipart", SSEAES256, "", big, "AES256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t, Options{SSE: tt.sse, KMSKeyID: tt.kmsKey})
			u := URL{Bucket: b, Key: "reports/" + tt.name + ".csv"}
			if _, err := s.Upload(context.Background(), u, bytes.NewReader(tt.body), "text/csv"); err != nil {
				t.Fatal(err)
			}
			// What the store says it did, asked independently of the code under test.
			head, err := minio.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &b, Key: &u.Key})
			if err != nil {
				t.Fatal(err)
			}
			if string(head.ServerSideEncryption) != tt.wantSSE {
				t.Errorf("HeadObject says SSE %q, want %q", head.ServerSideEncryption, tt.wantSSE)
			}
			if tt.kmsKey != "" && !strings.Contains(*head.SSEKMSKeyId, tt.kmsKey) {
				t.Errorf("HeadObject says KMS key %q, want %q", *head.SSEKMSKeyId, tt.kmsKey)
			}
			got, err := minio.Get(context.Background(), b, u.Key)
			if err != nil || !bytes.Equal(got, tt.body) {
				t.Errorf("read back %d bytes (%v), want the %d uploaded", len(got), err, len(tt.body))
			}
		})
	}
}

// TestErrors checks that each way of failing is one line naming the URL and the cause, with the
// sentinel a caller branches on. It changes the environment, so it does not run in parallel.
func TestErrors(t *testing.T) {
	miniotest.Need(t, minio)
	b := bucket(t)
	put(t, b, "there.csv", []byte("x"))
	closed := closedPort(t)
	tests := []struct {
		name   string
		env    map[string]string
		opts   Options
		url    URL
		kind   error
		want   string
		within time.Duration
	}{
		{name: "missing object", url: URL{b, "missing.csv"}, kind: ErrNotFound, want: "no such object"},
		{name: "missing bucket", url: URL{"no-such-bucket-here", "a.csv"}, kind: ErrNoBucket, want: "no such bucket"},
		{name: "wrong secret", env: map[string]string{"AWS_SECRET_ACCESS_KEY": "wrong"}, url: URL{b, "there.csv"}, kind: ErrCredentials, want: "SignatureDoesNotMatch"},
		{name: "unknown access key", env: map[string]string{"AWS_ACCESS_KEY_ID": "nobody"}, url: URL{b, "there.csv"}, kind: ErrCredentials, want: "InvalidAccessKeyId"},
		{name: "no credentials", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, url: URL{b, "there.csv"}, kind: ErrCredentials, want: "no usable AWS credentials"},
		{name: "endpoint down", opts: Options{Endpoint: "http://" + closed}, url: URL{b, "there.csv"}, kind: ErrUnreachable, want: "cannot reach the S3 endpoint http://" + closed, within: 15 * time.Second},
		{name: "endpoint silent", opts: Options{Endpoint: "http://" + silentListener(t), SetupTimeout: 2 * time.Second}, url: URL{b, "there.csv"}, kind: ErrUnreachable, want: "no answer", within: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
				if v == "" {
					os.Unsetenv(k)
				}
			}
			s := newStore(t, tt.opts)
			start := time.Now()
			_, err := s.Open(context.Background(), tt.url, "")
			took := time.Since(start)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !errors.Is(err, tt.kind) || !errors.Is(err, ErrS3) {
				t.Errorf("error %q is not %v", msg, tt.kind)
			}
			if !strings.HasPrefix(msg, "read "+tt.url.String()+": ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want it to name %s and say %q", msg, tt.url, tt.want)
			}
			if strings.ContainsAny(msg, "\n") || len(msg) > 300 || strings.Contains(msg, "RequestID") || strings.Contains(msg, "operation error") {
				t.Errorf("error is not one short line without the SDK's dump: %q", msg)
			}
			if tt.within > 0 && took > tt.within {
				t.Errorf("took %s, want under %s", took, tt.within)
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentListener accepts connections and never answers, as a hung endpoint does.
func silentListener(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestClassifyAPIErrors covers answers MinIO's root user cannot provoke (access denied, a
// bucket in another region, expired tokens).
func TestClassifyAPIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		kind error
		want string
	}{
		{"AccessDenied", ErrDenied, "access denied"},
		{"ExpiredToken", ErrCredentials, "expired"},
		{"PermanentRedirect", nil, "set AWS_REGION"},
		{"KMS.NotFoundException", ErrDenied, "--s3-kms-key-id"},
		{"SlowDown", nil, "S3 answered SlowDown: please\tslow"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			s := &Store{endpoint: "http://x"}
			err := s.fail("write", URL{"bkt", "k"}, &smithy.GenericAPIError{Code: tt.code, Message: "please\tslow\ndown"})
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("%v is not %v", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%q: want one line with %q", err, tt.want)
			}
		})
	}
}
