package csvread

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// fixtureDir holds the CSV fixtures, shared with the rest of the project's tests.
const fixtureDir = "../../testdata/csv"

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/csv from fixtureBytes")

// fixtureBytes is what each fixture holds. The files are written from here (go test -run
// TestFixtureFiles -update) so that bytes no editor keeps (Windows-1252, UTF-16, NULs) are
// exact, and reviewable in this file.
func fixtureBytes(t testing.TB) map[string][]byte {
	t.Helper()
	enc := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatalf("encoding fixture: %v", err)
		}
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	// Random-looking bytes with NULs, from a fixed linear congruential sequence.
	bin := make([]byte, 512)
	x := uint32(2463534242)
	for i := range bin {
		x = x*1664525 + 1013904223
		bin[i] = byte(x >> 24)
		if i%7 == 3 {
			bin[i] = 0
		}
	}

	return map[string][]byte{
		"utf8.csv": []byte("externalId,firstName,lastName,email,city\n" +
			"E001,José,Müller,jose.muller@example.com,München\n" +
			"E002,Zoë,Ñúñez,zoe@example.com,São Paulo\n" +
			"E003,\"Smith, Jr.\",O'Brien,o.brien@example.com,Cork\n"),
		"utf8-bom.csv": cat(bomUTF8, []byte("\"externalId\",firstName,lastName\r\n"+
			"E001,José,Müller\r\n"+
			"E002,Zoë,Ñúñez\r\n")),
		"cp1252-semicolon.csv": enc(charmap.Windows1252, "externalId;fullName;firstName;lastName;amount\r\n"+
			"E001;José Müller;Zoë;Ñúñez;1.234,56\r\n"+
			"E002;\"Peña; Ana\";Ana;Peña;€ 12,50\r\n"),
		// Excel's "Unicode Text" is UTF-16LE with tabs.
		"utf16le-bom.csv": enc(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), "externalId\tfirstName\tlastName\r\n"+
			"E001\tJosé\tMüller\r\n"+
			"E002\tZoë\tÑúñez\r\n"),
		"utf16be-bom.csv": enc(xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), "externalId,firstName,lastName\n"+
			"E001,José,Müller\n"+
			"E002,Zoë,Ñúñez\n"),
		"tab.tsv": []byte("externalId\tname\tcity\n" +
			"E001\tDoe, John\tParis\n" +
			"E002\tRoe, Jane\tLyon\n"),
		"pipe.txt": []byte("externalId|name|note\n" +
			"E001|Doe, John|likes; semicolons, and commas\n" +
			"E002|Roe|\n"),
		// Rows: header 1, E001 2 (lines 2-3), E002 3, E003 4 (lines 5-7), E004 5.
		"quoted-newlines.csv": []byte("externalId,name,address\n" +
			"E001,\"Doe, John\",\"12 Main St\nApt 4\"\n" +
			"E002,Jane,1 Elm St\n" +
			"E003,\"Multi\nLine\nName\",\"say \"\"hi\"\"\"\n" +
			"E004,Last,End\n"),
		// Rows: 1 empty, header 2, E001 3, 4 empty, 5 delimiters only, 6 spaces, E002 7
		// (lines 7-8), 8 empty, E003 9, 10 empty.
		"blank-lines.csv": []byte("\n" +
			"externalId,name,city\n" +
			"E001,Ann,Oslo\n" +
			"\n" +
			",,\n" +
			"   \n" +
			"E002,\"Bo\nBo\",Rome\n" +
			"\r\n" +
			"E003,Cy,Nice\r\n" +
			"\n"),
		"ragged.csv": []byte("externalId,name,city,zip\n" +
			"E001,Ann,Oslo,0150\n" +
			"E002,Bo\n" +
			"E003,Cy,Nice,06000,extra\n" +
			"E004,Di,Rome,00118\n"),
		// Row 3: a bare quote; row 4: text after a closing quote; row 6: a quote never
		// closed, which ends with its line: row 7 is read.
		"bad-quotes.csv": []byte("externalId,name,city\n" +
			"E001,Ann,Oslo\n" +
			"E002,Rob \"Bobby\" Smith,Leeds\n" +
			"E003,\"Doe\" Jr,York\n" +
			"E004,Di,Rome\n" +
			"E005,\"Never closed,Bath\n" +
			"E006,Eve,Cork\n"),
		"empty.csv":    {},
		"bom-only.csv": bomUTF8,
		"binary.csv":   bin,
		// The start of a ZIP local file header, as an XLSX renamed .csv begins.
		"xlsx-named.csv": cat([]byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"), []byte("[Content_Types].xml")),
	}
}

// TestFixtureFiles checks that testdata/csv holds exactly fixtureBytes (or writes it, with -update).
func TestFixtureFiles(t *testing.T) {
	for name, want := range fixtureBytes(t) {
		path := filepath.Join(fixtureDir, name)
		if *update {
			if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestFixtureFiles -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from fixtureBytes (run go test -run TestFixtureFiles -update)", name)
		}
	}
}

// fixture returns a fixture file's bytes.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
