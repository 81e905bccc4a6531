package ingest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fixtures = "../testdata/mapping/"

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Config
	}{
		{"full.yaml", Config{
			Kind: KindEWA, ProgramID: "prog-123", Sheet: "Employees", HeaderRow: 1,
			DateFormats: []string{"01/02/2006", "2006-01-02"}, DefaultCountry: "USA",
			Columns:  map[string]string{"externalId": "Associate ID", "email": "Personal Contact: Personal Email"},
			Defaults: map[string]string{"phoneType": "MOBILE", "cardSubtype": "DEBIT", "zip": "01234"},
		}},
		{"empty.yaml", Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			cfg, err := LoadConfig(fixtures + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got := *cfg
			got.src = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadConfig =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want string // the message after "path:"
	}{
		{"unknown_key.yaml", `2: unknown setting "colums" (did you mean "columns"?); the settings are kind, programId, sheet, headerRow, dateFormats, defaultCountry, columns, defaults`},
		{"unknown_canonical.yaml", `4: columns: unknown canonical name "emial" (did you mean "email"?)`},
		{"other_kind_name.yaml", `4: columns: cardNumber is not a field of kind business (it belongs to ewa)`},
		{"bad_kind.yaml", `2: kind "customer": want ewa, individual or business`},
		{"duplicate_key.yaml", `4: columns.email is given twice (first on line 3)`},
		{"duplicate_setting.yaml", `2: kind is given twice (first on line 1)`},
		{"bad_header_row.yaml", `1: headerRow "0": want a row number, 1 or more`},
		{"bad_date_format.yaml", `4: dateFormats[1] "dd/mm/yyyy" is not a Go date layout`},
		{"not_yaml.yaml", `3: not valid YAML: found unexpected end of stream`},
		{"list_root.yaml", `1: a mapping file is a YAML map of settings`},
		{"columns_not_a_map.yaml", `2: columns must be a map of canonical name to header`},
		{"column_without_header.yaml", `3: columns.email must be a header of the file`},
		{"two_documents.yaml", `2: holds more than one YAML document`},
		{"default_card_number.yaml", `4: defaults: cardNumber cannot have a default`},
		{"program_not_scalar.yaml", `2: programId must be a single value`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := fixtures + tt.file
			cfg, err := LoadConfig(path)
			var ce *ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("LoadConfig = %+v, %v; want a *ConfigError", cfg, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+":"+tt.want) {
				t.Errorf("err = %q\nwant %q", msg, path+":"+tt.want)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("message has several lines: %q", msg)
			}
			if strings.Contains(msg, "4111111111111111") {
				t.Errorf("message echoes the card number: %q", msg)
			}
		})
	}
}

func TestLoadConfigFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", maxConfigSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
		is               error
	}{
		{"missing", filepath.Join(dir, "nope.yaml"), "mapping file " + filepath.Join(dir, "nope.yaml") + " cannot be read: no such file or directory", fs.ErrNotExist},
		{"directory", dir, "cannot be read", nil},
		{"too large", big, big + ": larger than 1024 KiB", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadConfig(tt.path)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err does not wrap %v", tt.is)
			}
		})
	}
}

func TestConfigErrorIsOneLine(t *testing.T) {
	t.Parallel()
	e := &ConfigError{File: "m.yaml", Line: 3, Msg: "first\nsecond"}
	if got, want := e.Error(), "m.yaml:3: first; second"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, ErrConfig) {
		t.Error("ConfigError is not ErrConfig")
	}
}

func TestDateLayoutOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		layout string
		ok     bool
	}{
		{"2006-01-02", true},
		{"01/02/2006", true},
		{"1/2/06", true},
		{"02.01.2006", true},
		{"Jan 2, 2006", true},
		{"dd/mm/yyyy", false},
		{"2006-01", false},
		{"15:04", false},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			t.Parallel()
			if got := dateLayoutOK(tt.layout); got != tt.ok {
				t.Errorf("dateLayoutOK(%q) = %v, want %v", tt.layout, got, tt.ok)
			}
		})
	}
}
