package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterload/rosterload/internal/rostergen"
)

// TestS3MaxAge: a prefix whose newest roster is older than --max-age holds the run (exit 4)
// saying when the last file arrived; a fresh enough one runs.
func TestS3MaxAge(t *testing.T) {
	b := s3Bucket(t)
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	sample, _ := filepath.Abs(td("sample", "employees.csv"))
	s3PutFile(t, b, "acme/in/2026-11-28.csv", sample)
	time.Sleep(2100 * time.Millisecond) // the object is now 2 s old
	dir := t.TempDir()
	tests := []struct {
		name   string
		maxAge string
		code   int
		says   string
	}{
		{"older than the limit", "1s", exitHeld, "the newest roster, 2026-11-28.csv, arrived "},
		{"within the limit", "1h", exitRows, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, nil, "validate", "--mapping", mapping, "--max-age", tt.maxAge,
				"--report", filepath.Join(dir, tt.maxAge+".csv"), "s3://"+b+"/acme/in/")
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", res.code, tt.code, res.stderr)
			}
			if tt.says != "" && (!strings.Contains(res.stderr, tt.says) || !strings.Contains(res.stderr, "more than --max-age 1s")) {
				t.Errorf("stderr does not say when the last file arrived:\n%s", res.stderr)
			}
		})
	}
	t.Run("a single object is a configuration mistake", func(t *testing.T) {
		res := runCLI(t, nil, "validate", "--mapping", mapping, "--max-age", "1h",
			"--report", filepath.Join(dir, "one.csv"), "s3://"+b+"/acme/in/2026-11-28.csv")
		if res.code != exitConfig {
			t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
		}
	})
}

// receiver is a webhook that records what it is sent.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	types  []string
}

// got returns what was received so far.
func (rc *receiver) got() (bodies [][]byte, types []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.bodies), slices.Clone(rc.types)
}

func (rc *receiver) handler(status int, hang <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, b)
		rc.types = append(rc.types, r.Header.Get("Content-Type"))
		rc.mu.Unlock()
		if hang != nil {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(status)
	}
}

// TestNotify: one POST of the summary per run, JSON, counts per status and leavers, no
// personal data; a receiver that fails or never answers delays the exit by at most 15 s and
// does not change the exit code.
func TestNotify(t *testing.T) {
	h := newHistory(t)
	rows := people(1, 40)
	roster := h.write("notify", rows)
	// Night 1 creates everyone; night 2 lacks five of them.
	if n := h.run("run", "2026-11-01", roster); n.code != 0 {
		t.Fatalf("night 1: exit %d\n%s", n.code, n.stderr)
	}
	roster2 := h.write("notify2", rows[5:])

	t.Run("delivered", func(t *testing.T) {
		var rc receiver
		srv := httptest.NewServer(rc.handler(http.StatusOK, nil))
		defer srv.Close()
		n := h.run("run", "2026-11-02", roster2, "--notify", srv.URL+"/hook/s3cr3t-t0ken")
		if n.code != 0 {
			t.Fatalf("exit %d\n%s", n.code, n.stderr)
		}
		bodies, types := rc.got()
		if len(bodies) != 1 || types[0] != "application/json" {
			t.Fatalf("%d POSTs (%v), want one of JSON", len(bodies), types)
		}
		var got struct {
			Command  string         `json:"command"`
			Statuses map[string]int `json:"statuses"`
			Missing  int            `json:"missing"`
			ExitCode int            `json:"exitCode"`
			Text     string         `json:"text"`
		}
		if err := json.Unmarshal(bodies[0], &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, bodies[0])
		}
		if got.Statuses["SKIPPED"] != 35 || got.Missing != 5 || got.ExitCode != 0 || !strings.Contains(got.Text, "5 missing") {
			t.Errorf("the summary says %+v, want 35 SKIPPED, 5 missing, exit 0", got)
		}
		for _, r := range rows {
			for _, col := range []int{rostergen.ColSSN, rostergen.ColCardNumber, rostergen.ColCardExpiry, rostergen.ColEmail, rostergen.ColLastName} {
				if strings.Contains(string(bodies[0]), r[col]) {
					t.Errorf("the notification holds %q (column %d of %s)", r[col], col, r[0])
				}
			}
		}
		if strings.Contains(n.stderr, "s3cr3t-t0ken") {
			t.Errorf("the log shows the webhook's secret:\n%s", n.stderr)
		}
	})

	for _, tc := range []struct {
		name string
		hang bool
	}{{"the receiver fails", false}, {"the receiver never answers", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var rc receiver
			hang := make(chan struct{})
			defer close(hang)
			h2 := map[bool]<-chan struct{}{true: hang}[tc.hang]
			srv := httptest.NewServer(rc.handler(http.StatusInternalServerError, h2))
			defer srv.Close()
			start := time.Now()
			n := h.run("validate", "2026-11-03", roster2, "--notify", srv.URL+"/hook")
			took := time.Since(start)
			if n.code != 0 {
				t.Errorf("exit %d, want 0 as without a webhook\n%s", n.code, n.stderr)
			}
			if took > 17*time.Second {
				t.Errorf("the run took %v: a failing webhook may delay it by 15 s at most", took)
			}
			if bodies, _ := rc.got(); len(bodies) == 0 || !strings.Contains(n.stderr, "notification not delivered") {
				t.Errorf("%d POSTs; the log does not say the notification failed:\n%s", len(bodies), n.stderr)
			}
		})
	}
}

// TestNightlyDeltaAndKey: a delta roster settles its rows against the state and has no leavers;
// a state made with ROSTERLOAD_STATE_KEY refuses (exit 2) a run without it or with another.
func TestNightlyDeltaAndKey(t *testing.T) {
	h := newHistory(t)
	rows := people(1, 20)
	env := oauthEnv()
	env["ROSTERLOAD_STATE_KEY"] = "a-secret-of-this-client"
	args := func(date, roster, report string, extra ...string) []string {
		return runArgs(h.api.URL, runFiles{state: h.f.state, report: filepath.Join(h.dir, report), summary: filepath.Join(h.dir, report+".json")},
			roster, append([]string{"--today", date, "--rate", "0"}, extra...)...)
	}
	if res := runCLI(t, env, args("2026-11-01", h.write("d1", rows), "d1.jsonl")...); res.code != 0 {
		t.Fatalf("night 1: exit %d\n%s", res.code, res.stderr)
	}
	changed := slices.Clone(rows[3])
	changed[rostergen.ColLastName] = "Changedname"
	delta := h.write("d2", [][]string{rows[2], changed, people(21, 21)[0]})
	res := runCLI(t, env, args("2026-11-02", delta, "d2.jsonl", "--roster", "delta")...)
	if res.code != 0 {
		t.Fatalf("delta: exit %d\n%s", res.code, res.stderr)
	}
	got := map[string]string{}
	for _, l := range readRunReport(t, filepath.Join(h.dir, "d2.jsonl")) {
		got[l.ExternalID] = l.Status
	}
	want := map[string]string{rows[2][0]: "SKIPPED", changed[0]: "CHANGED", "E0000021": "CREATED"}
	if !maps.Equal(got, want) {
		t.Errorf("delta roster: %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "d2.missing.csv")); err == nil {
		t.Error("a delta roster wrote a missing file")
	}

	before, _ := os.ReadFile(h.f.state)
	for name, key := range map[string]string{"no key": "", "another key": "another-secret"} {
		t.Run(name, func(t *testing.T) {
			env := oauthEnv()
			env["ROSTERLOAD_STATE_KEY"] = key
			res := runCLI(t, env, args("2026-11-03", delta, "d3.jsonl", "--roster", "delta")...)
			if res.code != exitConfig || !strings.Contains(res.stderr, "ROSTERLOAD_STATE_KEY") {
				t.Errorf("exit %d, want 2 naming ROSTERLOAD_STATE_KEY\n%s", res.code, res.stderr)
			}
			if after, _ := os.ReadFile(h.f.state); !bytes.Equal(before, after) {
				t.Error("the refused run changed the state")
			}
		})
	}
}
