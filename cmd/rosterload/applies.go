package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// reportExts are the extensions --report understands (reports.FormatOf's), as its refusal lists them.
var reportExts = []string{".csv", ".jsonl", ".ndjson", ".xlsx"}

// refuseInapplicable refuses settings that would otherwise be ignored without a word: --sheet on
// a CSV source, --encoding or --delimiter on an XLSX one (format is the source as opened: "csv"
// or "xlsx"), and a report whose extension names no report format (report is the settled path).
func refuseInapplicable(so *sourceOptions, env func(string) string, format, report string) error {
	named := func(flag, value string) string {
		if env != nil && env(envName(flag)) == value {
			return envName(flag) // set there, not on the command line (which wins)
		}
		return "--" + flag
	}
	switch {
	case format == "csv" && so.sheet != "":
		return &usageError{msg: fmt.Sprintf("%s %q: SOURCE is a CSV file, which has no sheets", named("sheet", so.sheet), so.sheet)}
	case format == "xlsx" && so.encoding != "":
		return &usageError{msg: fmt.Sprintf("%s %q: SOURCE is an XLSX workbook; encodings are for CSV files", named("encoding", so.encoding), so.encoding)}
	case format == "xlsx" && so.delimiter != "":
		return &usageError{msg: fmt.Sprintf("%s %q: SOURCE is an XLSX workbook; delimiters are for CSV files", named("delimiter", so.delimiter), so.delimiter)}
	}
	if report == "" {
		return nil // checked once it is settled
	}
	return refuseReportName(report)
}

// refuseReportName refuses a report path whose extension names no report format.
func refuseReportName(report string) error {
	ext := strings.ToLower(filepath.Ext(report))
	for _, e := range reportExts {
		if ext == e {
			return nil
		}
	}
	what := "no extension"
	if ext != "" {
		what = "unknown report extension " + ext
	}
	return &usageError{msg: fmt.Sprintf("--report %s: %s: want .csv, .jsonl or .xlsx", report, what)}
}
