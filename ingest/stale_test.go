package ingest

// Tests of --max-age (Opener.MaxAge): a prefix whose newest roster is too old is held, against
// a real MinIO (skipped without $ROSTERLOAD_MINIO); any other source with it is a mistake.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/s3store/miniotest"
)

// TestOpenerMaxAge: the newest object under a prefix decides: older than MaxAge by the Opener's
// clock, Open fails with ErrStale saying which file arrived when; fresh enough, it opens.
func TestOpenerMaxAge(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	if err := minio.Put(ctx, b, "acme/in/acme-2026-11-02.csv", []byte(roster)); err != nil {
		t.Fatal(err)
	}
	prefix := "s3://" + b + "/acme/in/"
	tests := []struct {
		name    string
		maxAge  time.Duration
		now     func() time.Time
		wantErr []string // nil: it opens
	}{
		{name: "three days later, max 48h", maxAge: 48 * time.Hour, now: func() time.Time { return time.Now().Add(72 * time.Hour) },
			wantErr: []string{"SOURCE " + prefix + ": the newest roster, acme-2026-11-02.csv, arrived ", " UTC, 3d ago, more than --max-age 48h: the run is held"}},
		{name: "fresh, max 1h", maxAge: time.Hour},
		{name: "fresh by the clock, max 1h", maxAge: time.Hour, now: func() time.Time { return time.Now().Add(30 * time.Minute) }},
		{name: "no max age", now: func() time.Time { return time.Now().Add(1000 * time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Opener{S3: &s3store.Lazy{}, MaxAge: tt.maxAge, Now: tt.now}
			src, err := o.Open(ctx, prefix, OpenOptions{})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Open: %v, want it opened", err)
				}
				defer src.Close()
				if got := readAll(t, src); strings.Join(got, ",") != "E1,E2" {
					t.Errorf("read %v, want E1,E2", got)
				}
				return
			}
			var se *StaleError
			if !errors.Is(err, ErrStale) || !errors.As(err, &se) {
				t.Fatalf("Open: %v, want a *StaleError wrapping ErrStale", err)
			}
			if se.Newest.URL.Key != "acme/in/acme-2026-11-02.csv" || se.Age < 72*time.Hour || se.Age > 73*time.Hour {
				t.Errorf("StaleError %+v, want the object acme/in/acme-2026-11-02.csv, about 72h old", se)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error %q does not say %q", err, w)
				}
			}
			if arrived := se.Newest.LastModified.UTC().Format("2006-01-02 15:04 UTC"); !strings.Contains(err.Error(), "arrived "+arrived+",") {
				t.Errorf("the error %q does not say it arrived %s", err, arrived)
			}
		})
	}
}

// TestOpenerMaxAgeNeedsAPrefix: MaxAge on a file or a single object, or below zero, is a
// configuration error, said before anything is read.
func TestOpenerMaxAgeNeedsAPrefix(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	if err := minio.Put(ctx, b, "in/r.csv", []byte(roster)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(file, []byte(roster), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, source string
		maxAge       time.Duration
		want         string
	}{
		{"a file", file, 48 * time.Hour, "--max-age applies to an s3://…/ prefix source"},
		{"a single object", "s3://" + b + "/in/r.csv", 48 * time.Hour, "--max-age applies to an s3://…/ prefix source"},
		{"below zero", "s3://" + b + "/in/", -time.Hour, "--max-age -1h: want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Opener{S3: &s3store.Lazy{}, MaxAge: tt.maxAge}
			src, err := o.Open(ctx, tt.source, OpenOptions{})
			if err == nil {
				src.Close()
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%s) = %v, want an error wrapping ErrConfig saying %q", tt.source, err, tt.want)
			}
		})
	}
}

// TestStaleErrorText: the line a held run prints, at a fixed time.
func TestStaleErrorText(t *testing.T) {
	t.Parallel()
	arrived := time.Date(2026, 11, 2, 3, 10, 42, 0, time.UTC)
	obj := s3store.Object{URL: s3store.URL{Bucket: "b", Key: "acme/in/acme-2026-11-02.csv"}, LastModified: arrived}
	tests := []struct {
		name        string
		age, maxAge time.Duration
		want        string
	}{
		{"days and hours", 76*time.Hour + 20*time.Minute, 48 * time.Hour,
			"SOURCE s3://b/acme/in/: the newest roster, acme-2026-11-02.csv, arrived 2026-11-02 03:10 UTC, 3d4h ago, more than --max-age 48h: the run is held"},
		{"whole days", 72 * time.Hour, 36 * time.Hour, "3d ago, more than --max-age 36h: the run"},
		{"hours and minutes", 5*time.Hour + 10*time.Minute + 30*time.Second, 90 * time.Minute, "5h10m ago, more than --max-age 1h30m: the run"},
		{"whole hours", 2 * time.Hour, time.Hour, "2h ago, more than --max-age 1h: the run"},
		{"minutes", 12*time.Minute + 59*time.Second, 10 * time.Minute, "12m ago, more than --max-age 10m: the run"},
		{"seconds", 50 * time.Second, 30 * time.Second, "50s ago, more than --max-age 30s: the run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &StaleError{Prefix: "s3://b/acme/in/", Newest: obj, Age: tt.age, MaxAge: tt.maxAge}
			if got := e.Error(); !strings.Contains(got, tt.want) {
				t.Errorf("Error() = %q, want it to hold %q", got, tt.want)
			}
		})
	}
}
