// Package miniotest runs a real MinIO server for tests: the binary named by $ROSTERLOAD_MINIO
// (which `make test` builds and sets) in; a server on a free loopback port with a temp data
// dir, its credentials and a raw S3 client out. Without the variable, tests that need it skip.
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvBinary names the MinIO binary; `make test` sets it.
const EnvBinary = "ROSTERLOAD_MINIO"

// The server's credentials and its KMS key (for SSE-S3 and SSE-KMS).
const (
	AccessKey  = "rosterload"
	SecretKey  = "rosterload-secret-key"
	KMSKeyName = "rosterload-key"
	Region     = "us-east-1"
)

// SkipReason is the line a test skips with when MinIO is not available.
const SkipReason = "S3 tests need a MinIO server: run `make test` (it builds MinIO once and sets " + EnvBinary + ")"

// Server is a running MinIO.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	dir      string
	log      *syncBuffer
	exited   chan error
}

// Main is a TestMain body: it starts MinIO if $ROSTERLOAD_MINIO is set (storing it in *srv),
// points the process's AWS environment at it (Env), runs the tests and stops it. A MinIO that
// was asked for and does not start fails the package.
func Main(m *testing.M, srv **Server) int {
	bin := os.Getenv(EnvBinary)
	if bin == "" {
		return m.Run()
	}
	// MinIO dies with the thread that started it (procAttr): keep that thread for the tests.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, err := Start(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "miniotest:", err)
		return 1
	}
	*srv = s
	defer s.Stop()
	for k, v := range s.Env() {
		if v == "" {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, v)
		}
	}
	return m.Run()
}

// Need skips t when no server runs.
func Need(t testing.TB, s *Server) {
	t.Helper()
	if s == nil {
		t.Skip(SkipReason)
	}
}

// Start runs the MinIO binary bin on a free loopback port with a fresh data dir and waits
// until it serves requests.
func Start(bin string) (*Server, error) {
	var last error
	for range 3 { // the free port found may be taken before MinIO binds it: try another
		s, err := start(bin)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func start(bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rosterload-minio-*")
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, dir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+AccessKey,
		"MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_KMS_SECRET_KEY="+KMSKeyName+":"+base64.StdEncoding.EncodeToString(key),
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{Endpoint: "http://" + addr, cmd: cmd, dir: dir, log: log, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	hc := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.exited <- err
			return fmt.Errorf("minio exited before it was ready (%v): %s", err, strings.TrimSpace(s.log.String()))
		default:
		}
		resp, err := hc.Get(s.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("minio not ready after %s: %s", limit, strings.TrimSpace(s.log.String()))
}

// Stop ends the server and removes its data.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}

// Env is the environment a client of this server needs: credentials, region and endpoint.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":           AccessKey,
		"AWS_SECRET_ACCESS_KEY":       SecretKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_ENDPOINT_URL_S3":         s.Endpoint,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// Client returns a plain S3 client of the server, for setting up and checking what a test
// does (independent of the code under test).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
}

// Bucket creates a bucket (an existing one is fine).
func (s *Server) Bucket(ctx context.Context, name string) error {
	_, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name})
	if err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		return err
	}
	return nil
}

// NewBucket skips t when no server runs, else creates a bucket named after t and returns its
// name.
func NewBucket(t testing.TB, s *Server) string {
	t.Helper()
	Need(t, s)
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	if len(name) > 55 {
		name = name[:55]
	}
	name = strings.Trim(name, "-") + "-b"
	if err := s.Bucket(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return name
}

// Put writes an object.
func (s *Server) Put(ctx context.Context, bucket, key string, data []byte) error {
	_, err := s.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data)})
	return err
}

// PutFile writes a local file as an object.
func (s *Server) PutFile(ctx context.Context, bucket, key, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = s.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: f})
	return err
}

// Get reads an object whole.
func (s *Server) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := s.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(out.Body)
	return b.Bytes(), err
}

// syncBuffer is MinIO's output, written by exec's copier while a test may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
