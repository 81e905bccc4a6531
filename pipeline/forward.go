package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// State the run sets on a hot key (check's first holder of a value, the first claim of an
// externalId) is forwarded, not kept: when a row is routed, what its occurrences hold goes to
// the group's next row through fwdQueue, a priority queue by row, and comes out when that row
// is routed. The queue keeps at most bound messages in memory; beyond that it writes them,
// sorted, as a run to an unlinked temp file, and pops the least of the heap and the runs' heads.

// fwdMsg is a key's state on its way to row to.
type fwdMsg struct {
	to  uint32
	row uint32 // a claim's row
	key uint64
	a   uint64 // a value's first holder; a claim's fingerprint sum
	b   uint64 // a claim's spill offset
	c   uint64 // a claim's idSum
}

const (
	fwdMsgSize  = 40
	fwdBound    = 1 << 14 // messages in memory: 640 KB
	fwdRunBufSz = 2 << 10 // per run on disk
	fwdWriteSz  = 32 << 10
)

type fwdQueue struct {
	dir   string
	bound int
	heap  []fwdMsg // a min-heap by to
	f     *os.File
	off   int64
	runs  []*fwdRun // a min-heap by head.to
	buf   []byte
}

// fwdRun is one sorted run on disk and its head.
type fwdRun struct {
	r    *bufio.Reader
	left int
	head fwdMsg
}

func newFwdQueue(dir string, bound int) *fwdQueue {
	if bound <= 0 {
		bound = fwdBound
	}
	return &fwdQueue{dir: dir, bound: bound}
}

func (q *fwdQueue) push(m fwdMsg) error {
	if len(q.heap) >= q.bound {
		if err := q.spill(); err != nil {
			return err
		}
	}
	q.heap = append(q.heap, m)
	siftUp(q.heap, msgLess)
	return nil
}

// spill writes the heap, sorted, as a run.
func (q *fwdQueue) spill() error {
	if q.f == nil {
		f, err := unlinkedTemp(q.dir, "rosterload-forward-*")
		if err != nil {
			return fmt.Errorf("forward: %w", err)
		}
		q.f = f
	}
	slices.SortFunc(q.heap, func(a, b fwdMsg) int { return int(a.to) - int(b.to) })
	start := q.off
	b := q.buf[:0]
	for i, m := range q.heap {
		b = binary.LittleEndian.AppendUint32(b, m.to)
		b = binary.LittleEndian.AppendUint32(b, m.row)
		b = binary.LittleEndian.AppendUint64(b, m.key)
		b = binary.LittleEndian.AppendUint64(b, m.a)
		b = binary.LittleEndian.AppendUint64(b, m.b)
		b = binary.LittleEndian.AppendUint64(b, m.c)
		if len(b) >= fwdWriteSz || i == len(q.heap)-1 {
			if _, err := q.f.WriteAt(b, q.off); err != nil {
				return fmt.Errorf("forward: write temp file: %w", err)
			}
			q.off += int64(len(b))
			b = b[:0]
		}
	}
	q.buf = b
	run := &fwdRun{r: bufio.NewReaderSize(io.NewSectionReader(q.f, start, q.off-start), fwdRunBufSz), left: len(q.heap)}
	q.heap = q.heap[:0]
	if err := run.advance(); err != nil {
		return err
	}
	q.runs = append(q.runs, run)
	siftUp(q.runs, runLess)
	return nil
}

// advance reads the run's next message into head; a run with none left is empty.
func (r *fwdRun) advance() error {
	if r.left == 0 {
		return nil
	}
	var b [fwdMsgSize]byte
	if _, err := io.ReadFull(r.r, b[:]); err != nil {
		return errors.Join(errors.New("forward: read temp file"), err)
	}
	r.left--
	r.head = fwdMsg{to: binary.LittleEndian.Uint32(b[0:]), row: binary.LittleEndian.Uint32(b[4:]),
		key: binary.LittleEndian.Uint64(b[8:]), a: binary.LittleEndian.Uint64(b[16:]), b: binary.LittleEndian.Uint64(b[24:]),
		c: binary.LittleEndian.Uint64(b[32:])}
	return nil
}

func msgLess(a, b fwdMsg) bool  { return a.to < b.to }
func runLess(a, b *fwdRun) bool { return a.head.to < b.head.to }

// siftUp restores the heap h after an append.
func siftUp[T any](h []T, less func(a, b T) bool) {
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !less(h[i], h[p]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// siftDown restores the heap h after its root changed.
func siftDown[T any](h []T, less func(a, b T) bool) {
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(h) && less(h[l], h[small]) {
			small = l
		}
		if l+1 < len(h) && less(h[l+1], h[small]) {
			small = l + 1
		}
		if small == i {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}

// fromHeap says whether the least message is in memory rather than at a run's head.
func (q *fwdQueue) fromHeap() bool {
	return len(q.heap) > 0 && (len(q.runs) == 0 || q.heap[0].to <= q.runs[0].head.to)
}

// peek says the least row a message is addressed to.
func (q *fwdQueue) peek() (uint32, bool) {
	switch {
	case q.fromHeap():
		return q.heap[0].to, true
	case len(q.runs) > 0:
		return q.runs[0].head.to, true
	}
	return 0, false
}

// pop takes the least message; the queue must not be empty (peek).
func (q *fwdQueue) pop() (fwdMsg, error) {
	if q.fromHeap() {
		m := q.heap[0]
		n := len(q.heap) - 1
		q.heap[0] = q.heap[n]
		q.heap = q.heap[:n]
		siftDown(q.heap, msgLess)
		return m, nil
	}
	r := q.runs[0]
	m := r.head
	if r.left == 0 { // done: the last run takes its place
		n := len(q.runs) - 1
		q.runs[0] = q.runs[n]
		q.runs = q.runs[:n]
	} else if err := r.advance(); err != nil {
		return m, err
	}
	siftDown(q.runs, runLess)
	return m, nil
}

func (q *fwdQueue) close() {
	if q.f != nil {
		q.f.Close()
	}
}
