package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/sink/journal"
)

// TestREADMEExitCodes: README.md's "Exit codes" table lists the codes of exitCodes, in order,
// each row's meaning opening with the table's.
func TestREADMEExitCodes(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(repo + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Exit codes\n")
	if !ok {
		t.Fatal(`README.md has no "## Exit codes" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	row := regexp.MustCompile(`(?m)^\| (\d+) \| (.*) \|$`)
	var got []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	if len(got) != len(exitCodes) {
		t.Fatalf("README lists %d exit codes, the table %d:\n%s", len(got), len(exitCodes), strings.Join(got, "\n"))
	}
	for i, c := range exitCodes {
		t.Run(strconv.Itoa(c.code), func(t *testing.T) {
			if want := strconv.Itoa(c.code) + " " + c.meaning; !strings.HasPrefix(got[i], want) {
				t.Errorf("README row %d is %q, want it to open with %q", i+1, got[i], want)
			}
		})
	}
}

// TestHelpListsExitCodes: the help text prints every code of the table with its meaning.
func TestHelpListsExitCodes(t *testing.T) {
	res := runCLI(t, nil, "help")
	if res.code != exitOK {
		t.Fatalf("help: exit %d", res.code)
	}
	for _, c := range exitCodes {
		if want := fmt.Sprintf("  %d  %s\n", c.code, c.meaning); !strings.Contains(res.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, res.stdout)
		}
	}
}

// TestExitCode: the one mapping from how a command ended to its exit code, through the kinds of
// error the packages return, wrapped as the command wraps them.
func TestExitCode(t *testing.T) {
	t.Parallel()
	_, urlErr := s3store.ParseURL("s3://a/roster.csv")
	_, optErr := s3store.New(context.Background(), s3store.Options{SSE: "aes"})
	tests := []struct {
		name  string
		err   error
		want  int
		quiet bool // no line on stderr
	}{
		{"success", nil, exitOK, true},
		{"help", errHelp, exitOK, true},
		{"rows not OK", job.ErrRowsNotOK, exitRows, true},
		{"interrupted", errInterrupted, exitRows, true},
		{"held by a safety check", fmt.Errorf("%w: 3 of 4 rows are invalid", job.ErrHeld), exitHeld, false},
		{"stale source", fmt.Errorf("SOURCE: %w", ingest.ErrStale), exitHeld, false},
		{"state made with another key", fmt.Errorf("state: %w", journal.ErrKey), exitConfig, false},
		{"usage", &usageError{msg: "--kind: want ewa"}, exitConfig, false},
		{"configuration", fmt.Errorf("%w: no credentials", job.ErrConfig), exitConfig, false},
		{"mapping", fmt.Errorf("%w: unknown field", ingest.ErrConfig), exitConfig, false},
		{"unreadable source", rows.Unreadable("r.csv", "is empty"), exitConfig, false},
		{"S3 said no", &s3store.Error{Op: "read", URL: "s3://b/k", Reason: "no such object", Kind: s3store.ErrNotFound}, exitConfig, false},
		{"bad S3 URL", fmt.Errorf("SOURCE: %w", urlErr), exitConfig, false},
		{"bad S3 options", optErr, exitConfig, false},
		{"output path", &output.Error{Flag: "--report", Path: "r.csv", Why: "is a FIFO"}, exitConfig, false},
		{"state file refused", fmt.Errorf("%w: %w", job.ErrConfig, journal.ErrRefused), exitConfig, false},
		{"API unreachable", job.ErrAPIUnreachable, exitUnfinish, true},
		{"submission stopped", fmt.Errorf("%w: token refused", pipeline.ErrSubmit), exitUnfinish, false},
		{"anything else", errors.New("disk full"), exitUnfinish, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
			if msg := message(tt.err); (msg == "") != tt.quiet {
				t.Errorf("message(%v) = %q, want quiet %v", tt.err, msg, tt.quiet)
			}
		})
	}
}

// TestPanicIsExit3: a panic in a command (here, writing the mapping to no stdout at all) is one
// line and exit 3, not a stack trace.
func TestPanicIsExit3(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), context.Background(), []string{"mapping", td("sample", "employees.csv")}, nil, &stderr)
	if code != exitUnfinish || !strings.HasPrefix(stderr.String(), "rosterload: internal error: ") {
		t.Errorf("exit %d, stderr %q; want 3 and one internal-error line", code, stderr.String())
	}
}
