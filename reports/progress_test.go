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
	for _, want := range []string{"[############............]", "512/~1024 rows", "rows/s", "ETA ", "506 CREATED  6 FAILED"} {
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
	if !strings.Contains(logs.String(), `"msg":"progress"`) || !strings.Contains(logs.String(), `"rows":512`) ||
		!strings.Contains(logs.String(), `"statuses":{"VALID":512}`) {
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

// TestProgressETA: the ETA goes by the rows that were work; a resumed run's SKIPPED rows are
// done already and took no time, so counting them would make the ETA look short.
func TestProgressETA(t *testing.T) {
	tests := []struct {
		name    string
		skipped int // of the 512 rows reported in 2 s
		want    time.Duration
	}{
		// 512 rows of work in 2 s, 512 to go: 2 s.
		{"no row skipped", 0, 2 * time.Second},
		// 128 rows of work in 2 s (the 384 SKIPPED went by at once), 512 to go: 8 s.
		{"a resumed run", 384, 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewProgress(&bytes.Buffer{}, slog.New(slog.DiscardHandler), "run")
			now := time.Now()
			p.start = now.Add(-2 * time.Second)
			for i := range 512 {
				st := outcome.Created
				if i < tt.skipped {
					st = outcome.Skipped
				}
				p.Line(&Line{Status: st})
			}
			got, ok := p.eta(now, 1024)
			if !ok || got != tt.want {
				t.Errorf("eta = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}

// TestProgressStopping: the first interrupt prints its line at once, with the requests in
// flight; the bar is drawn again under it and from then on says it is stopping, without an ETA.
func TestProgressStopping(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, slog.New(slog.DiscardHandler), "run")
	p.tty, p.every = true, time.Hour // only the first and forced draws
	p.start = time.Now().Add(-2 * time.Second)
	p.total.Store(1024)
	p.last = time.Time{}
	for range 256 {
		p.Line(&Line{Status: outcome.Created})
	}
	inFlight := 5
	p.Stopping(func() int { return inFlight })
	p.Stopping(func() int { return 99 }) // a second call says nothing more
	got := out.String()
	if n := strings.Count(got, "stopping: finishing"); n != 1 {
		t.Fatalf("%d stopping lines, want 1: %q", n, got)
	}
	if !strings.Contains(got, "\r\x1b[Kstopping: finishing 5 requests in flight; Ctrl-C again to abandon them\n") {
		t.Errorf("no stopping line on a line of its own: %q", got)
	}
	if !strings.HasSuffix(got, "256/~1024 rows  128 rows/s  256 CREATED  stopping") {
		t.Errorf("the bar is not drawn again under the line: %q", got)
	}
	inFlight = 2
	out.Reset()
	p.Line(&Line{Status: outcome.NotSubmitted}) // not a multiple of 256: drawn because it is stopping
	got = out.String()
	if !strings.Contains(got, "256 CREATED  1 NOT_SUBMITTED  stopping: 2 in flight") || strings.Contains(got, "ETA") {
		t.Errorf("the bar after the interrupt: %q", got)
	}
}

func TestProgressStoppingLoggedWhenNotATerminal(t *testing.T) {
	var logs, out bytes.Buffer
	p := NewProgress(&out, slog.New(slog.NewJSONHandler(&logs, nil)), "run")
	p.Stopping(func() int { return 1 })
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"stopping: finishing 1 request in flight; Ctrl-C again to abandon them"`) {
		t.Errorf("no stopping log line: %s", logs.String())
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q to a writer that is not a terminal", out.String())
	}
}
