package ingest

// Tests of opening sources by name: files on disk, and s3:// objects and prefixes against a
// real MinIO, which `make test` builds and names in $ROSTERLOAD_MINIO (without it they skip).

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/s3store/miniotest"
)

var minio *miniotest.Server

func TestMain(m *testing.M) { os.Exit(miniotest.Main(m, &minio)) }

const roster = "externalId,firstName\nE1,Ann\nE2,Bo\n"

func readAll(t *testing.T, src *Source) []string {
	t.Helper()
	var ids []string
	for {
		r, err := src.Next()
		if err != nil {
			break
		}
		ids = append(ids, r.Cells[0])
	}
	return ids
}

// TestOpenerSameOnDiskAndS3: a roster reads the same from a file and from S3, and a name whose
// extension says it is no roster is refused with the same line from both.
func TestOpenerSameOnDiskAndS3(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	dir := t.TempDir()
	for name, content := range map[string]string{"r.csv": roster, "r.ods": roster} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := minio.Put(context.Background(), b, "in/"+name, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	o := &Opener{S3: &s3store.Lazy{}}
	tests := []struct {
		name, disk, remote string
		wantErr            string
	}{
		{name: "csv", disk: filepath.Join(dir, "r.csv"), remote: "s3://" + b + "/in/r.csv"},
		{name: "ods", disk: filepath.Join(dir, "r.ods"), remote: "s3://" + b + "/in/r.ods", wantErr: ".ods files are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [2][]string
			for i, name := range []string{tt.disk, tt.remote} {
				src, err := o.Open(context.Background(), name, OpenOptions{})
				if tt.wantErr != "" {
					if !errors.Is(err, rows.ErrUnreadable) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), name) {
						t.Errorf("Open(%s) = %v, want an unreadable source naming it: %s", name, err, tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("Open(%s): %v", name, err)
				}
				if (src.Remote != nil) != (i == 1) {
					t.Errorf("Open(%s): Remote = %+v", name, src.Remote)
				}
				got[i] = readAll(t, src)
				src.Close()
			}
			if strings.Join(got[0], ",") != strings.Join(got[1], ",") {
				t.Errorf("rows from disk %v, from S3 %v", got[0], got[1])
			}
		})
	}
}

// TestOpenerPinsTheVersion: a prefix reads its newest object, and a second open of the same name
// in one command reads that object again, or fails if it was replaced meanwhile.
func TestOpenerPinsTheVersion(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	put := func(key, content string) {
		t.Helper()
		if err := minio.Put(ctx, b, key, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	put("in/old.csv", roster)
	time.Sleep(1100 * time.Millisecond) // LastModified is kept to the second
	put("in/new.csv", roster+"E3,Cy\n")
	o := &Opener{S3: &s3store.Lazy{}}
	prefix := "s3://" + b + "/in/"
	src, err := o.Open(ctx, prefix, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !src.Remote.Prefix || src.Remote.Object.URL.Key != "in/new.csv" {
		t.Errorf("prefix read %+v, want the newest object in/new.csv", src.Remote)
	}
	src.Close()
	time.Sleep(1100 * time.Millisecond)
	put("in/newer.csv", roster) // a newer file arrives: the command keeps to the one it read
	if src, err = o.Open(ctx, prefix, OpenOptions{}); err != nil || src.Remote.Object.URL.Key != "in/new.csv" {
		t.Fatalf("second open: %v %+v, want in/new.csv again", err, src)
	}
	src.Close()
	put("in/new.csv", roster) // replaced: the second read must not get other content
	if _, err := o.Open(ctx, prefix, OpenOptions{}); !errors.Is(err, s3store.ErrChanged) {
		t.Errorf("open after the object was replaced: %v, want ErrChanged", err)
	}
}

// TestRemoteChanged: a source replaced (or deleted) while it was read is said in the log.
func TestRemoteChanged(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	if err := minio.Put(ctx, b, "roster.csv", []byte(roster)); err != nil {
		t.Fatal(err)
	}
	o := &Opener{S3: &s3store.Lazy{}}
	src, err := o.Open(ctx, "s3://"+b+"/roster.csv", OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
	check := func(name string, want bool, wantLog string) {
		t.Helper()
		var logb bytes.Buffer
		changed := src.Remote.Changed(ctx, slog.New(slog.NewTextHandler(&logb, nil)))
		if changed != want || !strings.Contains(logb.String(), wantLog) {
			t.Errorf("%s: changed %v, log %q; want %v and %q", name, changed, logb.String(), want, wantLog)
		}
	}
	check("unchanged", false, "")
	if err := minio.Put(ctx, b, "roster.csv", []byte("externalId\nE9\n")); err != nil {
		t.Fatal(err)
	}
	check("replaced", true, "the source object changed during the run")
	key := "roster.csv"
	if _, err := minio.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: &key}); err != nil {
		t.Fatal(err)
	}
	check("deleted", true, "the source object was deleted during the run")
}

func TestRosterEstimateRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
		want          int64
		ok            bool
	}{
		{"three rows", "externalId\nE1\nE2\nE3\n", 3, true},
		{"a quoted line break counts as a row", "externalId,note\nE1,\"a\nb\"\n", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "r.csv")
			if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := (&Opener{}).OpenRoster(context.Background(), p, Config{Kind: KindIndividual}, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if n, ok := r.EstimateRows(); n != tt.want || ok != tt.ok {
				t.Errorf("EstimateRows = %d, %v; want %d, %v", n, ok, tt.want, tt.ok)
			}
			if r.Name() != "r.csv" {
				t.Errorf("Name = %q, want r.csv", r.Name())
			}
		})
	}
}

// TestRosterEstimateRowsOnlyCSV: a workbook's rows are not counted without reading them.
func TestRosterEstimateRowsOnlyCSV(t *testing.T) {
	t.Parallel()
	r, err := (&Opener{}).OpenRoster(context.Background(), filepath.Join("..", "testdata", "individual", "employees.xlsx"),
		Config{Kind: KindIndividual}, OpenOptions{Sheet: "Employees", HeaderRow: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, ok := r.EstimateRows(); ok {
		t.Errorf("EstimateRows = %d, true; want no estimate for an XLSX", n)
	}
}
