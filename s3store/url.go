package s3store

import (
	"fmt"
	"strings"
)

// Scheme is how an S3 location starts.
const Scheme = "s3://"

// URL is an S3 location: a bucket and a key, or a prefix when the key is empty or ends in "/".
type URL struct {
	Bucket string
	Key    string
}

// IsURL reports whether s names an S3 location rather than a local path.
func IsURL(s string) bool {
	return len(s) >= len(Scheme) && strings.EqualFold(s[:len(Scheme)], Scheme)
}

// ParseURL parses "s3://bucket/key"; its errors wrap ErrURL. The key is taken literally (no percent-decoding), as the AWS
// CLI takes it; an empty key or one ending in "/" is a prefix.
func ParseURL(s string) (URL, error) {
	if !IsURL(s) {
		return URL{}, urlErrorf("%q is not an S3 URL: want s3://bucket/key", s)
	}
	rest := s[len(Scheme):]
	bucket, key, _ := strings.Cut(rest, "/")
	if err := checkBucket(bucket); err != nil {
		return URL{}, urlErrorf("%q: %v", s, err)
	}
	return URL{Bucket: bucket, Key: key}, nil
}

// checkBucket accepts the names S3 has ever allowed (legacy us-east-1 names may hold capitals and
// underscores) and refuses what would make a malformed request.
func checkBucket(b string) error {
	if len(b) < 3 || len(b) > 255 {
		return fmt.Errorf("bucket name %q must have 3 to 63 characters", b)
	}
	for _, r := range b {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return fmt.Errorf("bucket name %q has a character S3 does not allow (%q)", b, r)
		}
	}
	return nil
}

// IsPrefix reports whether u names a prefix (a "folder") rather than one object.
func (u URL) IsPrefix() bool { return u.Key == "" || strings.HasSuffix(u.Key, "/") }

// Base returns the last element of the key: "roster.csv" for s3://b/client/roster.csv.
func (u URL) Base() string {
	k := strings.TrimSuffix(u.Key, "/")
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		return k[i+1:]
	}
	return k
}

// Join returns the object named name under the prefix u.
func (u URL) Join(name string) URL {
	k := u.Key
	if k != "" && !strings.HasSuffix(k, "/") {
		k += "/"
	}
	return URL{Bucket: u.Bucket, Key: k + name}
}

func (u URL) String() string { return Scheme + u.Bucket + "/" + u.Key }
