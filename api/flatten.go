package api

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Flatten calls yield for every non-empty leaf of a request (a struct, or a pointer to one), with
// its JSON path as the validator names it ("customerData.primaryPhoneNumber.number",
// "addresses[0].zipCode", "customerData.metadata.costCenter") and its value as text: strings and
// json.Numbers as they are, booleans "true"/"false", numbers in Go's shortest form. Fields come in
// declaration order, map keys sorted, so two equal requests give the same sequence. Empty strings
// and nil pointers, slices and maps yield nothing; a field tagged `json:"-"` is skipped.
//
// The request types of the record kinds are walked by code generated from their declarations
// (flatten_gen.go: no reflection, every path made once); any other type by reflection, with a plan
// per type worked out once and kept. A request is flattened for every row, so neither walk parses
// tags or, but for map keys and list items beyond the first few, builds a path.
func Flatten(req any, yield func(path, value string)) {
	if req == nil || flattenGenerated(req, yield) {
		return
	}
	flattenReflect(req, yield)
}

//go:generate go run ./internal/genflatten -o flatten_gen.go CustomerProfileRequest IndividualCustomer BusinessCustomer

// flattenReflect is Flatten by reflection, for any type: what the generated walks must match.
func flattenReflect(req any, yield func(path, value string)) {
	if req == nil {
		return
	}
	v := reflect.ValueOf(req)
	planFor(v.Type(), "").walk(v, yield)
}

// walkReflect is where a generated walk hands a value it has no code for (an interface, an array,
// a map of other values) to the reflective one, at its path.
func walkReflect(v reflect.Value, path string, yield func(path, value string)) {
	planFor(v.Type(), path).walk(v, yield)
}

// itemPaths are the paths under a list's items for a generated walk: those of the first
// maxItemPlans items made once, those of later items when met.
type itemPaths[P any] struct {
	first []P
	base  string              // the list's path
	at    func(path string) P // the paths under an item at path
}

func newItemPaths[P any](base string, at func(path string) P) itemPaths[P] {
	l := itemPaths[P]{first: make([]P, maxItemPlans), base: base, at: at}
	for i := range l.first {
		l.first[i] = at(itemPath(base, i))
	}
	return l
}

// item returns the paths under item i.
func (l *itemPaths[P]) item(i int) *P {
	if i < len(l.first) {
		return &l.first[i]
	}
	p := l.at(itemPath(l.base, i))
	return &p
}

// flattenMap yields a map of text, as the reflective walk does: keys sorted, empty values left out.
func flattenMap[M ~map[K]V, K, V ~string](m M, path string, yield func(path, value string)) {
	if len(m) == 0 {
		return
	}
	var buf [8]K // metadata holds a few keys: sorted without an allocation
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := m[k]; v != "" {
			yield(join(path, string(k)), string(v))
		}
	}
}

// node is what Flatten knows of a type at one place of a request: its kind and, for a leaf under
// structs and pointers only, its whole path.
type node struct {
	kind   reflect.Kind
	path   string  // this node's path ("" at the root)
	fields []field // a struct's fields, embedded ones flattened in
	elem   *node   // a pointer's target
	typ    reflect.Type

	// A list's items: (*items)[i] is item i's plan, made when first needed (the paths of the
	// first maxItemPlans items are built once; later ones each time). Read without a lock, grown
	// by copy under mu.
	mu    sync.Mutex
	items atomic.Pointer[[]*node]
}

type field struct {
	index []int
	node  *node
}

// maxItemPlans bounds the items of a list whose plans are kept (requests hold a few addresses or
// contacts; a longer list is walked all the same).
const maxItemPlans = 16

type planKey struct {
	t    reflect.Type
	path string
}

var plans sync.Map // planKey → *node

func planFor(t reflect.Type, path string) *node {
	k := planKey{t, path}
	if n, ok := plans.Load(k); ok {
		return n.(*node)
	}
	n, _ := plans.LoadOrStore(k, compile(t, path))
	return n.(*node)
}

// compile makes t's plan at path, recursively but for list items and map values (made as they
// are met).
func compile(t reflect.Type, path string) *node {
	n := &node{kind: t.Kind(), path: path, typ: t}
	switch n.kind {
	case reflect.Pointer:
		n.elem = compile(t.Elem(), path)
	case reflect.Struct:
		n.fields = structFields(t, nil, path)
	}
	return n
}

// structFields lists t's exported fields in order with their paths; an embedded struct's fields
// take its place, at the same path (as encoding/json does).
func structFields(t reflect.Type, index []int, path string) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		idx := append(slices.Clone(index), i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if f.Type.Kind() == reflect.Pointer {
					// Through a pointer the fields cannot be reached by index alone.
					out = append(out, field{index: idx, node: compile(f.Type, path)})
				} else {
					out = append(out, structFields(ft, idx, path)...)
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, field{index: idx, node: compile(f.Type, join(path, name))})
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (n *node) walk(v reflect.Value, yield func(path, value string)) {
	switch n.kind {
	case reflect.Pointer:
		if !v.IsNil() {
			n.elem.walk(v.Elem(), yield)
		}
	case reflect.Interface:
		if !v.IsNil() {
			e := v.Elem()
			planFor(e.Type(), n.path).walk(e, yield)
		}
	case reflect.Struct:
		for _, f := range n.fields {
			f.node.walk(v.FieldByIndex(f.index), yield)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			n.item(i).walk(v.Index(i), yield)
		}
	case reflect.Map:
		if v.Len() == 0 {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(keyText(a), keyText(b)) })
		for _, k := range keys {
			e := v.MapIndex(k)
			p := join(n.path, keyText(k))
			if e.Kind() == reflect.String { // metadata: no plan needed
				if s := e.String(); s != "" {
					yield(p, s)
				}
				continue
			}
			compile(e.Type(), p).walk(e, yield)
		}
	case reflect.String:
		if s := v.String(); s != "" {
			yield(n.path, s)
		}
	case reflect.Bool:
		yield(n.path, strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		yield(n.path, strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		yield(n.path, strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		yield(n.path, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	}
}

// item returns the plan of a list's item i.
func (n *node) item(i int) *node {
	if p := n.items.Load(); p != nil && i < len(*p) {
		return (*p)[i]
	}
	if i >= maxItemPlans {
		return compile(n.typ.Elem(), n.itemPath(i))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var items []*node
	if p := n.items.Load(); p != nil {
		items = *p
	}
	items = slices.Clone(items)
	for j := len(items); j <= i; j++ {
		items = append(items, compile(n.typ.Elem(), n.itemPath(j)))
	}
	n.items.Store(&items)
	return items[i]
}

func (n *node) itemPath(i int) string { return itemPath(n.path, i) }

func itemPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func keyText(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(k.Uint(), 10)
	}
	return k.String()
}
