package job

import (
	"cmp"
	"os"
	"path/filepath"
	"strings"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/reports"
)

// Outputs are a job's settled destinations: local paths or s3:// URLs, "" for one not wanted.
type Outputs struct {
	Report, Summary, Payload, State, Missing string
}

// stateFileName is the journal's name in a directory given as --state: the same every night,
// whatever the roster is called.
const stateFileName = "rosterload-state.jsonl"

// planOutputs settles every output of a job before anything is read or written: defaults, a
// directory given for a file, and the refusals of output.Resolve (two outputs the same file, an
// output that is the roster or the mapping file, a FIFO or device, a directory that is not
// there or not writable). The defaults are named after the roster r's own name (an S3 prefix's
// newest object).
func planOutputs(j *Job, r *ingest.Roster) (Outputs, error) {
	// The defaults: <name>.report.csv, <name>.summary.json, <name>.payload.jsonl.
	defReport := reports.DefaultPath(r.Name())
	defSummary := summaryName(defReport)
	defPayload := strings.TrimSuffix(defSummary, ".summary.json") + ".payload.jsonl"
	ins := []output.Input{
		{Flag: "SOURCE", Path: j.Source, Prefix: r.Remote != nil && r.Remote.Prefix},
		{Flag: "--mapping", Path: j.Mapping},
	}
	summary := j.Summary
	if summary == "" && j.Client != "" {
		// A client of a manifest leaves its summary beside its report, where its operator looks.
		summary = summaryBeside(cmp.Or(j.Report, defReport))
	}
	wants := []output.Want{
		{Flag: "--report", Path: cmp.Or(j.Report, defReport), Default: defReport},
		{Flag: "--summary", Path: summary, Default: defSummary},
		{Flag: "--payload", Path: j.Payload, Default: defPayload},
		{Flag: "--state", Path: j.Night.State, Default: stateFileName, InPlace: true},
	}
	if j.ReadOnly {
		// validate reads the state and never writes it: no output may be it.
		ins = append(ins, output.Input{Flag: "--state", Path: j.Night.State})
		wants[3].Path = ""
	}
	if j.Night.State != "" && j.Night.Full {
		defMissing := missingName(j.Report, r.Name())
		wants = append(wants, output.Want{Flag: "--missing", Path: cmp.Or(j.Night.Missing, defMissing), Default: filepath.Base(defMissing)})
	}
	got, err := output.Resolve(ins, wants)
	if err != nil {
		return Outputs{}, err
	}
	outs := Outputs{Report: got[0], Summary: got[1], Payload: got[2], State: got[3]}
	if len(got) > 4 {
		outs.Missing = got[4]
	}
	if j.ReadOnly {
		outs.State = j.Night.State
	}
	return outs, nil
}

// summaryName is the summary's name in a directory or under an S3 prefix: beside the report's.
func summaryName(reportName string) string {
	base := strings.TrimSuffix(reportName, filepath.Ext(reportName))
	return strings.TrimSuffix(base, ".report") + ".summary.json"
}

// summaryBeside is the summary's place beside report: in it when it is a directory or an S3
// prefix, else report's name with .summary.json.
func summaryBeside(report string) string {
	if strings.HasSuffix(report, "/") {
		return report
	}
	if fi, err := os.Stat(report); err == nil && fi.IsDir() {
		return report
	}
	return summaryName(report)
}

// missingName is the default missing file: <source name>.missing.csv beside the report (in it,
// when --report names a directory).
func missingName(report, source string) string {
	if fi, err := os.Stat(report); err == nil && fi.IsDir() {
		report = filepath.Join(report, "r")
	}
	return reports.MissingPath(source, report)
}
