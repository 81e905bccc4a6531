package s3store

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// ErrS3 is what every *Error wraps, so that a caller can tell "S3 said no" (exit 2) from the rest.
var ErrS3 = errors.New("S3 request failed")

// ErrConfig is what the errors of Check and New wrap: the options or the AWS configuration are
// wrong, before any request.
var ErrConfig = errors.New("configuration error")

// ErrURL is what ParseURL's errors wrap: an argument that is not an s3:// URL S3 could serve.
var ErrURL = errors.New("bad S3 URL")

// mistake is an option or argument refused before any request, said in its own words (it
// names the flag or the URL), of a kind callers branch on.
type mistake struct {
	msg  string
	kind error // ErrConfig or ErrURL
}

func (e *mistake) Error() string { return e.msg }
func (e *mistake) Unwrap() error { return e.kind }

func configErrorf(format string, args ...any) error {
	return &mistake{msg: fmt.Sprintf(format, args...), kind: ErrConfig}
}

func urlErrorf(format string, args ...any) error {
	return &mistake{msg: fmt.Sprintf(format, args...), kind: ErrURL}
}

// What went wrong, for callers that branch on it; an *Error wraps at most one of them.
var (
	ErrNotFound    = errors.New("no such object")
	ErrNoBucket    = errors.New("no such bucket")
	ErrDenied      = errors.New("access denied")
	ErrCredentials = errors.New("credentials refused or missing")
	ErrUnreachable = errors.New("endpoint unreachable")
	ErrChanged     = errors.New("object changed")
	ErrTooLarge    = errors.New("object too large")
)

// Error is a failed S3 operation in one line: what was done, to which URL, and why in words a
// person can act on. The SDK's error is kept for errors.Is/As but never printed: it is long and
// repeats the request.
type Error struct {
	Op     string // "read", "list", "write", "check"
	URL    string
	Reason string
	Kind   error // one of ErrNotFound, ErrNoBucket, ErrDenied, ErrCredentials, ErrUnreachable, ErrChanged, ErrTooLarge, or nil
	Err    error // the cause, as the SDK gave it
}

func (e *Error) Error() string { return e.Op + " " + e.URL + ": " + e.Reason }

func (e *Error) Unwrap() []error {
	out := []error{ErrS3}
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// fail classifies err, an SDK error from op on u, as an *Error.
func (s *Store) fail(op string, u URL, err error) error {
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	kind, reason := classify(err, s.endpointName())
	return &Error{Op: op, URL: u.String(), Reason: reason, Kind: kind, Err: err}
}

// classify turns an SDK error into a sentinel and a one-line reason.
func classify(err error, endpoint string) (error, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return classifyAPI(err, ae)
	}
	if k, r, ok := classifyCredentials(err); ok {
		return k, r
	}
	switch {
	case errors.Is(err, context.Canceled):
		return nil, "interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return ErrUnreachable, "no answer from the S3 endpoint " + endpoint + " in time"
	}
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	if errors.As(err, &cve) || errors.As(err, &uae) {
		return ErrUnreachable, "the S3 endpoint " + endpoint + " presented a TLS certificate that is not trusted"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return ErrUnreachable, fmt.Sprintf("cannot resolve the S3 endpoint's host %s", dns.Name)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrUnreachable, "no answer from the S3 endpoint " + endpoint + " in time"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		why := "network error"
		if op.Err != nil {
			why = op.Err.Error()
		}
		return ErrUnreachable, "cannot reach the S3 endpoint " + endpoint + ": " + why
	}
	if status := httpStatus(err); status != 0 {
		return classifyStatus(status, "")
	}
	// Not one of ours to explain: the SDK's own message, first line only.
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		msg = msg[i+2:] // the innermost cause; the outer layers repeat the operation
	}
	return nil, firstLine(msg)
}

// classifyAPI explains an error S3 answered with.
func classifyAPI(err error, ae smithy.APIError) (error, string) {
	code := ae.ErrorCode()
	switch code {
	case "NoSuchKey", "NotFound":
		return ErrNotFound, "no such object"
	case "NoSuchBucket":
		return ErrNoBucket, "no such bucket"
	case "AccessDenied", "Forbidden", "AllAccessDisabled", "AccountProblem":
		return ErrDenied, "access denied (check the IAM policy of these credentials for this bucket and key)"
	case "InvalidAccessKeyId":
		return ErrCredentials, "the access key id is not known to the store (InvalidAccessKeyId): check AWS_ACCESS_KEY_ID or the profile"
	case "SignatureDoesNotMatch":
		return ErrCredentials, "the secret key does not match the access key id (SignatureDoesNotMatch): check AWS_SECRET_ACCESS_KEY or the profile"
	case "ExpiredToken", "TokenRefreshRequired", "InvalidToken", "ExpiredTokenException":
		return ErrCredentials, "the session token has expired or is invalid (" + code + "): refresh the credentials"
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		where := "another region"
		if r := bucketRegion(err); r != "" {
			where = "region " + r
		}
		return nil, "the bucket is in " + where + ": set AWS_REGION to it"
	case "PreconditionFailed":
		return ErrChanged, "the object was replaced while it was being opened; run again"
	case "InvalidBucketName":
		return ErrNoBucket, "not a valid bucket name"
	case "KMS.NotFoundException", "KMS.DisabledException", "KMS.AccessDeniedException", "KMS.KMSInvalidStateException", "KMSNotFound", "KMSKeyNotFoundException":
		return ErrDenied, "the KMS key cannot be used (" + code + "): check --s3-kms-key-id and the key's policy"
	case "InvalidArgument", "InvalidEncryptionAlgorithmError", "NotImplemented":
		return nil, "the store refused the request (" + code + ": " + firstLine(ae.ErrorMessage()) + ")"
	case "RequestTimeTooSkewed":
		return nil, "this machine's clock is too far from the store's (RequestTimeTooSkewed)"
	}
	if status := httpStatus(err); status != 0 {
		if k, r := classifyStatus(status, code); k != nil {
			return k, r
		}
	}
	msg := firstLine(ae.ErrorMessage())
	if msg == "" {
		return nil, "S3 answered " + code
	}
	return nil, "S3 answered " + code + ": " + msg
}

func classifyStatus(status int, code string) (error, string) {
	switch status {
	case http.StatusNotFound:
		return ErrNotFound, "no such object"
	case http.StatusForbidden:
		return ErrDenied, "access denied (or the credentials are wrong)"
	}
	if code == "" {
		return nil, fmt.Sprintf("S3 answered HTTP %d", status)
	}
	return nil, ""
}

// classifyCredentials recognises "no credentials could be found": the SDK reports it as a
// signing failure with the credential chain's message, which lists every provider it tried.
func classifyCredentials(err error) (error, string, bool) {
	msg := err.Error()
	for _, s := range []string{"failed to retrieve credentials", "failed to refresh cached credentials", "get identity", "no EC2 IMDS role found"} {
		if strings.Contains(msg, s) {
			return ErrCredentials, "no usable AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or give the job an IAM role", true
		}
	}
	return nil, "", false
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func bucketRegion(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
