package output

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(src, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "out")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	ins := []Input{{Flag: "SOURCE", Path: src}}
	tests := []struct {
		name string
		ins  []Input
		outs []Want
		want []string // resolved paths; nil: refused
		why  string   // in the refusal
	}{
		{"plain paths", ins, []Want{{Flag: "--report", Path: filepath.Join(dir, "r.csv")}, {Flag: "--summary"}},
			[]string{filepath.Join(dir, "r.csv"), ""}, ""},
		{"an existing directory", ins, []Want{{Flag: "--report", Path: sub, Default: "d.csv"}},
			[]string{filepath.Join(sub, "d.csv")}, ""},
		{"a trailing slash", ins, []Want{{Flag: "--report", Path: sub + "/", Default: "d.csv"}},
			[]string{filepath.Join(sub, "d.csv")}, ""},
		{"the source", ins, []Want{{Flag: "--report", Path: src}}, nil, "the same file as SOURCE"},
		{"the source by another path", ins, []Want{{Flag: "--report", Path: filepath.Join(sub, "..", "roster.csv")}}, nil, "the same file as SOURCE"},
		{"two outputs", ins, []Want{{Flag: "--report", Path: filepath.Join(dir, "r.csv")}, {Flag: "--summary", Path: filepath.Join(dir, "r.csv")}}, nil, "--summary " + filepath.Join(dir, "r.csv") + ": is the same file as --report"},
		{"a default name meeting a named path", ins, []Want{{Flag: "--report", Path: sub, Default: "r.csv"}, {Flag: "--summary", Path: filepath.Join(sub, "r.csv")}}, nil, "is the same file as --report"},
		{"a missing directory", ins, []Want{{Flag: "--report", Path: filepath.Join(dir, "no", "r.csv")}}, nil, "does not exist"},
		{"a missing directory with a slash", ins, []Want{{Flag: "--report", Path: filepath.Join(dir, "no") + "/", Default: "r.csv"}}, nil, "does not exist"},
		{"a device", ins, []Want{{Flag: "--report", Path: os.DevNull}}, nil, "not a regular file (a character device)"},
		{"s3 outputs the same object", nil, []Want{{Flag: "--report", Path: "s3://b/r/", Default: "x.csv"}, {Flag: "--summary", Path: "s3://b/r/x.csv"}}, nil, "the same file as --report"},
		{"s3 output under the source prefix", []Input{{Flag: "SOURCE", Path: "s3://b/in/", Prefix: true}}, []Want{{Flag: "--report", Path: "s3://b/in/", Default: "x.csv"}}, nil, "directly under the SOURCE prefix"},
		{"s3 output beside the source prefix", []Input{{Flag: "SOURCE", Path: "s3://b/in/", Prefix: true}}, []Want{{Flag: "--report", Path: "s3://b/in/reports/", Default: "x.csv"}}, []string{"s3://b/in/reports/x.csv"}, ""},
		{"s3 output the source object", []Input{{Flag: "SOURCE", Path: "s3://b/in/r.csv"}}, []Want{{Flag: "--report", Path: "s3://b/in/r.csv"}}, nil, "the same file as SOURCE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(tt.ins, tt.outs)
			if tt.want == nil {
				if !errors.Is(err, ErrOutput) || !strings.Contains(err.Error(), tt.why) {
					t.Fatalf("Resolve = %q, %v; want a refusal saying %q", got, err, tt.why)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("output %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
	if ents, _ := os.ReadDir(sub); len(ents) != 0 {
		t.Errorf("Resolve left %d files behind", len(ents))
	}
}

func TestFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "r.csv")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new")
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("the old file changed before Commit: %q", b)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.Abort(); err != nil {
		t.Fatalf("Abort after Commit: %v", err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("committed file: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Fatalf("committed content %q", b)
	}
	g, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	g.WriteString("abandoned")
	g.Abort()
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Fatalf("Abort changed the file: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d files, want only the output", len(ents))
	}
}
