package reports

// The leavers of a nightly run (DESIGN.md "Nightly reconciliation"): the missing file, and the
// optional sheet a report may list them on.

import (
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/rosterload/rosterload/redact"
)

// Leaver is an employee the state holds as active that tonight's full roster lacks.
type Leaver struct {
	ExternalID string
	CustomerID string
	ProfileID  string
	FirstSeen  string // the first night a roster had it, "2006-01-02"
	LastSeen   string // the last night a roster had it
}

// leaverRow is a leaver's fields in the missing file's order, or its header.
type leaverRow [5]string

// leaverHeader is the header of the missing file and of the report's "Missing" sheet.
var leaverHeader = leaverRow{"externalId", "customerId", "profileId", "firstSeen", "lastSeen"}

// cells returns the leaver's fields in leaverHeader's order, masked like report cells: an
// externalId may be a card number or an SSN typed into the wrong column.
func (l Leaver) cells() leaverRow {
	return leaverRow{redact.Text(l.ExternalID), redact.IssuedID(l.CustomerID), redact.IssuedID(l.ProfileID), redact.Text(l.FirstSeen), redact.Text(l.LastSeen)}
}

// Leavers is implemented by a report that can list the leavers beside the rows (the XLSX
// report, on a sheet of its own). The command calls WriteLeavers before Close.
type Leavers interface {
	WriteLeavers([]Leaver) error
}

// MissingWriter writes the missing file: a CSV of the leavers, one per line, under the header
// externalId,customerId,profileId,firstSeen,lastSeen, safe to open in a spreadsheet.
type MissingWriter struct {
	file *atomicFile
	w    *csv.Writer
}

// CreateMissing starts the missing file at path; like a report, it is there (mode 0600) only
// once Close returns nil. A run without leavers still writes the header, so that a script
// reading last night's file finds one.
func CreateMissing(path string) (*MissingWriter, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	m := &MissingWriter{file: f, w: csv.NewWriter(f.bw)}
	if err := m.w.Write(leaverHeader[:]); err != nil {
		f.abort()
		return nil, fmt.Errorf("write missing file %s: %w", path, err)
	}
	return m, nil
}

// Path returns where the file goes.
func (m *MissingWriter) Path() string { return m.file.path }

// Write adds one leaver.
func (m *MissingWriter) Write(l Leaver) error {
	c := l.cells()
	for i := range c {
		c[i] = SafeCell(c[i])
	}
	if err := m.w.Write(c[:]); err != nil {
		return fmt.Errorf("write missing file %s: %w", m.file.path, err)
	}
	return nil
}

// Close finishes the file and renames it into place.
func (m *MissingWriter) Close() error { return m.file.commitCSV(m.w, "missing file") }

// Abort removes what was written.
func (m *MissingWriter) Abort() error { return m.file.abort() }

// MissingPath is the missing file's default path: "<source name>.missing.csv" beside the
// report (in its directory, or under its s3:// prefix).
func MissingPath(source, report string) string {
	dir := ""
	if i := strings.LastIndexAny(report, `/\`); i >= 0 {
		dir = report[:i+1]
	}
	return dir + sourceName(source) + ".missing.csv"
}
