package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/rosterload/rosterload/redact"
)

// fileState is what a test remembers of a file to prove it untouched.
type fileState struct {
	data []byte
	mode os.FileMode
}

// snapshot records every entry of dir (not recursively): its content and mode.
func snapshot(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]fileState{}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fileState{mode: fi.Mode()}
		if fi.Mode().IsRegular() {
			if st.data, err = os.ReadFile(p); err != nil {
				t.Fatal(err)
			}
		}
		out[e.Name()] = st
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]fileState) {
	t.Helper()
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s was removed", name)
		case a.mode != b.mode:
			t.Errorf("%s changed mode %v -> %v", name, b.mode, a.mode)
		case !bytes.Equal(a.data, b.data):
			t.Errorf("%s was changed (%d bytes -> %d)", name, len(b.data), len(a.data))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was left behind", name)
		}
	}
}

// outputFixture is a directory with a roster, its mapping file, and the files of an earlier run:
// a report, a summary, a payload and a state journal.
type outputFixture struct {
	dir                                              string
	source, mapping, report, summary, payload, state string
}

func newOutputFixture(t *testing.T) outputFixture {
	t.Helper()
	dir := t.TempDir()
	copyFile := func(from, name string) string {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return outputFixture{
		dir:     dir,
		source:  copyFile(td("sample", "employees.csv"), "employees.csv"),
		mapping: copyFile(td("sample", "mapping.yaml"), "mapping.yaml"),
		report:  write("yesterday.report.csv", "row,externalId\n2,E1\n"),
		summary: write("yesterday.summary.json", "{}\n"),
		payload: write("yesterday.payload.jsonl", "{}\n"),
		state:   filepath.Join(dir, "state.jsonl"), // made by the first run below
	}
}

// TestOutputCollisions runs the whole CLI with every output flag pointing at every other output
// and at the files the run reads (the roster, the mapping file): each is refused with exit 2 and
// one line before any row is read, and every file is left as it was, with nothing added.
func TestOutputCollisions(t *testing.T) {
	f := newOutputFixture(t)
	// A real state journal from an earlier run, so that it is a file worth protecting.
	if res := runCLI(t, nil, "run", "--sandbox", "--mapping", f.mapping, "--report", filepath.Join(f.dir, "first.csv"), "--state", f.state, f.source); res.code != 1 {
		t.Fatalf("first run: exit %d\n%s", res.code, res.stderr)
	}
	os.Remove(filepath.Join(f.dir, "first.csv"))

	type target struct{ name, path string }
	inputs := []target{{"SOURCE", f.source}, {"--mapping", f.mapping}}
	for _, cmd := range []string{"validate", "run"} {
		outs := []target{{"--report", f.report}, {"--summary", f.summary}}
		if cmd == "validate" {
			outs = append(outs, target{"--payload", f.payload})
		} else {
			outs = append(outs, target{"--state", f.state})
		}
		for _, o := range outs {
			for _, other := range append(slices.Clone(inputs), outs...) {
				if other == o {
					continue
				}
				t.Run(cmd+" "+o.name+" at "+other.name, func(t *testing.T) {
					// Every other output at its own path; o at other's.
					args := []string{cmd, "--mapping", f.mapping}
					if cmd == "run" {
						args = append(args, "--sandbox")
					}
					for _, x := range outs {
						p := x.path
						if x == o {
							p = other.path
						}
						args = append(args, x.name, p)
					}
					args = append(args, f.source)
					before := snapshot(t, f.dir)
					res := runCLI(t, nil, args...)
					if res.code != 2 {
						t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
					}
					line := firstErrorLine(res.stderr)
					if !strings.Contains(line, "the same file as") || !strings.Contains(line, o.name) || !strings.Contains(line, other.name) {
						t.Errorf("stderr line %q should say that %s and %s are the same file", line, o.name, other.name)
					}
					if strings.Contains(res.stderr, "rows read") {
						t.Errorf("rows were read before the refusal:\n%s", res.stderr)
					}
					sameSnapshot(t, before, snapshot(t, f.dir))
				})
			}
		}
	}
}

// TestOutputPaths: the other ways an output path can be wrong, each refused before the first
// row (exit 2, one line, nothing written), and the ways it can name a directory.
func TestOutputPaths(t *testing.T) {
	f := newOutputFixture(t)
	fifo := filepath.Join(f.dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(f.dir, "link.csv")
	if err := os.Symlink(f.source, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(f.dir, "hard.csv")
	if err := os.Link(f.source, hard); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(f.dir, "out")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(f.dir, "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	canWrite := os.Getuid() != 0 // root writes anywhere
	tests := []struct {
		name string
		args []string
		want string // in the one stderr line
	}{
		{"report a FIFO", []string{"--report", fifo}, "exists and is not a regular file (a named pipe)"},
		{"report a device", []string{"--report", os.DevNull}, "exists and is not a regular file (a character device)"},
		{"summary a device", []string{"--summary", os.DevNull}, "not a regular file"},
		{"report a symbolic link to the roster", []string{"--report", link}, "the same file as SOURCE"},
		{"report a hard link to the roster", []string{"--report", hard}, "the same file as SOURCE"},
		{"report as another path to the roster", []string{"--report", filepath.Join(sub, "..", "employees.csv")}, "the same file as SOURCE"},
		{"summary in a missing directory", []string{"--summary", filepath.Join(f.dir, "nope", "s.json")}, "directory " + filepath.Join(f.dir, "nope") + " does not exist"},
		{"report in a missing directory given with a slash", []string{"--report", filepath.Join(f.dir, "reports") + "/"}, "does not exist"},
		{"payload under a file", []string{"--payload", filepath.Join(f.source, "p.jsonl")}, "is not a directory"},
		{"summary beside the report by default name", []string{"--report", sub, "--summary", filepath.Join(sub, "employees.csv.report.csv")}, "the same file as --report"},
	}
	if canWrite {
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"report in a read-only directory", []string{"--report", filepath.Join(readOnly, "r.csv")}, "cannot be written"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, f.dir)
			beforeSub := snapshot(t, sub)
			args := append(append([]string{"validate", "--mapping", f.mapping}, tt.args...), f.source)
			res := runCLI(t, nil, args...)
			if res.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
			}
			// The line is masked at the edge, and a temp dir's random digits may look like a card
			// number: the wanted text is masked alike.
			if line, want := firstErrorLine(res.stderr), redact.Text(tt.want); !strings.Contains(line, want) {
				t.Errorf("stderr line %q lacks %q", line, want)
			}
			sameSnapshot(t, before, snapshot(t, f.dir))
			sameSnapshot(t, beforeSub, snapshot(t, sub))
			if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the FIFO is no longer one: %v %v", fi.Mode(), err)
			}
		})
	}

	// A directory, or a path ending in "/", gets the default name in it.
	t.Run("directories get the default names", func(t *testing.T) {
		res := runCLI(t, nil, "validate", "--mapping", f.mapping, "--report", sub, "--summary", sub+"/", "--payload", sub+"/", f.source)
		if res.code != 1 {
			t.Fatalf("exit %d, want 1 (the sample has bad rows)\n%s", res.code, res.stderr)
		}
		for _, name := range []string{"employees.csv.report.csv", "employees.csv.summary.json", "employees.csv.payload.jsonl"} {
			if fi, err := os.Stat(filepath.Join(sub, name)); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v", name, err)
			}
		}
		ents, _ := os.ReadDir(sub)
		if len(ents) != 3 {
			t.Errorf("%d files in %s, want the 3 outputs and no temp file", len(ents), sub)
		}
	})
}
