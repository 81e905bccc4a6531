package main

// Tests of --clients (issue 13): one process per client of a manifest, chosen by the index a
// Kubernetes Indexed Job or an AWS Batch array job gives it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/sink/emulator"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// clientEntry is one manifest entry as YAML.
func clientEntry(name, source, mapping, state, report, env string) string {
	return fmt.Sprintf("  - name: %s\n    source: %s\n    mapping: %s\n    state: %s\n    report: %s\n    env: %s\n",
		name, source, mapping, state, report, env)
}

// TestClientsRefusals (acceptance 2): each mistake of a manifest or of the choice of an entry is
// exit 2 with one line, before anything is read: no request, no report, no state.
func TestClientsRefusals(t *testing.T) {
	api := newAPI(t, emulator.Config{}, apiHooks{})
	dir := t.TempDir()
	roster, _ := filepath.Abs(td("sample", "employees.csv"))
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	good := "clients:\n" +
		clientEntry("acme", roster, mapping, "out/acme.state.jsonl", "out/acme/", "ACME") +
		clientEntry("beta", roster, mapping, "out/beta.state.jsonl", "out/beta/", "BETA")
	manifest := writeFile(t, dir, "clients.yaml", good)
	creds := map[string]string{
		"ROSTERLOAD_ACME_CLIENT_ID": emulator.DefaultClientID, "ROSTERLOAD_ACME_CLIENT_SECRET": emulator.DefaultClientSecret,
		"ROSTERLOAD_BETA_CLIENT_ID": emulator.DefaultClientID, "ROSTERLOAD_BETA_CLIENT_SECRET": emulator.DefaultClientSecret,
		// The global credentials are set and must not stand in for a client's missing ones.
		"ROSTERLOAD_CLIENT_ID": emulator.DefaultClientID, "ROSTERLOAD_CLIENT_SECRET": emulator.DefaultClientSecret,
		"ROSTERLOAD_TOKEN": "", "ROSTERLOAD_GAMMA_TOKEN": "", "ROSTERLOAD_GAMMA_CLIENT_ID": "", "ROSTERLOAD_GAMMA_CLIENT_SECRET": "",
		"JOB_COMPLETION_INDEX": "", "AWS_BATCH_JOB_ARRAY_INDEX": "",
	}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range creds {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	run := []string{"run", "--api-url", api.URL}
	tests := []struct {
		name     string
		manifest string // content; "" the good one
		args     []string
		env      map[string]string
		want     string
	}{
		{name: "kubernetes index out of range", env: with("JOB_COMPLETION_INDEX", "2"), want: "JOB_COMPLETION_INDEX 2 is out of range: the manifest has 2 clients"},
		{name: "batch index out of range", env: with("AWS_BATCH_JOB_ARRAY_INDEX", "9"), want: "AWS_BATCH_JOB_ARRAY_INDEX 9 is out of range"},
		{name: "index flag out of range", args: []string{"--index", "5"}, env: with(), want: "--index 5 is out of range"},
		{name: "index not a number", env: with("JOB_COMPLETION_INDEX", "first"), want: `JOB_COMPLETION_INDEX "first" is not an index`},
		{name: "no index at all", env: with(), want: "which client?"},
		{name: "unknown client name", args: []string{"--client", "zeta"}, env: with(), want: "no client named zeta"},
		{name: "both name and index", args: []string{"--client", "acme", "--index", "0"}, env: with(), want: "give one"},
		{name: "duplicate name", manifest: "clients:\n" + clientEntry("acme", roster, mapping, "s1", "r1/", "ACME") + clientEntry("acme", roster, mapping, "s2", "r2/", "BETA"),
			env: with("JOB_COMPLETION_INDEX", "0"), want: "entries 0 and 1 are both named acme"},
		{name: "missing field", manifest: "clients:\n  - name: acme\n    source: " + roster + "\n    mapping: " + mapping + "\n    report: r/\n    env: ACME\n",
			env: with("JOB_COMPLETION_INDEX", "0"), want: "acme: state is missing"},
		{name: "misspelled field", manifest: "clients:\n" + clientEntry("acme", roster, mapping, "s", "r/", "ACME") + "    programID: p\n",
			env: with("JOB_COMPLETION_INDEX", "0"), want: "field programID not found"},
		{name: "bad name", manifest: "clients:\n" + clientEntry("Acme_Corp", roster, mapping, "s", "r/", "ACME"),
			env: with("JOB_COMPLETION_INDEX", "0"), want: `name "Acme_Corp"`},
		{name: "credentials not in the environment", manifest: "clients:\n" + clientEntry("gamma", roster, mapping, "s", "r/", "GAMMA"),
			env: with("JOB_COMPLETION_INDEX", "0"), want: "client gamma: no credentials: set ROSTERLOAD_GAMMA_TOKEN, or ROSTERLOAD_GAMMA_CLIENT_ID and ROSTERLOAD_GAMMA_CLIENT_SECRET"},
		{name: "a client id without its secret", env: with("JOB_COMPLETION_INDEX", "1", "ROSTERLOAD_BETA_CLIENT_SECRET", ""), want: "client beta: no credentials"},
		{name: "SOURCE as well", args: []string{roster}, env: with("JOB_COMPLETION_INDEX", "0"), want: "with --clients, the source is the entry's"},
		{name: "report flag as well", args: []string{"--report", filepath.Join(dir, "x.csv")}, env: with("JOB_COMPLETION_INDEX", "0"), want: "--report is given by the clients manifest for acme"},
		{name: "one summary for every client", args: []string{"--summary", filepath.Join(dir, "s.json")}, env: with("JOB_COMPLETION_INDEX", "0"), want: "each client's summary is written beside its report"},
		{name: "one missing file for every client", env: with("JOB_COMPLETION_INDEX", "0", "ROSTERLOAD_MISSING", filepath.Join(dir, "m.csv")), want: "--missing"},
		{name: "index without a manifest", args: []string{"--index", "0", roster}, env: with(), want: "there is none"},
		{name: "manifest not there", args: []string{"--clients", filepath.Join(dir, "nope.yaml")}, env: with("JOB_COMPLETION_INDEX", "0"), want: "nope.yaml"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manifest
			if tt.manifest != "" {
				m = writeFile(t, dir, fmt.Sprintf("m%d/clients.yaml", i), tt.manifest)
			}
			args := append([]string{}, run...)
			if !strings.Contains(strings.Join(tt.args, " "), "--clients") && !(len(tt.args) > 0 && tt.args[0] == "--index" && tt.want == "there is none") {
				args = append(args, "--clients", m)
			}
			args = append(args, tt.args...)
			res := runCLI(t, tt.env, args...)
			if res.code != exitConfig {
				t.Fatalf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			if line := firstErrorLine(res.stderr); line == "" || !strings.Contains(line, tt.want) {
				t.Errorf("want one rosterload: line saying %q; stderr:\n%s", tt.want, res.stderr)
			}
			if st := api.Server.Stats(); st.Requests != 0 || api.tokenCalls.Load() != 0 {
				t.Errorf("%d requests and %d token calls were made", st.Requests, api.tokenCalls.Load())
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(m), "out")); err == nil {
				t.Errorf("outputs were written under %s", filepath.Join(filepath.Dir(m), "out"))
			}
		})
	}
}

// TestClientsCommand: rosterload clients lists the entries by index and refuses a bad manifest.
func TestClientsCommand(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "clients.yaml", "clients:\n"+
		clientEntry("acme", "s3://rosters/acme/in/", "acme.yaml", "s3://rosters/acme/state.jsonl", "s3://rosters/acme/reports/", "ACME")+
		clientEntry("beta", "beta.csv", "beta.yaml", "beta.state.jsonl", "reports/", "BETA"))
	res := runCLI(t, nil, "clients", good)
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	// The listing masks its paths as every output does (a temp dir's digits may look like a number).
	for _, want := range []string{"0      acme", "1      beta", redact.Text(filepath.Join(dir, "beta.csv")), "2 clients: completions: 2"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	bad := writeFile(t, dir, "bad.yaml", "clients:\n"+clientEntry("acme", "a.csv", "m.yaml", "s", "r/", "ACME")+clientEntry("acme", "b.csv", "m.yaml", "s", "r/", "ACME"))
	for _, args := range [][]string{{"clients", bad}, {"clients"}, {"clients", good, bad}} {
		res := runCLI(t, nil, args...)
		if res.code != exitConfig || firstErrorLine(res.stderr) == "" {
			t.Errorf("%v: exit %d, want 2 with one line; stderr:\n%s", args, res.code, res.stderr)
		}
	}
}

// TestClientsFanOut (acceptance 1): three clients of one manifest run as three processes, as the
// pods of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX 0, 1, 2), against the emulator and
// MinIO. Each client's report, summary and state land where its entry says, the emulator holds
// every client's employees once, and the same three re-run as AWS Batch array children
// (AWS_BATCH_JOB_ARRAY_INDEX, the manifest read from S3) send nothing.
func TestClientsFanOut(t *testing.T) {
	if minio == nil {
		t.Skip("no MinIO: set " + "ROSTERLOAD_MINIO (make test does)")
	}
	api := newAPI(t, emulator.Config{}, apiHooks{})
	b := s3Bucket(t)
	dir := t.TempDir()
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	mappingYAML, err := os.ReadFile(mapping)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "conf/acme.mapping.yaml", string(mappingYAML))
	if err := minio.Put(context.Background(), b, "beta/mapping.yaml", mappingYAML); err != nil {
		t.Fatal(err)
	}
	type client struct {
		name, prefix string // the externalIds' first letter, so that clients' employees differ
		rows         int
		invalid      float64
		wantCode     int
	}
	cls := []client{{"acme", "A", 24, 0, exitOK}, {"beta", "B", 31, 0, exitOK}, {"gamma", "G", 40, 0.2, exitRows}}
	var entries strings.Builder
	entries.WriteString("clients:\n")
	total := 0
	for i, c := range cls {
		var csv bytes.Buffer
		if err := rostergen.WriteCSV(&csv, rostergen.Options{Rows: c.rows, Invalid: c.invalid, Seed: uint64(i + 1)}); err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(csv.String(), "\n")
		for j := 1; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "E") {
				lines[j] = c.prefix + lines[j][1:]
			}
		}
		if err := minio.Put(context.Background(), b, c.name+"/in/roster.csv", []byte(strings.Join(lines, ""))); err != nil {
			t.Fatal(err)
		}
		m := "acme.mapping.yaml" // relative: beside the manifest
		if c.name == "beta" {
			m = "s3://" + b + "/beta/mapping.yaml"
		}
		fmt.Fprintf(&entries, "  - name: %s\n    source: s3://%s/%s/in/\n    mapping: %s\n    state: s3://%s/%s/state.jsonl\n    report: s3://%s/%s/reports/\n    programId: prog-%s\n    env: %s\n",
			c.name, b, c.name, m, b, c.name, b, c.name, c.name, strings.ToUpper(c.name))
	}
	manifest := writeFile(t, dir, "conf/clients.yaml", entries.String())
	// The same manifest in S3, as an AWS Batch job reads it (no ConfigMap there): its relative
	// mapping is beside it in the bucket.
	for key, data := range map[string][]byte{"conf/clients.yaml": []byte(entries.String()), "conf/acme.mapping.yaml": mappingYAML} {
		if err := minio.Put(context.Background(), b, key, data); err != nil {
			t.Fatal(err)
		}
	}
	s3Manifest := "s3://" + b + "/conf/clients.yaml"
	env := map[string]string{
		"ROSTERLOAD_ACME_CLIENT_ID": emulator.DefaultClientID, "ROSTERLOAD_ACME_CLIENT_SECRET": emulator.DefaultClientSecret,
		"ROSTERLOAD_BETA_CLIENT_ID": emulator.DefaultClientID, "ROSTERLOAD_BETA_CLIENT_SECRET": emulator.DefaultClientSecret,
		"ROSTERLOAD_GAMMA_TOKEN": api.Server.IssueToken(),
		"ROSTERLOAD_CLIENT_ID":   "", "ROSTERLOAD_CLIENT_SECRET": "", "ROSTERLOAD_TOKEN": "",
		"JOB_COMPLETION_INDEX": "", "AWS_BATCH_JOB_ARRAY_INDEX": "",
	}
	// pods starts the three processes at once, as an Indexed Job with parallelism 3 would, and
	// checks each one's exit code.
	pods := func(indexVar, manifest string) {
		t.Helper()
		children := make([]*child, len(cls))
		for i := range cls {
			e := map[string]string{indexVar: fmt.Sprint(i)}
			for k, v := range env {
				if k != indexVar {
					e[k] = v
				}
			}
			children[i] = startChild(t, e, "run", "--clients", manifest, "--api-url", api.URL, "--log-format", "json")
		}
		for i, c := range children {
			ws := c.wait(t, 2*time.Minute)
			if ws.ExitStatus() != cls[i].wantCode {
				t.Fatalf("%s=%d: exit %d, want %d; stderr:\n%s", indexVar, i, ws.ExitStatus(), cls[i].wantCode, c.stderr.String())
			}
			if !strings.Contains(c.stderr.String(), `"client":"`+cls[i].name+`"`) {
				t.Errorf("%s's log lines do not carry its name:\n%s", cls[i].name, c.stderr.String())
			}
		}
	}
	pods("JOB_COMPLETION_INDEX", manifest)
	for _, c := range cls {
		keys := s3Keys(t, b, c.name+"/")
		for _, want := range []string{c.name + "/state.jsonl", c.name + "/reports/roster.csv.report.csv", c.name + "/reports/roster.csv.summary.json"} {
			if !keys[want] {
				t.Errorf("s3://%s/%s was not written; the bucket holds %v", b, want, keys)
			}
		}
		var sum struct {
			Client   string         `json:"client"`
			RowsRead int            `json:"rowsRead"`
			Statuses map[string]int `json:"statuses"`
			ExitCode int            `json:"exitCode"`
		}
		if err := json.Unmarshal(s3GetObject(t, b, c.name+"/reports/roster.csv.summary.json"), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.Client != c.name || sum.RowsRead != c.rows || sum.ExitCode != c.wantCode {
			t.Errorf("%s's summary: %+v", c.name, sum)
		}
		total += sum.Statuses["CREATED"]
		if c.invalid == 0 && sum.Statuses["CREATED"] != c.rows {
			t.Errorf("%s: %d CREATED, want all %d rows", c.name, sum.Statuses["CREATED"], c.rows)
		}
	}
	st := api.Server.Stats()
	if st.Profiles != total || total < 24+31+1 {
		t.Errorf("the emulator holds %d EWA profiles; the three summaries say %d were created", st.Profiles, total)
	}
	sent := st.Requests

	pods("AWS_BATCH_JOB_ARRAY_INDEX", s3Manifest)
	if st := api.Server.Stats(); st.Requests != sent || st.Profiles != total {
		t.Errorf("the re-run sent %d requests (profiles %d, were %d): want none", st.Requests-sent, st.Profiles, total)
	}
	for _, c := range cls {
		report := string(s3GetObject(t, b, c.name+"/reports/roster.csv.report.csv"))
		if strings.Contains(report, ",CREATED,") {
			t.Errorf("%s's re-run report still says CREATED:\n%s", c.name, report)
		}
	}
}

// s3Keys lists the keys under prefix in bucket.
func s3Keys(t *testing.T, bucket, prefix string) map[string]bool {
	t.Helper()
	out, err := minio.Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, o := range out.Contents {
		keys[*o.Key] = true
	}
	return keys
}
