package validate

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rosterload/rosterload/api"
)

func TestPhone(t *testing.T) {
	t.Parallel()
	const field = "customerData.primaryPhoneNumber.number"
	v := newV(t)
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.CustomerData.PrimaryPhoneNumber.Number = s },
		func(r *api.CustomerProfileRequest) string { return r.CustomerData.PrimaryPhoneNumber.Number })
	runField(t, field, run, []fieldCase{
		{name: "E.164 kept", in: "+14155552671", want: "+14155552671"},
		{name: "US national with punctuation", in: "(415) 555-2671", want: "+14155552671"},
		{name: "US with trunk 1 and dashes", in: "1-415-555-2671", want: "+14155552671"},
		{name: "dots and spaces trimmed", in: "  415.555.2671 ", want: "+14155552671"},
		{name: "international with spaces", in: "+44 20 7946 0018", want: "+442079460018"},
		{name: "region from row country alpha-2", in: "020 7946 0018", country: "GB", want: "+442079460018"},
		{name: "region from row country name", in: "020 7946 0018", country: "United Kingdom", want: "+442079460018"},
		{name: "region from row country alias", in: "020 7946 0018", country: "UK", want: "+442079460018"},
		{name: "national UK number in default US region", in: "020 7946 0018", code: CodeInvalidPhone},
		{name: "short local number is possible but not valid", in: "555-1234", code: CodeInvalidPhone},
		{name: "unassigned area code", in: "+1 123 555 2671", code: CodeInvalidPhone},
		{name: "too long", in: "415555267112345", code: CodeInvalidPhone},
		{name: "excel scientific notation", in: "4.16E+09", code: CodeInvalidPhone},
		{name: "excel scientific notation short exponent", in: "4.15555E+9", code: CodeInvalidPhone},
		{name: "letters", in: "call reception", code: CodeInvalidPhone},
		{name: "vanity letters are not taken", in: "1-800-FLOWERS", code: CodeInvalidPhone},
		{name: "plus in the middle", in: "1+4155552671", code: CodeInvalidPhone},
		{name: "only separators", in: "--", code: CodeInvalidPhone},
		{name: "absurdly long", in: strings.Repeat("1", 40), code: CodeInvalidPhone},
		{name: "empty", in: "   ", code: CodeRequired},
		{name: "extension x moved", in: "415-555-2671 x123", want: "+14155552671", warn: WarnPhoneNormalised},
		{name: "extension ext. moved", in: "(415) 555-2671 ext. 12", want: "+14155552671", warn: WarnPhoneNormalised},
		{name: "extension word moved", in: "4155552671 Extension 7", want: "+14155552671", warn: WarnPhoneNormalised},
		{name: "extension hash moved", in: "4155552671#45", want: "+14155552671", warn: WarnPhoneNormalised},
	})
}

func TestPhoneDefaultCountry(t *testing.T) {
	t.Parallel()
	const field = "customerData.primaryPhoneNumber.number"
	v := newV(t, func(o *Options) { o.DefaultCountry = "DEU" })
	run := ewaRunner(v,
		func(r *api.CustomerProfileRequest, s string) { r.CustomerData.PrimaryPhoneNumber.Number = s },
		func(r *api.CustomerProfileRequest) string { return r.CustomerData.PrimaryPhoneNumber.Number })
	runField(t, field, run, []fieldCase{
		{name: "default country is the region", in: "030 1234567", want: "+49301234567"},
		{name: "row country beats default", in: "(415) 555-2671", country: "USA", want: "+14155552671"},
		{name: "unknown row country falls back to default", in: "030 1234567", country: "Narnia", want: "+49301234567"},
		{name: "a number without country code is read in the default region", in: "(415) 555-2671", want: "+494155552671"},
		{name: "short number invalid in default region", in: "12", code: CodeInvalidPhone},
	})
}

func TestPhoneMessages(t *testing.T) {
	t.Parallel()
	v := newV(t)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"too short names the region", "555-1234", "phone number 555-1234 is too short to be valid for US"},
		{"scientific notation says digits were lost", "4.16E+09", "scientific notation"},
		{"scientific notation says digits were lost 2", "4.16E+09", "digits were lost"},
		{"letters", "call me", "letters or symbols"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := validEWA()
			r.CustomerData.PrimaryPhoneNumber.Number = tc.in
			res := v.EWA(r, Hint{})
			p, ok := findProblem(res.Errors, "customerData.primaryPhoneNumber.number", CodeInvalidPhone)
			if !ok || !strings.Contains(p.Message, tc.want) {
				t.Errorf("message %q does not say %q\n%s", p.Message, tc.want, describe(res.Errors))
			}
		})
	}
}

func TestPhoneExtension(t *testing.T) {
	t.Parallel()
	v := newV(t)
	for _, tc := range []struct {
		name      string
		number    string
		ext       string
		wantNum   string
		wantExt   string
		wantErrs  []string
		wantWarns []string
	}{
		{name: "moved into empty field", number: "415-555-2671 x123", wantNum: "+14155552671", wantExt: "123",
			wantWarns: []string{"customerData.primaryPhoneNumber.number phone_normalised"}},
		{name: "same as the field: dropped quietly", number: "415-555-2671 x123", ext: "123", wantNum: "+14155552671", wantExt: "123"},
		{name: "field is trimmed", number: "4155552671", ext: " 55 ", wantNum: "+14155552671", wantExt: "55"},
		{name: "conflicts with the field", number: "415-555-2671 x123", ext: "9", wantNum: "415-555-2671 x123", wantExt: "9",
			wantErrs: []string{"customerData.primaryPhoneNumber.number invalid_phone"}},
		{name: "moved extension too long for an individual", number: "4155552671 x12345678901", wantNum: "+14155552671", wantExt: "12345678901",
			wantErrs:  []string{"customerData.primaryPhoneNumber.extension too_long"},
			wantWarns: []string{"customerData.primaryPhoneNumber.number phone_normalised"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := validEWA()
			ph := r.CustomerData.PrimaryPhoneNumber
			ph.Number, ph.Extension = tc.number, tc.ext
			res := v.EWA(r, Hint{})
			expectProblems(t, "errors", res.Errors, tc.wantErrs)
			expectProblems(t, "warnings", res.Warnings, tc.wantWarns)
			if ph.Number != tc.wantNum || ph.Extension != tc.wantExt {
				t.Errorf("number, extension = %q, %q; want %q, %q", ph.Number, ph.Extension, tc.wantNum, tc.wantExt)
			}
		})
	}
}

// TestPhoneCache checks that the cache never changes a result: each input gives what an uncached
// parse gives, the first time and on a hit, in every region.
func TestPhoneCache(t *testing.T) {
	t.Parallel()
	cached := newV(t)
	uncached := newV(t)
	uncached.phones = nil
	inputs := []string{"+14155552671", "4155552671", "(415) 555-2671", "020 7946 0018", "02079460018", "555-1234", "030 1234567", "+1 123 555 2671", "4155552671 x9"}
	for _, region := range []string{"USA", "GBR", "DEU", "CAN"} {
		for _, in := range inputs {
			t.Run(region+"/"+in, func(t *testing.T) {
				t.Parallel()
				want := phoneOutcome(uncached, in, region)
				for pass := range 3 { // miss, then hits
					if got := phoneOutcome(cached, in, region); got != want {
						t.Fatalf("pass %d: cached %q, uncached %q", pass, got, want)
					}
				}
			})
		}
	}
}

// phoneOutcome is everything validation says about one number, as one comparable string.
func phoneOutcome(v *Validator, number, country string) string {
	r := validEWA()
	r.CustomerData.PrimaryPhoneNumber.Number = number
	res := v.EWA(r, Hint{Country: country})
	return fmt.Sprintf("%s|%s|%v|%v", r.CustomerData.PrimaryPhoneNumber.Number, r.CustomerData.PrimaryPhoneNumber.Extension, res.Errors, res.Warnings)
}

func TestPhoneCacheRegionsDoNotMix(t *testing.T) {
	t.Parallel()
	v := newV(t)
	// The same digits are a valid UK number in GB and nothing in the US: the region is part of the key.
	if got := phoneOutcome(v, "02079460018", "GBR"); !strings.HasPrefix(got, "+442079460018|") {
		t.Fatalf("GB: %s", got)
	}
	r := validEWA()
	r.CustomerData.PrimaryPhoneNumber.Number = "02079460018"
	if res := v.EWA(r, Hint{Country: "USA"}); res.Valid() {
		t.Fatalf("US region took a UK national number from the cache: %q", r.CustomerData.PrimaryPhoneNumber.Number)
	}
}

func TestPhoneCacheBounded(t *testing.T) {
	t.Parallel()
	pc := newPhoneCache()
	limit := 2 * phoneShards * phoneShardCap
	for i := range limit + 5000 {
		k := phoneKey{"US", fmt.Sprintf("+1415%07d", i)}
		sh := &pc.shards[i%phoneShards]
		sh.put(k, phoneResult{e164: k.canon})
		if r, ok := sh.get(k.region, k.canon); !ok || r.e164 != k.canon {
			t.Fatalf("entry %d not found right after put", i)
		}
	}
	if n := pc.len(); n > limit {
		t.Fatalf("cache holds %d entries, limit %d", n, limit)
	}
}

func TestPhoneCacheConcurrent(t *testing.T) {
	t.Parallel()
	v := newV(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				n := fmt.Sprintf("(415) 555-%04d", 2600+(i+g)%50)
				if r := v.lookupPhone("US", "1"+n[1:4]+n[6:9]+n[10:]); r.status != phoneValid {
					t.Errorf("%s: status %d", n, r.status)
					return
				}
				// An unassigned area code: the fast path declines, phonenumbers answers through
				// the cache, which the goroutines then share.
				if r := v.lookupPhone("US", "1123555"+n[10:]); r.status == phoneValid {
					t.Errorf("1123555%s: valid", n[10:])
					return
				}
			}
		}()
	}
	wg.Wait()
	if v.phones.len() == 0 {
		t.Error("the invalid numbers did not reach the cache")
	}
}

func TestBusinessPrimaryPhone(t *testing.T) {
	t.Parallel()
	v := newV(t)
	run := businessRunner(v,
		func(b *api.BusinessCustomer, s string) { b.PrimaryPhone = s },
		func(b *api.BusinessCustomer) string { return b.PrimaryPhone })
	runField(t, "primaryPhone", run, []fieldCase{
		{name: "national to E.164", in: "415 555 2671", want: "+14155552671"},
		{name: "empty is omitted", in: " ", want: ""},
		{name: "extension has nowhere to go", in: "415 555 2671 x12", code: CodeInvalidPhone},
		{name: "not valid", in: "555-1234", code: CodeInvalidPhone},
		{name: "scientific notation", in: "4.16E+09", code: CodeInvalidPhone},
	})
}
