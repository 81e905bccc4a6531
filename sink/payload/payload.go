// Package payload is the dry run's third sink: valid, first-occurrence records go in, and a JSON
// Lines file of the requests a run would send comes out, one per record in source order, with
// card numbers, SSNs and tax ids masked and card expiries withheld.
package payload

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/redact"
)

// Withheld stands for a card expiry: no output of rosterload holds one.
const Withheld = ingest.Withheld

// Line is one request of the payload file.
type Line struct {
	Row    int    `json:"row"`    // the source row it came from
	Method string `json:"method"` // always POST
	Path   string `json:"path"`   // the endpoint
	Body   any    `json:"body"`   // the request body, masked
}

// Writer writes the payload file. It is a pipeline Sink: each record it is given is VALID.
// Submit is safe for concurrent use, but lines follow the order of the calls, so the pipeline
// should run it with a concurrency of 1 for source order.
type Writer struct {
	path string
	mu   sync.Mutex
	f    *output.File
	enc  *json.Encoder
	buf  lineBuffer
	n    int
}

// lineBuffer holds one encoded line, so that it can be scanned for card numbers before it is
// written.
type lineBuffer struct{ b []byte }

func (l *lineBuffer) Write(p []byte) (int, error) { l.b = append(l.b, p...); return len(p), nil }

// Create starts a payload file at path. Like the report, it is a private (0600) temp file
// beside path until Close renames it into place.
func Create(path string) (*Writer, error) {
	f, err := output.Create(path)
	if err != nil {
		return nil, fmt.Errorf("payload file: %w", err)
	}
	w := &Writer{path: path, f: f}
	w.enc = json.NewEncoder(&w.buf)
	w.enc.SetEscapeHTML(false)
	return w, nil
}

// Path returns where the file goes.
func (w *Writer) Path() string { return w.path }

// Lines returns how many requests were written.
func (w *Writer) Lines() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Submit writes rec's request; its outcome is VALID. An error (the file cannot be written)
// stops the run.
func (w *Writer) Submit(_ context.Context, rec *ingest.Record) (outcome.Outcome, error) {
	path, body := Masked(rec)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.b = w.buf.b[:0]
	if err := w.enc.Encode(Line{Row: rec.Row, Method: "POST", Path: path, Body: body}); err != nil {
		return outcome.Outcome{}, fmt.Errorf("payload file %s: row %d: %w", w.path, rec.Row, err)
	}
	// Belt and braces: a card number or SSN typed into any other field (a name, a metadata value)
	// is masked too, as in every output.
	if _, err := w.f.WriteString(redact.Text(string(w.buf.b))); err != nil {
		return outcome.Outcome{}, fmt.Errorf("write payload file %s: %w", w.path, err)
	}
	w.n++
	return outcome.Outcome{Status: outcome.Valid}, nil
}

// Close finishes the file and renames it into place.
func (w *Writer) Close() error {
	if err := w.f.Commit(); err != nil {
		return fmt.Errorf("payload file: %w", err)
	}
	return nil
}

// Abort removes what was written; after Close it does nothing.
func (w *Writer) Abort() error { return w.f.Abort() }

// Masked returns the endpoint of rec and a copy of its request with the card number and SSN or
// tax id masked and the card expiry withheld; rec itself is not changed.
func Masked(rec *ingest.Record) (path string, body any) {
	if rec.Body == nil {
		return "", nil
	}
	spec := rec.Spec()
	if spec.Mask == nil {
		return spec.Endpoint.Path, rec.Body
	}
	return spec.Endpoint.Path, spec.Mask(rec.Body)
}
