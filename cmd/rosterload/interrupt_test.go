package main

// The interrupt as a person at a terminal sees it (a pseudo-terminal, Ctrl-C typed into it),
// and the summary's stage times.

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/sink/emulator"
)

// ttyOutput is what a terminal has shown so far.
type ttyOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *ttyOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *ttyOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until the terminal shows something re matches.
func (o *ttyOutput) waitFor(t *testing.T, re *regexp.Regexp, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !re.MatchString(o.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal did not show %v within %v; it shows:\n%q", re, timeout, o.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestInterruptOnTerminal: on a terminal, the bar counts each status; the first Ctrl-C prints
// one line at once, with the requests in flight, and the bar from then on says it is stopping;
// the run ends with every row in the report and exit 1.
func TestInterruptOnTerminal(t *testing.T) {
	api := newAPI(t, emulator.Config{Latency: 20 * time.Millisecond, Idempotency: true}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 1500, Invalid: 0.05, Duplicate: 0.02, Seed: 41})
	f := newRunFiles(dir, "tty")
	cmd := exec.Command(os.Args[0], runArgs(api.URL, f, r.path, "--concurrency", "4", "--rate", "100")...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	for k, v := range oauthEnv() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out ttyOutput
	copied := make(chan struct{})
	go func() { defer close(copied); _, _ = io.Copy(&out, tty) }()
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	// The bar, with the rows of each status so far: some CREATED, and with them INVALID.
	bar := regexp.MustCompile(`run \[[#.]{24}\] \d+/~1500 rows +\d+ rows/s +ETA \S+ +(\d+ [A-Z_]+ +)*\d+ CREATED`)
	out.waitFor(t, bar, 60*time.Second)
	if strings.Contains(out.String(), "not OK") {
		t.Errorf("the bar still lumps statuses together as \"not OK\": %q", out.String())
	}
	if _, err := tty.Write([]byte{3}); err != nil { // Ctrl-C, typed
		t.Fatal(err)
	}
	typed := time.Now()
	stopping := regexp.MustCompile(`\r\x1b\[Kstopping: finishing \d+ requests? in flight; Ctrl-C again to abandon them\r?\n`)
	out.waitFor(t, stopping, 5*time.Second)
	t.Logf("the stopping line came %v after Ctrl-C", time.Since(typed).Round(time.Millisecond))

	select {
	case <-exited:
		if ee, ok := waitErr.(*exec.ExitError); !ok || ee.ExitCode() != exitRows {
			t.Fatalf("the run ended with %v, want exit 1; the terminal shows:\n%s", waitErr, out.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the run did not end within a minute of Ctrl-C; the terminal shows:\n%q", out.String())
	}
	select {
	case <-copied: // the terminal's output is all read once the child has closed it
	case <-time.After(5 * time.Second):
	}
	shown := out.String()
	if n := len(stopping.FindAllStringIndex(shown, -1)); n != 1 {
		t.Errorf("%d stopping lines, want 1:\n%q", n, shown)
	}
	at := stopping.FindStringIndex(shown)[1]
	if sum := strings.Index(shown, "rosterload run:"); sum < at {
		t.Errorf("the stopping line came after the summary (at %d, the summary at %d):\n%q", at, sum, shown)
	}
	after := shown[at:]
	if !regexp.MustCompile(`CREATED +stopping`).MatchString(after) || !regexp.MustCompile(`\d+ NOT_SUBMITTED +stopping: \d+ in flight`).MatchString(after) {
		t.Errorf("the bar after Ctrl-C does not say it is stopping, with the rows NOT_SUBMITTED:\n%q", after)
	}
	if strings.Contains(after[:strings.Index(after, "rosterload run:")], "ETA") {
		t.Errorf("an ETA after Ctrl-C, when no more requests start:\n%q", after)
	}
	lines := readRunReport(t, f.report)
	counts := checkLines(t, lines, r, "CREATED", "NOT_SUBMITTED")
	if counts["NOT_SUBMITTED"] == 0 || counts["CREATED"] == 0 {
		t.Errorf("statuses %v: want rows CREATED before Ctrl-C and NOT_SUBMITTED after", counts)
	}
}

// TestStageTimesWithinWallTime: the summary's stage times are wall time given to one stage at a
// time, not sums over workers, so they add up to at most the run's elapsed time; in a run
// whose time goes to requests (8 in flight, 20 ms each), most of it is submit's.
func TestStageTimesWithinWallTime(t *testing.T) {
	api := newAPI(t, emulator.Config{Latency: 20 * time.Millisecond, Idempotency: true}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 400, Seed: 42})
	f := newRunFiles(dir, "stages")
	res := runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--concurrency", "8", "--rate", "0")...)
	if res.code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	b, err := os.ReadFile(f.summary)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Stages  map[string]float64 `json:"stageSeconds"`
		Elapsed float64            `json:"elapsedSeconds"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, s := range sum.Stages {
		total += s
	}
	t.Logf("stages %v, %.3f s in all, elapsed %.3f s", sum.Stages, total, sum.Elapsed)
	if len(sum.Stages) != 6 {
		t.Errorf("stages %v: want read, map, validate, dedupe, submit and report", sum.Stages)
	}
	// Each is rounded to the millisecond: allow one per stage.
	if total > sum.Elapsed+0.006 {
		t.Errorf("the stage times add up to %.3f s, more than the run's %.3f s", total, sum.Elapsed)
	}
	// 400 requests of 20 ms, 8 at a time: about a second of requests, summed over the workers
	// 8 s.
	if sub := sum.Stages["submit"]; sub < sum.Elapsed/3 {
		t.Errorf("submit %.3f s of a %.3f s run whose time went to requests", sub, sum.Elapsed)
	}
}
