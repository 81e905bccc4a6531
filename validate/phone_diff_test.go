package validate

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// phoneDiffRegions are the regions the differential test parses in: every region phonenumbers
// supports, then two it does not (a number with '+' still parses there).
func phoneDiffRegions() []string {
	var rs []string
	for r := range phonenumbers.GetSupportedRegions() {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	return append(rs, "ZZ", "AQ")
}

// phoneDiffSource is one metadata record to make numbers from: a region's, or a non-geographic
// calling code's (region "001").
type phoneDiffSource struct {
	region             string
	cc                 string
	trunk              string   // national prefix ("" when none)
	idds               []string // international prefixes to dial out of the region with
	examples           []string // national significant numbers from the metadata
	nonGeo, hasMetaIDD bool
}

func phoneDiffSources(t testing.TB) []phoneDiffSource {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	var out []phoneDiffSource
	for _, md := range coll.GetMetadata() {
		s := phoneDiffSource{
			region: md.GetId(),
			cc:     strconv.Itoa(int(md.GetCountryCode())),
			trunk:  md.GetNationalPrefix(),
			nonGeo: md.GetId() == "001",
			idds:   []string{"00", "011", "010", "0011", "810", "001", "119"},
		}
		if p := md.GetPreferredInternationalPrefix(); p != "" {
			s.idds = append(s.idds, strings.ReplaceAll(p, "~", ""))
		}
		if p := md.GetInternationalPrefix(); p != "" && allDigits(p) {
			s.idds = append(s.idds, p)
		}
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetFixedLine(), md.GetMobile(), md.GetTollFree(),
			md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(), md.GetPager(),
			md.GetUan(), md.GetVoicemail(), md.GetGeneralDesc(), md.GetNoInternationalDialling()} {
			if e := d.GetExampleNumber(); e != "" && allDigits(e) {
				s.examples = append(s.examples, e)
			}
		}
		if len(s.examples) == 0 {
			s.examples = []string{"123456789"}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b phoneDiffSource) int { return strings.Compare(a.region+a.cc, b.region+b.cc) })
	return out
}

// phoneDiffGen makes canon strings (what phoneNumber hands lookupPhone) and the region to read
// them in, from a metadata record and a random source.
type phoneDiffGen struct {
	r       *rand.Rand
	regions []string
}

func (g *phoneDiffGen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// nsn returns a national significant number near the source's examples: one as it is, with its
// last digits redrawn (usually still valid), or mutated (a digit changed, dropped or added,
// leading zeros).
func (g *phoneDiffGen) nsn(s *phoneDiffSource) string {
	n := s.examples[g.r.IntN(len(s.examples))]
	switch k := g.r.IntN(20); {
	case k < 4:
		return n
	case k < 13: // redraw up to the last 4 digits
		keep := max(len(n)-1-g.r.IntN(4), 1)
		return n[:keep] + g.digits(len(n)-keep)
	case k < 15: // one digit changed
		i := g.r.IntN(len(n))
		return n[:i] + g.digits(1) + n[i+1:]
	case k < 16: // too short
		return n[:max(len(n)-1-g.r.IntN(3), 0)]
	case k < 17: // too long
		return n + g.digits(1+g.r.IntN(3))
	case k < 18: // extra leading zeros
		return strings.Repeat("0", 1+g.r.IntN(2)) + n
	case k < 19: // random digits of a nearby length
		return g.digits(max(len(n)+g.r.IntN(5)-2, 1))
	default: // a digit dropped from the middle
		i := g.r.IntN(len(n))
		return n[:i] + n[i+1:]
	}
}

// next returns one (region, canon) pair written in one of the ways a roster writes numbers.
func (g *phoneDiffGen) next(s *phoneDiffSource) (region, canon string) {
	n := g.nsn(s)
	home := s.region
	if s.nonGeo || g.r.IntN(10) == 0 {
		home = g.regions[g.r.IntN(len(g.regions))] // read anywhere else
	}
	switch k := g.r.IntN(21); {
	case k < 5:
		return home, "+" + s.cc + n
	case k == 20: // a '+' before an international prefix: "+0044…"
		return home, "+" + s.idds[g.r.IntN(len(s.idds))] + s.cc + n
	case k < 8:
		return home, n
	case k < 11:
		return home, s.trunk + n
	case k < 13:
		return home, s.cc + n
	case k < 14:
		return home, s.cc + s.trunk + n
	case k < 15:
		return home, "+" + s.cc + s.trunk + n
	case k < 17:
		return home, s.idds[g.r.IntN(len(s.idds))] + s.cc + n
	case k < 18: // random digits, with or without a '+'
		d := g.digits(1 + g.r.IntN(20))
		if g.r.IntN(2) == 0 {
			d = "+" + d
		}
		return home, d
	case k < 19: // pluses where Parse must decide (doubled, inside)
		d := s.cc + n
		i := g.r.IntN(len(d) + 1)
		return home, "+" + d[:i] + "+" + d[i:]
	default: // short strings: the edges of Parse's length rules
		return home, g.digits(g.r.IntN(5)) + strings.Repeat("+", g.r.IntN(2))
	}
}

// TestPhoneFastMatchesPhonenumbers is the differential test of the fast path: over millions of
// numbers (200,000 with -short, 50,000 under -race) made from every metadata record of phonenumbers, in every
// supported region and the common ways of writing them, whenever fastPhone answers, parsePhone
// (phonenumbers itself) says the same number is valid with the same E.164 form. It also asserts
// that the fast path answers for the great majority of valid numbers.
func TestPhoneFastMatchesPhonenumbers(t *testing.T) {
	t.Parallel()
	total := 2_400_000
	switch {
	case phoneDiffRace:
		total = 50_000
	case testing.Short():
		total = 200_000
	}
	sources := phoneDiffSources(t)
	regions := phoneDiffRegions()
	const workers = 2
	var seen, fast, valid, validFast atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			g := &phoneDiffGen{r: rand.New(rand.NewPCG(12, uint64(w))), regions: regions}
			var n, nf, nv, nvf int64
			for i := w; i < total; i += workers {
				s := &sources[i%len(sources)]
				region, canon := g.next(s)
				want := parsePhone(region, canon)
				got, ok := fastPhone(region, canon)
				n++
				if want.status == phoneValid {
					nv++
				}
				if !ok {
					continue
				}
				nf++
				if want.status == phoneValid {
					nvf++
				}
				if want.status != phoneValid || want.e164 != got {
					mu.Lock()
					if len(failures) < 20 {
						failures = append(failures, region+" "+canon+": fast "+got+", phonenumbers "+want.e164+" status "+strconv.Itoa(int(want.status)))
					}
					mu.Unlock()
				}
			}
			seen.Add(n)
			fast.Add(nf)
			valid.Add(nv)
			validFast.Add(nvf)
		})
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("%d numbers in %d regions from %d metadata records: %d valid per phonenumbers, %d proved valid by the fast path (%.1f%% of the valid ones)",
		seen.Load(), len(regions), len(sources), valid.Load(), validFast.Load(), 100*float64(validFast.Load())/float64(valid.Load()))
	if fast.Load() != validFast.Load() {
		t.Errorf("the fast path answered %d times, for %d valid numbers", fast.Load(), validFast.Load())
	}
	if validFast.Load()*10 < valid.Load()*9 {
		t.Errorf("the fast path proved only %d of %d valid numbers: fewer than 90%%", validFast.Load(), valid.Load())
	}
}

// TestPhoneFastCompilesEveryRecord: every metadata record of the library compiles to automata,
// so no region is left to the slow path for good (a library upgrade that adds a pattern the
// compiler refuses shows here first). It also bounds the automata's size.
func TestPhoneFastCompilesEveryRecord(t *testing.T) {
	t.Parallel()
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	states := 0
	for _, md := range coll.GetMetadata() {
		t.Run(md.GetId()+"-"+strconv.Itoa(int(md.GetCountryCode())), func(t *testing.T) {
			m := compileMeta(md)
			if m == nil {
				t.Fatal("not compiled")
			}
			for _, d := range append([]numberDesc{m.general, m.fixed, m.mobile}, m.others...) {
				states += len(d.pattern.accept)
			}
		})
	}
	t.Logf("%d metadata records, %d automaton states for their number patterns", len(coll.GetMetadata()), states)
}
