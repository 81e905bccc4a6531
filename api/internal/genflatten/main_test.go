package main

import (
	"bytes"
	"os"
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
