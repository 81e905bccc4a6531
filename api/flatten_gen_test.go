package api

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// roots are the request types with a generated walk (the go:generate line in flatten.go).
var roots = []reflect.Type{
	reflect.TypeFor[CustomerProfileRequest](),
	reflect.TypeFor[IndividualCustomer](),
	reflect.TypeFor[BusinessCustomer](),
}

// filler makes values of any type from a stream of choices, so that the same stream makes the
// same value: a seeded generator for the tests, the fuzzer's bytes for the fuzz target.
type filler struct{ next func() byte }

// texts are the strings a filler picks from: empty (left out by Flatten), short, long, unicode,
// and a few that look like paths.
var texts = []string{"", "", "a", "ELIGIBLE", "Łódź", "4111111111111111", "x.y", "[0]", " ", strings.Repeat("z", 40)}

func (f filler) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if f.next()%3 != 0 {
			v.Set(reflect.New(v.Type().Elem()))
			f.fill(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	case reflect.Slice:
		n := int(f.next() % 5) // 0..3 items, or nil
		if n == 4 {
			return
		}
		if f.next()%16 == 0 {
			n = 15 + int(f.next()%5) // beyond the items whose paths are made once
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			f.fill(v.Index(i))
		}
	case reflect.Map:
		n := int(f.next() % 6) // 0..4 keys, or nil
		if n == 5 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range n {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		v.SetString(texts[int(f.next())%len(texts)])
	case reflect.Bool:
		v.SetBool(f.next()%2 == 1)
	default:
		panic("filler: no values for " + v.Type().String())
	}
}

// seeded is a filler drawing from a fixed seed.
func seeded(seed uint64) filler {
	r := rand.New(rand.NewPCG(seed, 12))
	return filler{next: func() byte { return byte(r.Uint32()) }}
}

// fromBytes is a filler drawing from b, then zeros.
func fromBytes(b []byte) filler {
	return filler{next: func() byte {
		if len(b) == 0 {
			return 0
		}
		c := b[0]
		b = b[1:]
		return c
	}}
}

func sequence(walk func(any, func(path, value string)), req any) []string {
	var out []string
	walk(req, func(path, value string) { out = append(out, path, value) })
	return out
}

// checkSame fails unless the generated walk of req, by pointer and by value, yields what the
// reflective walk does.
func checkSame(t *testing.T, ptr reflect.Value) {
	t.Helper()
	for _, req := range []any{ptr.Interface(), ptr.Elem().Interface()} {
		want := sequence(flattenReflect, req)
		var got []string
		if !flattenGenerated(req, func(path, value string) { got = append(got, path, value) }) {
			t.Fatalf("%T has no generated walk", req)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%T: generated walk\n%q\nreflective walk\n%q", req, got, want)
		}
	}
}

// The generated walks yield exactly what the reflective walk yields, for many random requests:
// nil and set pointers, empty and set strings, lists of 0 to 3 items (and some beyond the paths
// made once), nil, empty and filled maps.
func TestFlattenGeneratedMatchesReflective(t *testing.T) {
	t.Parallel()
	for _, typ := range roots {
		t.Run(typ.Name(), func(t *testing.T) {
			t.Parallel()
			leaves := 0
			for seed := range uint64(3000) {
				v := reflect.New(typ)
				seeded(seed).fill(v.Elem())
				checkSame(t, v)
				leaves += len(sequence(flattenReflect, v.Interface())) / 2
			}
			if leaves < 3000*10 {
				t.Errorf("%d leaves in 3000 requests: the filler leaves them nearly empty", leaves)
			}
			var none []string
			if !flattenGenerated(reflect.Zero(reflect.PointerTo(typ)).Interface(), func(path, value string) { none = append(none, path) }) || none != nil {
				t.Errorf("a nil *%s: handled, yielding %q; want handled, yielding nothing", typ.Name(), none)
			}
		})
	}
	t.Run("other types", func(t *testing.T) {
		t.Parallel()
		for _, req := range []any{odd{}, &Phone{Number: "1"}, []Address{{Type: "MAILING"}}} {
			if flattenGenerated(req, func(string, string) {}) {
				t.Errorf("%T: walked by generated code, want the reflective walk", req)
			}
		}
	})
}

func FuzzFlattenGenerated(f *testing.F) {
	for seed := range uint64(8) {
		r, b := rand.New(rand.NewPCG(seed, 1)), make([]byte, 512)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		f.Add(uint8(seed), b)
	}
	f.Fuzz(func(t *testing.T, root uint8, choices []byte) {
		v := reflect.New(roots[int(root)%len(roots)])
		fromBytes(choices).fill(v.Elem())
		checkSame(t, v)
	})
}

// BenchmarkFlattenReflect is BenchmarkFlatten by the reflective walk, to compare them in one run.
func BenchmarkFlattenReflect(b *testing.B) { benchWalk(b, flattenReflect) }
