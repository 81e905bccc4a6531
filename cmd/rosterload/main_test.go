package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata/golden")

// repo is the repository root, where testdata lives.
const repo = "../.."

func td(parts ...string) string {
	return filepath.Join(append([]string{repo, "testdata"}, parts...)...)
}

// result is one in-process run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), context.Background(), args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// reportLine is a JSONL report line as a test reads it.
type reportLine struct {
	Row        int       `json:"row"`
	ExternalID string    `json:"externalId"`
	Name       string    `json:"name"`
	Status     string    `json:"status"`
	Errors     []problem `json:"errors"`
	Warnings   []problem `json:"warnings"`
}

type problem struct {
	Field, Column, Cell, Code, Message string
}

func readJSONL(t *testing.T, path string) []reportLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []reportLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l reportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// golden compares a report with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, reportPath string) {
	t.Helper()
	got, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	path := td("golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/rosterload -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("report differs from %s at line %d:\n got: %s\nwant: %s\n(run with -update if the change is intended)", path, i+1, g, w)
			}
		}
	}
}

// find returns the problems of a line with a code, and with one of the fields if any are given.
func (l reportLine) find(code string, fields ...string) []problem {
	var out []problem
	for _, p := range append(append([]problem{}, l.Errors...), l.Warnings...) {
		if p.Code == code && (len(fields) == 0 || slices.Contains(fields, p.Field)) {
			out = append(out, p)
		}
	}
	return out
}

func byRow(lines []reportLine) map[int]reportLine {
	m := map[int]reportLine{}
	for _, l := range lines {
		m[l.Row] = l
	}
	return m
}
