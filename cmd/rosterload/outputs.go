package main

import (
	"cmp"
	"path/filepath"
	"strings"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/reports"
)

// outputs are a job's settled destinations: local paths or s3:// URLs, "" for one not wanted.
type outputs struct {
	report, summary, payload, state, missing string
}

// stateFileName is the journal's name in a directory given as --state: the same every night,
// whatever the roster is called.
const stateFileName = "rosterload-state.jsonl"

// planOutputs settles every output of a job before anything is read or written: defaults, a
// directory given for a file, and the refusals of output.Resolve (two outputs the same file, an
// output that is the roster or the mapping file, a FIFO or device, a directory that is not
// there or not writable). The defaults are named after the roster r's own name (an S3 prefix's
// newest object).
func planOutputs(j *job, r *ingest.Roster) (outputs, error) {
	// The defaults: <name>.report.csv, <name>.summary.json, <name>.payload.jsonl.
	defReport := reports.DefaultPath(r.Name())
	defSummary := summaryName(defReport)
	defPayload := strings.TrimSuffix(defSummary, ".summary.json") + ".payload.jsonl"
	ins := []output.Input{
		{Flag: "SOURCE", Path: j.source, Prefix: r.Remote != nil && r.Remote.Prefix},
		{Flag: "--mapping", Path: j.so.mapping},
	}
	wants := []output.Want{
		{Flag: "--report", Path: cmp.Or(j.ro.report, defReport), Default: defReport},
		{Flag: "--summary", Path: j.ro.summary, Default: defSummary},
		{Flag: "--payload", Path: j.payload, Default: defPayload},
		{Flag: "--state", Path: j.night.state, Default: stateFileName, InPlace: true},
	}
	if j.readOnly {
		// validate reads the state and never writes it: no output may be it.
		ins = append(ins, output.Input{Flag: "--state", Path: j.night.state})
		wants[3].Path = ""
	}
	if j.night.state != "" && j.night.full {
		defMissing := missingName(j.ro.report, r.Name())
		wants = append(wants, output.Want{Flag: "--missing", Path: cmp.Or(j.night.missing, defMissing), Default: filepath.Base(defMissing)})
	}
	got, err := output.Resolve(ins, wants)
	if err != nil {
		return outputs{}, err
	}
	outs := outputs{report: got[0], summary: got[1], payload: got[2], state: got[3]}
	if len(got) > 4 {
		outs.missing = got[4]
	}
	if j.readOnly {
		outs.state = j.night.state
	}
	return outs, nil
}

// summaryName is the summary's name in a directory or under an S3 prefix: beside the report's.
func summaryName(reportName string) string {
	base := strings.TrimSuffix(reportName, filepath.Ext(reportName))
	return strings.TrimSuffix(base, ".report") + ".summary.json"
}
