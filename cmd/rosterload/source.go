package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/s3store"
)

// sourceOptions are the flags that say how to read a roster and map its columns; validate, run
// and mapping share them. s3 is the store of every s3:// name (source, outputs, state), made at
// its first use.
type sourceOptions struct {
	kind           string
	mapping        string
	programID      string
	sheet          string
	headerRow      int
	encoding       string
	delimiter      string
	defaultCountry string
	maxUnzipMB     int64
	s3             s3store.Lazy
	// env, when set, names the variables flags came from in refuseInapplicable.
	env    func(string) string
	opener ingest.Opener
	// printOnly skips the preflight: the mapping command prints the mapping of a roster whose
	// mapping may still lack fields, so that the user can complete it.
	printOnly bool
}

func (o *sourceOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.kind, "kind", "", "record kind: ewa (default), individual or business")
	fs.StringVar(&o.mapping, "mapping", "", "mapping `file` (YAML): columns, defaults, date formats")
	fs.StringVar(&o.programID, "program-id", "", "EWA program id for every row (overrides the mapping file)")
	fs.StringVar(&o.sheet, "sheet", "", "XLSX sheet `name` (default: the first visible sheet)")
	fs.IntVar(&o.headerRow, "header-row", 0, "row `number` of the header (default: the first non-blank row)")
	fs.StringVar(&o.encoding, "encoding", "", "CSV encoding: utf-8, windows-1252, latin1, utf-16 (default: detected)")
	fs.StringVar(&o.delimiter, "delimiter", "", "CSV delimiter: , ; tab or | (default: sniffed)")
	fs.StringVar(&o.defaultCountry, "default-country", "", "country for rows that give none (phone region, address country)")
	fs.Int64Var(&o.maxUnzipMB, "max-unzip-mb", 0, "largest size in MiB an XLSX may unpack to (default 1024)")
	fs.StringVar(&o.s3.Options.Endpoint, "s3-endpoint", "", "S3-compatible endpoint `URL` (default: AWS_ENDPOINT_URL_S3, else AWS); addressed path-style")
	fs.StringVar(&o.s3.Options.SSE, "s3-sse", "", "server-side encryption of uploaded reports and state: AES256 or aws:kms")
	fs.StringVar(&o.s3.Options.KMSKeyID, "s3-kms-key-id", "", "KMS key `id` for --s3-sse aws:kms (default: the bucket's or aws/s3)")
	fs.DurationVar(&o.opener.MaxAge, "max-age", 0, "with an s3://…/ prefix SOURCE: hold the run (exit 4) when its newest object is older than `D`")
	o.opener.S3 = &o.s3
}

// loadMapping reads the --mapping file, from disk or from an s3:// object.
func loadMapping(ctx context.Context, o *sourceOptions) (*ingest.Config, error) {
	if !strings.HasPrefix(o.mapping, "s3://") {
		return ingest.LoadConfig(o.mapping)
	}
	data, err := readS3(ctx, &o.s3, "--mapping", o.mapping, ingest.MaxConfigSize)
	if err != nil {
		return nil, err
	}
	return ingest.ReadConfig(o.mapping, data)
}

// readS3 reads the small object at url (a mapping, a manifest) whole, up to one byte more than
// limit so that the caller can refuse a larger one.
func readS3(ctx context.Context, s3 *s3store.Lazy, flagName, url string, limit int) ([]byte, error) {
	u, err := s3store.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flagName, err)
	}
	st, err := s3.Get(ctx)
	if err != nil {
		return nil, err
	}
	data, err := st.ReadAll(ctx, u, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flagName, url, err)
	}
	return data, nil
}

// openRoster opens the source (a file, or an s3:// object or prefix), reads its header (the
// best of the first rows unless --header-row gives it) and settles the mapping: the mapping
// file, then flags over it. Then, but for the mapping command, the preflight refuses a
// mapping that would make every row INVALID, before any data row is read.
func openRoster(ctx context.Context, o *sourceOptions, source string) (*ingest.Roster, error) {
	cfg := ingest.Config{}
	if o.mapping != "" {
		c, err := loadMapping(ctx, o)
		if err != nil {
			return nil, err
		}
		cfg = *c
	}
	if o.kind != "" {
		cfg.Kind = ingest.Kind(o.kind)
	}
	k, ok := ingest.ParseKind(string(cfg.Kind))
	if !ok {
		return nil, &usageError{msg: fmt.Sprintf("--kind %q: want ewa, individual or business", cfg.Kind)}
	}
	cfg.Kind = k
	if o.programID != "" {
		cfg.ProgramID = o.programID
	}
	if o.sheet != "" {
		cfg.Sheet = o.sheet
	}
	if o.headerRow != 0 {
		cfg.HeaderRow = o.headerRow
	}
	if o.defaultCountry != "" {
		cfg.DefaultCountry = o.defaultCountry
	}
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return nil, err
	}
	r, err := o.opener.OpenRoster(ctx, source, cfg, ingest.OpenOptions{
		Encoding: o.encoding, Delimiter: delim, Sheet: cfg.Sheet, HeaderRow: cfg.HeaderRow,
		MaxUnzipSize: o.maxUnzipMB << 20, Mapping: &cfg,
		Check: func(format string) error { return refuseInapplicable(o, o.env, format, "") },
	})
	if err != nil || o.printOnly {
		return r, err
	}
	if err := r.Preflight(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func parseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", `\t`, "TAB":
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || (r != ',' && r != ';' && r != '\t' && r != '|') {
		return 0, &usageError{msg: fmt.Sprintf("--delimiter %q: want , ; tab or |", s)}
	}
	return r, nil
}

// newLogger returns the logger for stderr in the format asked for.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, &usageError{msg: fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: redact.ReplaceAttr}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, &usageError{msg: fmt.Sprintf("--log-format %q: want text or json", format)}
}
