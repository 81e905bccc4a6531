package reports

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterload/rosterload/outcome"
)

// Progress shows a long run's advance as its report lines are written: a line redrawn in place
// on a terminal (rows, rate, an ETA when the total is estimated, the rows of each status so
// far), a log line every 10 s otherwise (cron, Kubernetes). Line and Done are called from the
// report stage only; Stopping from any goroutine.
type Progress struct {
	w        io.Writer
	tty      bool
	log      *slog.Logger
	command  string
	start    time.Time
	last     time.Time
	rows     int
	counts   map[outcome.Status]int
	work     int // rows that were work: all but SKIPPED (an earlier run did them)
	every    time.Duration
	logEvery time.Duration
	total    atomic.Int64 // estimated data rows, 0 while unknown

	// mu orders what reaches w: the bar (report stage) and the stopping line (a signal).
	mu       sync.Mutex
	drawn    bool
	bar      string // the bar as last drawn, to draw again under the stopping line
	stopping atomic.Pointer[func() int]
	redraw   atomic.Bool // the next line draws the bar at once (it has something new to say)
}

// NewProgress starts the progress of command, shown on w (a terminal?) or logged to log.
func NewProgress(w io.Writer, log *slog.Logger, command string) *Progress {
	now := time.Now()
	return &Progress{w: w, tty: isTerminal(w), log: log, command: command, start: now, last: now,
		counts: map[outcome.Status]int{}, every: 200 * time.Millisecond, logEvery: 10 * time.Second}
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
	p.counts[l.Status]++
	if l.Status != outcome.Skipped {
		p.work++
	}
	if p.rows%256 != 0 && !p.redraw.Load() {
		return // time.Now per row would be a cost on million-row files
	}
	now := time.Now()
	if p.tty && (now.Sub(p.last) >= p.every || p.redraw.Swap(false)) {
		p.last = now
		p.draw(now)
	} else if !p.tty && now.Sub(p.last) >= p.logEvery {
		p.last = now
		p.log.Info("progress", "command", p.command, "rows", p.rows, "rows_per_s", int(p.rate(now)),
			slog.Group("statuses", p.statusAttrs()...))
	}
}

func (p *Progress) rate(now time.Time) float64 {
	el := now.Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.rows) / el
}

// eta is the time the rows still to come should take at the pace of the rows that were work:
// a resumed run's SKIPPED rows go by at once, and counted as done they would make it look short.
// ok is false when there is nothing to go by, or the run is stopping.
func (p *Progress) eta(now time.Time, total int) (time.Duration, bool) {
	el := now.Sub(p.start).Seconds()
	if p.work == 0 || el <= 0 || p.stopping.Load() != nil {
		return 0, false
	}
	perRow := el / float64(p.work)
	return time.Duration(float64(total-p.rows) * perRow * float64(time.Second)).Round(time.Second), true
}

// statuses is the rows of each status so far, in the order a summary lists them: "506 CREATED
// 6 FAILED".
func (p *Progress) statuses() string {
	var parts []string
	for _, st := range outcome.Statuses {
		if n := p.counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, "  ")
}

func (p *Progress) statusAttrs() []any {
	var attrs []any
	for _, st := range outcome.Statuses {
		if n := p.counts[st]; n > 0 {
			attrs = append(attrs, slog.Int(string(st), n))
		}
	}
	return attrs
}

func (p *Progress) draw(now time.Time) {
	rate := p.rate(now)
	total := int(p.total.Load())
	if total < p.rows {
		total = 0 // the estimate was low: say nothing rather than something wrong
	}
	var b strings.Builder
	etaAt, etaEnd := 0, 0
	if total == 0 || rate == 0 {
		fmt.Fprintf(&b, "%s: %d rows  %.0f rows/s  %s  %s", p.command, p.rows, rate, p.statuses(),
			now.Sub(p.start).Round(time.Second))
	} else {
		const width = 24
		done := width * p.rows / total
		fmt.Fprintf(&b, "%s [%s%s] %d/~%d rows  %.0f rows/s", p.command,
			strings.Repeat("#", done), strings.Repeat(".", width-done), p.rows, total, rate)
		if eta, ok := p.eta(now, total); ok {
			etaAt = b.Len()
			fmt.Fprintf(&b, "  ETA %s", eta)
			etaEnd = b.Len()
		}
		fmt.Fprintf(&b, "  %s", p.statuses())
	}
	if inFlight := p.stopping.Load(); inFlight != nil {
		fmt.Fprintf(&b, "  stopping: %d in flight", (*inFlight)())
	}
	line := b.String()
	p.mu.Lock()
	defer p.mu.Unlock()
	// Kept without its ETA: drawn again under the stopping line, it may no longer hold.
	p.drawn, p.bar = true, line[:etaAt]+line[etaEnd:]
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

// Stopping says at once, in one line, that the run is stopping (the first interrupt): the
// requests in flight (inFlight, called now and at each redraw) are finished and no other
// starts. On a terminal the bar is drawn again below the line and shows it from then on.
func (p *Progress) Stopping(inFlight func() int) {
	if !p.stopping.CompareAndSwap(nil, &inFlight) {
		return
	}
	n := inFlight()
	msg := fmt.Sprintf("stopping: finishing %d %s in flight; Ctrl-C again to abandon them", n, plural(n, "request", "requests"))
	if !p.tty {
		p.log.Warn(msg)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K"+msg+"\n")
	if p.drawn {
		fmt.Fprintf(p.w, "%s  stopping", p.bar)
	}
	p.redraw.Store(true)
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
	p.mu.Lock()
	drawn := p.drawn
	p.mu.Unlock()
	if drawn {
		p.draw(time.Now())
		p.mu.Lock()
		fmt.Fprintln(p.w)
		p.mu.Unlock()
	}
}
