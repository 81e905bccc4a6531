// Command floor reads a roster as plainly as its format allows and prints how many rows it read:
// a CSV with encoding/csv, an XLSX with excelize's streaming Rows() and raw cell values. It does
// no mapping or validation; scripts/bench-dryrun.sh times it beside `rosterload validate` on the
// same file, the floor a dry run is measured against.
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor FILE.csv|FILE.xlsx")
		os.Exit(2)
	}
	n, err := count(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

// count returns the rows of the file, header included.
func count(path string) (int, error) {
	if strings.HasSuffix(strings.ToLower(path), ".xlsx") {
		return countXLSX(path)
	}
	return countCSV(path)
}

// countCSV reads as a plain Go program would: a fresh record a row (no ReuseRecord), like a
// reader whose rows are kept.
func countCSV(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.FieldsPerRecord = -1
	n := 0
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func countXLSX(path string) (int, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Error()
}
