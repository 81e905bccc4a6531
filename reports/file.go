package reports

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rosterload/rosterload/output"
)

// Format is a report's file format, chosen by the path's extension.
type Format string

// The report formats.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
	XLSX  Format = "xlsx"
)

// FormatOf returns the format a report path asks for: .jsonl (or .ndjson), .xlsx, else CSV.
func FormatOf(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return JSONL
	case ".xlsx":
		return XLSX
	}
	return CSV
}

// DefaultPath is the report path when --report is not given: "<source name>.report.csv" in the
// working directory.
func DefaultPath(source string) string { return sourceName(source) + ".report.csv" }

// sourceName is the last element of a source's path or URL ("roster" when it has none, as an
// s3:// prefix may not), which names the files a run writes.
func sourceName(source string) string {
	base := source
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if base == "" {
		base = "roster"
	}
	return base
}

// atomicFile is a report being written (see output.File).
type atomicFile struct {
	*output.File
	path string
	bw   *bufio.Writer
}

func createAtomic(path string) (*atomicFile, error) {
	f, err := output.Create(path)
	if err != nil {
		return nil, err
	}
	return &atomicFile{File: f, path: path, bw: f.Writer}, nil
}

func (a *atomicFile) commit() error { return a.Commit() }

// commitCSV flushes a CSV writer into the file and commits it, or aborts it if the CSV writer
// failed; what names the file in the error ("report").
func (a *atomicFile) commitCSV(w interface {
	Flush()
	Error() error
}, what string) error {
	w.Flush()
	if err := w.Error(); err != nil {
		a.abort()
		return fmt.Errorf("write %s %s: %w", what, a.path, err)
	}
	return a.commit()
}

func (a *atomicFile) abort() error { return a.Abort() }
