package pipeline

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// Each region of a regionFile reads back, whole or a block at a time, exactly the records put
// in it, in order, however the puts of the regions interleave and wherever blocks end.
func TestRegionFileReadsBackEachRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		regions, rec, perBlock  int
		puts                    int
		onlyRegion, emptyRegion int // -1: none
	}{
		{"one record a block", 5, 4, 1, 200, -1, 3},
		{"blocks of three", 7, 6, 3, 500, -1, -1},
		{"one region", 4, 16, 8, 300, 2, -1},
		{"records a block exactly", 3, 8, 10, 60, -1, -1},
		{"no puts", 3, 8, 4, 0, -1, -1},
		{"many regions", 256, 16, 1024, 20000, -1, 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(tt.puts), 9))
			rf := newRegionFile(t.TempDir(), "test-*", tt.regions, tt.rec, tt.perBlock)
			defer rf.close()
			want := make([][]byte, tt.regions)
			for range tt.puts {
				i := rng.IntN(tt.regions)
				if tt.onlyRegion >= 0 {
					i = tt.onlyRegion
				}
				if i == tt.emptyRegion {
					continue
				}
				b, err := rf.slot(i)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) != tt.rec {
					t.Fatalf("slot of %d bytes, want %d", len(b), tt.rec)
				}
				for k := range b {
					b[k] = byte(rng.Uint32())
				}
				want[i] = append(want[i], b...)
			}
			if err := rf.flush(); err != nil {
				t.Fatal(err)
			}
			for i := range tt.regions {
				if got := rf.sizes[i]; got != int64(len(want[i])) {
					t.Errorf("region %d: size %d, want %d", i, got, len(want[i]))
				}
				all, err := rf.readAll(i, []byte("x"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(all, append([]byte("x"), want[i]...)) {
					t.Errorf("region %d: readAll appended %d bytes, not the %d put", i, len(all)-1, len(want[i]))
				}
				var blocks []byte
				err = rf.extents(i, nil, func(b []byte) error {
					if len(b)%tt.rec != 0 || len(b) > tt.rec*tt.perBlock {
						return fmt.Errorf("a block of %d bytes", len(b))
					}
					blocks = append(blocks, b...)
					return nil
				})
				if err != nil {
					t.Fatalf("region %d: %v", i, err)
				}
				if !bytes.Equal(blocks, want[i]) {
					t.Errorf("region %d: extents gave %d bytes, not the %d put", i, len(blocks), len(want[i]))
				}
			}
		})
	}
}
