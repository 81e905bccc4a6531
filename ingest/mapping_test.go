package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

func TestPriorities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		kind     Kind
		headers  []string
		want     map[string]string // field -> header
		unplaced []string
		why      string // of the first unplaced header
	}{
		{
			name:     "personal email before work email",
			headers:  []string{"Work Email", "Personal Email"},
			want:     map[string]string{"email": "Personal Email"},
			unplaced: []string{"Work Email"},
			why:      `email is taken by "Personal Email"`,
		},
		{
			name:     "the template's name before any alias",
			headers:  []string{"Personal Email", "email"},
			want:     map[string]string{"email": "email"},
			unplaced: []string{"Personal Email"},
			why:      `email is taken by "email"`,
		},
		{
			name:     "generic email before personal",
			headers:  []string{"Personal Email", "Email Address", "Work Email"},
			want:     map[string]string{"email": "Email Address"},
			unplaced: []string{"Personal Email", "Work Email"},
		},
		{
			name:     "mobile before home and work",
			headers:  []string{"Home Phone", "Work Phone", "Mobile Phone"},
			want:     map[string]string{"phone": "Mobile Phone"},
			unplaced: []string{"Home Phone", "Work Phone"},
			why:      `phone is taken by "Mobile Phone"`,
		},
		{
			name:     "home before work",
			headers:  []string{"Work Phone", "Home Phone"},
			want:     map[string]string{"phone": "Home Phone"},
			unplaced: []string{"Work Phone"},
		},
		{
			name:     "generic phone before home",
			headers:  []string{"Home Phone", "Phone Number"},
			want:     map[string]string{"phone": "Phone Number"},
			unplaced: []string{"Home Phone"},
		},
		{
			name:     "equal claims: the leftmost",
			headers:  []string{"Cell Phone", "Mobile Phone"},
			want:     map[string]string{"phone": "Cell Phone"},
			unplaced: []string{"Mobile Phone"},
		},
		{
			name:     "legal first name before first name",
			headers:  []string{"First Name", "Legal First Name"},
			want:     map[string]string{"firstName": "Legal First Name"},
			unplaced: []string{"First Name"},
		},
		{
			name:     "one metadata key once",
			headers:  []string{"metadata.dept", "Metadata_dept"},
			want:     map[string]string{"metadata.dept": "metadata.dept"},
			unplaced: []string{"Metadata_dept"},
			why:      `metadata.dept is taken by "metadata.dept"`,
		},
		{
			name:     "business: contact first, then the business's own",
			kind:     KindBusiness,
			headers:  []string{"Company", "Email", "Business Email", "Work Phone", "Phone"},
			want:     map[string]string{"businessName": "Company", "contactEmail": "Email", "businessEmail": "Business Email", "contactPhone": "Phone"},
			unplaced: []string{"Work Phone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMapper(t, Config{Kind: tt.kind}, tt.headers...)
			if got := placed(m); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("placed = %v, want %v", got, tt.want)
			}
			if got := m.Unplaced(); !reflect.DeepEqual(got, tt.unplaced) {
				t.Errorf("unplaced = %q, want %q", got, tt.unplaced)
			}
			if tt.why != "" && m.unplaced[0].why != tt.why {
				t.Errorf("why = %q, want %q", m.unplaced[0].why, tt.why)
			}
		})
	}
}

func TestPlacementsInHeaderOrder(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{Columns: map[string]string{"country": "Country", "billingCountry": "Country"}},
		"Zip", "Employee ID", "Department", "Country", "Work Email")
	want := []Placement{
		{"Zip", 0, "zip", ViaColumn},
		{"Employee ID", 1, "externalId", ViaAlias},
		{"Country", 3, "country", ViaMapping},
		{"Country", 3, "billingCountry", ViaMapping},
		{"Work Email", 4, "email", ViaAlias},
	}
	if got := m.Placements(); !reflect.DeepEqual(got, want) {
		t.Errorf("Placements =\n%+v\nwant\n%+v", got, want)
	}
	if got := m.Unplaced(); !reflect.DeepEqual(got, []string{"Department"}) {
		t.Errorf("Unplaced = %q", got)
	}
}

func TestColumnsOverrideAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		columns  map[string]string
		headers  []string
		want     map[string]string
		unplaced []string
	}{
		{
			name:     "work email chosen over personal",
			columns:  map[string]string{"email": "Work Email"},
			headers:  []string{"Personal Email", "Work Email"},
			want:     map[string]string{"email": "Work Email"},
			unplaced: []string{"Personal Email"},
		},
		{
			name:     "a header the template would place elsewhere",
			columns:  map[string]string{"externalId": "Work Email", "metadata.badge": "Badge"},
			headers:  []string{"Work Email", "Badge", "Employee ID"},
			want:     map[string]string{"externalId": "Work Email", "metadata.badge": "Badge"},
			unplaced: []string{"Employee ID"},
		},
		{
			name:    "header matched ignoring case and separators",
			columns: map[string]string{"externalId": "associate_id"},
			headers: []string{"Associate ID"},
			want:    map[string]string{"externalId": "Associate ID"},
		},
		{
			name:    "canonical name matched like headers",
			columns: map[string]string{"First_Name": "Given"},
			headers: []string{"Given"},
			want:    map[string]string{"firstName": "Given"},
		},
		{
			name:    "two fields of one sort from one column",
			columns: map[string]string{"firstName": "Name", "cardFirstName": "Name"},
			headers: []string{"Name"},
			want:    map[string]string{"firstName": "Name", "cardFirstName": "Name"},
		},
		{
			name:    "a metadata copy of another field",
			columns: map[string]string{"externalId": "Emp", "metadata.employee": "Emp"},
			headers: []string{"Emp"},
			want:    map[string]string{"externalId": "Emp", "metadata.employee": "Emp"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMapper(t, Config{Columns: tt.columns}, tt.headers...)
			if got := placed(m); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("placed = %v, want %v", got, tt.want)
			}
			for _, p := range m.Placements() {
				if _, fromFile := tt.columns[p.Field]; fromFile && p.Via != ViaMapping {
					t.Errorf("%s via %q, want %q", p.Field, p.Via, ViaMapping)
				}
			}
			if got := m.Unplaced(); !reflect.DeepEqual(got, tt.unplaced) && len(got)+len(tt.unplaced) > 0 {
				t.Errorf("unplaced = %q, want %q", got, tt.unplaced)
			}
		})
	}
}

func TestNewMapperConfigErrors(t *testing.T) {
	t.Parallel()
	headers := []string{"Employee ID", "First Name", "Last Name", "Personal Email"}
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the one-line message
	}{
		{
			name: "header the file lacks",
			cfg:  Config{Columns: map[string]string{"email": "Personal Mail"}},
			want: []string{`columns.email: the file has no column "Personal Mail"`, `(did you mean "Personal Email"?)`,
				`its headers are "Employee ID", "First Name", "Last Name", "Personal Email"`},
		},
		{
			name: "unknown canonical name in columns",
			cfg:  Config{Columns: map[string]string{"emial": "Personal Email"}},
			want: []string{`columns: unknown canonical name "emial"`, `(did you mean "email"?)`},
		},
		{
			name: "unknown canonical name in defaults",
			cfg:  Config{Defaults: map[string]string{"phonetyp": "MOBILE"}},
			want: []string{`defaults: unknown canonical name "phonetyp"`, `(did you mean "phoneType"?)`},
		},
		{
			name: "unknown and far from every name",
			cfg:  Config{Kind: KindIndividual, Defaults: map[string]string{"favouriteColour": "blue"}},
			want: []string{`unknown canonical name "favouriteColour"; the names of kind individual are externalId, firstName`},
		},
		{
			name: "name of another kind",
			cfg:  Config{Kind: KindBusiness, Columns: map[string]string{"cardNumber": "First Name"}},
			want: []string{"columns: cardNumber is not a field of kind business (it belongs to ewa)"},
		},
		{
			name: "business name for a person",
			cfg:  Config{Kind: KindIndividual, Defaults: map[string]string{"limitsCurrency": "USD"}},
			want: []string{"defaults: limitsCurrency is not a field of kind individual (it belongs to business)"},
		},
		{
			name: "one column for two unlike fields",
			cfg:  Config{Columns: map[string]string{"email": "Personal Email", "phone": "Personal Email"}},
			want: []string{`columns: email and phone both name column "Personal Email"`},
		},
		{
			name: "one field twice",
			cfg:  Config{Columns: map[string]string{"firstName": "First Name", "first_name": "Last Name"}},
			want: []string{`columns: "firstName" and "first_name" are the same field firstName`},
		},
		{
			name: "default for an identifier",
			cfg:  Config{Defaults: map[string]string{"ssn": "123456789"}},
			want: []string{"defaults: ssn cannot have a default"},
		},
		{
			name: "default externalId",
			cfg:  Config{Defaults: map[string]string{"externalId": "E1"}},
			want: []string{"defaults: externalId cannot have a default"},
		},
		{
			name: "metadata without a key",
			cfg:  Config{Columns: map[string]string{"metadata.": "First Name"}},
			want: []string{`unknown canonical name "metadata."`},
		},
		{
			name: "a column that names no header",
			cfg:  Config{Columns: map[string]string{"email": " "}},
			want: []string{"columns.email names no header"},
		},
		{
			name: "bad kind",
			cfg:  Config{Kind: "person"},
			want: []string{`kind "person": want ewa, individual or business`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewMapper(tt.cfg, rows.Header{Num: 1, Names: headers})
			var ce *ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want a *ConfigError", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message has several lines: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("err = %q\nwant it to contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "123456789") {
				t.Errorf("err echoes the SSN: %q", msg)
			}
		})
	}
}

func TestNewMapperErrorNamesTheMappingFileLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(path, []byte("kind: ewa\ncolumns:\n  externalId: Employee ID\n  email: Mail\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewMapper(*cfg, rows.Header{Names: []string{"Employee ID", "Email"}})
	if err == nil || !strings.HasPrefix(err.Error(), path+":4: columns.email: the file has no column \"Mail\"") {
		t.Errorf("err = %v", err)
	}
	cfg.Kind = KindBusiness // as --kind business would
	cfg.Columns = map[string]string{"email": "Email"}
	_, err = NewMapper(*cfg, rows.Header{Names: []string{"Employee ID", "Email"}})
	if err == nil || !strings.HasPrefix(err.Error(), path+":4: columns: email is not a field of kind business") {
		t.Errorf("err = %v", err)
	}
}

func TestYAML(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{}, "Employee ID", "Personal Email", "Work Email", "Department")
	want := `kind: ewa
columns:
  externalId: "Employee ID"
  email: "Personal Email"
# unplaced: "Work Email" (email is taken by "Personal Email")
# unplaced: "Department"
`
	if got := string(m.YAML()); got != want {
		t.Errorf("YAML =\n%s\nwant\n%s", got, want)
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		headers []string
	}{
		{
			name:    "aliases and conflicts",
			headers: []string{"Employee ID", "Legal First Name", "Surname", "Work Email", "Personal Email", "Home Phone", "Cell Phone", "DOB", "SSN", "Street", "Apt", "Town", "State/Province", "Postal Code", "Country", "Department", "Card Number", "Expiry"},
		},
		{
			name: "settings, columns and defaults",
			cfg: Config{Kind: KindEWA, ProgramID: `prog "1"`, Sheet: "Employees: 2025", HeaderRow: 3,
				DateFormats: []string{"01/02/2006", "2006-01-02"}, DefaultCountry: "USA",
				Columns:  map[string]string{"externalId": "Badge", "country": "Nation", "billingCountry": "Nation", "metadata.Cost Center": "CC"},
				Defaults: map[string]string{"cardSubtype": "DEBIT", "phoneType": "WORK", "metadata.source": "roster #1"}},
			headers: []string{"Badge", "Employee ID", "Nation", "CC", "First Name"},
		},
		{
			name:    "awkward headers",
			cfg:     Config{Kind: KindIndividual},
			headers: []string{"Emp ID", "metadata.a: b # c", `Quote "me"`, "Tab\there", "Ünïcödé", "", "#", "- dash", "metadata.x y", "Zip", "zip"},
		},
		{
			name:    "business",
			cfg:     Config{Kind: KindBusiness},
			headers: []string{"Company", "EIN", "Contact First Name", "Contact Last Name", "Email", "Phone", "Monthly Limit", "Zip", "Card Number"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMapper(t, tt.cfg, tt.headers...)
			path := filepath.Join(t.TempDir(), "mapping.yaml")
			if err := os.WriteFile(path, m.YAML(), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path)
			if err != nil {
				t.Fatalf("LoadConfig(YAML()): %v\n%s", err, m.YAML())
			}
			m2 := newMapper(t, *cfg, tt.headers...)
			strip := func(ps []Placement) []Placement {
				for i := range ps {
					ps[i].Via = ""
				}
				return ps
			}
			if got, want := strip(m2.Placements()), strip(m.Placements()); !reflect.DeepEqual(got, want) {
				t.Errorf("placements after round trip =\n%+v\nwant\n%+v\nYAML:\n%s", got, want, m.YAML())
			}
			if got, want := m2.Unplaced(), m.Unplaced(); !reflect.DeepEqual(got, want) {
				t.Errorf("unplaced after round trip = %q, want %q", got, want)
			}
			if !reflect.DeepEqual(m2.YAML(), m.YAML()) {
				t.Errorf("YAML after round trip =\n%s\nwant\n%s", m2.YAML(), m.YAML())
			}
			c := tt.cfg
			if c.Kind == "" {
				c.Kind = KindEWA
			}
			if cfg.Kind != c.Kind || cfg.ProgramID != c.ProgramID || cfg.Sheet != c.Sheet || cfg.HeaderRow != c.HeaderRow ||
				cfg.DefaultCountry != c.DefaultCountry || !reflect.DeepEqual(cfg.DateFormats, c.DateFormats) ||
				len(cfg.Defaults) != len(c.Defaults) {
				t.Errorf("settings after round trip = %+v, want %+v", cfg, c)
			}
			for k, v := range c.Defaults {
				if cfg.Defaults[k] != v {
					t.Errorf("defaults.%s = %q, want %q", k, cfg.Defaults[k], v)
				}
			}
		})
	}
}
