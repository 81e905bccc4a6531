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
	// ErrUnclosedQuote is a quote opened on a row and never closed: the rest of the file was
	// read into that row.
	ErrUnclosedQuote = errors.New("quote never closed")
	// ErrRowTooLong is a row longer than MaxRowBytes; reading stops there.
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
	// Parse is encoding/csv's own error, nil for a row too long outside quotes.
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
		return fmt.Sprintf("%s: a quote opened on this row is never closed, so the rest of the file (to line %d) was read into this row", at, e.Line)
	case ErrRowTooLong:
		if e.Parse != nil {
			return fmt.Sprintf("%s: a quote opened on this row is still open after %d MiB, most likely its closing quote is missing; reading stopped there", at, MaxRowBytes>>20)
		}
		return fmt.Sprintf("row %d is longer than %d MiB; reading stopped there", e.Row, MaxRowBytes>>20)
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
