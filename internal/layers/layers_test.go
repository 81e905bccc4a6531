package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// floors is the order of the layers, top to bottom: a package may import one on its own floor or
// below, never one above. An entry covers the package it names and those under it, unless a
// longer entry covers them; a package no entry covers fails the test until it is given a floor.
// Only a package's own code counts: its tests may import anything (the end-to-end tests run the
// emulator, the pipeline and MinIO).
var floors = []struct {
	name string
	pkgs []string // module-relative
}{
	// internal/ holds tools (the roster and state generators of cmd/genroster and the
	// benchmarks) and this test: they may use anything, and being on top, nothing of the data
	// flow may use them.
	{"commands and tools", []string{"cmd", "internal", "deploy"}},
	{"pipeline", []string{"pipeline", "job"}},
	{"sinks", []string{"sink"}},
	{"records, checks and reports", []string{"reports", "validate", "ingest", "outcome"}},
	{"readers", []string{"ingest/rows", "ingest/csvread", "ingest/xlsxread"}},
	{"contract and services", []string{"api", "redact", "output", "s3store", "notify", "clients"}},
}

// rules are the imports forbidden outright, beyond the order: some run downwards or stay on a
// floor (a sink may not import reports; ingest may not import reports, on its own floor) and
// hold through any chain of imports (`go list -deps`). An empty to stands for the whole module.
var rules = []struct {
	from, to []string // module-relative, each with the packages under it
	why      string
}{
	{[]string{"api"}, []string{""}, "api imports nothing of the module"},
	{[]string{"ingest", "validate"}, []string{"sink", "reports", "pipeline"}, "nothing under ingest/ or validate/ imports sink/…, reports or pipeline"},
	{[]string{"sink"}, []string{"reports", "pipeline"}, "nothing under sink/ imports reports or pipeline"},
}

// testOnly are packages for tests alone (miniotest starts a MinIO server and takes a
// testing.TB): they sit on their parent's floor, but no package's own code may import them.
var testOnly = []string{"s3store/miniotest"}

// edge is one package importing another, both module-relative.
type edge struct{ from, to string }

// knownViolations are imports that break the rules but are tolerated for now. The list may only
// shrink: the test fails on a violation it does not hold and on one it holds that is gone.
var knownViolations = []edge{}

// pkg is a package as `go list -json` describes it, its paths made module-relative and its
// imports and dependencies cut to the module's.
type pkg struct {
	ImportPath string
	Imports    []string // direct, of its non-test files
	Deps       []string // direct and indirect
}

// violation is an import that breaks a rule: the importing and the imported package, and why.
type violation struct {
	edge
	why string
}

func (v violation) String() string {
	if v.to == "" {
		return v.from + ": " + v.why
	}
	return v.from + " imports " + v.to + ": " + v.why
}

// under reports whether p is one of roots or under one; "" is the whole module.
func under(p string, roots []string) bool {
	for _, r := range roots {
		if r == "" || p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// floorOf returns p's floor (0 the top) by its longest matching entry, or -1.
func floorOf(p string) int {
	floor, best := -1, -1
	for i, f := range floors {
		for _, r := range f.pkgs {
			if (p == r || strings.HasPrefix(p, r+"/")) && len(r) > best {
				floor, best = i, len(r)
			}
		}
	}
	return floor
}

// check returns every violation among pkgs, in a stable order.
func check(pkgs []pkg) []violation {
	byPath := map[string]pkg{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []violation
	for _, p := range pkgs {
		from := floorOf(p.ImportPath)
		if from < 0 {
			out = append(out, violation{edge{p.ImportPath, ""}, "the package has no floor: add it to floors"})
		}
		for _, imp := range p.Imports {
			if to := floorOf(imp); from >= 0 && to >= 0 && to < from {
				out = append(out, violation{edge{p.ImportPath, imp}, fmt.Sprintf("it is on the %s floor and may not import the %s floor above it", floors[from].name, floors[to].name)})
			}
			if slices.Contains(testOnly, imp) {
				out = append(out, violation{edge{p.ImportPath, imp}, imp + " is for tests alone"})
			}
		}
		for _, r := range rules {
			if !under(p.ImportPath, r.from) {
				continue
			}
			for _, dep := range p.Deps {
				if under(dep, r.to) {
					why := r.why
					if !slices.Contains(p.Imports, dep) {
						why += " (through " + strings.Join(chain(byPath, p.ImportPath, dep), " → ") + ")"
					}
					out = append(out, violation{edge{p.ImportPath, dep}, why})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b violation) int {
		return strings.Compare(a.String(), b.String())
	})
	return slices.Compact(out)
}

// chain is a shortest chain of imports from one package to another, both ends included.
func chain(byPath map[string]pkg, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, imp := range byPath[p].Imports {
			if _, seen := prev[imp]; seen {
				continue
			}
			prev[imp] = p
			if imp == to {
				var path []string
				for q := to; q != ""; q = prev[q] {
					path = append(path, q)
				}
				slices.Reverse(path)
				return path
			}
			queue = append(queue, imp)
		}
	}
	return []string{from, "…", to}
}

// listModule runs `go list -json ./...` at the module's root and returns its packages.
func listModule(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}\t{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", errText(err))
	}
	module, root, ok := strings.Cut(strings.TrimSpace(string(out)), "\t")
	if !ok {
		t.Fatalf("go list -m: %q", out)
	}
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go list -json ./... in %s: %v", root, errText(err))
	}
	rel := func(paths []string) []string {
		var r []string
		for _, p := range paths {
			if q, ok := strings.CutPrefix(p, module+"/"); ok {
				r = append(r, q)
			}
		}
		return r
	}
	var pkgs []pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		q, ok := strings.CutPrefix(p.ImportPath, module+"/")
		if !ok {
			t.Fatalf("go list ./... listed %s, outside module %s", p.ImportPath, module)
		}
		pkgs = append(pkgs, pkg{ImportPath: q, Imports: rel(p.Imports), Deps: rel(p.Deps)})
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages of %s, want the whole module", len(pkgs), module)
	}
	return pkgs
}

// errText is err with the command's standard error, if it had any.
func errText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return err.Error() + ": " + strings.TrimSpace(string(ee.Stderr))
	}
	return err.Error()
}

// TestLayers: no package imports one above it or one the rules forbid, save knownViolations,
// each of which still exists.
func TestLayers(t *testing.T) {
	found := check(listModule(t))
	seen := map[edge]bool{}
	for _, v := range found {
		seen[v.edge] = true
		if !slices.Contains(knownViolations, v.edge) {
			t.Errorf("%s", v)
		}
	}
	for _, k := range knownViolations {
		if !seen[k] {
			t.Errorf("%s no longer imports %s: remove it from knownViolations", k.from, k.to)
		}
	}
}

// TestCheck: the checker finds each kind of violation, with both packages named, and passes a
// well-layered module.
func TestCheck(t *testing.T) {
	// A well-layered module: each test below adds a package to it or replaces one.
	base := []pkg{
		{ImportPath: "cmd/rosterload", Imports: []string{"pipeline", "sink/submit", "s3store"}},
		{ImportPath: "pipeline", Imports: []string{"ingest", "reports", "outcome"}},
		{ImportPath: "sink/submit", Imports: []string{"outcome", "validate"}},
		{ImportPath: "reports", Imports: []string{"validate", "outcome"}},
		{ImportPath: "validate", Imports: []string{"api"}},
		{ImportPath: "ingest", Imports: []string{"api", "ingest/rows"}},
		{ImportPath: "ingest/rows"},
		{ImportPath: "outcome"},
		{ImportPath: "api"},
		{ImportPath: "s3store"},
		{ImportPath: "s3store/miniotest", Imports: []string{"s3store"}},
	}
	tests := []struct {
		name string
		add  pkg // a package added, or (same path as one of base) replacing it
		want []string
	}{
		{"well layered", pkg{ImportPath: "internal/layers"}, nil},
		{"import from above", pkg{ImportPath: "ingest/rows", Imports: []string{"ingest"}},
			[]string{"ingest/rows imports ingest: it is on the readers floor and may not import the records, checks and reports floor above it"}},
		{"ingest imports a sink, from below", pkg{ImportPath: "ingest", Imports: []string{"api", "ingest/rows", "sink/submit"}},
			[]string{
				"ingest imports sink/submit: it is on the records, checks and reports floor and may not import the sinks floor above it",
				"ingest imports sink/submit: nothing under ingest/ or validate/ imports sink/…, reports or pipeline",
			}},
		{"api imports the module", pkg{ImportPath: "api", Imports: []string{"redact"}},
			[]string{"api imports redact: api imports nothing of the module"}},
		{"sink imports reports, downwards", pkg{ImportPath: "sink/payload", Imports: []string{"reports"}},
			[]string{"sink/payload imports reports: nothing under sink/ imports reports or pipeline"}},
		{"a sink reaches reports through a floor-mate", pkg{ImportPath: "outcome", Imports: []string{"reports"}},
			[]string{"sink/submit imports reports: nothing under sink/ imports reports or pipeline (through sink/submit → outcome → reports)"}},
		{"own code imports a test helper", pkg{ImportPath: "cmd/rosterload", Imports: []string{"s3store/miniotest"}},
			[]string{"cmd/rosterload imports s3store/miniotest: s3store/miniotest is for tests alone"}},
		{"package without a floor", pkg{ImportPath: "kinds"},
			[]string{"kinds: the package has no floor: add it to floors"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkgs := slices.DeleteFunc(slices.Clone(base), func(p pkg) bool { return p.ImportPath == tc.add.ImportPath })
			var got []string
			for _, v := range check(withDeps(append(pkgs, tc.add))) {
				got = append(got, v.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

// withDeps fills in each package's Deps from the Imports of all, as go list does.
func withDeps(pkgs []pkg) []pkg {
	imports := map[string][]string{}
	for _, p := range pkgs {
		imports[p.ImportPath] = p.Imports
	}
	for i, p := range pkgs {
		seen := map[string]bool{}
		var visit func(string)
		visit = func(q string) {
			for _, imp := range imports[q] {
				if !seen[imp] {
					seen[imp] = true
					pkgs[i].Deps = append(pkgs[i].Deps, imp)
					visit(imp)
				}
			}
		}
		visit(p.ImportPath)
		slices.Sort(pkgs[i].Deps)
	}
	return pkgs
}
