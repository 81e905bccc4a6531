package pipeline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The queue gives back every message pushed, in row order, whether all of it is in memory or
// most of it in sorted runs on disk, with pushes between pops as route makes them.
func TestFwdQueueSpillsAndPopsInRowOrder(t *testing.T) {
	type step struct {
		push []uint32 // rows to push a message to
		upTo uint32   // then pop every message up to this row
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var random []step
	for r := uint32(1); r <= 400; r++ { // as route does: each row pushes to later rows, then the next row pops
		var push []uint32
		for range rng.IntN(4) {
			push = append(push, r+1+uint32(rng.IntN(300)))
		}
		random = append(random, step{push: push, upTo: r + 1})
	}
	random = append(random, step{upTo: 1000})
	tests := []struct {
		name  string
		steps []step
	}{
		{"interleaved pushes", []step{
			{push: []uint32{9, 3, 7, 3, 12, 5}, upTo: 3},
			{push: []uint32{4, 10, 6, 8}, upTo: 6},
			{push: []uint32{7, 20, 11}, upTo: 12},
			{upTo: 30},
		}},
		{"many messages to one row", []step{
			{push: []uint32{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, upTo: 4},
			{push: []uint32{5, 5, 6, 5}, upTo: 5},
			{push: []uint32{6}, upTo: 6},
		}},
		{"pushes after spills", []step{
			{push: []uint32{50, 40, 30, 20, 10, 60, 70}, upTo: 1},
			{push: []uint32{15, 25, 35, 45, 55, 65, 75, 5}, upTo: 25},
			{push: []uint32{26, 100, 27, 28}, upTo: 60},
			{push: []uint32{61, 99}, upTo: 200},
		}},
		{"routed rows", random},
	}
	for _, tt := range tests {
		for _, bound := range []int{1, 3, 1 << 20} {
			t.Run(fmt.Sprintf("%s bound %d", tt.name, bound), func(t *testing.T) {
				q := newFwdQueue(t.TempDir(), bound)
				defer q.close()
				var want []fwdMsg // in memory: what is pushed and not popped
				n := uint64(0)
				for i, st := range tt.steps {
					for _, to := range st.push {
						n++
						m := fwdMsg{to: to, row: uint32(n), key: n * 7, a: n * 11, b: n * 13, c: n * 17}
						want = append(want, m)
						if err := q.push(m); err != nil {
							t.Fatal(err)
						}
					}
					var got []fwdMsg
					for {
						to, ok := q.peek()
						if !ok || to > st.upTo {
							break
						}
						m, err := q.pop()
						if err != nil {
							t.Fatal(err)
						}
						if len(got) > 0 && m.to < got[len(got)-1].to {
							t.Fatalf("step %d: row %d popped after row %d", i, m.to, got[len(got)-1].to)
						}
						got = append(got, m)
					}
					var due []fwdMsg
					want = slices.DeleteFunc(want, func(m fwdMsg) bool {
						if m.to <= st.upTo {
							due = append(due, m)
							return true
						}
						return false
					})
					byRow := func(a, b fwdMsg) int { return int(a.row) - int(b.row) }
					slices.SortFunc(got, byRow)
					slices.SortFunc(due, byRow)
					if !slices.Equal(got, due) {
						t.Fatalf("step %d: popped %v, want %v", i, got, due)
					}
				}
				if len(want) > 0 {
					t.Fatalf("%d messages never popped", len(want))
				}
				if _, ok := q.peek(); ok {
					t.Error("queue not empty")
				}
				if bound == 1 && len(q.runs) == 0 && q.f == nil {
					t.Error("nothing spilled: the test proves nothing")
				}
			})
		}
	}
}
