package reports

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
func DefaultPath(source string) string {
	base := source
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if base == "" {
		base = "roster"
	}
	return base + ".report.csv"
}

// atomicFile is a report being written: a private temp file beside the target, renamed over it
// by Close, so that a reader never sees half a report and a crash leaves the old one in place.
type atomicFile struct {
	path string
	f    *os.File
	bw   *bufio.Writer
}

func createAtomic(path string) (*atomicFile, error) {
	dir := filepath.Dir(path)
	// CreateTemp makes the file with mode 0600: reports hold personal data.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create report %s: %w", path, err)
	}
	return &atomicFile{path: path, f: f, bw: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (a *atomicFile) commit() error {
	if err := a.bw.Flush(); err != nil {
		a.abort()
		return fmt.Errorf("write report %s: %w", a.path, err)
	}
	if err := a.f.Chmod(0o600); err != nil {
		a.abort()
		return fmt.Errorf("write report %s: %w", a.path, err)
	}
	if err := a.f.Close(); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("write report %s: %w", a.path, err)
	}
	if err := os.Rename(a.f.Name(), a.path); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("write report %s: %w", a.path, err)
	}
	return nil
}

func (a *atomicFile) abort() error {
	a.f.Close()
	return os.Remove(a.f.Name())
}
