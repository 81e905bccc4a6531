package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusals: sources and configurations that cannot be read end with exit 2 and exactly one
// line on stderr that names the problem.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rand.IntN(256))
	}
	roster := write("roster.csv", "Employee ID,First Name,Last Name\nE1,Ana,Lee\n")
	tests := []struct {
		name string
		args []string
		want string // in the one line
	}{
		{"empty file", []string{"validate", write("empty.csv", "")}, "empty"},
		{"header only", []string{"validate", "--report", filepath.Join(dir, "h.csv"), write("header.csv", "Employee ID,First Name\n")}, "no data rows"},
		{"random bytes named xlsx", []string{"validate", write("random.xlsx", string(random))}, "random.xlsx"},
		{"xlsx named csv", []string{"validate", write("zip.csv", "PK\x03\x04"+string(random[:100]))}, "zip.csv"},
		{"zip bomb", []string{"validate", td("xlsx", "bomb.xlsx")}, "bomb.xlsx"},
		{"missing file", []string{"validate", filepath.Join(dir, "nope.csv")}, "nope.csv"},
		{"mapping names a missing header", []string{"validate", "--mapping", write("m1.yaml", "columns:\n  externalId: \"Associate ID\"\n"), roster}, "Associate ID"},
		{"mapping names an unknown field", []string{"validate", "--mapping", write("m2.yaml", "columns:\n  emial: \"First Name\"\n"), roster}, "emial"},
		{"mapping file with a typo'd key", []string{"validate", "--mapping", write("m3.yaml", "colums:\n  email: x\n"), roster}, "colums"},
		{"CVV column", []string{"validate", write("cvv.csv", "Employee ID,Card Number,CVV\nE1,4242424242424242,123\n")}, "CVV"},
		{"unknown kind", []string{"validate", "--kind", "company", roster}, "company"},
		{"unknown flag", []string{"validate", "--nope", roster}, "nope"},
		{"no source", []string{"validate"}, "SOURCE"},
		{"bad encoding", []string{"validate", "--encoding", "ebcdic", roster}, "ebcdic"},
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, nil, tt.args...)
			if res.code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			line := firstErrorLine(res.stderr)
			if line == "" || !strings.Contains(line, tt.want) {
				t.Errorf("stderr should have one rosterload: line naming %q; got:\n%s", tt.want, res.stderr)
			}
			if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", res.stderr)
			}
		})
	}
}

// firstErrorLine returns the single "rosterload: ..." line of stderr, or "" if there is not
// exactly one (usage text after it is allowed for command-line mistakes).
func firstErrorLine(stderr string) string {
	var found []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "rosterload: ") {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}
