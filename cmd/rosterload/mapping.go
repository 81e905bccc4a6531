package main

import (
	"context"
	"io"
)

// cmdMapping prints the mapping rosterload would use for a source, as mapping-file YAML with, as
// comments, the columns it could not place, what their first rows' values look like and the
// required fields still unplaced. It shows what validate and run would refuse rather than refuse.
func cmdMapping(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var o sourceOptions
	fs := newFlagSet("mapping")
	o.register(fs)
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return err
	}
	o.opener.Survey, o.printOnly = true, true
	source, err := oneSource(fs)
	if err != nil {
		return err
	}
	r, err := openRoster(ctx, &o, source)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = stdout.Write(r.YAML())
	return err
}
