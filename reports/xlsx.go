package reports

import "fmt"

// Mask says how an XLSX report shows one roster column's cells. Whatever the mask, no output of
// rosterload holds a full card number, SSN or tax id, or any card expiry.
type Mask uint8

// The masks.
const (
	// MaskScan shows the cell, except that a card number found in it is masked to its last
	// four digits: for ordinary and unmapped columns, which may hold anything.
	MaskScan Mask = iota
	MaskPAN       // a card number column: "****4242"
	MaskID        // an SSN or tax id column: "***-**-6789"
	MaskDrop      // a card expiry column: never shown
)

// Sheet is the roster an XLSX report copies: its header, where the header was, and how each
// column is shown.
type Sheet struct {
	HeaderRow int      // the header's row number (1 for most files); data rows keep their own
	Header    []string // the header cells as written
	Masks     []Mask   // by 0-based column; a column past the end is MaskScan
}

// CreateXLSX starts an XLSX report at path: the roster itself, with columns added for the
// outcome, each bad cell highlighted and its problems in a cell comment.
func CreateXLSX(path string, sheet Sheet) (Writer, error) {
	return nil, fmt.Errorf("report %s: the XLSX report is not available yet; use .csv or .jsonl", path)
}
