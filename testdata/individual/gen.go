//go:build ignore

// gen writes employees.xlsx, the individual-kind XLSX fixture: the roster is on the second sheet,
// under two title rows (header on row 3), with dates as date cells in two number formats, ZIPs and
// phones as number cells, a blank row between data rows and formatted blank rows at the end.
// Run: go run testdata/individual/gen.go (from the repository root).
package main

import (
	"log"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	defer f.Close()
	must(f.SetSheetName("Sheet1", "Read Me"))
	must(f.SetCellStr("Read Me", "A1", "Roster is on the Employees sheet."))
	_, err := f.NewSheet("Employees")
	must(err)
	const s = "Employees"
	iso, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	dmy := "dd/mm/yyyy"
	euro, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
	must(err)
	fill, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	must(err)

	must(f.SetCellStr(s, "A1", "Acme Payroll: individual roster"))
	must(f.SetCellStr(s, "A2", "Exported 2026-11-01"))
	header := []any{"Employee Number", "Legal First Name", "Legal Last Name", "Work Email", "Cell Phone", "DOB", "SSN", "Street", "City", "State/Province", "Postal Code", "Country", "metadata.department"}
	must(f.SetSheetRow(s, "A3", &header))

	type emp struct {
		row                      int
		id, first, last, email   string
		phone                    any
		dob                      time.Time
		dobStyle                 int
		ssn, street, city, state string
		zip                      any
		country, dept            string
	}
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	emps := []emp{
		{4, "I001", "Sarah", "Green", "sarah.green@example.com", 2015550123, d(1991, 6, 21), iso, "123-45-6789", "400 Richmond St", "New York", "NY", 10001, "USA", "Sales"},
		{5, "I002", "José", "Müller", "jose.muller@example.com", 6175550110, d(1985, 3, 2), euro, "234-56-7890", "12 Queen St", "Boston", "MA", 2134, "US", "Finance"},
		// row 6 is left blank
		{7, "I003", "Priya", "Patel", "priya.patel@example", 3125550188, d(2030, 1, 1), iso, "345-67-8901", "88 Lake Shore Dr", "Chicago", "IL", 60601, "USA", "Ops"},
		{8, "I004", "Tom", "O'Brien", "tom.obrien@example.com", 5551234, d(1979, 7, 14), iso, "456-78-9012", "9 Pine Rd", "Seattle", "ZZ", 98101, "USA", "Ops"},
		{9, "I005", "Emily", "Chen", "emily.chen@example.com", 6135550199, d(1993, 4, 5), euro, "", "24 Sussex Dr", "Ottawa", "Ontario", "K1A 0B1", "Canada", "Legal"},
		{10, "I001", "Sarah", "Green", "sarah.green@example.com", 2015550123, d(1991, 6, 21), iso, "123-45-6789", "400 Richmond St", "New York", "NY", 10001, "USA", "Sales"},
		{11, "I006", "Kai", "Tanaka", "kai.tanaka@example.com", 3035550199, d(1988, 9, 9), iso, "567-89-0123", "77 Cedar Ln", "Denver", "CO", 80202, "USA", ""},
	}
	for _, e := range emps {
		row := []any{e.id, e.first, e.last, e.email, e.phone, nil, e.ssn, e.street, e.city, e.state, e.zip, e.country, e.dept}
		cell, _ := excelize.CoordinatesToCellName(1, e.row)
		must(f.SetSheetRow(s, cell, &row))
		dobCell, _ := excelize.CoordinatesToCellName(6, e.row)
		must(f.SetCellValue(s, dobCell, excelSerial(e.dob)))
		must(f.SetCellStyle(s, dobCell, dobCell, e.dobStyle))
	}
	// Formatted but empty rows at the end, as spreadsheets leave them.
	must(f.SetCellStyle(s, "A14", "M30", fill))
	// The roster sheet is second; the first visible sheet is the read-me.
	must(f.SaveAs("testdata/individual/employees.xlsx"))
}

// excelSerial is the 1900-system serial number of a date.
func excelSerial(t time.Time) float64 {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	return t.Sub(base).Hours() / 24
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
