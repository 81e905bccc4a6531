package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
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
	fmt.Fprintf(p.w, "\r\x1b[K%s: %d rows  %.0f rows/s  %d not OK  %s", p.command, p.rows, p.rate(now), p.bad,
		now.Sub(p.start).Round(time.Second))
}

// done ends the progress line so the summary starts on a line of its own.
func (p *progress) done() {
	if p.drawn {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
}
