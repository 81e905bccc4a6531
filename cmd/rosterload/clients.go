package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rosterload/rosterload/clients"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/sink/client"
)

// clientOptions are the flags that make validate or run one client of a clients manifest.
type clientOptions struct {
	file, name, index string
	picked            *clients.Client // after apply, the entry this process runs
}

func (o *clientOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.file, "clients", "", "clients manifest `file` (YAML): run one of its entries, whose source, mapping, state, report and program id replace SOURCE and those flags")
	fs.StringVar(&o.name, "client", "", "with --clients: the entry `name` to run")
	fs.StringVar(&o.index, "index", "", "with --clients: the entry to run by `number` from 0 (default $"+clients.EnvJobIndex+", else $"+clients.EnvBatchIndex+")")
}

// entryFlags are the flags a manifest entry sets, and the entry's values for them.
func entryFlags(c clients.Client) [][2]string {
	return [][2]string{{"mapping", c.Mapping}, {"state", c.State}, {"report", c.Report}, {"program-id", c.ProgramID}}
}

// apply, with --clients, loads the manifest, picks this process's entry and sets the flags it
// gives (over their ROSTERLOAD_<FLAG> values; a flag also given on the command line is a
// mistake, since one of the two would be silently ignored). It returns the entry's source.
func (o *clientOptions) apply(ctx context.Context, fs *flag.FlagSet, given map[string]bool, env func(string) string, s3 *s3store.Lazy) (string, error) {
	if o.file == "" {
		if o.name != "" || o.index != "" {
			return "", &usageError{msg: fs.Name() + ": --client and --index choose an entry of a --clients manifest, and there is none"}
		}
		return oneSource(fs)
	}
	m, err := loadManifest(ctx, o.file, s3)
	if err != nil {
		return "", err
	}
	c, err := m.Pick(o.name, o.index, env)
	if err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", &usageError{msg: fmt.Sprintf("%s: SOURCE %s: with --clients, the source is the entry's (%s: %s); drop one", fs.Name(), fs.Arg(0), c.Name, c.Source)}
	}
	// One value for every client would make the clients overwrite each other's file.
	for _, name := range []string{"summary", "missing", "payload"} {
		if f := fs.Lookup(name); f != nil && f.Value.String() != "" {
			return "", &usageError{msg: fmt.Sprintf("%s: --%s %s (or %s): with --clients, each client's %s is written beside its report; drop it", fs.Name(), name, f.Value, envName(name), name)}
		}
	}
	for _, f := range entryFlags(c) {
		if f[1] == "" || fs.Lookup(f[0]) == nil {
			continue
		}
		if given[f[0]] {
			return "", &usageError{msg: fmt.Sprintf("%s: --%s is given by the clients manifest for %s (%s); drop the flag", fs.Name(), f[0], c.Name, f[1])}
		}
		if err := fs.Set(f[0], f[1]); err != nil {
			return "", fmt.Errorf("%w %s: %s: %s %q: %v", clients.ErrManifest, m.Path, c.Name, f[0], f[1], err)
		}
	}
	o.picked = &c
	return c.Source, nil
}

// loadManifest reads the manifest at path, a file or an s3:// object (an AWS Batch job has no
// ConfigMap to mount one from).
func loadManifest(ctx context.Context, path string, s3 *s3store.Lazy) (*clients.Manifest, error) {
	if !strings.HasPrefix(path, "s3://") {
		return clients.Load(path)
	}
	data, err := readS3(ctx, s3, "--clients", path, clients.MaxSize)
	if err != nil {
		return nil, err
	}
	if len(data) > clients.MaxSize {
		return nil, fmt.Errorf("%w %s: larger than %d MB", clients.ErrManifest, path, clients.MaxSize>>20)
	}
	return clients.Parse(path, data)
}

// credentials fills cc with the picked client's credentials, ROSTERLOAD_<ENV>_TOKEN or _CLIENT_ID
// and _CLIENT_SECRET, and never with another's: a client whose variables are not set is refused.
func (o *clientOptions) credentials(cc *client.Config, env func(string) string) error {
	if o.picked == nil {
		return nil
	}
	c := *o.picked
	cc.Token = redact.NewSecret(env(c.Var("TOKEN")))
	cc.ClientID = env(c.Var("CLIENT_ID"))
	cc.ClientSecret = redact.NewSecret(env(c.Var("CLIENT_SECRET")))
	if !cc.Token.Empty() || cc.ClientID != "" && !cc.ClientSecret.Empty() {
		return nil
	}
	return fmt.Errorf("%w: client %s: no credentials: set %s, or %s and %s", clients.ErrManifest, c.Name, c.Var("TOKEN"), c.Var("CLIENT_ID"), c.Var("CLIENT_SECRET"))
}

// name is the picked client's name, "" without --clients.
func (o *clientOptions) clientName() string {
	if o.picked == nil {
		return ""
	}
	return o.picked.Name
}

// cmdClients checks a clients manifest and lists its entries with their indexes, so that an
// operator sets a Job's completions (or an array job's size) from it.
func cmdClients(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	fs := newFlagSet("clients")
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return err
	}
	switch fs.NArg() {
	case 1:
	case 0:
		return &usageError{msg: "clients: FILE is missing (a clients manifest)"}
	default:
		return &usageError{msg: fmt.Sprintf("clients: one FILE expected, got %d: %s", fs.NArg(), strings.Join(fs.Args(), " "))}
	}
	var s3 s3store.Lazy
	m, err := loadManifest(ctx, fs.Arg(0), &s3)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-5s  %-20s  %-10s  %s\n", "INDEX", "NAME", "ENV", "SOURCE")
	for _, c := range m.Clients {
		fmt.Fprintf(&b, "%-5d  %-20s  %-10s  %s\n", c.Index, redact.Text(c.Name), c.Env, redact.Text(c.Source))
	}
	fmt.Fprintf(&b, "%d clients: completions: %d (indexes 0 to %d)\n", len(m.Clients), len(m.Clients), len(m.Clients)-1)
	_, err = io.WriteString(stdout, b.String())
	return err
}
