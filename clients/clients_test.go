package clients

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const three = `clients:
  - name: acme
    source: s3://rosters/acme/in/
    mapping: acme.mapping.yaml
    state: s3://rosters/acme/state.jsonl
    report: s3://rosters/acme/reports/
    programId: prog-acme
    env: ACME
  - name: beta-co
    source: in/beta.csv
    mapping: /etc/rosterload/beta.yaml
    state: state/beta.jsonl
    report: reports/
    env: BETA_CO
  - name: c3
    source: c3.xlsx
    mapping: s3://rosters/c3/mapping.yaml
    state: c3.state.jsonl
    report: c3.report.jsonl
    env: C3
`

func TestParse(t *testing.T) {
	t.Parallel()
	m, err := Parse("/srv/conf/clients.yaml", []byte(three))
	if err != nil {
		t.Fatal(err)
	}
	want := []Client{
		{0, "acme", "s3://rosters/acme/in/", "/srv/conf/acme.mapping.yaml", "s3://rosters/acme/state.jsonl", "s3://rosters/acme/reports/", "prog-acme", "ACME"},
		{1, "beta-co", "/srv/conf/in/beta.csv", "/etc/rosterload/beta.yaml", "/srv/conf/state/beta.jsonl", "/srv/conf/reports/", "", "BETA_CO"},
		{2, "c3", "/srv/conf/c3.xlsx", "s3://rosters/c3/mapping.yaml", "/srv/conf/c3.state.jsonl", "/srv/conf/c3.report.jsonl", "", "C3"},
	}
	if len(m.Clients) != len(want) {
		t.Fatalf("%d clients, want %d", len(m.Clients), len(want))
	}
	for i, c := range m.Clients {
		if c != want[i] {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, c, want[i])
		}
	}
	if got := m.Clients[1].Var("CLIENT_ID"); got != "ROSTERLOAD_BETA_CO_CLIENT_ID" {
		t.Errorf("Var = %s", got)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	entry := func(name, env string, drop ...string) string {
		fields := map[string]string{"name": name, "source": "a.csv", "mapping": "m.yaml", "state": "s.jsonl", "report": "r/", "env": env}
		var b strings.Builder
		b.WriteString("  - ")
		first := true
		for _, k := range []string{"name", "source", "mapping", "state", "report", "env"} {
			if strings.Contains(strings.Join(drop, ","), k) {
				continue
			}
			if !first {
				b.WriteString("    ")
			}
			first = false
			b.WriteString(k + ": " + fields[k] + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"empty file", "", "empty"},
		{"no clients", "clients: []\n", "no clients"},
		{"not a list", "clients: acme\n", "cannot unmarshal"},
		{"unknown key", "clients:\n" + entry("a", "A") + "    mappping: x.yaml\n", "mappping not found"},
		{"unknown top key", "client:\n" + entry("a", "A"), "client not found"},
		{"duplicate name", "clients:\n" + entry("acme", "A") + entry("acme", "B"), "entries 0 and 1 are both named acme"},
		{"name missing", "clients:\n" + entry("a", "A", "name"), "entry 0: name is missing"},
		{"upper-case name", "clients:\n" + entry("Acme", "A"), `name "Acme"`},
		{"name with a space", "clients:\n" + entry(`"ac me"`, "A"), `name "ac me"`},
		{"source missing", "clients:\n" + entry("a", "A", "source"), "a: source is missing"},
		{"mapping missing", "clients:\n" + entry("a", "A") + entry("b", "B", "mapping"), "entry 1: b: mapping is missing"},
		{"state missing", "clients:\n" + entry("a", "A", "state"), "a: state is missing"},
		{"report missing", "clients:\n" + entry("a", "A", "report"), "a: report is missing"},
		{"one state for two clients", "clients:\n" + entry("a", "A") + entry("b", "B"), "entries 0 and 1 both write s.jsonl"},
		{"one report file for two clients", "clients:\n" + strings.Replace(entry("a", "A"), "r/", "r.csv", 1) + strings.Replace(strings.Replace(entry("b", "B"), "r/", "./r.csv", 1), "s.jsonl", "t.jsonl", 1), "entries 0 and 1 both write r.csv"},
		{"env missing", "clients:\n" + entry("a", "A", "env"), "a: env is missing"},
		{"env lower case", "clients:\n" + entry("a", "acme"), `env "acme"`},
		{"env with a dash", "clients:\n" + entry("a", "AC-ME"), `env "AC-ME"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("clients.yaml", []byte(tt.yaml))
			if !errors.Is(err, ErrManifest) {
				t.Fatalf("err = %v, want ErrManifest", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err spans lines: %q", err)
			}
		})
	}
}

func TestParseS3(t *testing.T) {
	t.Parallel()
	m, err := Parse("s3://conf-bucket/rosterload/clients.yaml", []byte(three))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{
		{m.Clients[0].Mapping, "s3://conf-bucket/rosterload/acme.mapping.yaml"},
		{m.Clients[1].Source, "s3://conf-bucket/rosterload/in/beta.csv"},
		{m.Clients[1].Report, "s3://conf-bucket/rosterload/reports/"},
		{m.Clients[1].Mapping, "/etc/rosterload/beta.yaml"},
		{m.Clients[2].Mapping, "s3://rosters/c3/mapping.yaml"},
	}
	for _, w := range want {
		if w[0] != w[1] {
			t.Errorf("got %s, want %s", w[0], w[1])
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "clients.yaml")
	if err := os.WriteFile(path, []byte(three), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Clients[2].Source, filepath.Join(dir, "c3.xlsx"); got != want {
		t.Errorf("relative source = %s, want %s (against the manifest's directory)", got, want)
	}
	if _, err := Load(filepath.Join(dir, "nope.yaml")); !errors.Is(err, ErrManifest) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing manifest: %v", err)
	}
}

func TestPick(t *testing.T) {
	t.Parallel()
	m, err := Parse("clients.yaml", []byte(three))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, client, index string
		env                 map[string]string
		want                string // the entry's name, or what the error says
		fails               bool
	}{
		{name: "by name", client: "beta-co", want: "beta-co"},
		{name: "by index", index: "2", want: "c3"},
		{name: "by kubernetes index", env: map[string]string{EnvJobIndex: "1"}, want: "beta-co"},
		{name: "by batch index", env: map[string]string{EnvBatchIndex: "2"}, want: "c3"},
		{name: "kubernetes index first", env: map[string]string{EnvJobIndex: "0", EnvBatchIndex: "2"}, want: "acme"},
		{name: "flag over the environment", index: "2", env: map[string]string{EnvJobIndex: "0"}, want: "c3"},
		{name: "name over the environment", client: "c3", env: map[string]string{EnvJobIndex: "0"}, want: "c3"},
		{name: "both flags", client: "acme", index: "1", fails: true, want: "both choose an entry"},
		{name: "neither", fails: true, want: "which client?"},
		{name: "unknown name", client: "zeta", fails: true, want: "no client named zeta"},
		{name: "index out of range", index: "3", fails: true, want: "--index 3 is out of range: the manifest has 3 clients (indexes 0 to 2)"},
		{name: "env index out of range", env: map[string]string{EnvJobIndex: "7"}, fails: true, want: "JOB_COMPLETION_INDEX 7 is out of range"},
		{name: "negative index", index: "-1", fails: true, want: `--index "-1" is not an index`},
		{name: "index not a number", env: map[string]string{EnvBatchIndex: "one"}, fails: true, want: `AWS_BATCH_JOB_ARRAY_INDEX "one" is not an index`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := m.Pick(tt.client, tt.index, func(k string) string { return tt.env[k] })
			if tt.fails {
				if !errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want ErrManifest saying %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Name != tt.want {
				t.Errorf("picked %s, want %s", c.Name, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(three))
	f.Add([]byte("clients:\n  - name: a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse("clients.yaml", b)
		if err != nil {
			if !errors.Is(err, ErrManifest) {
				t.Fatalf("error without ErrManifest: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for i, c := range m.Clients {
			if c.Index != i || seen[c.Name] || !nameRE.MatchString(c.Name) || !envRE.MatchString(c.Env) {
				t.Fatalf("accepted a bad entry %d: %+v", i, c)
			}
			seen[c.Name] = true
		}
	})
}
