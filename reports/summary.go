package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/redact"
)

// Summary describes a whole run: what was read, what became of it, and where the time went.
type Summary struct {
	Command    string                 `json:"command"`
	Client     string                 `json:"client,omitempty"` // the clients manifest's entry
	Source     string                 `json:"source"`
	Kind       string                 `json:"kind"`
	Report     string                 `json:"report,omitempty"`
	StartedAt  time.Time              `json:"startedAt"`
	RowsRead   int                    `json:"rowsRead"`
	Statuses   map[outcome.Status]int `json:"statuses"`
	Warnings   int                    `json:"rowsWithWarnings"`
	Stages     Stages                 `json:"stageSeconds"`
	Elapsed    Seconds                `json:"elapsedSeconds"`
	RowsPerSec float64                `json:"rowsPerSecond"`
	Requests   int                    `json:"requests"`
	Retries    int                    `json:"retries"`
	HTTPStatus map[int]int            `json:"httpStatusCounts"`
	// ExitCode is the command's exit code, filled by the command (the summary reports
	// outcomes; the command alone maps them to a code).
	ExitCode    int  `json:"exitCode"`
	Interrupted bool `json:"interrupted,omitempty"`
	// APIUnreachable: requests were sent and not one got an HTTP answer.
	APIUnreachable bool `json:"apiUnreachable,omitempty"`
	// Missing is the number of leavers tonight: employees the state holds as active that a full
	// roster lacks (marked missing, or that would have been had the run not been held).
	Missing int `json:"missing,omitempty"`
	// Shared are the pairs of employees whose rows share an SSN, tax id, card number, email or
	// phone (the first ones, "rows 2 and 9 (two employees) have the same card number"), and
	// SharedCount how many there were in all.
	Shared      []string `json:"shared,omitempty"`
	SharedCount int      `json:"sharedCount,omitempty"`
	// Held says why a safety check held the run (exit 4), "" when it was not held.
	Held string `json:"held,omitempty"`

	// SourceObject is the object an s3:// source was read from (a prefix's newest object),
	// SourceETag its ETag then, and SourceChanged whether it had another (or none) at the end.
	SourceObject  string `json:"sourceObject,omitempty"`
	SourceETag    string `json:"sourceETag,omitempty"`
	SourceChanged bool   `json:"sourceChanged,omitempty"`

	start time.Time // precise, for Elapsed; StartedAt is shown to the second
}

// Stages is where the run's wall time went: each instant is given to the one stage the rows
// were waiting on (the busy stage furthest down the pipeline), not summed over the goroutines
// that run a stage, so the stages add up to at most the elapsed time.
type Stages struct {
	Read     Seconds `json:"read"`
	Map      Seconds `json:"map"`
	Validate Seconds `json:"validate"`
	Dedupe   Seconds `json:"dedupe"`
	Submit   Seconds `json:"submit"`
	Report   Seconds `json:"report"`
}

// Seconds is a duration that encodes as seconds with millisecond precision.
type Seconds time.Duration

// MarshalJSON writes the duration as a number of seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", time.Duration(s).Seconds())), nil
}

func (s Seconds) String() string { return time.Duration(s).Round(time.Millisecond).String() }

// NewSummary starts a summary of a run that started at start.
func NewSummary(command, source, kind string, start time.Time) *Summary {
	return &Summary{
		Command: command, Source: source, Kind: kind, StartedAt: start.UTC().Truncate(time.Second),
		Statuses: map[outcome.Status]int{}, HTTPStatus: map[int]int{}, start: start,
	}
}

// Count records one report line.
func (s *Summary) Count(l *Line) {
	s.RowsRead++
	s.Statuses[l.Status]++
	if len(l.Warnings) > 0 {
		s.Warnings++
	}
}

// Finish stamps the elapsed time and rate.
func (s *Summary) Finish() {
	el := time.Since(s.start)
	s.Elapsed = Seconds(el)
	if el > 0 {
		s.RowsPerSec = math.Round(float64(s.RowsRead)/el.Seconds()*10) / 10
	}
}

// AllOK reports whether every row's status is OK (VALID, CREATED, EXISTS, SKIPPED or CHANGED).
func (s *Summary) AllOK() bool {
	for st, n := range s.Statuses {
		if n > 0 && !st.OK() {
			return false
		}
	}
	return true
}

// shown is the summary as it may leave for a file or the terminal: its names (the source, the
// report) through the masking policy, since a file may be named after an employee's number.
func (s *Summary) shown() *Summary {
	c := *s
	c.Source, c.SourceObject, c.Report = redact.Text(s.Source), redact.Text(s.SourceObject), redact.Text(s.Report)
	c.Client = redact.Text(s.Client) // a manifest's name may be any digits, a card number's too
	c.Held = redact.Text(s.Held)
	return &c
}

// WriteText writes the summary for a person, as stderr shows it.
func (sum *Summary) WriteText(w io.Writer) {
	s := sum.shown()
	var b strings.Builder
	fmt.Fprintf(&b, "rosterload %s: %s (%s)\n", s.Command, s.Source, s.Kind)
	if s.Client != "" {
		fmt.Fprintf(&b, "  client         %s\n", s.Client)
	}
	if s.SourceObject != "" {
		fmt.Fprintf(&b, "  source object  %s (ETag %s)\n", s.SourceObject, s.SourceETag)
	}
	if s.SourceChanged {
		b.WriteString("  warning: the source object changed during the run; the report describes the version read\n")
	}
	fmt.Fprintf(&b, "  rows read      %d in %s (%.0f rows/s)\n", s.RowsRead, s.Elapsed, s.RowsPerSec)
	for _, st := range outcome.Statuses {
		if n := s.Statuses[st]; n > 0 {
			fmt.Fprintf(&b, "  %-14s %d\n", st, n)
		}
	}
	if s.Warnings > 0 {
		fmt.Fprintf(&b, "  with warnings  %d\n", s.Warnings)
	}
	if s.Missing > 0 {
		fmt.Fprintf(&b, "  missing        %d (in the state, not in this roster)\n", s.Missing)
	}
	if s.SharedCount > 0 {
		fmt.Fprintf(&b, "  shared         %d pairs of employees share an identifier, email or phone", s.SharedCount)
		if len(s.Shared) > 0 {
			fmt.Fprintf(&b, ": %s", strings.Join(s.Shared[:min(len(s.Shared), 3)], "; "))
			if s.SharedCount > 3 {
				b.WriteString("; …")
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  stages         read %s, map %s, validate %s, dedupe %s, submit %s, report %s\n",
		s.Stages.Read, s.Stages.Map, s.Stages.Validate, s.Stages.Dedupe, s.Stages.Submit, s.Stages.Report)
	if s.Requests > 0 {
		codes := make([]int, 0, len(s.HTTPStatus))
		for c := range s.HTTPStatus {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var cs []string
		for _, c := range codes {
			cs = append(cs, fmt.Sprintf("%d×%d", c, s.HTTPStatus[c]))
		}
		fmt.Fprintf(&b, "  requests       %d (%d retries) %s\n", s.Requests, s.Retries, strings.Join(cs, " "))
	}
	if s.Interrupted {
		b.WriteString("  interrupted: rows not yet sent are NOT_SUBMITTED\n")
	}
	if s.APIUnreachable {
		b.WriteString("  the API could not be reached: no request got an HTTP answer (see the errors in the report)\n")
	}
	if s.Held != "" {
		fmt.Fprintf(&b, "  held           %s\n", s.Held)
	}
	if s.Report != "" {
		fmt.Fprintf(&b, "  report         %s\n", s.Report)
	}
	fmt.Fprintf(&b, "  exit code      %d\n", s.ExitCode)
	io.WriteString(w, b.String())
}

// Text is the run in one line for a chat webhook, without personal data: "rosterload run
// acme.csv (ewa): 1,000 rows — 30 CREATED, 950 SKIPPED, 20 CHANGED; 5 missing; exit 0", the
// statuses in the order a summary shows them.
func (sum *Summary) Text() string {
	s := sum.shown()
	var b strings.Builder
	fmt.Fprintf(&b, "rosterload %s", s.Command)
	if s.Client != "" {
		fmt.Fprintf(&b, " [%s]", s.Client)
	}
	fmt.Fprintf(&b, " %s (%s): %s %s", s.Source, s.Kind, thousands(s.RowsRead), plural(s.RowsRead, "row", "rows"))
	sep := " — "
	for _, st := range outcome.Statuses {
		if n := s.Statuses[st]; n > 0 {
			fmt.Fprintf(&b, "%s%s %s", sep, thousands(n), st)
			sep = ", "
		}
	}
	if s.Missing > 0 {
		fmt.Fprintf(&b, "; %s missing", thousands(s.Missing))
	}
	if s.Held != "" {
		fmt.Fprintf(&b, "; held: %s", s.Held)
	}
	if s.Interrupted {
		b.WriteString("; interrupted")
	}
	if s.APIUnreachable {
		b.WriteString("; the API could not be reached")
	}
	fmt.Fprintf(&b, "; exit %d", s.ExitCode)
	return b.String()
}

// NotifyJSON is what a --notify webhook receives: the summary as --summary writes it (names
// masked), in one line, with the Text line in "text" for a chat webhook to show.
func (s *Summary) NotifyJSON() ([]byte, error) {
	b, err := json.Marshal(struct {
		*Summary
		Text string `json:"text"`
	}{s.shown(), s.Text()})
	if err != nil {
		return nil, fmt.Errorf("encode the summary: %w", err)
	}
	return b, nil
}

// thousands writes a count with comma separators: 1,000,000.
func thousands(n int) string {
	d := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteJSONFile writes the summary as JSON to path, mode 0600.
func (s *Summary) WriteJSONFile(path string) error {
	f, err := createAtomic(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f.bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.shown()); err != nil {
		f.abort()
		return fmt.Errorf("write summary %s: %w", path, err)
	}
	return f.commit()
}

// Create starts a report at path in the format its extension names. sheet describes the roster
// for an XLSX report; the other formats ignore it.
func Create(path string, sheet Sheet) (Writer, error) {
	switch FormatOf(path) {
	case JSONL:
		return CreateJSONL(path)
	case XLSX:
		return CreateXLSX(path, sheet)
	}
	return CreateCSV(path)
}
