package xlsxread

import (
	"reflect"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

// TestChooseHeader: the header is the row ChooseHeader picks among the first non-blank ones;
// the rows under it are data cut to its width, with their sheet numbers, and the sheets are
// listed.
func TestChooseHeader(t *testing.T) {
	t.Parallel()
	data := `<row r="1"><c r="A1" t="inlineStr"><is><t>Payroll export</t></is></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>id</t></is></c><c r="B3" t="inlineStr"><is><t> name </t></is></c></row>` +
		`<row r="4"><c r="A4" t="inlineStr"><is><t>E1</t></is></c><c r="B4" t="inlineStr"><is><t>Ann</t></is></c><c r="D4" t="inlineStr"><is><t>extra</t></is></c></row>` +
		`<row r="5"><c r="D5" t="inlineStr"><is><t>beyond the header only</t></is></c></row>` +
		`<row r="6"><c r="A6" t="inlineStr"><is><t>E2</t></is></c></row>`
	book := rawBook{sheets: []rawSheet{{name: "Read Me", data: `<row r="1"><c r="A1" t="inlineStr"><is><t>hi</t></is></c></row>`},
		{name: "Employees", data: data}, {name: "Old", state: "hidden"}}}
	tests := []struct {
		name     string
		pick     int
		wantHead rows.Header
		wantRows []rows.Row
	}{
		{"the first row", 0, rows.Header{Num: 1, Names: []string{"Payroll export"}},
			[]rows.Row{{Num: 3, Cells: []string{"id"}}, {Num: 4, Cells: []string{"E1"}}, {Num: 6, Cells: []string{"E2"}}}},
		{"a later row", 1, rows.Header{Num: 3, Names: []string{"id", "name"}},
			[]rows.Row{{Num: 4, Cells: []string{"E1", "Ann"}}, {Num: 6, Cells: []string{"E2", ""}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var offered []rows.Header
			var all bool
			r, err := openBytes(book.bytes(t), Options{Sheet: "Employees", ChooseHeader: func(c []rows.Header, a bool) int {
				offered, all = c, a
				return tt.pick
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if len(offered) != 5 || !all || offered[1].Num != 3 || offered[1].Names[1] != "name" {
				t.Errorf("offered %+v (all %v), want the 5 non-blank rows, trimmed, and all", offered, all)
			}
			if h, _ := r.Header(); !reflect.DeepEqual(h, tt.wantHead) {
				t.Errorf("header = %+v, want %+v", h, tt.wantHead)
			}
			got, err := readAll(t, r)
			if err != nil || !reflect.DeepEqual(got, tt.wantRows) {
				t.Errorf("rows = %+v (%v), want %+v", got, err, tt.wantRows)
			}
			want := []Sheet{{Name: "Read Me"}, {Name: "Employees"}, {Name: "Old", Hidden: true}}
			if s := r.Sheets(); !reflect.DeepEqual(s, want) {
				t.Errorf("Sheets = %+v, want %+v", s, want)
			}
		})
	}
}
