package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The generated walks are those of the api package as it is declared: a field added, removed or
// retagged without `go generate` fails here.
func TestGeneratedIsCurrent(t *testing.T) {
	t.Parallel()
	api := filepath.Join("..", "..")
	src, err := os.ReadFile(filepath.Join(api, "flatten.go"))
	if err != nil {
		t.Fatal(err)
	}
	const directive = "//go:generate go run ./internal/genflatten -o flatten_gen.go "
	_, roots, ok := strings.Cut(string(src), "\n"+directive)
	if !ok {
		t.Fatalf("no %q line in flatten.go", directive)
	}
	roots, _, _ = strings.Cut(roots, "\n")
	out := filepath.Join(t.TempDir(), "flatten_gen.go")
	if err := run(api, out, strings.Fields(roots)); err != nil {
		t.Fatal(err)
	}
	regenerated, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(api, "flatten_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, regenerated) {
		t.Error("api/flatten_gen.go is stale: run `go generate ./api` and commit the result")
	}
}

func TestGenerateRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, dir string
		roots     []string
		want      string
	}{
		{"no root", "testdata/recursive", nil, "no root type named"},
		{"unknown root", "testdata/recursive", []string{"Missing"}, "Missing is not a type of package recursive"},
		{"not a struct", "testdata/recursive", []string{"Text"}, "Text is not a struct type"},
		{"recursive", "testdata/recursive", []string{"Node"}, "Node is recursive"},
		{"no package", "testdata/none", []string{"Node"}, "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := generate(tc.dir, "flatten_gen.go", tc.roots)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("generate(%s, %q) = %v, want an error saying %q", tc.dir, tc.roots, err, tc.want)
			}
		})
	}
}

// Walks generated for the kinds of field the api types do not hold yet (numbers, interfaces,
// arrays, lists of lists, maps of other values, embedded structs) match the reflective walk too:
// testdata/kinds is copied beside api's flatten.go into a module of its own, generated for, and
// its equivalence test run.
func TestGeneratedWalksOtherKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module")
	}
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":              "",
		"flatten.go":          filepath.Join("..", "..", "flatten.go"),
		"kinds.go":            filepath.Join("testdata", "kinds", "kinds.go"),
		"equivalence_test.go": filepath.Join("testdata", "kinds", "equivalence_test.go"),
	}
	for name, from := range files {
		src := []byte("module kinds\n\ngo 1.26\n")
		if from != "" {
			var err error
			if src, err = os.ReadFile(from); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(dir, filepath.Join(dir, "flatten_gen.go"), []string{"Wide"}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test of the generated walks: %v\n%s", err, out)
	}
}
