//go:build ignore

// gen writes the payroll-export fixtures: one worker export per payroll system (ADP Workforce
// Now, Paychex Flex, Gusto, Workday, UKG Pro, Paylocity, BambooHR), with the headers and the
// value formats each system writes (SOURCES.md cites where each header was seen), 33 rows of
// made-up people with the usual damage: bad emails (row 4), a short phone (row 8), a bad SSN
// (row 12), a missing last name (row 16), a ZIP whose leading zero a spreadsheet dropped (row
// 20) and a repeated employee (row 24 is row 6 again). Card numbers pass the Luhn check and belong to no one; SSNs avoid the 000, 666 and
// 9xx areas. The same program always writes the same files.
// Run: go run testdata/exports/gen.go (from the repository root).
package main

import (
	"encoding/csv"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

const dir = "testdata/exports"

// person is one made-up employee, before a system writes it.
type person struct {
	n                           int
	first, middle, last, suffix string
	sex                         string
	dob, hired                  time.Time
	ssn                         string // NNN-NN-NNNN
	personalEmail, workEmail    string
	area, mobile, home          string // phones: 10 digits, or the damaged text
	line1, line2, city, state   string
	zip                         string
	dept, title, status         string
}

// col is one column of an export: its header as the system writes it, and its cell.
type col struct {
	header string
	cell   func(p *person) any
}

type system struct {
	file string
	cols []col
}

func main() {
	people := makePeople()
	for _, s := range systems() {
		if err := write(s, people); err != nil {
			log.Fatal(err)
		}
	}
}

var (
	firsts  = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofía", "Lucas", "Chloé", "Ethan", "Aaliyah", "Mason", "Priya", "Wei", "Fatima", "Diego"}
	middles = []string{"", "A", "Marie", "J", "", "Lee", "R", "", "Grace", "T"}
	lasts   = []string{"Johnson", "García", "Nguyen", "O'Connor", "Patel", "Kowalski", "Smith-Jones", "Okafor", "Rossi", "Kim", "Hernández", "Baker", "Müller", "Cohen"}
	places  = []struct{ city, state, zip, area string }{
		{"Newark", "NJ", "07102", "973"}, {"Boston", "MA", "02134", "617"}, {"Chicago", "IL", "60601", "312"},
		{"Austin", "TX", "78701", "512"}, {"Denver", "CO", "80202", "303"}, {"Seattle", "WA", "98101", "206"},
		{"Atlanta", "GA", "30303", "404"}, {"Portland", "OR", "97204", "503"}, {"Phoenix", "AZ", "85004", "602"},
	}
	streets = []string{"Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm St", "Lakeview Dr", "Harbor Blvd", "Main St"}
	depts   = []string{"Warehouse", "Retail", "Finance", "Support", "Kitchen"}
	titles  = []string{"Associate", "Shift Lead", "Analyst", "Agent", "Cook"}
)

// makePeople makes 32 employees, damages some as exports are, and repeats one.
func makePeople() []person {
	r := rand.New(rand.NewPCG(11, 2026))
	var out []person
	for i := 0; i < 32; i++ {
		pl := places[r.IntN(len(places))]
		p := person{
			n: 1001 + i, first: firsts[r.IntN(len(firsts))], middle: middles[r.IntN(len(middles))],
			last: lasts[r.IntN(len(lasts))],
			dob:  time.Date(1960+r.IntN(44), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC),
			// Areas 001-665 and 667-899, groups 01-99, serials 0001-9999: valid shapes of no one.
			ssn:  fmt.Sprintf("%03d-%02d-%04d", pick(r, 1, 899, 666), 1+r.IntN(99), 1+r.IntN(9999)),
			area: pl.area, city: pl.city, state: pl.state, zip: pl.zip,
			line1: fmt.Sprintf("%d %s", 10+r.IntN(9000), streets[r.IntN(len(streets))]),
			hired: time.Date(2012+r.IntN(13), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC),
			dept:  depts[r.IntN(len(depts))], title: titles[r.IntN(len(titles))], status: "Active",
		}
		if i%9 == 4 {
			p.line2 = fmt.Sprintf("Apt %d", 1+r.IntN(40))
		}
		if i%11 == 7 {
			p.suffix = "Jr."
		}
		p.sex = []string{"Female", "Male"}[r.IntN(2)]
		p.mobile = fmt.Sprintf("%s%d%02d%04d", pl.area, 2+r.IntN(8), r.IntN(100), r.IntN(10000))
		p.home = fmt.Sprintf("%s555%04d", pl.area, r.IntN(10000))
		login := strings.ToLower(ascii(p.first) + "." + ascii(p.last))
		p.personalEmail = fmt.Sprintf("%s%d@example.com", login, p.n)
		p.workEmail = fmt.Sprintf("%s@example.org", login)
		switch i {
		case 2:
			// No @ in either: the clerk typed a dot (UKG Pro's one email is the work one).
			p.personalEmail = strings.Replace(p.personalEmail, "@", ".", 1)
			p.workEmail = strings.Replace(p.workEmail, "@", ".", 1)
		case 6:
			p.mobile, p.home = "5550142", "5550142" // seven digits: no area code
		case 10:
			p.ssn = "000-12-3456" // area 000 is never issued
		case 14:
			p.last = "" // missing
		case 18:
			p.state, p.zip = "MA", "2134" // Excel dropped the leading zero
		}
		out = append(out, p)
		if i == 21 {
			out = append(out, out[4]) // the same employee twice
		}
	}
	return out
}

// pick draws from lo..hi without skip.
func pick(r *rand.Rand, lo, hi, skip int) int {
	for {
		if n := lo + r.IntN(hi-lo+1); n != skip {
			return n
		}
	}
}

func ascii(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'í':
			return 'i'
		case 'é':
			return 'e'
		case 'á':
			return 'a'
		case 'ü':
			return 'u'
		case '\'', '-':
			return -1
		}
		return r
	}, s)
}

// Value formats the systems write.
func mdy(t time.Time) string    { return t.Format("01/02/2006") }
func iso(t time.Time) string    { return t.Format("2006-01-02") }
func usPhone(s string) string   { return fmtPhone(s, "(%s) %s-%s") }
func dashPhone(s string) string { return fmtPhone(s, "%s-%s-%s") }
func plusPhone(s string) string { return fmtPhone(s, "+1 (%s) %s-%s") }
func bareSSN(p *person) any     { return strings.ReplaceAll(p.ssn, "-", "") }
func dashSSN(p *person) any     { return p.ssn }

// gustoID is an id as Gusto makes one: six letters and digits ("5G9934").
func gustoID(p *person) any {
	return strings.ToUpper(strconv.FormatInt(int64(p.n)*7919+60466176, 36))
}
func fmtPhone(s, f string) string {
	if len(s) != 10 {
		return s[:3] + "-" + s[3:] // damaged: written as the clerk typed it
	}
	return fmt.Sprintf(f, s[:3], s[3:6], s[6:])
}

func systems() []system {
	first := func(p *person) any { return p.first }
	middle := func(p *person) any { return p.middle }
	initial := func(p *person) any {
		if p.middle == "" {
			return ""
		}
		return p.middle[:1]
	}
	last := func(p *person) any { return p.last }
	line1 := func(p *person) any { return p.line1 }
	line2 := func(p *person) any { return p.line2 }
	city := func(p *person) any { return p.city }
	state := func(p *person) any { return p.state }
	zip := func(p *person) any { return p.zip }
	personal := func(p *person) any { return p.personalEmail }
	work := func(p *person) any { return p.workEmail }
	dept := func(p *person) any { return p.dept }
	title := func(p *person) any { return p.title }
	status := func(p *person) any { return p.status }
	sex := func(p *person) any { return p.sex }
	// Paychex and UKG Pro code sex as one letter (SOURCES.md).
	sexCode := func(p *person) any { return p.sex[:1] }
	return []system{
		{"adp-workforce-now.csv", []col{
			{"Associate ID", func(p *person) any { return fmt.Sprintf("ZX%07d", p.n) }},
			{"File Number", func(p *person) any { return fmt.Sprintf("%06d", p.n) }},
			{"Legal First Name", first},
			{"Legal Middle Name", middle},
			{"Legal Last Name", last},
			{"Generation Suffix Code", func(p *person) any { return p.suffix }},
			{"Preferred or Chosen First Name", func(p *person) any { return "" }},
			{"Gender / Sex (Self-ID)", sex},
			{"Birth Date", func(p *person) any { return mdy(p.dob) }},
			{"Tax ID (SSN)", dashSSN},
			{"Personal Contact: Personal Email", personal},
			{"Work Contact: Work Email", work},
			{"Personal Contact: Personal Mobile", func(p *person) any { return usPhone(p.mobile) }},
			{"Personal Contact: Home Phone", func(p *person) any { return usPhone(p.home) }},
			{"Primary Address: Address Line 1", line1},
			{"Primary Address: Address Line 2", line2},
			{"Primary Address: City", city},
			{"Primary Address: State / Territory Code", state},
			{"Primary Address: Zip / Postal Code", zip},
			{"Primary Address: Country Code", func(p *person) any { return "US" }},
			{"Hire Date", func(p *person) any { return mdy(p.hired) }},
			{"Position Status", status},
			{"Home Department Description", dept},
			{"Job Title Description", title},
		}},
		{"paychex-flex.csv", []col{
			{"Company ID", func(p *person) any { return "00Q7X2" }},
			{"Employee ID", func(p *person) any { return fmt.Sprint(p.n) }},
			{"Employee Type", func(p *person) any { return "EE" }},
			{"First Name", first},
			{"Middle Initial", initial},
			{"Last Name", last},
			{"Preferred Name", func(p *person) any { return "" }},
			{"SSN", bareSSN},
			{"Birth Date", func(p *person) any { return mdy(p.dob) }},
			{"Sex", sexCode},
			{"Address 1", line1},
			{"Address 2", line2},
			{"City", city},
			{"State", state},
			{"Zip Code", zip},
			{"Country", func(p *person) any { return "USA" }},
			{"Telephone", func(p *person) any { return dashPhone(p.home) }},
			{"Cell Phone", func(p *person) any { return dashPhone(p.mobile) }},
			{"Personal Email", personal},
			{"Work Email", work},
			{"Hire Date", func(p *person) any { return mdy(p.hired) }},
		}},
		{"gusto.csv", []col{
			{"Gusto employee ID", gustoID},
			{"Last name", last},
			{"First name", first},
			{"Middle initial", initial},
			{"Preferred first name", func(p *person) any { return "" }},
			{"Job title", title},
			{"Department", dept},
			{"Employment type", func(p *person) any { return "Full time" }},
			{"Start date", func(p *person) any { return iso(p.hired) }},
			{"Work email", work},
			{"Personal email", personal},
			{"Phone", func(p *person) any { return usPhone(p.mobile) }},
			{"Date of birth", func(p *person) any { return iso(p.dob) }},
			{"SSN", dashSSN},
			{"Home address street 1", line1},
			{"Home address street 2", line2},
			{"Home address city", city},
			{"Home address state", state},
			{"Home address zip", zip},
		}},
		{"workday.xlsx", []col{
			{"Employee ID", func(p *person) any { return fmt.Sprintf("W%06d", p.n) }},
			{"Legal Name - First Name", first},
			{"Legal Name - Middle Name", middle},
			{"Legal Name - Last Name", last},
			{"Date of Birth", func(p *person) any { return p.dob }},
			{"Gender", sex},
			{"Social Security Number - Formatted", dashSSN},
			{"Email - Primary Home", personal},
			{"Email - Primary Work", work},
			{"Phone - Primary Home", func(p *person) any { return plusPhone(p.home) }},
			{"Primary Address - Formatted Line 1", line1},
			{"Primary Address - Formatted Line 2", line2},
			{"Primary Home Address - City", city},
			{"Primary Home Address - State/Province", state},
			{"Primary Home Address - Postal Code", zip},
			{"Primary Home Address - Country", func(p *person) any { return "United States of America" }},
			{"Hire Date", func(p *person) any { return p.hired }},
			{"Employee Type", func(p *person) any { return "Regular" }},
			{"Supervisory Organization", func(p *person) any { return p.dept + " (Dana Reyes)" }},
		}},
		{"ukg-pro.csv", []col{
			{"Company Code", func(p *person) any { return "ACME1" }},
			{"Employee Number", func(p *person) any { return fmt.Sprintf("%06d", p.n) }},
			{"Last Name", last},
			{"First Name", first},
			{"Middle Name", middle},
			{"National ID", dashSSN},
			{"Birth Date", func(p *person) any { return mdy(p.dob) }},
			{"Gender", sexCode},
			{"Address Line 1", line1},
			{"Address Line 2", line2},
			{"City", city},
			{"State", state},
			{"Zip Code", zip},
			{"Country", func(p *person) any { return "USA" }},
			{"Home Phone", func(p *person) any { return dashPhone(p.mobile) }},
			{"Email Address", work},
			{"Alternate Email Address", personal},
			{"Last Hire Date", func(p *person) any { return mdy(p.hired) }},
			{"Org Level 1", dept},
			{"Job Description", title},
		}},
		{"paylocity.csv", []col{
			{"Company ID", func(p *person) any { return "P1234" }},
			{"Employee Id", func(p *person) any { return fmt.Sprint(p.n) }},
			{"Last Name", last},
			{"First Name", first},
			{"Middle Name", middle},
			{"SSN", dashSSN},
			{"Birth Date", func(p *person) any { return p.dob.Format("1/2/2006") }},
			{"Sex", sex},
			{"Address 1", line1},
			{"Address 2", line2},
			{"City", city},
			{"State", state},
			{"Zip", zip},
			{"Country", func(p *person) any { return "USA" }},
			{"Home Phone", func(p *person) any { return usPhone(p.home) }},
			{"Personal Mobile Phone", func(p *person) any { return usPhone(p.mobile) }},
			{"Personal Email Address", personal},
			{"Work Email Address", work},
			{"Hire Date", func(p *person) any { return p.hired.Format("1/2/2006") }},
			{"Employment Type", func(p *person) any { return "Regular Full Time" }},
			{"Cost Center 1", dept},
			{"Job Title", title},
		}},
		{"bamboohr.csv", []col{
			{"Employee #", func(p *person) any { return fmt.Sprint(p.n) }},
			{"First Name", first},
			{"Middle Name", middle},
			{"Last Name", last},
			{"Preferred Name", func(p *person) any { return "" }},
			{"Birth Date", func(p *person) any { return iso(p.dob) }},
			{"SSN", dashSSN},
			{"Gender", sex},
			{"Home Email", personal},
			{"Work Email", work},
			{"Mobile Phone", func(p *person) any { return usPhone(p.mobile) }},
			{"Home Phone", func(p *person) any { return usPhone(p.home) }},
			{"Address Line 1", line1},
			{"Address Line 2", line2},
			{"City", city},
			{"State", state},
			{"Zip Code", zip},
			{"Country", func(p *person) any { return "United States" }},
			{"Hire Date", func(p *person) any { return iso(p.hired) }},
			{"Employment Status", func(p *person) any { return "Full-Time" }},
			{"Job Title", title},
			{"Department", dept},
		}},
	}
}

func write(s system, people []person) error {
	header := make([]any, len(s.cols))
	for i, c := range s.cols {
		header[i] = c.header
	}
	grid := [][]any{header}
	for i := range people {
		row := make([]any, len(s.cols))
		for j, c := range s.cols {
			row[j] = c.cell(&people[i])
		}
		grid = append(grid, row)
	}
	path := filepath.Join(dir, s.file)
	if filepath.Ext(path) == ".xlsx" {
		return writeXLSX(path, grid)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	for _, row := range grid {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = fmt.Sprint(v)
		}
		if err := w.Write(rec); err != nil {
			f.Close()
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeXLSX writes the grid on one sheet as Workday does: dates as date cells.
func writeXLSX(path string, grid [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Workers"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	for r, row := range grid {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if t, ok := v.(time.Time); ok {
				if err := f.SetCellValue(sheet, cell, t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours()/24); err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, cell, cell, date); err != nil {
					return err
				}
				continue
			}
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}
