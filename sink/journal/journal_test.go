package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func statePath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "state.jsonl")
}

// testOpts binds the journals of most tests.
var testOpts = Options{Kind: "ewa", Host: "api.example.com"}

func mustOpen(t *testing.T, path string) *Journal {
	t.Helper()
	j, err := OpenFor(path, testOpts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func mustRecord(t *testing.T, j *Journal, e Entry) {
	t.Helper()
	if err := j.Record(e); err != nil {
		t.Fatalf("Record(%+v): %v", e, err)
	}
}

// checkLines asserts that every line of the file is a terminated, valid entry, but a first line
// that is a header, and returns the entries.
func checkLines(t *testing.T, path string) []Entry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("file does not end with a newline: %q", b)
	}
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		if _, ok := parseHeader(sc.Bytes()); ok && n == 1 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d %q: %v", n, sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	j := mustOpen(t, path)
	want := Entry{ExternalID: "E1", Kind: "ewa", Status: StatusCreated, IdempotencyKey: "k1",
		CustomerID: "c1", ProfileID: "p1", FinancialAccountID: "f1", Row: 2, At: at}
	mustRecord(t, j, Entry{ExternalID: "E1", Kind: "ewa", Status: StatusPending, IdempotencyKey: "k1", Row: 2, At: at})
	mustRecord(t, j, want)
	mustRecord(t, j, Entry{ExternalID: "E2", Kind: "ewa", Status: StatusPending, IdempotencyKey: "k2", Row: 3})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j2 := mustOpen(t, path)
	got, ok := j2.Done("E1")
	if !ok || got != want {
		t.Errorf("Done(E1) = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := j2.Pending("E1"); ok {
		t.Error("E1 is settled, Pending must say no")
	}
	p, ok := j2.Pending("E2")
	if !ok || p.IdempotencyKey != "k2" || p.Row != 3 || p.At.IsZero() {
		t.Errorf("Pending(E2) = %+v, %v", p, ok)
	}
	if _, ok := j2.Done("E2"); ok {
		t.Error("E2 is only pending, Done must say no")
	}
	if _, ok := j2.Done("E3"); ok {
		t.Error("unknown id reported done")
	}
	if n := j2.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
	if w := j2.Warnings(); len(w) != 0 {
		t.Errorf("warnings on a clean file: %v", w)
	}
	if n := len(checkLines(t, path)); n != 2 {
		t.Errorf("%d lines, want 2 (compacted: one per id)", n)
	}
}

func TestLastEntryWins(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		statuses    []string
		wantDone    string // status Done returns, "" for not done
		wantPending bool
	}{
		{"pending then created", []string{StatusPending, StatusCreated}, StatusCreated, false},
		{"pending then exists", []string{StatusPending, StatusExists}, StatusExists, false},
		{"failed then pending", []string{StatusPending, StatusFailed, StatusPending}, "", true},
		{"pending then failed", []string{StatusPending, StatusFailed}, "", false},
		{"pending only", []string{StatusPending}, "", true},
		// The API does not forget a creation: a later line cannot make the id submittable again.
		{"created stays done", []string{StatusCreated, StatusPending, StatusFailed}, StatusCreated, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			j := mustOpen(t, path)
			for i, s := range tc.statuses {
				mustRecord(t, j, Entry{ExternalID: "E", Status: s, IdempotencyKey: fmt.Sprint("k", i)})
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			for _, jj := range []*Journal{j, mustOpen(t, path)} { // in memory, then reloaded
				e, ok := jj.Done("E")
				if got := map[bool]string{true: e.Status}[ok]; got != tc.wantDone {
					t.Errorf("Done status = %q, want %q", got, tc.wantDone)
				}
				p, ok := jj.Pending("E")
				if ok != tc.wantPending {
					t.Errorf("Pending = %v, want %v", ok, tc.wantPending)
				}
				if ok && p.IdempotencyKey != fmt.Sprint("k", len(tc.statuses)-1) {
					t.Errorf("Pending key = %q, want the last one", p.IdempotencyKey)
				}
			}
		})
	}
}

func TestTornLastLine(t *testing.T) {
	t.Parallel()
	full, _ := json.Marshal(Entry{ExternalID: "E3", Status: StatusCreated, CustomerID: "c3"})
	cases := []struct {
		name string
		tail string // appended after the header and two good lines
	}{
		{"half a line", string(full[:len(full)/2])},
		{"just the brace", "{"},
		{"bad JSON with newline", string(full[:len(full)/2]) + "\n"},
		{"zeros from a power loss", "\x00\x00\x00\x00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			j := mustOpen(t, path)
			mustRecord(t, j, Entry{ExternalID: "E1", Status: StatusCreated, CustomerID: "c1"})
			mustRecord(t, j, Entry{ExternalID: "E2", Status: StatusPending, IdempotencyKey: "k2"})
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			appendRaw(t, path, tc.tail)

			j2, err := OpenFor(path, testOpts)
			if err != nil {
				t.Fatalf("Open with a torn last line: %v", err)
			}
			// Line 1 is the header.
			if w := j2.Warnings(); len(w) != 1 || !strings.Contains(w[0], "line 4") {
				t.Errorf("Warnings = %q, want one naming line 4", w)
			}
			if _, ok := j2.Done("E1"); !ok {
				t.Error("entry before the torn line lost")
			}
			if _, ok := j2.Pending("E2"); !ok {
				t.Error("pending entry before the torn line lost")
			}
			if _, ok := j2.Done("E3"); ok {
				t.Error("the torn entry must be ignored")
			}
			mustRecord(t, j2, Entry{ExternalID: "E4", Status: StatusExists})
			if err := j2.Close(); err != nil {
				t.Fatal(err)
			}
			lines := checkLines(t, path)
			if len(lines) != 3 || lines[2].ExternalID != "E4" {
				t.Errorf("after repair and append: %+v", lines)
			}
			j3 := mustOpen(t, path)
			if len(j3.Warnings()) != 0 {
				t.Errorf("repaired file still warns: %v", j3.Warnings())
			}
		})
	}
}

// A whole entry whose newline did not make it is kept, and the line is ended before appending.
func TestUnterminatedWholeLastLine(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	line, _ := json.Marshal(Entry{ExternalID: "E1", Kind: "ewa", Status: StatusCreated, CustomerID: "c1"})
	if err := os.WriteFile(path, line, 0o600); err != nil {
		t.Fatal(err)
	}
	j := mustOpen(t, path)
	if e, ok := j.Done("E1"); !ok || e.CustomerID != "c1" {
		t.Fatalf("Done(E1) = %+v, %v", e, ok)
	}
	mustRecord(t, j, Entry{ExternalID: "E2", Status: StatusPending})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(checkLines(t, path)); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
}

func TestCorruptLine(t *testing.T) {
	t.Parallel()
	good := func(id string) string {
		b, _ := json.Marshal(Entry{ExternalID: id, Status: StatusCreated})
		return string(b) + "\n"
	}
	cases := []struct {
		name     string
		content  string
		wantLine int
	}{
		{"bad JSON in the middle", good("A") + "{not json\n" + good("B"), 2},
		{"unknown status", good("A") + good("B") + `{"externalId":"C","status":"MAYBE"}` + "\n" + good("D"), 3},
		{"no externalId", `{"status":"CREATED"}` + "\n" + good("B"), 1},
		// Not a torn line of ours: a roster given as --state must be refused, never truncated.
		{"a CSV given as the state file", "externalId,firstName,ssn\n", 1},
		{"a one-line text file", "123-45-6789 Jane", 1},
		{"an overlong line", strings.Repeat("x", maxLine+10) + "\n" + good("A"), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := OpenFor(path, testOpts)
			if err == nil {
				_ = j.Close()
				t.Fatal("Open accepted a corrupt file")
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Line != tc.wantLine {
				t.Fatalf("err = %v, want a CorruptError on line %d", err, tc.wantLine)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("line %d", tc.wantLine)) {
				t.Errorf("message %q does not name the line", err)
			}
			// The temp path's random digits may hold "6789": look past it.
			if msg := strings.ReplaceAll(err.Error(), path, "PATH"); strings.Contains(msg, "6789") || strings.Contains(msg, "Jane") {
				t.Errorf("message %q quotes the file's content", err)
			}
			after, _ := os.ReadFile(path)
			if string(after) != tc.content {
				t.Error("a refused file was modified")
			}
		})
	}
}

func TestConcurrentRecord(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	j := mustOpen(t, path)
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("W%d-%d", w, i)
				if err := j.Record(Entry{ExternalID: id, Status: StatusPending, IdempotencyKey: "k" + id}); err != nil {
					t.Error(err)
					return
				}
				_, _ = j.Pending(id)
				if err := j.Record(Entry{ExternalID: id, Status: StatusCreated, CustomerID: "c" + id}); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					if err := j.Sync(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := len(checkLines(t, path)); n != 2*workers*each {
		t.Errorf("%d lines, want %d (interleaved writes?)", n, 2*workers*each)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(checkLines(t, path)); n != workers*each {
		t.Errorf("%d lines after compaction, want one per id: %d", n, workers*each)
	}
	j2 := mustOpen(t, path)
	if j2.Len() != workers*each {
		t.Errorf("Len = %d, want %d", j2.Len(), workers*each)
	}
	for w := range workers {
		for i := range each {
			id := fmt.Sprintf("W%d-%d", w, i)
			if e, ok := j2.Done(id); !ok || e.CustomerID != "c"+id {
				t.Fatalf("Done(%s) = %+v, %v", id, e, ok)
			}
		}
	}
}

func TestFileMode(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	j := mustOpen(t, path)
	mustRecord(t, j, Entry{ExternalID: "E1", Status: StatusPending})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("mode %o, want 600", m)
	}
}

func TestRecordRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		e    Entry
	}{
		{"no externalId", Entry{Status: StatusCreated}},
		{"no status", Entry{ExternalID: "E"}},
		{"a report status", Entry{ExternalID: "E", Status: "SKIPPED"}},
	}
	j := mustOpen(t, statePath(t))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := j.Record(tc.e); err == nil {
				t.Error("Record accepted an invalid entry")
			}
		})
	}
	if j.Len() != 0 {
		t.Error("a refused entry was kept")
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(Entry{ExternalID: "E", Status: StatusCreated}); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close = %v, want ErrClosed", err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestOpenDirectoryFails(t *testing.T) {
	t.Parallel()
	if j, err := OpenFor(t.TempDir(), testOpts); err == nil {
		_ = j.Close()
		t.Fatal("Open accepted a directory")
	}
}

// The group commit runs by itself: lines written are flushed within about SyncInterval.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	j := mustOpen(t, statePath(t))
	mustRecord(t, j, Entry{ExternalID: "E1", Status: StatusPending})
	if !j.dirty.Load() {
		t.Fatal("a written line is not marked for the next fsync")
	}
	deadline := time.Now().Add(5 * SyncInterval)
	for j.dirty.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if j.dirty.Load() {
		t.Error("no fsync within 5 sync intervals")
	}
}

func appendRaw(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRecord(b *testing.B) {
	j, err := OpenFor(filepath.Join(b.TempDir(), "state.jsonl"), testOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	for i := 0; b.Loop(); i++ {
		if err := j.Record(Entry{ExternalID: fmt.Sprint("E", i), Status: StatusPending, IdempotencyKey: "0123456789abcdef", Row: i}); err != nil {
			b.Fatal(err)
		}
	}
}

// A process killed with SIGKILL while recording loses nothing it was told was recorded, and the
// file it leaves opens cleanly.
func TestSurvivesKill(t *testing.T) {
	if path := os.Getenv("JOURNAL_KILL_CHILD"); path != "" {
		killChild(path)
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	t.Parallel()
	path := statePath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSurvivesKill$")
	cmd.Env = append(os.Environ(), "JOURNAL_KILL_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	for len(acked) < 300 && sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			acked[id] = true
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("child acknowledged only %d records", len(acked))
	}
	j := mustOpen(t, path)
	for id := range acked {
		if _, ok := j.Done(id); !ok {
			t.Fatalf("%s was acknowledged but is not in the journal after the kill", id)
		}
	}
}

func killChild(path string) {
	j, err := OpenFor(path, testOpts)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		id := fmt.Sprint("E", i)
		if err := j.Record(Entry{ExternalID: id, Status: StatusCreated, CustomerID: "c" + id}); err != nil {
			fmt.Println("record:", err)
			os.Exit(1)
		}
		fmt.Println("acked", id)
	}
}

func TestOpenRefusesASecondRun(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.jsonl")
	j1, err := OpenFor(path, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if j2, err := OpenFor(path, testOpts); !errors.Is(err, ErrInUse) {
		if j2 != nil {
			j2.Close()
		}
		t.Fatalf("second Open = %v, want ErrInUse", err)
	}
	if err := j1.Close(); err != nil {
		t.Fatal(err)
	}
	j3, err := OpenFor(path, testOpts)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	j3.Close()
}

// writeBenchState writes a state of employees × nights, each night a PENDING line and a CREATED
// (then EXISTS) line with UUID platform ids, as a run writes them.
func writeBenchState(tb testing.TB, path string, employees, nights int) {
	tb.Helper()
	j, err := OpenFor(path, benchOpts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := j.Close(); err != nil {
		tb.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	uuid := func(i, k int) string { return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", i, k, i%4096, k, i*7919+k) }
	at := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	for night := range nights {
		for i := range employees {
			at = at.Add(time.Millisecond + 1234)
			id := fmt.Sprintf("E%07d", i+1)
			p, _ := json.Marshal(Entry{ExternalID: id, Kind: "ewa", Status: StatusPending, Row: i + 2, At: at})
			st := StatusCreated
			if night > 0 {
				st = StatusExists
			}
			c, _ := json.Marshal(Entry{ExternalID: id, Kind: "ewa", Status: st, Row: i + 2, At: at.Add(time.Millisecond),
				CustomerID: uuid(i, 0), ProfileID: uuid(i, 1), FinancialAccountID: uuid(i, 2)})
			fmt.Fprintf(w, "%s\n%s\n", p, c)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

var benchOpts = Options{Kind: "ewa", Host: "api.example.com"}

// BenchmarkOpen loads a state of 20,000 employees (scripts/bench-state.sh times a million in a
// whole process).
func BenchmarkOpen(b *testing.B) {
	for _, nights := range []int{1, 5} {
		b.Run(fmt.Sprintf("20000x%d", nights), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "state.jsonl")
			writeBenchState(b, path, 20000, nights)
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				j, err := OpenFor(path, benchOpts)
				if err != nil {
					b.Fatal(err)
				}
				if j.Len() != 20000 {
					b.Fatalf("Len = %d", j.Len())
				}
				_ = j.Close()
			}
		})
	}
}
