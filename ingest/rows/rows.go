// Package rows defines what every roster reader yields: a header, then data rows of text cells
// numbered as a spreadsheet numbers them, and the errors that stop a source or spoil one row.
package rows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Row is one non-blank data row of a source.
type Row struct {
	// Num is the row number a spreadsheet shows for this row (the first line of a file is 1).
	Num int
	// Cells are the row's values as text, indexed like the header. A CSV row with too few
	// fields is padded with "" and carries Err; one with too many keeps them all.
	Cells []string
	// Err is set when the row could not be read as the header says (a *MalformedRowError):
	// the row is reported as malformed_row and the rest of the file goes on.
	Err error
}

// Header is the source's header row.
type Header struct {
	Num   int      // its row number
	Names []string // the header cells as written (trimmed)
}

// Reader yields a source's header, then its non-blank data rows in order.
type Reader interface {
	// Header returns the header row. It is read on the first call.
	Header() (Header, error)
	// Next returns the next non-blank data row, or io.EOF after the last one. Any other error
	// is about the whole source (a *SourceError): nothing after it can be read.
	Next() (Row, error)
	Close() error
}

// ErrUnreadable is what every SourceError wraps, so a caller can branch on "the source is bad"
// (exit 2) without caring why.
var ErrUnreadable = errors.New("source cannot be read")

// SourceError says why a whole source cannot be read: empty, not the format its name says, too
// large when unpacked, a sheet that is not there, and so on.
type SourceError struct {
	Name string // the source's name as the user gave it
	Err  error
}

func (e *SourceError) Error() string { return e.Name + ": " + e.Err.Error() }
func (e *SourceError) Unwrap() []error {
	return []error{ErrUnreadable, e.Err}
}

// Unreadable returns a SourceError for name with a formatted reason.
func Unreadable(name, format string, args ...any) error {
	return &SourceError{Name: name, Err: fmt.Errorf(format, args...)}
}

// MalformedRowError is a row whose field count differs from the header's.
type MalformedRowError struct {
	Row       int // the row's number
	Got, Want int // fields found, fields the header has
}

func (e *MalformedRowError) Error() string {
	if e.Got < e.Want {
		return fmt.Sprintf("row %d has %d fields, the header has %d: a field or delimiter is missing", e.Row, e.Got, e.Want)
	}
	return fmt.Sprintf("row %d has %d fields, the header has %d: an unquoted delimiter or stray field", e.Row, e.Got, e.Want)
}

// Blank reports whether every cell is empty or white space.
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ColumnName returns the spreadsheet letters of a 0-based column index: 0 -> A, 26 -> AA.
func ColumnName(col int) string {
	var b [8]byte
	i := len(b)
	for col++; col > 0; col = (col - 1) / 26 {
		i--
		b[i] = byte('A' + (col-1)%26)
	}
	return string(b[i:])
}

// Cell returns the spreadsheet reference of a 0-based column in a row: (4, 17) -> "E17".
func Cell(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}
