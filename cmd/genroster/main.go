// Command genroster writes a synthetic EWA payroll roster (CSV or XLSX) of any size, with a chosen
// share of invalid and duplicate rows, for benchmarks and soak tests. The data is made up: card
// numbers pass the Luhn check but belong to no one.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"

	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

type options struct {
	rows      int
	out       string
	invalid   float64
	duplicate float64
	seed      uint64
}

func main() {
	var o options
	flag.IntVar(&o.rows, "rows", 1000, "data rows to write")
	flag.StringVar(&o.out, "o", "roster.csv", "output `file`: .csv or .xlsx")
	flag.Float64Var(&o.invalid, "invalid", 0.08, "share of rows with one invalid field")
	flag.Float64Var(&o.duplicate, "duplicate", 0.03, "share of rows repeating an earlier externalId")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed (same seed, same file)")
	flag.Parse()
	if err := generate(o); err != nil {
		fmt.Fprintln(os.Stderr, "genroster:", err)
		os.Exit(1)
	}
}

var header = []string{
	"Employee ID", "First Name", "Last Name", "Personal Email", "Mobile Phone", "Birth Date", "SSN",
	"Address Line 1", "City", "State", "Zip", "Country", "Card Number", "Card Expiry", "cardName", "cardSubtype",
}

var (
	firsts = []string{"Ana", "Ben", "Chloé", "Diego", "Emma", "Farid", "Grace", "Hiro", "Ines", "José", "Kai", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Zoë"}
	lasts  = []string{"Abbott", "Brown", "Chen", "Díaz", "Evans", "Fischer", "García", "Haddad", "Ivanova", "Jones", "Kim", "López", "Müller", "Nguyen", "O'Brien", "Patel", "Rossi", "Smith", "Tanaka", "Weiß"}
	cities = []struct{ city, state, area string }{
		{"New York", "NY", "212"}, {"San Francisco", "CA", "415"}, {"Chicago", "IL", "312"}, {"Boston", "MA", "617"},
		{"Seattle", "WA", "206"}, {"Austin", "TX", "512"}, {"Denver", "CO", "303"}, {"Miami", "FL", "305"},
	}
	streets = []string{"Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St", "Lake Blvd"}
)

func generate(o options) error {
	rng := rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15))
	var w rowWriter
	var err error
	if strings.HasSuffix(strings.ToLower(o.out), ".xlsx") {
		w, err = newXLSXWriter(o.out)
	} else {
		w, err = newCSVWriter(o.out)
	}
	if err != nil {
		return err
	}
	if err := w.write(header); err != nil {
		return err
	}
	var ids []string
	for i := 0; i < o.rows; i++ {
		var row []string
		if len(ids) > 0 && rng.Float64() < o.duplicate {
			row = person(rng, ids[rng.IntN(len(ids))])
			if rng.IntN(2) == 0 {
				row[3] = "changed." + row[3] // a duplicate whose content differs
			}
		} else {
			id := fmt.Sprintf("E%07d", i+1)
			ids = append(ids, id)
			row = person(rng, id)
			if rng.Float64() < o.invalid {
				spoil(rng, row)
			}
		}
		if err := w.write(row); err != nil {
			return err
		}
	}
	return w.close()
}

// person makes one valid row for id. The same id always gives the same person.
func person(rng *rand.Rand, id string) []string {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "E"))
	r := rand.New(rand.NewPCG(uint64(n), 7))
	first, last := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
	c := cities[r.IntN(len(cities))]
	return []string{
		id, first, last,
		fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(asciiOnly(first)), strings.ToLower(asciiOnly(last)), n),
		fmt.Sprintf("(%s) %d%02d-%04d", c.area, 2+r.IntN(8), r.IntN(100), r.IntN(10000)),
		fmt.Sprintf("%d/%d/%d", 1+r.IntN(12), 1+r.IntN(28), 1950+r.IntN(55)),
		fmt.Sprintf("%03d-%02d-%04d", 1+r.IntN(665), 1+r.IntN(99), 1+r.IntN(9999)),
		fmt.Sprintf("%d %s", 1+r.IntN(9999), streets[r.IntN(len(streets))]),
		c.city, c.state, fmt.Sprintf("%05d", 1001+r.IntN(98000)), "USA",
		luhn(r, "4"+strconv.Itoa(100000+r.IntN(900000)), 16),
		fmt.Sprintf("%d-%02d", 2028+r.IntN(5), 1+r.IntN(12)),
		"Payroll card", "DEBIT",
	}
}

// spoil breaks one field of row, as client files do.
func spoil(rng *rand.Rand, row []string) {
	switch rng.IntN(8) {
	case 0:
		row[3] = "not-an-email"
	case 1:
		row[4] = "555-1234"
	case 2:
		row[10] = "1234567"
	case 3:
		row[6] = "000-12-3456"
	case 4:
		row[12] = row[12][:len(row[12])-1] + strconv.Itoa((int(row[12][len(row[12])-1]-'0')+1)%10)
	case 5:
		row[13] = "2020-01"
	case 6:
		row[1] = ""
	case 7:
		row[9] = "ZZ"
	}
}

// luhn completes prefix with random digits and a check digit to length n.
func luhn(r *rand.Rand, prefix string, n int) string {
	b := []byte(prefix)
	for len(b) < n-1 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		d := int(b[i] - '0')
		if (len(b)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(append(b, byte('0'+(10-sum%10)%10)))
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && r != '\'' {
			return r
		}
		return -1
	}, s)
}

type rowWriter interface {
	write([]string) error
	close() error
}

type csvWriter struct {
	f  *os.File
	bw *bufio.Writer
	w  *csv.Writer
}

func newCSVWriter(path string) (*csvWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return &csvWriter{f: f, bw: bw, w: csv.NewWriter(bw)}, nil
}

func (c *csvWriter) write(r []string) error { return c.w.Write(r) }
func (c *csvWriter) close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	return c.f.Close()
}

type xlsxWriter struct {
	path string
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
}

func newXLSXWriter(path string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	return &xlsxWriter{path: path, f: f, sw: sw}, nil
}

func (x *xlsxWriter) write(r []string) error {
	x.row++
	vals := make([]any, len(r))
	for i, v := range r {
		vals[i] = v
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxWriter) close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	if err := x.f.SaveAs(x.path); err != nil {
		return err
	}
	return x.f.Close()
}
