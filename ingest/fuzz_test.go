package ingest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

// FuzzMapper feeds arbitrary headers and cells: NewMapper either refuses them with a
// ConfigError or maps every row without a panic, and its YAML reads back to the same placements.
func FuzzMapper(f *testing.F) {
	f.Add("Employee ID,First Name,Work Email,Personal Email,metadata.x,Zip", "E1,Ann,a,b,c,d", uint8(0))
	f.Add("Company,EIN,Email,Monthly Limit", "A,1,,5", uint8(2))
	f.Add("Emp #,metadata: a b,\"q\",,Zip,zip", "1,2", uint8(1))
	f.Add("CVV,Pincode", "1,2", uint8(0))
	f.Add("metAdAtA \xe3", "0", uint8(0))     // a stray byte in a metadata key
	f.Add("metAdAtA \x9b\xe4", "0", uint8(0)) // two of them
	f.Fuzz(func(t *testing.T, header, cells string, kind uint8) {
		k := []Kind{KindEWA, KindIndividual, KindBusiness}[kind%3]
		names := strings.Split(header, ",")
		for i := range names {
			names[i] = strings.TrimSpace(names[i]) // as the readers give them
		}
		m, err := NewMapper(Config{Kind: k, DefaultCountry: "USA"}, rows.Header{Num: 1, Names: names})
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("NewMapper: %v is not a ConfigError", err)
			}
			return
		}
		row := rows.Row{Num: 2, Cells: strings.Split(cells, ",")}
		rec := m.Map(row)
		if rec.Request() == nil {
			t.Fatal("no request")
		}
		// The census's projection agrees with the whole mapping (see TestMapKeysAgreesWithMap).
		if got, want := censusView(m.MapKeys(row, nil)), censusView(rec); got != want {
			t.Fatalf("MapKeys:\n got %s\nwant %s", got, want)
		}
		for _, f := range []string{"externalId", "customerData.metadata", "metadata", "addresses[0].zipCode"} {
			rec.Locate(f)
		}
		cfg, err := parseConfig("fuzz.yaml", m.YAML())
		if err != nil {
			t.Fatalf("YAML does not load: %v\n%s", err, m.YAML())
		}
		m2, err := NewMapper(*cfg, rows.Header{Num: 1, Names: names})
		if err != nil {
			t.Fatalf("NewMapper(YAML()): %v\n%s", err, m.YAML())
		}
		strip := func(ps []Placement) []Placement {
			for i := range ps {
				ps[i].Via = ""
			}
			return ps
		}
		if got, want := strip(m2.Placements()), strip(m.Placements()); !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip placements\n%+v\nwant\n%+v\n%s", got, want, m.YAML())
		}
	})
}
