// Package clients reads a clients manifest, the YAML list of the employer clients a provider
// imports every night, and gives one process of a fan-out (a Kubernetes Indexed Job's pod, an AWS
// Batch array child) its entry: by name, or by the index the engine hands it.
package clients

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	pathpkg "path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrManifest is wrapped by every error about the manifest or the choice of an entry in it: a
// configuration mistake, found before anything is read.
var ErrManifest = errors.New("clients manifest")

// The environment variables the engines set in each process of a fan-out, in the order they are
// looked at.
const (
	EnvJobIndex   = "JOB_COMPLETION_INDEX"      // Kubernetes Indexed Job
	EnvBatchIndex = "AWS_BATCH_JOB_ARRAY_INDEX" // AWS Batch array job
)

// IndexVars are the variables an index is taken from when none is given, first first.
var IndexVars = []string{EnvJobIndex, EnvBatchIndex}

// Client is one entry of the manifest: one employer's roster, mapping, state and reports.
// Relative paths are resolved against the manifest's own directory.
type Client struct {
	Index     int    `yaml:"-"`
	Name      string `yaml:"name"`
	Source    string `yaml:"source"`
	Mapping   string `yaml:"mapping"`
	State     string `yaml:"state"`
	Report    string `yaml:"report"`
	ProgramID string `yaml:"programId"`
	// Env names the client's credentials: ROSTERLOAD_<ENV>_CLIENT_ID and _CLIENT_SECRET, or
	// ROSTERLOAD_<ENV>_TOKEN.
	Env string `yaml:"env"`
}

// Manifest is a checked clients manifest.
type Manifest struct {
	Path    string
	Clients []Client
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	envRE  = regexp.MustCompile(`^[A-Z0-9]+(?:_[A-Z0-9]+)*$`)
)

// maxManifest bounds what is read: thousands of clients fit in well under a megabyte.
const maxManifest = 8 << 20

// Load reads and checks the manifest at path: every entry named ([a-z0-9-]+, unique), with a
// source, mapping, state, report and env; no unknown keys.
func Load(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrManifest, path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrManifest, path, err)
	}
	if len(b) > maxManifest {
		return nil, fmt.Errorf("%w %s: larger than %d MB", ErrManifest, path, maxManifest>>20)
	}
	return Parse(path, b)
}

// MaxSize is the most of a manifest that is read.
const MaxSize = maxManifest

// Parse checks a manifest read from path, a file or an s3:// object, which relative paths are
// resolved against.
func Parse(path string, b []byte) (*Manifest, error) {
	var doc struct {
		Clients []Client `yaml:"clients"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w %s: empty; want a list under clients:", ErrManifest, path)
		}
		return nil, fmt.Errorf("%w %s: %s", ErrManifest, path, oneLine(err.Error()))
	}
	if len(doc.Clients) == 0 {
		return nil, fmt.Errorf("%w %s: no clients: want a list under clients:", ErrManifest, path)
	}
	m := &Manifest{Path: path, Clients: doc.Clients}
	dir := manifestDir(path)
	seen := make(map[string]int, len(m.Clients))
	// Two clients on one state journal (or one report file) would overwrite each other's.
	outputs := make(map[string]int, 2*len(m.Clients))
	for i := range m.Clients {
		c := &m.Clients[i]
		c.Index = i
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("%w %s: entry %d: %w", ErrManifest, path, i, err)
		}
		if j, dup := seen[c.Name]; dup {
			return nil, fmt.Errorf("%w %s: entries %d and %d are both named %s: names must be unique", ErrManifest, path, j, i, c.Name)
		}
		seen[c.Name] = i
		for _, p := range []*string{&c.Source, &c.Mapping, &c.State, &c.Report} {
			*p = resolve(dir, *p)
		}
		for _, o := range []struct{ key, path string }{{"state", c.State}, {"report", c.Report}} {
			if o.key == "report" && strings.HasSuffix(o.path, "/") {
				continue // a directory or prefix: each client's report is named after its source
			}
			if j, dup := outputs[o.path]; dup {
				return nil, fmt.Errorf("%w %s: entries %d and %d both write %s: each client needs its own %s, or the two would overwrite each other's", ErrManifest, path, j, i, o.path, o.key)
			}
			outputs[o.path] = i
		}
	}
	return m, nil
}

func (c *Client) check() error {
	if !nameRE.MatchString(c.Name) {
		if c.Name == "" {
			return errors.New("name is missing")
		}
		return fmt.Errorf("name %q: want lower-case letters, digits and dashes ([a-z0-9-]+)", c.Name)
	}
	for _, f := range []struct{ key, v string }{
		{"source", c.Source}, {"mapping", c.Mapping}, {"state", c.State}, {"report", c.Report}, {"env", c.Env},
	} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("%s: %s is missing", c.Name, f.key)
		}
	}
	if !envRE.MatchString(c.Env) {
		return fmt.Errorf("%s: env %q: want upper-case letters, digits and underscores (ACME names ROSTERLOAD_ACME_CLIENT_ID)", c.Name, c.Env)
	}
	return nil
}

// manifestDir is what relative paths in the manifest at path are relative to: its directory, or,
// for a manifest in S3, its "folder" (s3://bucket/conf/ for s3://bucket/conf/clients.yaml).
func manifestDir(path string) string {
	if strings.HasPrefix(path, "s3://") {
		return path[:strings.LastIndex(path, "/")+1]
	}
	return filepath.Dir(path)
}

// resolve makes a relative path relative to the manifest's directory; s3:// URLs and absolute
// paths are kept. A trailing slash (a directory, a prefix) is kept too.
func resolve(dir, p string) string {
	if strings.HasPrefix(p, "s3://") || filepath.IsAbs(p) {
		return p
	}
	slash := strings.HasSuffix(p, "/")
	var r string
	if strings.HasPrefix(dir, "s3://") {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(dir, "s3://"), "/")
		r = "s3://" + bucket + "/" + strings.TrimPrefix(pathpkg.Join(key, p), "/")
		if slash {
			r += "/"
		}
		return r
	}
	r = filepath.Join(dir, p)
	if slash {
		r += string(filepath.Separator)
	}
	return r
}

// Var is the name of one of the client's credential variables: Var("TOKEN") is
// ROSTERLOAD_ACME_TOKEN for env ACME.
func (c Client) Var(suffix string) string { return "ROSTERLOAD_" + c.Env + "_" + suffix }

// Pick returns the entry a process runs: the one named name, else the one at index, else the
// one at the index in the first of IndexVars that env sets. Giving both a name and an index, or
// neither (and no variable), is a mistake.
func (m *Manifest) Pick(name, index string, env func(string) string) (Client, error) {
	switch {
	case name != "" && index != "":
		return Client{}, fmt.Errorf("%w: --client %s and --index %s both choose an entry: give one", ErrManifest, name, index)
	case name != "":
		for _, c := range m.Clients {
			if c.Name == name {
				return c, nil
			}
		}
		return Client{}, fmt.Errorf("%w %s: no client named %s (see rosterload clients %s)", ErrManifest, m.Path, name, m.Path)
	}
	from := "--index"
	if index == "" {
		for _, v := range IndexVars {
			if index = strings.TrimSpace(env(v)); index != "" {
				from = v
				break
			}
		}
	}
	if index == "" {
		return Client{}, fmt.Errorf("%w: which client? give --client NAME or --index N, or run as an indexed job (%s)", ErrManifest, strings.Join(IndexVars, " or "))
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 {
		return Client{}, fmt.Errorf("%w: %s %q is not an index (0, 1, 2, …)", ErrManifest, from, index)
	}
	if i >= len(m.Clients) {
		return Client{}, fmt.Errorf("%w %s: %s %d is out of range: the manifest has %d clients (indexes 0 to %d)", ErrManifest, m.Path, from, i, len(m.Clients), len(m.Clients)-1)
	}
	return m.Clients[i], nil
}

// oneLine joins a multi-line YAML error into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
