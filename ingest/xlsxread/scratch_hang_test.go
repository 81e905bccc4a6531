package xlsxread

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

func TestScratchHang(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"encrypted.xlsx", "dates.xlsx", "numbers.xlsx", "raw-cells.xlsx", "random.xlsx"} {
		seed, _ := os.ReadFile(fixture(name))
		for i := range 300 {
			b := bytes.Clone(seed)
			for range 1 + rng.IntN(4) {
				b[rng.IntN(len(b))] = byte(rng.IntN(256))
			}
			done := make(chan struct{})
			go func() {
				select {
				case <-done:
				case <-time.After(3 * time.Second):
					os.WriteFile("/tmp/hang.bin", b, 0o644)
					panic(fmt.Sprint("hang on ", name, " ", i))
				}
			}()
			r, err := openBytes(b, Options{MaxUnzipSize: 64 << 20, MaxXMLSize: 1 << 20})
			if err == nil {
				for {
					if _, err := r.Next(); err != nil {
						if err != io.EOF {
						}
						break
					}
				}
				r.Close()
			}
			close(done)
		}
	}
}
