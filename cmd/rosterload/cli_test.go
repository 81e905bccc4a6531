package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/redact"
)

// TestFlagsAnywhere: flags may follow SOURCE, and "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	mapping := td("sample", "mapping.yaml")
	source := td("sample", "employees.csv")
	tests := []struct {
		name string
		args func(report string) []string
	}{
		{"before", func(rep string) []string { return []string{"validate", "--mapping", mapping, "--report", rep, source} }},
		{"after", func(rep string) []string { return []string{"validate", source, "--mapping", mapping, "--report", rep} }},
		{"around", func(rep string) []string { return []string{"validate", "--mapping", mapping, source, "--report", rep} }},
		{"after --", func(rep string) []string {
			return []string{"validate", "--mapping", mapping, "--report", rep, "--", source}
		}},
	}
	var first []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := filepath.Join(t.TempDir(), "r.jsonl")
			res := runCLI(t, nil, tt.args(rep)...)
			if res.code == exitConfig {
				t.Fatalf("exit 2; stderr:\n%s", res.stderr)
			}
			got, err := os.ReadFile(rep)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = got
			} else if string(got) != string(first) {
				t.Error("the report differs with the flags elsewhere on the line")
			}
		})
	}
}

// TestCommandLineMistakes: each is exit 2 and one line, with one program-name prefix.
func TestCommandLineMistakes(t *testing.T) {
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(roster, []byte("Employee ID,First Name,Last Name\nE1,Ana,Lee\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	xlsx := td("xlsx", "numbers.xlsx")
	if _, err := os.Stat(xlsx); err != nil {
		t.Fatalf("the XLSX fixture: %v", err)
	}
	rep := filepath.Join(dir, "r.csv")
	// A roster the preflight passes, for the mistakes found once outputs are settled.
	sample, sampleMapping := td("sample", "employees.csv"), td("sample", "mapping.yaml")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // the whole line
	}{
		{"misspelled flag", []string{"validate", "--reprot", rep, roster},
			nil, "rosterload: validate: --reprot: did you mean --report? (see rosterload validate -h)"},
		{"misspelled flag after SOURCE", []string{"run", roster, "--concurency", "4"},
			nil, "rosterload: run: --concurency: did you mean --concurrency? (see rosterload run -h)"},
		{"unknown flag", []string{"mapping", "--frobnicate", roster},
			nil, "rosterload: mapping: unknown flag --frobnicate (see rosterload mapping -h)"},
		{"no SOURCE", []string{"validate"}, nil, "rosterload: validate: SOURCE is missing (a roster file path)"},
		{"two SOURCEs", []string{"validate", roster, roster}, nil, "rosterload: validate: one SOURCE expected, got 2: " + roster + " " + roster},
		{"run without an API", []string{"run", roster}, nil, "rosterload: run: --api-url is required (or --sandbox to submit to the built-in emulator)"},
		{"sandbox with an argument", []string{"sandbox", roster}, nil, "rosterload: sandbox takes no arguments: " + roster},
		{"--sheet on a CSV", []string{"validate", "--report", rep, "--sheet", "Employees", roster},
			nil, `rosterload: --sheet "Employees": SOURCE is a CSV file, which has no sheets`},
		{"ROSTERLOAD_SHEET on a CSV", []string{"validate", "--report", rep, roster},
			map[string]string{"ROSTERLOAD_SHEET": "Employees"}, `rosterload: ROSTERLOAD_SHEET "Employees": SOURCE is a CSV file, which has no sheets`},
		{"--encoding on an XLSX", []string{"validate", "--report", rep, "--encoding", "latin1", xlsx},
			nil, `rosterload: --encoding "latin1": SOURCE is an XLSX workbook; encodings are for CSV files`},
		{"--delimiter on an XLSX", []string{"validate", "--report", rep, xlsx, "--delimiter", ";"},
			nil, `rosterload: --delimiter ";": SOURCE is an XLSX workbook; delimiters are for CSV files`},
		{"unknown report extension", []string{"validate", "--report", filepath.Join(dir, "r.txt"), "--mapping", sampleMapping, sample},
			nil, "rosterload: --report " + filepath.Join(dir, "r.txt") + ": unknown report extension .txt: want .csv, .jsonl or .xlsx"},
		{"report without an extension", []string{"validate", "--report", filepath.Join(dir, "report"), "--mapping", sampleMapping, sample},
			nil, "rosterload: --report " + filepath.Join(dir, "report") + ": no extension: want .csv, .jsonl or .xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.env, tt.args...)
			if res.code != exitConfig {
				t.Fatalf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			// Masked as the line is: a temp dir's digits may look like a card number.
			if line, want := firstErrorLine(res.stderr), redact.Text(tt.want); line != want {
				t.Errorf("the line is\n  %q\nwant\n  %q\nstderr:\n%s", line, want, res.stderr)
			}
			if strings.Contains(res.stderr, "rosterload: rosterload") {
				t.Errorf("two program-name prefixes:\n%s", res.stderr)
			}
			if _, err := os.Stat(rep); err == nil {
				t.Error("a report was written")
			}
		})
	}
}

// TestCommandHelp: each command's -h shows its own operands (sandbox takes no SOURCE).
func TestCommandHelp(t *testing.T) {
	tests := []struct{ command, want string }{
		{"validate", "usage: rosterload validate [flags] SOURCE\n"},
		{"run", "usage: rosterload run [flags] SOURCE\n"},
		{"mapping", "usage: rosterload mapping [flags] SOURCE\n"},
		{"sandbox", "usage: rosterload sandbox [flags]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			res := runCLI(t, nil, tt.command, "--help")
			if res.code != exitOK || !strings.HasPrefix(res.stdout, tt.want) {
				t.Errorf("exit %d, help:\n%s\nwant it to start %q", res.code, res.stdout, tt.want)
			}
		})
	}
}

// TestVersion: --version prints the module version, the commit and the Go version, in one line.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		t.Run(arg, func(t *testing.T) {
			res := runCLI(t, nil, arg)
			if res.code != exitOK || !regexp.MustCompile(`^rosterload \S+, commit \S+.*, go1\.\d+\S*\n$`).MatchString(res.stdout) {
				t.Errorf("exit %d, stdout %q", res.code, res.stdout)
			}
		})
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/rosterload/rosterload", Version: "v1.4.0"}}
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"no VCS stamp", nil, "rosterload v1.4.0, commit unknown, go1.26.8"},
		{"a clean checkout", []debug.BuildSetting{{Key: "vcs.revision", Value: "2736781abc"}, {Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}},
			"rosterload v1.4.0, commit 2736781abc (2026-05-01T10:00:00Z), go1.26.8"},
		{"local changes", []debug.BuildSetting{{Key: "vcs.revision", Value: "2736781abc"}, {Key: "vcs.modified", Value: "true"}},
			"rosterload v1.4.0, commit 2736781abc, modified, go1.26.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := *bi
			b.Settings = tt.settings
			if got := versionLine(&b); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNearestFlag(t *testing.T) {
	fs := newFlagSet("run")
	var so sourceOptions
	var ro reportOptions
	var o runOptions
	so.register(fs)
	ro.register(fs)
	o.register(fs)
	tests := []struct{ typed, want string }{
		{"reprot", "report"},
		{"sumary", "summary"},
		{"program_id", "program-id"},
		{"Kind", "kind"},
		{"sandbx", "sandbox"},
		{"xyz", ""},
		{"verbose", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			if got := nearestFlag(fs, tt.typed); got != tt.want {
				t.Errorf("nearestFlag(%q) = %q, want %q", tt.typed, got, tt.want)
			}
		})
	}
}
