package output

// Tests of the one output helper: local paths, and s3:// outputs against a real MinIO, which
// `make test` builds and names in $ROSTERLOAD_MINIO (without it they skip).

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/s3store/miniotest"
)

var minio *miniotest.Server

func TestMain(m *testing.M) { os.Exit(miniotest.Main(m, &minio)) }

func TestContentType(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"roster.csv.report.csv", "text/csv; charset=utf-8"},
		{"roster.xlsx.report.jsonl", "application/x-ndjson"},
		{"acme.summary.json", "application/json"},
		{"r.XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := contentType(tt.name); got != tt.want {
				t.Errorf("contentType(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

// TestDestLocal: a local output is written where it is; there is nothing to upload or fetch,
// and no store is made.
func TestDestLocal(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "r.csv")
	lazy := &s3store.Lazy{Options: s3store.Options{SSE: "not checked: never made"}}
	d, err := OpenDest(context.Background(), lazy, "--report", p)
	if err != nil {
		t.Fatal(err)
	}
	if d.Remote() || d.Local != p || d.Name != p {
		t.Errorf("local dest %+v: want %s written in place", d, p)
	}
	if _, found, err := d.Fetch(context.Background()); !found || err != nil {
		t.Errorf("Fetch = %v, %v; want found, nothing to do", found, err)
	}
	if err := d.Commit(context.Background()); err != nil {
		t.Errorf("Commit: %v", err)
	}
	d.Cleanup()
}

// TestDestS3: an s3:// output is written to a private temp file, uploaded by Commit with its
// content type, and the temp directory removed by Cleanup.
func TestDestS3(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	d, err := OpenDest(ctx, &s3store.Lazy{}, "--summary", "s3://"+b+"/out/acme.summary.json")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Cleanup()
	if !d.Remote() || d.Name != "s3://"+b+"/out/acme.summary.json" || filepath.Base(d.Local) != "acme.summary.json" {
		t.Fatalf("dest %+v", d)
	}
	fi, err := os.Stat(filepath.Dir(d.Local))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("temp directory %v %v: want a private (0700) one", fi, err)
	}
	if err := os.WriteFile(d.Local, []byte(`{"rowsRead":2}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := minio.Get(ctx, b, "out/acme.summary.json")
	if err != nil || string(got) != `{"rowsRead":2}` {
		t.Errorf("uploaded %q, %v", got, err)
	}
	key := "out/acme.summary.json"
	h, err := minio.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: &key})
	if err != nil || *h.ContentType != "application/json" {
		t.Errorf("head: %v %v, want content type application/json", h, err)
	}
	d.Cleanup()
	if _, err := os.Stat(filepath.Dir(d.Local)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp directory left after Cleanup: %v", err)
	}
}

// TestDestS3Refusals: what cannot be written is refused before the run, naming the flag or the
// URL; an upload that fails at the end keeps the local copy and says where.
func TestDestS3Refusals(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	tests := []struct {
		name, dest string
		kind       error
		want       string
	}{
		{"bad URL", "s3://a/r.csv", s3store.ErrURL, `--report: "s3://a/r.csv": bucket name`},
		{"no bucket", "s3://no-such-bucket-rl/r.csv", s3store.ErrNoBucket, "write s3://no-such-bucket-rl/r.csv: no such bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			_, err := OpenDest(ctx, &s3store.Lazy{}, "--report", tt.dest)
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenDest = %v, want %v saying %q", err, tt.kind, tt.want)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("a refused output left %v in TMPDIR", left)
			}
		})
	}
	t.Run("upload fails at the end", func(t *testing.T) {
		d, err := OpenDest(ctx, &s3store.Lazy{}, "--report", "s3://"+b+"/gone/r.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(filepath.Dir(d.Local))
		if err := os.WriteFile(d.Local, []byte("row\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		d.url.Bucket = "no-such-bucket-rl" // gone since the check
		err = d.Commit(ctx)
		if !errors.Is(err, s3store.ErrNoBucket) || !strings.Contains(err.Error(), "a copy is kept at "+d.Local) {
			t.Errorf("Commit = %v, want no such bucket and where the copy is", err)
		}
		d.Cleanup()
		if b, err := os.ReadFile(d.Local); err != nil || string(b) != "row\n" {
			t.Errorf("the local copy was not kept: %q %v", b, err)
		}
	})
}

// TestDestFetch: an output that is appended to starts from its object's content, or, when there
// is none yet, from nothing once the bucket is found writable.
func TestDestFetch(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	if err := minio.Put(ctx, b, "state.jsonl", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dest string
		found      bool
		content    string
		kind       error
	}{
		{"there", "s3://" + b + "/state.jsonl", true, "{}\n", nil},
		{"not yet", "s3://" + b + "/new.jsonl", false, "", nil},
		{"no bucket", "s3://no-such-bucket-rl/state.jsonl", false, "", s3store.ErrNoBucket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDest(ctx, &s3store.Lazy{}, "--state", tt.dest)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Cleanup()
			obj, found, err := d.Fetch(ctx)
			if found != tt.found || !errors.Is(err, tt.kind) || (tt.kind == nil && err != nil) {
				t.Fatalf("Fetch = %+v, %v, %v; want found %v, error %v", obj, found, err, tt.found, tt.kind)
			}
			if got, _ := os.ReadFile(d.Local); string(got) != tt.content || (found && obj.Size != int64(len(tt.content))) {
				t.Errorf("local copy %q (size %d), want %q", got, obj.Size, tt.content)
			}
		})
	}
}
