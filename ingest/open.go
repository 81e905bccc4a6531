package ingest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rosterload/rosterload/ingest/csvread"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/ingest/xlsxread"
)

// OpenOptions says how to read a source file.
type OpenOptions struct {
	Encoding  string // CSV: "" detects
	Delimiter rune   // CSV: 0 sniffs
	Sheet     string // XLSX: "" is the first visible sheet
	HeaderRow int    // 0: the first non-blank row, or the best of the first ones (Mapping)
	// Mapping, when set and HeaderRow is 0, has the header chosen among the first non-blank
	// rows (up to xlsxread.HeaderCandidates): the one whose cells map the most columns of
	// the mapping's kind, the first of equals. Source.Choice says which and why.
	Mapping *Config
	// Check, if set, is called with the format ("csv", "xlsx") once it is known from the name,
	// before anything is read: a setting that does not apply to it is refused first.
	Check func(format string) error
	// MaxUnzipSize caps what an XLSX may unpack to (0: the reader's default).
	MaxUnzipSize int64
}

// Source is an open roster: its rows, and a line saying how it is being read.
type Source struct {
	rows.Reader
	Format string // "csv" or "xlsx"
	Detail string // e.g. "encoding windows-1252, delimiter ';'" or "sheet Employees"
	// Remote is the S3 object an s3:// source is read from; nil for a file (see Opener).
	Remote *Remote
	// Sheet and Sheets are an XLSX's sheet being read and the workbook's sheets.
	Sheet  string
	Sheets []xlsxread.Sheet
	// Choice is how the header row was chosen (nil when it was given, or not chosen).
	Choice *HeaderChoice
}

// Open opens a roster file on disk by what its name says it is.
func Open(path string, opts OpenOptions) (*Source, error) {
	return openAs(path, strings.ToLower(filepath.Ext(path)), opts,
		func(xo xlsxread.Options) (*xlsxread.Reader, io.Closer, error) {
			r, err := xlsxread.Open(path, xo)
			return r, nil, err
		},
		func() (io.Reader, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, &rows.SourceError{Name: path, Err: cleanOSError(err)}
			}
			return f, nil
		})
}

// openAs opens the roster called name by its extension ext (lower case): a workbook through
// workbook (which may return a file to close after the reader), anything else as CSV bytes
// from stream. The readers check that the content agrees, so random bytes named .xlsx are
// refused rather than read as text. This is the one place that decides a roster's format.
func openAs(name, ext string, opts OpenOptions,
	workbook func(xlsxread.Options) (*xlsxread.Reader, io.Closer, error),
	stream func() (io.Reader, error)) (*Source, error) {
	format := "csv"
	switch ext {
	case ".xlsx", ".xlsm":
		format = "xlsx"
	case ".xls", ".ods", ".numbers":
		return nil, rows.Unreadable(name, "%s files are not supported: save the roster as XLSX or CSV", ext)
	}
	if opts.Check != nil {
		if err := opts.Check(format); err != nil {
			return nil, err
		}
	}
	switch format {
	case "xlsx":
		xo := xlsxread.Options{Sheet: opts.Sheet, HeaderRow: opts.HeaderRow, MaxUnzipSize: opts.MaxUnzipSize}
		choice := opts.choice()
		if choice != nil {
			xo.ChooseHeader = kinds().chooser(*opts.Mapping, choice)
		}
		r, under, err := workbook(xo)
		if err != nil {
			return nil, err
		}
		return &Source{Reader: closeBoth{r, under}, Format: "xlsx", Detail: "sheet " + r.Sheet(),
			Sheet: r.Sheet(), Sheets: r.Sheets(), Choice: choice}, nil
	}
	r, err := stream()
	if err != nil {
		return nil, err
	}
	return OpenCSV(r, name, opts)
}

// OpenCSV reads a CSV roster from r, which the Source closes if it is an io.Closer.
func OpenCSV(r io.Reader, name string, opts OpenOptions) (*Source, error) {
	cr, err := csvread.New(r, name, csvread.Options{Encoding: opts.Encoding, Delimiter: opts.Delimiter, HeaderRow: opts.HeaderRow})
	if err != nil {
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
		return nil, err
	}
	under, _ := r.(io.Closer)
	src := &Source{Reader: closeBoth{cr, under}, Format: "csv"}
	if _, err := cr.Header(); err != nil {
		src.Close()
		return nil, err
	}
	if src.Choice = opts.choice(); src.Choice != nil {
		rr, err := chooseCSVHeader(cr, kinds().chooser(*opts.Mapping, src.Choice))
		if err != nil {
			src.Close()
			return nil, err
		}
		src.Reader = closeBoth{rr, under}
	}
	src.Detail = fmt.Sprintf("encoding %s, delimiter %q", cr.Encoding(), cr.Delimiter())
	return src, nil
}

// choice returns where a header chosen among the first rows is to be recorded, nil when the
// header row is given or nothing says what to choose by.
func (o OpenOptions) choice() *HeaderChoice {
	if o.HeaderRow != 0 || o.Mapping == nil {
		return nil
	}
	return &HeaderChoice{}
}

// closeBoth closes a reader, then the file or stream under it.
type closeBoth struct {
	rows.Reader
	under io.Closer // nil: nothing under it to close
}

func (c closeBoth) Close() error {
	err := c.Reader.Close()
	if c.under != nil {
		if err2 := c.under.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// cleanOSError drops the path an *os.PathError repeats, since SourceError names the source.
func cleanOSError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
