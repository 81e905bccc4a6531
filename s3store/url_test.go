package s3store

import "testing"

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in     string
		bucket, key  string
		prefix       bool
		base, joined string
		bad          bool
	}{
		{name: "object", in: "s3://rosters/client/roster.csv", bucket: "rosters", key: "client/roster.csv", base: "roster.csv", joined: "s3://rosters/client/roster.csv/x"},
		{name: "prefix", in: "s3://rosters/client/incoming/", bucket: "rosters", key: "client/incoming/", prefix: true, base: "incoming", joined: "s3://rosters/client/incoming/x"},
		{name: "bucket root", in: "s3://rosters", bucket: "rosters", key: "", prefix: true, base: "", joined: "s3://rosters/x"},
		{name: "bucket root slash", in: "s3://rosters/", bucket: "rosters", key: "", prefix: true, base: "", joined: "s3://rosters/x"},
		{name: "upper-case scheme", in: "S3://rosters/a.csv", bucket: "rosters", key: "a.csv", base: "a.csv", joined: "s3://rosters/a.csv/x"},
		{name: "key kept literally", in: "s3://rosters/a%20b?.csv", bucket: "rosters", key: "a%20b?.csv", base: "a%20b?.csv", joined: "s3://rosters/a%20b?.csv/x"},
		{name: "no bucket", in: "s3:///key", bad: true},
		{name: "short bucket", in: "s3://ab/key", bad: true},
		{name: "bad character", in: "s3://ro sters/key", bad: true},
		{name: "not s3", in: "/tmp/roster.csv", bad: true},
		{name: "other scheme", in: "gs://rosters/a.csv", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := ParseURL(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseURL(%q) = %+v, want an error", tt.in, u)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Bucket != tt.bucket || u.Key != tt.key || u.IsPrefix() != tt.prefix || u.Base() != tt.base {
				t.Errorf("ParseURL(%q) = %+v prefix %v base %q; want %q %q %v %q", tt.in, u, u.IsPrefix(), u.Base(), tt.bucket, tt.key, tt.prefix, tt.base)
			}
			if got := u.Join("x").String(); got != tt.joined {
				t.Errorf("Join = %s, want %s", got, tt.joined)
			}
			if again, err := ParseURL(u.String()); err != nil || again != u {
				t.Errorf("String() %q does not parse back: %+v %v", u.String(), again, err)
			}
		})
	}
}

func TestOptionsCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    Options
		ok   bool
	}{
		{"none", Options{}, true},
		{"aes", Options{SSE: "AES256"}, true},
		{"kms with key", Options{SSE: "aws:kms", KMSKeyID: "k"}, true},
		{"kms key without kms", Options{SSE: "AES256", KMSKeyID: "k"}, false},
		{"unknown sse", Options{SSE: "aes256"}, false},
		{"endpoint", Options{Endpoint: "http://127.0.0.1:9000"}, true},
		{"endpoint without scheme", Options{Endpoint: "127.0.0.1:9000"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.o.Check(); (err == nil) != tt.ok {
				t.Errorf("Check() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// FuzzParseURL: any argument parses or is refused without a panic, and what parses prints back
// as itself (modulo the scheme's case and a bucket root's slash).
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"s3://b-1/k", "s3://bucket/", "S3://Bucket/a/b/", "s3://", "s3:///x", "s3://a.b-c_d/%zz?x#y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		again, err := ParseURL(u.String())
		if err != nil || again != u {
			t.Fatalf("%q parsed as %+v prints as %q, which parses as %+v, %v", s, u, u.String(), again, err)
		}
		_ = u.IsPrefix()
		_ = u.Base()
	})
}
