package pipeline

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// flatten calls fn for every non-empty leaf of a request, with its JSON path as the validator
// names it ("addresses[0].zipCode") and its value as text. Map keys are visited in sorted order,
// so two equal requests give the same sequence. The path slice is only valid during the call.
func flatten(v any, fn func(path []byte, value string)) {
	buf := make([]byte, 0, 128)
	walk(reflect.ValueOf(v), buf, fn)
}

// walk appends each name to path in place; a child's append never disturbs the parent's bytes,
// which are all that the parent reads after the call.
func walk(v reflect.Value, path []byte, fn func([]byte, string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous {
				walk(v.Field(i), path, fn)
				continue
			}
			walk(v.Field(i), join(path, jsonName(f)), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			p := append(path, '[')
			p = strconv.AppendInt(p, int64(i), 10)
			walk(v.Index(i), append(p, ']'), fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			walk(v.MapIndex(k), join(path, k.String()), fn)
		}
	case reflect.String:
		if s := v.String(); s != "" {
			fn(path, s)
		}
	case reflect.Bool:
		fn(path, strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int64, reflect.Int32:
		fn(path, strconv.FormatInt(v.Int(), 10))
	case reflect.Float64, reflect.Float32:
		fn(path, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	}
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}

func join(path []byte, name string) []byte {
	if len(path) > 0 {
		path = append(path, '.')
	}
	return append(path, name...)
}
