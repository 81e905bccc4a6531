package csvread

import (
	"encoding/csv"
	"errors"
	"fmt"

	"github.com/rosterload/rosterload/ingest/rows"
)

// Configuration errors: New returns them (wrapped, with the value at fault) for Options it
// cannot use. They are the caller's mistake, not the file's.
var (
	// ErrUnknownEncoding is an Options.Encoding this reader does not know.
	ErrUnknownEncoding = errors.New("unknown encoding")
	// ErrInvalidOption is an Options.Delimiter or Options.HeaderRow that cannot be used.
	ErrInvalidOption = errors.New("invalid CSV option")
)

// Why a row's CSV syntax could not be read, in SyntaxError.Err (besides csv.ErrBareQuote and
// csv.ErrQuote, which encoding/csv defines).
var (
	// ErrUnclosedQuote is a quote opened on a row and never closed (still open at the end of
	// the file, or "closed" on a later line by a quote followed by other text): the row ends at
	// the end of the line the quote was opened on, and the next rows are read from the line
	// after it.
	ErrUnclosedQuote = errors.New("quote never closed")
	// ErrRowTooLong is a row longer than MaxRowBytes: the rest of it is skipped (see
	// MaxRowBytes), and reading goes on.
	ErrRowTooLong = errors.New("row too long")
)

// SyntaxError is a row whose CSV syntax is broken (a stray or unclosed quote, or a row too long
// to be real). It is a malformed row: errors.As finds the *rows.MalformedRowError in it, with
// the row number, the fields read before the fault (Got) and the header's (Want).
type SyntaxError struct {
	*rows.MalformedRowError

	// Cell is the spreadsheet reference of the field at fault ("C7"), "" when unknown.
	Cell string
	// Line and Column are where in the file the fault was found (1-based; lines of the file,
	// which differ from rows when a quoted field holds newlines; Column counts bytes).
	Line, Column int
	// Err is why: csv.ErrBareQuote, csv.ErrQuote, ErrUnclosedQuote or ErrRowTooLong.
	Err error
	// Parse is the error as encoding/csv puts it (csv.ErrQuote for a broken quote, which the
	// reader finds itself), nil for a row too long outside quotes.
	Parse *csv.ParseError
}

func (e *SyntaxError) Error() string {
	at := fmt.Sprintf("row %d", e.Row)
	if e.Cell != "" {
		at += ", cell " + e.Cell
	}
	switch e.Err {
	case csv.ErrBareQuote:
		return fmt.Sprintf(`%s: a quote (") inside a field that does not start with one (file line %d, byte %d); quote the whole field and double the quotes inside it ("")`, at, e.Line, e.Column)
	case csv.ErrQuote:
		return fmt.Sprintf(`%s: a quoted field's closing quote is followed by other text (file line %d, byte %d); a quote inside a quoted field must be doubled ("")`, at, e.Line, e.Column)
	case ErrUnclosedQuote:
		return fmt.Sprintf(`%s: a quote opened on this row is never closed (file line %d, byte %d); the row ends at the end of that line, and the next rows are read from the line after it`, at, e.Line, e.Column)
	case ErrRowTooLong:
		if e.Parse != nil {
			return fmt.Sprintf("%s: a quote opened on this row is still open after %d MiB, most likely its closing quote is missing; the row ends at the end of file line %d, and the next rows are read from the line after it", at, MaxRowBytes>>20, e.Line)
		}
		if e.Cell != "" {
			return fmt.Sprintf("%s: the row is longer than %d MiB; this cell and the rest of the row, to the end of file line %d, were skipped", at, MaxRowBytes>>20, e.Line)
		}
		return fmt.Sprintf("row %d is longer than %d MiB; the rest of it, to the end of file line %d, was skipped", e.Row, MaxRowBytes>>20, e.Line)
	}
	return fmt.Sprintf("%s: %v", at, e.Err)
}

// Unwrap lets errors.As find the *rows.MalformedRowError and the *csv.ParseError, and
// errors.Is the reason.
func (e *SyntaxError) Unwrap() []error {
	errs := []error{e.MalformedRowError, e.Err}
	if e.Parse != nil {
		errs = append(errs, e.Parse)
	}
	return errs
}
