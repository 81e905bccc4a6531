package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// newFlagSet returns a flag set named after the command alone (messages carry the one
// "rosterload: " prefix) whose errors are returned as one line, not printed and exited on.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args, flags before and after the operands alike ("--" ends the flags),
// then fills every flag not given on the command line from ROSTERLOAD_<FLAG> (dashes as
// underscores, upper case). The command line wins. -h prints the flags to help. The operands are
// left in fs.Args().
func parseFlags(fs *flag.FlagSet, args []string, env func(string) string, help io.Writer) error {
	given, err := parseArgs(fs, args, help)
	if err != nil {
		return err
	}
	return fillFromEnv(fs, given, env)
}

// parseArgs parses the command line alone and returns the names of the flags it gave.
func parseArgs(fs *flag.FlagSet, args []string, help io.Writer) (map[string]bool, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(fs, err, help)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			operands = append(operands, rest...)
			break
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
	// Parse again with the operands alone, so that fs.Args() is every one of them; the flags
	// already set stay set.
	if err := fs.Parse(append([]string{"--"}, operands...)); err != nil {
		return nil, flagError(fs, err, help)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given, nil
}

// fillFromEnv sets every flag the command line did not give from ROSTERLOAD_<FLAG>.
func fillFromEnv(fs *flag.FlagSet, given map[string]bool, env func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		key := envName(f.Name)
		if v := env(key); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = &usageError{msg: fmt.Sprintf("%s=%q: %v", key, v, e)}
			}
		}
	})
	return err
}

// flagError turns what flag.Parse returned into the command's answer: its help for -h, else
// one line, with the nearest flag's name for a misspelled one.
func flagError(fs *flag.FlagSet, err error, help io.Writer) error {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(help, "usage: rosterload %s %s\n\nflags (each also ROSTERLOAD_<FLAG>):\n", fs.Name(), synopsis(fs.Name()))
		fs.SetOutput(help)
		fs.PrintDefaults()
		return errHelp
	}
	see := fmt.Sprintf("(see rosterload %s -h)", fs.Name())
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		if near := nearestFlag(fs, name); near != "" {
			return &usageError{msg: fmt.Sprintf("%s: --%s: did you mean --%s? %s", fs.Name(), name, near, see)}
		}
		return &usageError{msg: fmt.Sprintf("%s: unknown flag --%s %s", fs.Name(), name, see)}
	}
	return &usageError{msg: fmt.Sprintf("%s: %v %s", fs.Name(), err, see)}
}

// nearestFlag returns the flag of fs closest to name in edit distance, if it is close enough to
// be a slip of the keyboard (two edits; one for a short name), else "".
func nearestFlag(fs *flag.FlagSet, name string) string {
	limit := 2
	if len(name) <= 4 {
		limit = 1
	}
	best, bestD := "", limit+1
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names) // the first of equally near names, whatever the map's order
	for _, n := range names {
		if d := editDistance(strings.ToLower(name), n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (adjacent transpositions count as one edit,
// as in "reprot") between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func envName(flagName string) string {
	return "ROSTERLOAD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// oneSource returns the single SOURCE argument.
func oneSource(fs *flag.FlagSet) (string, error) {
	switch fs.NArg() {
	case 1:
		return fs.Arg(0), nil
	case 0:
		return "", &usageError{msg: fs.Name() + ": SOURCE is missing (a roster file path)"}
	}
	return "", &usageError{msg: fmt.Sprintf("%s: one SOURCE expected, got %d: %s", fs.Name(), fs.NArg(), strings.Join(fs.Args(), " "))}
}
