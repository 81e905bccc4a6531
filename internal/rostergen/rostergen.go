// Package rostergen makes synthetic EWA payroll rosters: Options (row count, shares of invalid
// and duplicate rows, seed) go in; made-up employee rows come out, one by one with what was done
// to each, or written as a CSV or XLSX file. The data is made up: card numbers pass the Luhn check
// but belong to no one, SSNs and US phone numbers are well formed.
package rostergen

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Options says what roster to make. The same Options always give the same rows.
type Options struct {
	Rows      int     // data rows, header not included
	Invalid   float64 // share of new externalIds whose row has one invalid field (0 to 1)
	Duplicate float64 // share of rows repeating an earlier externalId (0 to 1)
	Seed      uint64
}

// ErrOptions is wrapped by the error for Options that cannot make a roster.
var ErrOptions = errors.New("rostergen: invalid options")

func (o Options) check() error {
	if o.Rows < 0 {
		return fmt.Errorf("%w: Rows is %d, want >= 0", ErrOptions, o.Rows)
	}
	for _, s := range []struct {
		name string
		v    float64
	}{{"Invalid", o.Invalid}, {"Duplicate", o.Duplicate}} {
		if math.IsNaN(s.v) || s.v < 0 || s.v > 1 {
			return fmt.Errorf("%w: %s is %v, want a share from 0 to 1", ErrOptions, s.name, s.v)
		}
	}
	return nil
}

// Column positions in Header and Row.Cells.
const (
	ColExternalID = iota
	ColFirstName
	ColLastName
	ColEmail
	ColPhone
	ColBirthDate
	ColSSN
	ColAddressLine1
	ColCity
	ColState
	ColZip
	ColCountry
	ColCardNumber
	ColCardExpiry
	ColCardName
	ColCardSubtype
	numCols
)

// header uses the usual payroll export names, so a roster needs no column mapping; only the
// program id must come from elsewhere (a mapping file or --program-id).
var header = [numCols]string{
	"Employee ID", "First Name", "Last Name", "Personal Email", "Mobile Phone", "Birth Date", "SSN",
	"Address Line 1", "City", "State", "Zip", "Country", "Card Number", "Card Expiry", "cardName", "cardSubtype",
}

// Header returns the roster's header row.
func Header() []string { return append([]string(nil), header[:]...) }

// Row is one generated data row.
type Row struct {
	Cells []string // in Header's order
	// Invalid: one field was spoiled, so that the row fails validation. Only a row that brings a
	// new externalId is ever spoiled.
	Invalid bool
	// Duplicate: the row repeats an earlier row's externalId, with that person's valid data (even
	// when the earlier row was spoiled), and its email changed when Changed.
	Duplicate bool
	Changed   bool
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

// Generate calls fn with each data row in order and stops at fn's first error, which it returns.
func Generate(o Options, fn func(Row) error) error {
	if err := o.check(); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	var ids []string
	for i := 0; i < o.Rows; i++ {
		var r Row
		// The draws below are made in this order, and only under these conditions, so that a
		// seed keeps giving the same roster.
		if len(ids) > 0 && rng.Float64() < o.Duplicate {
			r = Row{Cells: person(ids[rng.IntN(len(ids))]), Duplicate: true}
			if rng.IntN(2) == 0 {
				r.Cells[ColEmail] = "changed." + r.Cells[ColEmail] // a duplicate whose content differs
				r.Changed = true
			}
		} else {
			id := fmt.Sprintf("E%07d", i+1)
			ids = append(ids, id)
			r = Row{Cells: person(id)}
			if rng.Float64() < o.Invalid {
				spoil(rng, r.Cells)
				r.Invalid = true
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// person makes one valid row for id. The same id always gives the same person.
func person(id string) []string {
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
		row[ColEmail] = "not-an-email"
	case 1:
		row[ColPhone] = "555-1234"
	case 2:
		row[ColZip] = "1234567"
	case 3:
		row[ColSSN] = "000-12-3456"
	case 4:
		card := row[ColCardNumber]
		row[ColCardNumber] = card[:len(card)-1] + strconv.Itoa((int(card[len(card)-1]-'0')+1)%10)
	case 5:
		row[ColCardExpiry] = "2020-01"
	case 6:
		row[ColFirstName] = ""
	case 7:
		row[ColState] = "ZZ"
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

// WriteCSV writes the roster, header first, as CSV to w.
func WriteCSV(w io.Writer, o Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := write(csvRows{cw}, o); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes the roster to path: XLSX when its name ends in .xlsx, else CSV.
func WriteFile(path string, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	if strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		return writeXLSX(path, o)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteCSV(f, o); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

type rowWriter interface{ write([]string) error }

func write(w rowWriter, o Options) error {
	if err := w.write(header[:]); err != nil {
		return err
	}
	return Generate(o, func(r Row) error { return w.write(r.Cells) })
}

type csvRows struct{ w *csv.Writer }

func (c csvRows) write(r []string) error { return c.w.Write(r) }

// xlsxRows streams rows into one sheet, so that a large roster is not held in memory.
type xlsxRows struct {
	sw  *excelize.StreamWriter
	row int
}

func (x *xlsxRows) write(r []string) error {
	x.row++
	vals := make([]any, len(r))
	for i, v := range r {
		vals[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, vals)
}

func writeXLSX(path string, o Options) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := write(&xlsxRows{sw: sw}, o); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
