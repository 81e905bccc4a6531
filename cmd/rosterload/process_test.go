package main

// Subprocess tests of rosterload run: the test binary re-executes itself as rosterload (see
// TestMain) so that a run can be killed with SIGKILL or interrupted with SIGINT, as cron, a
// Kubernetes eviction or an operator's Ctrl-C would.

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/sink/emulator"
	"github.com/rosterload/rosterload/sink/journal"
)

// asMainEnv makes the test binary run rosterload's main with its arguments instead of the tests.
const asMainEnv = "ROSTERLOAD_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main() // exits
	}
	os.Exit(withMinIO(m)) // s3_test.go: runs the tests, with MinIO when make test asks for it
}

// child is rosterload running in a subprocess.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer // read only after done
	done           chan struct{}
	err            error // Wait's, once done is closed
}

// startChild starts rosterload with args and env (added to this process's environment). The
// child is killed, if still running, when the test ends.
func startChild(t *testing.T, env map[string]string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), asMainEnv+"=1")
	for k, v := range env {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// wait waits for the child to end, killing it after timeout, and returns how it ended.
func (c *child) wait(t *testing.T, timeout time.Duration) syscall.WaitStatus {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("the child did not end within %v; stderr:\n%s", timeout, c.stderr.String())
	}
	if strings.Contains(c.stderr.String(), "DATA RACE") {
		t.Errorf("the child found a data race:\n%s", c.stderr.String())
	}
	var ee *exec.ExitError
	if c.err != nil && !errors.As(c.err, &ee) {
		t.Fatalf("waiting for the child: %v", c.err)
	}
	return c.cmd.ProcessState.Sys().(syscall.WaitStatus)
}

// waitJournal waits until the state journal at path has at least n lines: the run is under way.
func waitJournal(t *testing.T, c *child, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c.exited() {
			t.Fatalf("the child ended before its journal had %d lines: %v; stderr:\n%s", n, c.err, c.stderr.String())
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Count(b, []byte("\n")) >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the journal did not reach %d lines within a minute", n)
}

// TestRunKilledThenRerun: a run killed with SIGKILL part way, then the same command, creates
// nobody twice and accounts for every row. With idempotency the records in flight at the kill
// are answered again as created; without it their retry is a 409, reported EXISTS with a note.
func TestRunKilledThenRerun(t *testing.T) {
	for _, idem := range []bool{true, false} {
		name := "idempotency off"
		if idem {
			name = "idempotency on"
		}
		t.Run(name, func(t *testing.T) {
			// Most of the answers in flight at the kill are of records already committed.
			api := newAPI(t, emulator.Config{Latency: 2 * time.Millisecond, Idempotency: idem},
				apiHooks{answerDelay: 8 * time.Millisecond})
			dir := t.TempDir()
			r := newRoster(t, dir, rostergen.Options{Rows: 600, Invalid: 0.05, Duplicate: 0.02, Seed: 30})
			f := newRunFiles(dir, "killed")
			// 600 requests at 150/s: about four seconds, killed well before the end.
			args := runArgs(api.URL, f, r.path, "--concurrency", "8", "--rate", "150")

			c := startChild(t, oauthEnv(), args...)
			waitJournal(t, c, f.state, 60)
			if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if ws := c.wait(t, 30*time.Second); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("the child ended with %v before it was killed; make the run longer; stderr:\n%s", c.err, c.stderr.String())
			}
			sentBefore := api.Stats().Profiles
			if sentBefore == 0 || sentBefore >= len(r.validIDs()) {
				t.Fatalf("%d of %d profiles created before the kill: want a run killed part way", sentBefore, len(r.validIDs()))
			}

			res := runCLI(t, oauthEnv(), args...)
			if res.code != exitRows {
				t.Fatalf("re-run: exit %d, want 1 (INVALID and DUPLICATE rows); stderr:\n%s", res.code, res.stderr)
			}
			lines := readRunReport(t, f.report)
			counts := checkLines(t, lines, r, "CREATED", "EXISTS", "SKIPPED")
			t.Logf("killed after %d profiles; re-run statuses %v", sentBefore, counts)
			if counts["SKIPPED"] == 0 || counts["CREATED"] == 0 {
				t.Errorf("statuses %v: want rows SKIPPED (done before the kill) and CREATED (after)", counts)
			}
			checkHeldOnce(t, api, r.validIDs())
			// A record the killed run had committed but not recorded as done is sent again:
			// without idempotency that is a 409.
			if !idem && sentBefore > counts["SKIPPED"] && counts["EXISTS"] == 0 {
				t.Errorf("%d records were created before the kill but only %d rows SKIPPED, and none EXISTS", sentBefore, counts["SKIPPED"])
			}
			for _, l := range lines {
				if l.Status != "EXISTS" {
					continue
				}
				// The same Idempotency-Key is sent again, so the API replays its 201.
				if idem {
					t.Errorf("row %d EXISTS with idempotency on: the re-run's key differs from the killed run's", l.Row)
				}
				// Only a record the killed run had sent (journal PENDING) can be a 409 now.
				if len(l.find("exists", "externalId")) == 0 {
					t.Errorf("row %d EXISTS without a note saying the stopped run most likely created it: %+v", l.Row, l.Warnings)
				}
			}
		})
	}
}

// TestRunSIGINT: the first SIGINT stops new requests; the report still has every row, the ones
// not sent NOT_SUBMITTED, the summary says the run was interrupted, and the exit code is 1.
func TestRunSIGINT(t *testing.T) {
	api := newAPI(t, emulator.Config{Latency: 20 * time.Millisecond, Idempotency: true}, apiHooks{})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 300, Invalid: 0.05, Duplicate: 0.02, Seed: 31})
	f := newRunFiles(dir, "sigint")
	c := startChild(t, oauthEnv(), runArgs(api.URL, f, r.path, "--concurrency", "2", "--rate", "50")...)
	waitJournal(t, c, f.state, 10)
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	ws := c.wait(t, 60*time.Second)
	if ws.Signaled() || ws.ExitStatus() != exitRows {
		t.Fatalf("the child ended with %v, want exit 1; stderr:\n%s", c.err, c.stderr.String())
	}
	stderr := c.stderr.String()

	lines := readRunReport(t, f.report)
	counts := checkLines(t, lines, r, "CREATED", "NOT_SUBMITTED")
	t.Logf("statuses after the interrupt: %v", counts)
	if counts["NOT_SUBMITTED"] == 0 || counts["CREATED"] == 0 {
		t.Errorf("statuses %v: want rows CREATED before the interrupt and NOT_SUBMITTED after", counts)
	}
	sum := readSummary(t, f.summary)
	if !sum.Interrupted || sum.ExitCode != exitRows || sum.RowsRead != len(r.rows) {
		t.Errorf("summary: interrupted %v, exit code %d, %d rows; want true, 1, %d", sum.Interrupted, sum.ExitCode, sum.RowsRead, len(r.rows))
	}
	if !strings.Contains(stderr, "interrupted") {
		t.Errorf("stderr does not say the run was interrupted:\n%s", stderr)
	}

	// Nobody twice; the rows reported CREATED are there, and anything else the API holds is a
	// request the interrupt cut off after the API had it (NOT_SUBMITTED, with attempts).
	created := idsWith(lines, "CREATED")
	maybe := map[string]bool{}
	for _, l := range lines {
		if l.Status == "NOT_SUBMITTED" && l.Attempts > 0 {
			maybe[l.ExternalID] = true
		}
	}
	for id := range r.validIDs() {
		n := api.ExternalIDCount(id)
		if n > 1 || (created[id] && n != 1) || (n == 1 && !created[id] && !maybe[id]) {
			t.Errorf("%s is held %d times; CREATED %v, cut off in flight %v", id, n, created[id], maybe[id])
		}
	}

	j, err := journal.Open(f.state)
	if err != nil {
		t.Fatalf("the journal does not open after the interrupt: %v", err)
	}
	defer j.Close()
	if w := j.Warnings(); len(w) != 0 {
		t.Errorf("journal warnings after an orderly interrupt: %v", w)
	}
	for id := range created {
		if _, ok := j.Done(id); !ok {
			t.Errorf("%s is CREATED in the report but not done in the journal", id)
		}
	}
}
