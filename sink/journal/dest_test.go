package journal

// Tests of a journal kept at an output destination: a local file, and an s3:// object against
// a real MinIO, which `make test` builds and names in $ROSTERLOAD_MINIO (without it they skip).

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

	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/s3store/miniotest"
)

var minio *miniotest.Server

func TestMain(m *testing.M) { os.Exit(miniotest.Main(m, &minio)) }

var quiet = slog.New(slog.DiscardHandler)

func openKept(t *testing.T, dest string, every int) (*Kept, error) {
	t.Helper()
	d, err := output.NewDest(context.Background(), &s3store.Lazy{}, "--state", dest)
	if err != nil {
		t.Fatal(err)
	}
	k, err := OpenDest(context.Background(), d, every, testOpts, quiet)
	if err != nil {
		d.Cleanup()
	}
	return k, err
}

func outcome(id string) Entry {
	return Entry{ExternalID: id, Status: StatusCreated, CustomerID: "c-" + id}
}

// TestKeptLocal: a local state file is the journal itself: nothing to upload.
func TestKeptLocal(t *testing.T) {
	t.Parallel()
	p := statePath(t)
	k, err := openKept(t, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, k.Journal, outcome("E1"))
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if err := k.Save(context.Background()); err != nil {
		t.Errorf("Save: %v", err)
	}
	if es := checkLines(t, p); len(es) != 1 || es[0].ExternalID != "E1" {
		t.Errorf("entries %+v, want E1", es)
	}
}

// TestKeptS3: a journal in S3 is uploaded every `every` outcomes (PENDING lines do not count)
// and at the end; the next run starts from what was uploaded, and its local copy has no name
// left once open.
func TestKeptS3(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	url := "s3://" + b + "/state.jsonl"
	k, err := openKept(t, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the local copy has a name while the journal is open: %v", left)
	}
	uploaded := func() string {
		got, _ := minio.Get(ctx, b, "state.jsonl")
		return string(got)
	}
	mustRecord(t, k.Journal, Entry{ExternalID: "E1", Status: StatusPending})
	mustRecord(t, k.Journal, outcome("E1"))
	mustRecord(t, k.Journal, Entry{ExternalID: "E2", Status: StatusPending})
	if got := uploaded(); got != "" {
		t.Errorf("uploaded after one outcome: %q", got)
	}
	mustRecord(t, k.Journal, outcome("E2")) // the second outcome: a checkpoint
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(uploaded(), `"E2","kind":"ewa","status":"CREATED"`) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := uploaded(); !strings.Contains(got, `"E2","kind":"ewa","status":"CREATED"`) {
		t.Fatalf("no checkpoint after two outcomes: %q", got)
	}
	mustRecord(t, k.Journal, outcome("E3"))
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if err := k.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	// What was uploaded last is the compacted state: its header and one line per id.
	if got := uploaded(); strings.Count(got, "\n") != 4 || strings.Contains(got, StatusPending) {
		t.Errorf("uploaded state is not compacted:\n%s", got)
	}

	again, err := openKept(t, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Save(ctx)
	defer again.Close()
	for _, id := range []string{"E1", "E2", "E3"} {
		if _, ok := again.Done(id); !ok {
			t.Errorf("%s is not done in the journal downloaded again", id)
		}
	}
}

// TestKeptS3Refused: a state object written for another kind is refused, naming its URL, not
// the local copy.
func TestKeptS3Refused(t *testing.T) {
	b := miniotest.NewBucket(t, minio)
	var other bytes.Buffer
	other.WriteString(`{"rosterload":"state","version":2,"kind":"business","apiHost":"api.example.com","createdAt":"2024-01-01T00:00:00Z"}` + "\n")
	if err := minio.Put(context.Background(), b, "state.jsonl", other.Bytes()); err != nil {
		t.Fatal(err)
	}
	url := "s3://" + b + "/state.jsonl"
	_, err := openKept(t, url, 1)
	if !errors.Is(err, ErrRefused) || !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "state file "+url+" was written for kind business") {
		t.Errorf("OpenDest = %v, want ErrRefused, ErrMismatch, naming %s", err, url)
	}
}

// TestCompleteLines: a checkpoint uploads the journal up to its last whole line, never a line
// being appended as the copy is taken.
func TestCompleteLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100<<10) // longer than the block read back from the end
	tests := []struct {
		name, content string
		want          int64
	}{
		{"empty", "", 0},
		{"whole lines", "{\"a\":1}\n{\"b\":2}\n", 16},
		{"torn last line", "{\"a\":1}\n{\"b\":", 8},
		{"no newline at all", "{\"a\":1", 0},
		{"newline before a long torn line", "{}\n" + long, 3},
		{"long whole line", long + "\n", int64(len(long)) + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "state.jsonl")
			if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got, err := completeLines(f); err != nil || got != tt.want {
				t.Errorf("completeLines = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}
