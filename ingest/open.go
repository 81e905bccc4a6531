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
	HeaderRow int    // 0: the first non-blank row
	// MaxUnzipSize caps what an XLSX may unpack to (0: the reader's default).
	MaxUnzipSize int64
}

// Source is an open roster: its rows, and a line saying how it is being read.
type Source struct {
	rows.Reader
	Format string // "csv" or "xlsx"
	Detail string // e.g. "encoding windows-1252, delimiter ';'" or "sheet Employees"
}

// Open opens a roster file on disk by what its name says it is; the readers check that the
// content agrees, so random bytes named .xlsx are refused rather than read as text.
func Open(path string, opts OpenOptions) (*Source, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".xlsx", ".xlsm":
		r, err := xlsxread.Open(path, xlsxread.Options{Sheet: opts.Sheet, HeaderRow: opts.HeaderRow, MaxUnzipSize: opts.MaxUnzipSize})
		if err != nil {
			return nil, err
		}
		return &Source{Reader: r, Format: "xlsx", Detail: "sheet " + r.Sheet()}, nil
	case ".xls", ".ods", ".numbers":
		return nil, rows.Unreadable(path, "%s files are not supported: save the roster as XLSX or CSV", ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &rows.SourceError{Name: path, Err: cleanOSError(err)}
	}
	return OpenCSV(f, path, opts)
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
	src := &Source{Reader: closeBoth{cr, r}, Format: "csv"}
	if _, err := cr.Header(); err != nil {
		src.Close()
		return nil, err
	}
	src.Detail = fmt.Sprintf("encoding %s, delimiter %q", cr.Encoding(), cr.Delimiter())
	return src, nil
}

// closeBoth closes the CSV reader and the file under it.
type closeBoth struct {
	*csvread.Reader
	under io.Reader
}

func (c closeBoth) Close() error {
	err := c.Reader.Close()
	if cl, ok := c.under.(io.Closer); ok {
		if err2 := cl.Close(); err == nil {
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
