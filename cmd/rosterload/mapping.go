package main

import (
	"context"
	"io"
)

// cmdMapping prints the mapping rosterload would use for a source, as mapping-file YAML with the
// columns it could not place as comments.
func cmdMapping(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (int, error) {
	var o sourceOptions
	fs := newFlagSet("mapping")
	o.register(fs)
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return exitCode(err), filterHelp(err)
	}
	source, err := oneSource(fs)
	if err != nil {
		return exitConfig, err
	}
	r, err := openRoster(ctx, &o, source)
	if err != nil {
		return exitConfig, err
	}
	defer r.Close()
	if _, err := stdout.Write(r.mapper.YAML()); err != nil {
		return exitUnfinish, err
	}
	return exitOK, nil
}

// filterHelp turns a -h request into no error: the flag package has printed the help.
func filterHelp(err error) error {
	if err == errHelp {
		return nil
	}
	return err
}
