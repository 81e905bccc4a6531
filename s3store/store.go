// Package s3store reads rosters from S3 and writes reports and state to it: s3:// URLs in;
// object streams, size-capped private temp copies and uploads (with server-side encryption)
// out; every failure a one-line *Error naming the URL and the cause, in bounded time.
//
// Credentials and region come from the SDK's default chain (environment, shared config and
// credentials files, SSO, web identity, ECS and EC2 roles); the endpoint from --s3-endpoint,
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, and an S3-compatible store found that way is
// addressed path-style, which is what MinIO, Ceph and the like serve.
package s3store

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"
)

// DefaultSetupTimeout is the default of Options.SetupTimeout: well within the 30 s a nightly job
// may spend learning that its endpoint is down.
const DefaultSetupTimeout = 25 * time.Second

// Time bounds. An endpoint that refuses connections fails within a few seconds (three
// attempts, backoff capped at maxBackoff); one that accepts and never answers within the setup
// timeout, whatever the retry settings, since the whole call runs under it.
const (
	dialTimeout     = 5 * time.Second
	headerTimeout   = 20 * time.Second // from a request sent to its response's headers
	maxBackoff      = 2 * time.Second
	defaultRegion   = "us-east-1" // for an S3-compatible endpoint with no region configured
	uploadPartSize  = 8 << 20
	uploadPartsOnce = 4
)

// SSE values for Options.SSE.
const (
	SSEAES256 = string(types.ServerSideEncryptionAes256) // SSE-S3
	SSEKMS    = string(types.ServerSideEncryptionAwsKms) // SSE-KMS
)

// Options configures a Store.
type Options struct {
	// Endpoint is an S3-compatible store's URL (--s3-endpoint); "" lets the SDK resolve it
	// (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS S3 in the configured region).
	Endpoint string
	// SSE is the server-side encryption requested on uploads: "", SSEAES256 or SSEKMS.
	SSE string
	// KMSKeyID is the KMS key for SSEKMS; "" is the bucket's default (or aws/s3).
	KMSKeyID string
	// TempDir holds downloaded copies; "" is os.TempDir().
	TempDir string
	// SetupTimeout bounds a call up to the first byte of its answer, retries included; 0 is
	// DefaultSetupTimeout. A stream, once started, runs as long as its reader reads.
	SetupTimeout time.Duration
}

// Check reports a bad combination of options as one line (errors.Is ErrConfig).
func (o Options) Check() error {
	switch o.SSE {
	case "", SSEAES256, SSEKMS:
	default:
		return configErrorf("--s3-sse %q: want %s or %s", o.SSE, SSEAES256, SSEKMS)
	}
	if o.KMSKeyID != "" && o.SSE != SSEKMS {
		return configErrorf("--s3-kms-key-id needs --s3-sse %s", SSEKMS)
	}
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return configErrorf("--s3-endpoint %q: want a URL such as https://s3.example.com or http://127.0.0.1:9000", o.Endpoint)
		}
	}
	return nil
}

// Store is an S3 client configured once for a run. It is safe for concurrent use.
type Store struct {
	opts     Options
	cfg      aws.Config
	endpoint string // the endpoint as the user set it, "" for AWS
	custom   bool   // an S3-compatible endpoint: path-style, default region

	mu      sync.Mutex
	clients map[string]*s3.Client // by region
	regions map[string]string     // bucket -> region, when none is configured
}

// New loads the SDK's default configuration (credentials are fetched at the first request,
// not here) and returns a Store. Bad options or no usable configuration are ErrConfig.
func New(ctx context.Context, opts Options) (*Store, error) {
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if opts.SetupTimeout <= 0 {
		opts.SetupTimeout = DefaultSetupTimeout
	}
	hc := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = dialTimeout
			t.ResponseHeaderTimeout = min(headerTimeout, opts.SetupTimeout)
		})
	// The SDK's own log lines (an IMDS fallback, a skipped checksum) would break the one-line
	// error contract on stderr; what matters reaches the caller as an error.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithHTTPClient(hc), config.WithLogger(logging.Nop{}))
	if err != nil {
		return nil, fmt.Errorf("%w: AWS configuration: %s", ErrConfig, firstLine(err.Error()))
	}
	s := &Store{opts: opts, cfg: cfg, clients: map[string]*s3.Client{}, regions: map[string]string{}}
	s.endpoint = opts.Endpoint
	if s.endpoint == "" {
		s.endpoint = firstNonEmpty(os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"), aws.ToString(cfg.BaseEndpoint))
	}
	s.custom = s.endpoint != ""
	if s.cfg.Region == "" && s.custom {
		s.cfg.Region = defaultRegion
	}
	return s, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// endpointName names the endpoint in messages.
func (s *Store) endpointName() string {
	if s.endpoint != "" {
		return strings.TrimSuffix(s.endpoint, "/")
	}
	if s.cfg.Region != "" {
		return "s3." + s.cfg.Region + ".amazonaws.com"
	}
	return "s3.amazonaws.com"
}

// client returns the client for bucket's region: the configured one, else the bucket's own,
// asked of S3 once (as the AWS CLI does when no region is set).
func (s *Store) client(ctx context.Context, bucket string) (*s3.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	region := s.cfg.Region
	if region == "" {
		region = s.regions[bucket]
	}
	if region == "" {
		probe := s.newClient(defaultRegion)
		pctx, cancel := s.bounded(ctx)
		r, err := manager.GetBucketRegion(pctx, probe, bucket)
		cancel()
		if err != nil {
			return nil, err
		}
		s.regions[bucket] = r
		region = r
	}
	if c, ok := s.clients[region]; ok {
		return c, nil
	}
	c := s.newClient(region)
	s.clients[region] = c
	return c, nil
}

func (s *Store) newClient(region string) *s3.Client {
	return s3.NewFromConfig(s.cfg, func(o *s3.Options) {
		o.Region = region
		// Keep the user's AWS_MAX_ATTEMPTS / retry mode, with a short backoff: a nightly job
		// should fail in seconds, not minutes, when the endpoint is down.
		o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, maxBackoff)
		if s.opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(s.opts.Endpoint)
		}
		if s.custom {
			o.UsePathStyle = true
		}
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// SSE returns the server-side encryption uploads request ("" for none).
func (s *Store) SSE() string { return s.opts.SSE }
