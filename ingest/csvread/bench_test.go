package csvread

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// benchCSV is a 100k-row, 20-column roster, with accents on every row, and a quoted field on
// every row when quoted.
func benchCSV(rowCount int, quoted bool) []byte {
	var b bytes.Buffer
	for c := range 20 {
		if c > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "column%d", c)
	}
	b.WriteByte('\n')
	for i := range rowCount {
		addr := fmt.Sprintf("Main St %d Apt 4", i%1000)
		if quoted {
			addr = `"Main St ` + fmt.Sprint(i%1000) + `, Apt 4"`
		}
		fmt.Fprintf(&b, "E%06d,José,Müller,%s,jose%d@example.com,+14155550100,1980-02-29,Springfield,IL,62701,USA,4111111111111111,2030-01,DEBIT,prog-1,NEW,USD,x,y,z\n", i, addr, i)
	}
	return b.Bytes()
}

// BenchmarkReader reads a 100k-row, 20-column CSV from memory, with a quoted field on every
// row (which encoding/csv parses) and without (which the reader splits itself); it reports
// rows/s and the allocations per row (one string per record, and the row's cell slice).
func BenchmarkReader(b *testing.B) {
	for _, quoted := range []bool{false, true} {
		b.Run(map[bool]string{false: "unquoted", true: "quoted"}[quoted], func(b *testing.B) {
			benchReader(b, quoted)
		})
	}
}

func benchReader(b *testing.B, quoted bool) {
	const rowCount = 100_000
	data := benchCSV(rowCount, quoted)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		r, err := New(bytes.NewReader(data), "bench.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || row.Err != nil {
				b.Fatal(err, row.Err)
			}
			n++
		}
		if n != rowCount {
			b.Fatalf("read %d rows", n)
		}
	}
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(rowCount*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(rowCount*b.N), "allocs/row")
}
