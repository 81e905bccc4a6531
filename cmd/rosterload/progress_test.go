package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/reports"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, slog.New(slog.DiscardHandler), "run")
	p.tty, p.every = true, 0 // draw at every check, as a terminal would
	p.start = time.Now().Add(-2 * time.Second)
	p.total.Store(1024)
	for i := range 512 {
		st := reports.Created
		if i%100 == 0 {
			st = reports.Failed
		}
		p.line(&reports.Line{Status: st})
	}
	p.done()
	got := out.String()
	for _, want := range []string{"[############............]", "512/~1024 rows", "rows/s", "ETA ", "6 not OK"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress %q lacks %q", got, want)
		}
	}
	if !strings.HasSuffix(got, "\n") {
		t.Error("done does not end the line")
	}
}

func TestProgressLogsWhenNotATerminal(t *testing.T) {
	var logs bytes.Buffer
	p := newProgress(&bytes.Buffer{}, slog.New(slog.NewJSONHandler(&logs, nil)), "validate")
	p.logEvery = 0
	for range 512 {
		p.line(&reports.Line{Status: reports.Valid})
	}
	if !strings.Contains(logs.String(), `"msg":"progress"`) || !strings.Contains(logs.String(), `"rows":512`) {
		t.Errorf("no progress log line: %s", logs.String())
	}
}

func TestProgressEstimate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	os.WriteFile(path, []byte("h\n1\n2\n3\n"), 0o600)
	p := newProgress(&bytes.Buffer{}, slog.New(slog.DiscardHandler), "validate")
	p.tty = true
	p.estimate(path)
	deadline := time.Now().Add(5 * time.Second)
	for p.total.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := p.total.Load(); n != 3 {
		t.Errorf("estimate = %d, want 3 data rows", n)
	}
}
