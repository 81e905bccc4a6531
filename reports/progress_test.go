package reports

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/outcome"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, slog.New(slog.DiscardHandler), "run")
	p.tty, p.every = true, 0 // draw at every check, as a terminal would
	p.start = time.Now().Add(-2 * time.Second)
	p.total.Store(1024)
	for i := range 512 {
		st := outcome.Created
		if i%100 == 0 {
			st = outcome.Failed
		}
		p.Line(&Line{Status: st})
	}
	p.Done()
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
	p := NewProgress(&bytes.Buffer{}, slog.New(slog.NewJSONHandler(&logs, nil)), "validate")
	p.logEvery = 0
	for range 512 {
		p.Line(&Line{Status: outcome.Valid})
	}
	if !strings.Contains(logs.String(), `"msg":"progress"`) || !strings.Contains(logs.String(), `"rows":512`) {
		t.Errorf("no progress log line: %s", logs.String())
	}
}

func TestProgressEstimate(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		rows  int64
		known bool
		want  int64
	}{
		{"known on a terminal", true, 3, true, 3},
		{"unknown", true, 0, false, 0},
		{"not a terminal: not asked", false, 3, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewProgress(&bytes.Buffer{}, slog.New(slog.DiscardHandler), "validate")
			p.tty = tt.tty
			asked := make(chan struct{})
			p.Estimate(func() (int64, bool) { defer close(asked); return tt.rows, tt.known })
			if tt.tty {
				select {
				case <-asked:
				case <-time.After(5 * time.Second):
					t.Fatal("the estimate was not asked for")
				}
			} else {
				select {
				case <-asked:
					t.Fatal("the estimate was asked for with no bar to show it")
				case <-time.After(50 * time.Millisecond):
				}
			}
			deadline := time.Now().Add(time.Second)
			for p.total.Load() != tt.want && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if n := p.total.Load(); n != tt.want {
				t.Errorf("total = %d, want %d", n, tt.want)
			}
		})
	}
}
