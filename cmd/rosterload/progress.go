package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rosterload/rosterload/reports"
)

// progress shows a long run's advance: a line redrawn in place on a terminal, a log line every
// logEvery otherwise (cron, Kubernetes). Its methods are called from the report stage only.
type progress struct {
	w        io.Writer
	tty      bool
	log      *slog.Logger
	command  string
	start    time.Time
	last     time.Time
	rows     int
	bad      int // INVALID, DUPLICATE, FAILED, NOT_SUBMITTED
	drawn    bool
	every    time.Duration
	logEvery time.Duration
	total    atomic.Int64 // estimated data rows, 0 while unknown
}

func newProgress(w io.Writer, log *slog.Logger, command string) *progress {
	now := time.Now()
	return &progress{w: w, tty: isTerminal(w), log: log, command: command, start: now, last: now,
		every: 200 * time.Millisecond, logEvery: 10 * time.Second}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) line(l *reports.Line) {
	p.rows++
	if !l.Status.OK() {
		p.bad++
	}
	if p.rows%256 != 0 {
		return // time.Now per row would be a cost on million-row files
	}
	now := time.Now()
	if p.tty && now.Sub(p.last) >= p.every {
		p.last = now
		p.draw(now)
	} else if !p.tty && now.Sub(p.last) >= p.logEvery {
		p.last = now
		p.log.Info("progress", "command", p.command, "rows", p.rows, "rows_per_s", int(p.rate(now)), "not_ok", p.bad)
	}
}

func (p *progress) rate(now time.Time) float64 {
	el := now.Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.rows) / el
}

func (p *progress) draw(now time.Time) {
	p.drawn = true
	rate := p.rate(now)
	total := int(p.total.Load())
	if total < p.rows {
		total = 0 // the estimate was low: say nothing rather than something wrong
	}
	if total == 0 || rate == 0 {
		fmt.Fprintf(p.w, "\r\x1b[K%s: %d rows  %.0f rows/s  %d not OK  %s", p.command, p.rows, rate, p.bad,
			now.Sub(p.start).Round(time.Second))
		return
	}
	const width = 24
	done := width * p.rows / total
	eta := time.Duration(float64(total-p.rows) / rate * float64(time.Second)).Round(time.Second)
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s%s] %d/~%d rows  %.0f rows/s  ETA %s  %d not OK", p.command,
		strings.Repeat("#", done), strings.Repeat(".", width-done), p.rows, total, rate, eta, p.bad)
}

// estimate counts the lines of a CSV file on disk in the background, for the progress bar's
// total and ETA. A quoted field with line breaks makes it high, which the bar shows as "~".
func (p *progress) estimate(path string) {
	if !p.tty {
		return // only the terminal bar shows a total
	}
	go func() {
		if lines, err := countLines(path); err == nil && lines > 0 {
			p.total.Store(lines - 1) // the header
		}
	}()
}

// countLines counts the line feeds of a file: its rows, near enough (a quoted cell may hold a
// line feed), at disk speed.
func countLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	lines := int64(0)
	for {
		n, err := f.Read(buf)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
	}
}

// done ends the progress line so the summary starts on a line of its own.
func (p *progress) done() {
	if p.drawn {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
}
