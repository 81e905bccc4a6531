package main

import (
	"context"
	"io"
)

// cmdMapping prints the mapping rosterload would use for a source, as mapping-file YAML with the
// columns it could not place as comments.
func cmdMapping(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var o sourceOptions
	fs := newFlagSet("mapping")
	o.register(fs)
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return err
	}
	source, err := oneSource(fs)
	if err != nil {
		return err
	}
	r, err := openRoster(ctx, &o, source)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = stdout.Write(r.Mapper.YAML())
	return err
}
