// Package deploy holds the manifests that run rosterload on Kubernetes and AWS Batch; its test
// decodes each strictly into the engines' own Go types, so that a misspelled field or a wrong
// type fails here rather than at kubectl apply, and checks them against the clients manifest.
package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/rosterload/rosterload/clients"
)

// decoded is one document of a Kubernetes manifest, decoded into its kind's type.
type decoded struct {
	file string
	obj  any
}

// newObject returns the Go type of a kind this directory may use; a kind not listed fails the
// test (add it here with its k8s.io/api type).
func newObject(apiVersion, kind string) (any, error) {
	switch apiVersion + " " + kind {
	case "v1 ServiceAccount":
		return new(corev1.ServiceAccount), nil
	case "v1 ConfigMap":
		return new(corev1.ConfigMap), nil
	case "v1 Secret":
		return new(corev1.Secret), nil
	case "batch/v1 CronJob":
		return new(batchv1.CronJob), nil
	case "batch/v1 Job":
		return new(batchv1.Job), nil
	}
	return nil, fmt.Errorf("apiVersion %q kind %q: not a kind this test knows", apiVersion, kind)
}

// decodeStrict decodes every document of a YAML stream into its kind's type, refusing unknown
// and duplicate fields (sigs.k8s.io/yaml's strict mode: YAML to JSON, then json with
// DisallowUnknownFields) and values of the wrong type.
func decodeStrict(name string, data []byte) ([]decoded, error) {
	var out []decoded
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		obj, err := newObject(tm.APIVersion, tm.Kind)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			return nil, fmt.Errorf("%s: document %d (%s): %w", name, i, tm.Kind, err)
		}
		out = append(out, decoded{name, obj})
	}
}

func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.Bytes()
}

// TestKubernetesManifests decodes every YAML file here (but the clients manifests themselves).
func TestKubernetesManifests(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := decodeStrict(f, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) == 0 {
				t.Fatal("no documents")
			}
		})
	}
}

// TestStrictDecoderRefuses proves the check can fail: a misspelled field, a wrong type, an
// unknown kind.
func TestStrictDecoderRefuses(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"misspelled field", "apiVersion: batch/v1\nkind: Job\nspec:\n  completionMod: Indexed\n", "completionMod"},
		{"wrong type", "apiVersion: batch/v1\nkind: Job\nspec:\n  completions: three\n", "completions"},
		{"duplicate field", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: x\n  a: y\n", "a"},
		{"unknown kind", "apiVersion: batch/v1\nkind: Jobb\n", "Jobb"},
		{"misspelled in a pod", "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicey: Never\n", "restartPolicey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeStrict("test.yaml", []byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

// TestIndexedCronJob checks the fan-out of clients.yaml against its own clients manifest: an
// Indexed Job with one completion per client, bounded parallelism, retries per index, the
// manifest mounted where --clients reads it, and every client's credentials in the Secret.
func TestIndexedCronJob(t *testing.T) {
	data, err := os.ReadFile("clients.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := decodeStrict("clients.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	var cj *batchv1.CronJob
	var cm *corev1.ConfigMap
	var sec *corev1.Secret
	for _, d := range docs {
		switch o := d.obj.(type) {
		case *batchv1.CronJob:
			cj = o
		case *corev1.ConfigMap:
			cm = o
		case *corev1.Secret:
			sec = o
		}
	}
	if cj == nil || cm == nil || sec == nil {
		t.Fatal("clients.yaml wants a CronJob, a ConfigMap and a Secret")
	}
	js := cj.Spec.JobTemplate.Spec
	pod := js.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	var manifestPath string
	for _, a := range c.Args {
		if p, ok := strings.CutPrefix(a, "--clients="); ok {
			manifestPath = p
		}
	}
	var mount string
	for _, vm := range c.VolumeMounts {
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
				mount = vm.MountPath
			}
		}
	}
	key, ok := strings.CutPrefix(manifestPath, mount+"/")
	if mount == "" || !ok || cm.Data[key] == "" {
		t.Fatalf("--clients=%s is not a key of ConfigMap %s mounted at %q", manifestPath, cm.Name, mount)
	}
	m, err := clients.Parse(manifestPath, []byte(cm.Data[key]))
	if err != nil {
		t.Fatal(err)
	}
	n := int32(len(m.Clients))
	switch {
	case js.CompletionMode == nil || *js.CompletionMode != batchv1.IndexedCompletion:
		t.Error("the Job is not Indexed: pods would get no JOB_COMPLETION_INDEX")
	case js.Completions == nil || *js.Completions != n:
		t.Errorf("completions %v, want %d (the manifest's clients)", js.Completions, n)
	case js.Parallelism == nil || *js.Parallelism < 1 || *js.Parallelism > n:
		t.Errorf("parallelism %v, want 1 to %d", js.Parallelism, n)
	case js.BackoffLimitPerIndex == nil:
		t.Error("no backoffLimitPerIndex: one client's failures would count against the others")
	case pod.RestartPolicy != corev1.RestartPolicyNever:
		t.Errorf("restartPolicy %s: backoffLimitPerIndex needs Never", pod.RestartPolicy)
	case cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent:
		t.Errorf("concurrencyPolicy %s: two nights at once would share the state journals", cj.Spec.ConcurrencyPolicy)
	}
	if js.PodFailurePolicy != nil {
		for _, r := range js.PodFailurePolicy.Rules {
			if r.Action == batchv1.PodFailurePolicyActionFailJob {
				t.Error("a FailJob rule would stop every client for one client's failure: use FailIndex")
			}
		}
	}
	fromSecret := slices.ContainsFunc(c.EnvFrom, func(e corev1.EnvFromSource) bool {
		return e.SecretRef != nil && e.SecretRef.Name == sec.Name
	})
	if !fromSecret {
		t.Fatalf("the container does not take its environment from Secret %s", sec.Name)
	}
	for _, cl := range m.Clients {
		has := func(s string) bool { _, ok := sec.StringData[cl.Var(s)]; return ok }
		if !has("TOKEN") && !(has("CLIENT_ID") && has("CLIENT_SECRET")) {
			t.Errorf("Secret %s has no credentials for %s (%s or %s/%s)", sec.Name, cl.Name, cl.Var("TOKEN"), cl.Var("CLIENT_ID"), cl.Var("CLIENT_SECRET"))
		}
	}
}

// decodeJSONStrict decodes path into v, refusing unknown fields (field names match the SDK's
// Go fields case-insensitively, as the AWS CLI's --cli-input-json names them).
func decodeJSONStrict(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// TestBatchJob decodes the AWS Batch job definition and submission into the AWS SDK's own input
// types, and checks them against the Batch clients manifest: an array of one child per client,
// every client's credentials among the secrets, retries only for exit 3.
func TestBatchJob(t *testing.T) {
	var def batch.RegisterJobDefinitionInput
	if err := decodeJSONStrict("aws-batch/job-definition.json", &def); err != nil {
		t.Fatal(err)
	}
	var sub batch.SubmitJobInput
	if err := decodeJSONStrict("aws-batch/submit-job.json", &sub); err != nil {
		t.Fatal(err)
	}
	var bad batch.RegisterJobDefinitionInput
	if err := json.Unmarshal([]byte(`{"jobDefinitionName": 3}`), &bad); err == nil {
		t.Error("a number for a string field decoded")
	}
	m, err := clients.Load("aws-batch/clients.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sub.ArrayProperties == nil || sub.ArrayProperties.Size == nil || int(*sub.ArrayProperties.Size) != len(m.Clients) {
		t.Errorf("arrayProperties.size %v, want %d (the manifest's clients)", sub.ArrayProperties, len(m.Clients))
	}
	if sub.JobDefinition == nil || def.JobDefinitionName == nil || *sub.JobDefinition != *def.JobDefinitionName {
		t.Error("submit-job.json does not name the job definition")
	}
	cp := def.ContainerProperties
	if cp == nil || !slices.ContainsFunc(cp.Command, func(a string) bool { return strings.HasPrefix(a, "--clients=s3://") }) {
		t.Fatal("the container does not run --clients from S3")
	}
	secrets := map[string]bool{}
	for _, s := range cp.Secrets {
		secrets[*s.Name] = true
	}
	for _, cl := range m.Clients {
		if !secrets[cl.Var("TOKEN")] && !(secrets[cl.Var("CLIENT_ID")] && secrets[cl.Var("CLIENT_SECRET")]) {
			t.Errorf("no secrets for %s", cl.Name)
		}
	}
	for _, e := range def.RetryStrategy.EvaluateOnExit {
		if e.OnExitCode != nil && string(e.Action) == "RETRY" && *e.OnExitCode != "3" {
			t.Errorf("exit %s is retried: only 3 (could not finish) may change on a retry", *e.OnExitCode)
		}
	}
}
