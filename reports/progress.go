package reports

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Progress shows a long run's advance as its report lines are written: a line redrawn in place
// on a terminal (rows, rate, an ETA when the total is estimated, rows not OK), a log line every
// 10 s otherwise (cron, Kubernetes). Line and Done are called from the report stage only.
type Progress struct {
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

// NewProgress starts the progress of command, shown on w (a terminal?) or logged to log.
func NewProgress(w io.Writer, log *slog.Logger, command string) *Progress {
	now := time.Now()
	return &Progress{w: w, tty: isTerminal(w), log: log, command: command, start: now, last: now,
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

// Line counts a report line.
func (p *Progress) Line(l *Line) {
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

func (p *Progress) rate(now time.Time) float64 {
	el := now.Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.rows) / el
}

func (p *Progress) draw(now time.Time) {
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

// Estimate has the total of rows estimated in the background by rows (false: not known), for a
// terminal's bar and ETA. An estimate found low is not shown.
func (p *Progress) Estimate(rows func() (int64, bool)) {
	if !p.tty {
		return // only the terminal bar shows a total
	}
	go func() {
		if n, ok := rows(); ok {
			p.total.Store(n)
		}
	}()
}

// Done ends the progress line so the summary starts on a line of its own.
func (p *Progress) Done() {
	if p.drawn {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
}
