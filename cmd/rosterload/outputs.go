package main

import (
	"cmp"
	"context"
	"path"
	"path/filepath"
	"strings"

	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/s3store"
)

// outputs are a job's settled destinations: local paths or s3:// URLs, "" for one not wanted.
type outputs struct {
	report, summary, payload, state string
}

// stateFileName is the journal's name in a directory given as --state: the same every night,
// whatever the roster is called.
const stateFileName = "rosterload-state.jsonl"

// planOutputs settles every output of a job before anything is read or written: defaults, a
// directory given for a file, and the refusals of output.Resolve (two outputs the same file, an
// output that is the roster or the mapping file, a FIFO or device, a directory that is not
// there or not writable). name is the roster's own name (an S3 prefix's newest object).
func planOutputs(j *job, name string) (outputs, error) {
	// The defaults: <name>.report.csv, <name>.summary.json, <name>.payload.jsonl.
	defReport := reports.DefaultPath(name)
	defSummary := summaryName(defReport)
	defPayload := strings.TrimSuffix(defSummary, ".summary.json") + ".payload.jsonl"
	ins := []output.Input{
		{Flag: "SOURCE", Path: j.source, Prefix: s3store.IsURL(j.source) && strings.HasSuffix(j.source, "/")},
		{Flag: "--mapping", Path: j.so.mapping},
	}
	wants := []output.Want{
		{Flag: "--report", Path: cmp.Or(j.ro.report, defReport), Default: defReport},
		{Flag: "--summary", Path: j.ro.summary, Default: defSummary},
		{Flag: "--payload", Path: j.payload, Default: defPayload},
		{Flag: "--state", Path: j.state, Default: stateFileName, InPlace: true},
	}
	got, err := output.Resolve(ins, wants)
	if err != nil {
		return outputs{}, err
	}
	return outputs{report: got[0], summary: got[1], payload: got[2], state: got[3]}, nil
}

// sourceName is the name a roster's outputs are named after: the file's, or the S3 object's.
func sourceName(source string, r *roster) string {
	if r.remote != nil {
		return path.Base(r.remote.obj.URL.Key)
	}
	return filepath.Base(source)
}

// openDestinations makes the destinations of the report and summary: an s3:// one is checked for
// writing now and written to a private temp file until it is uploaded.
func openDestinations(ctx context.Context, j *job, outs outputs) (rep, sum *destination, err error) {
	rep, err = newDestination(ctx, &j.so.s3, "--report", outs.report, "")
	if err != nil {
		return nil, nil, err
	}
	if outs.summary != "" {
		if sum, err = newDestination(ctx, &j.so.s3, "--summary", outs.summary, ""); err != nil {
			rep.cleanup()
			return nil, nil, err
		}
	}
	return rep, sum, nil
}
