package pipeline

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

var numberType = reflect.TypeOf(json.Number(""))

// flatten calls fn for every non-empty leaf of a request, with its JSON path as the validator
// names it ("addresses[0].zipCode") and its value as text. Map keys are visited in sorted order,
// so two equal requests give the same sequence. path is a scratch buffer reused between calls.
func flatten(v any, fn func(path []byte, value string)) {
	var path []byte
	walk(reflect.ValueOf(v), path, fn)
}

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
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				name = f.Name
			}
			walk(v.Field(i), join(path, name), fn)
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

func join(path []byte, name string) []byte {
	// A fresh slice when extending, so siblings never share a backing array's tail.
	p := make([]byte, 0, len(path)+1+len(name))
	p = append(p, path...)
	if len(p) > 0 {
		p = append(p, '.')
	}
	return append(p, name...)
}
