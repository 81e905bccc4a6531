package api

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// fill sets v from r: every kind Wide holds, nil or set, empty or not.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(r, v.Elem())
		}
	case reflect.Interface:
		switch r.IntN(3) {
		case 1:
			v.Set(reflect.ValueOf(&Leaf{Name: "in any"}))
		case 2:
			v.Set(reflect.ValueOf(Count(r.IntN(100))))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() || v.Type().Field(i).Anonymous {
				fill(r, v.Field(i))
			}
		}
	case reflect.Slice:
		if n := r.IntN(5); n < 4 {
			if r.IntN(8) == 0 {
				n = 16 + r.IntN(3)
			}
			v.Set(reflect.MakeSlice(v.Type(), n, n))
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			fill(r, v.Index(i))
		}
	case reflect.Map:
		if n := r.IntN(4); n < 3 {
			v.Set(reflect.MakeMap(v.Type()))
			for range n {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(r, k)
				fill(r, e)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.String:
		v.SetString([]string{"", "a", "b", "Ünï"}[r.IntN(4)])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int16:
		v.SetInt(r.Int64N(2000) - 1000)
	case reflect.Uint64, reflect.Uintptr:
		v.SetUint(r.Uint64() >> r.IntN(64))
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 0.1, -3, 1e21, 1.0 / 3}[r.IntN(5)])
	default:
		panic("no values for " + v.Type().String())
	}
}

func TestGeneratedMatchesReflective(t *testing.T) {
	for seed := range uint64(2000) {
		v := reflect.New(reflect.TypeFor[Wide]())
		fill(rand.New(rand.NewPCG(seed, 7)), v.Elem())
		for _, req := range []any{v.Interface(), v.Elem().Interface()} {
			var got, want []string
			if !flattenGenerated(req, func(p, s string) { got = append(got, p, s) }) {
				t.Fatalf("%T: no generated walk", req)
			}
			flattenReflect(req, func(p, s string) { want = append(want, p, s) })
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, %T: generated walk\n%q\nreflective walk\n%q", seed, req, got, want)
			}
		}
	}
}
