package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/reports"
)

// reportOptions are the flags that say where results go.
type reportOptions struct {
	report    string
	summary   string
	logFormat string
	logLevel  string
	workers   int
}

func (o *reportOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.report, "report", "", "report `path`: .csv, .jsonl (default: <source name>.report.csv here)")
	fs.StringVar(&o.summary, "summary", "", "also write the run summary as JSON to this `path`")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.IntVar(&o.workers, "workers", 0, "validation goroutines (default: one per CPU)")
}

// cmdValidate is the dry run: every row is read, mapped, validated and de-duplicated, and the
// report says what the platform would accept. No request is sent.
func cmdValidate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (int, error) {
	var so sourceOptions
	var ro reportOptions
	fs := newFlagSet("validate")
	so.register(fs)
	ro.register(fs)
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return exitCode(err), filterHelp(err)
	}
	source, err := oneSource(fs)
	if err != nil {
		return exitConfig, err
	}
	log, err := newLogger(stderr, ro.logFormat, ro.logLevel)
	if err != nil {
		return exitConfig, err
	}
	return validateOrRun(ctx, "validate", source, &so, &ro, nil, log, stderr)
}

// validateOrRun runs the pipeline with sink (nil: dry run) and finishes the report and summary.
func validateOrRun(ctx context.Context, command, source string, so *sourceOptions, ro *reportOptions,
	sink pipeline.Sink, log *slog.Logger, stderr io.Writer) (int, error) {
	start := time.Now()
	r, err := openRoster(so, source)
	if err != nil {
		return exitConfig, err
	}
	defer r.Close()
	log.Info("source opened", "source", source, "format", r.src.Format, "detail", r.src.Detail, "kind", r.cfg.Kind)
	logPlacements(log, r)

	v, err := newValidator(r.cfg)
	if err != nil {
		return exitConfig, err
	}
	reportPath := ro.report
	if reportPath == "" {
		reportPath = reports.DefaultPath(source)
	}
	rep, err := reports.Create(reportPath)
	if err != nil {
		return exitConfig, fmt.Errorf("%w: %v", errConfig, err)
	}
	sum := reports.NewSummary(command, source, string(r.cfg.Kind), start)
	p := &pipeline.Pipeline{
		Source:    r.src,
		Mapper:    r.mapper,
		Validator: v,
		Sink:      sink,
		Workers:   ro.workers,
		Report:    rep,
		Summary:   sum,
		Log:       log,
	}
	if err := p.Run(ctx); err != nil {
		rep.Abort()
		if errors.Is(err, context.Canceled) {
			return exitRows, fmt.Errorf("interrupted before the report was complete: %w", err)
		}
		return exitCode(err), err
	}
	if err := rep.Close(); err != nil {
		return exitUnfinish, err
	}
	sum.Report = rep.Path()
	sum.Finish()
	if sum.RowsRead == 0 {
		// A roster with a header and nothing under it is almost always the wrong file.
		return exitConfig, rowsUnreadable(source, "has a header row but no data rows")
	}
	sum.WriteText(stderr)
	if ro.summary != "" {
		if err := sum.WriteJSONFile(ro.summary); err != nil {
			return exitUnfinish, err
		}
	}
	return sum.ExitCode, nil
}

func rowsUnreadable(source, why string) error { return rows.Unreadable(source, "%s", why) }
