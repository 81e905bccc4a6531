package xlsxread

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReopenSkipsOnlyTheSameFile: a workbook opened a second time in one process (the census,
// then the run) is not inflated to nowhere again; a file rewritten in between, or another file
// with the same parts, still is, and its damage is refused at Open.
func TestReopenSkipsOnlyTheSameFile(t *testing.T) {
	var data strings.Builder
	data.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>Employee ID</t></is></c></row>`)
	for i := 2; i <= 200; i++ {
		data.WriteString(`<row r="` + itoa(i) + `"><c r="A` + itoa(i) + `"><v>` + itoa(i) + `</v></c></row>`)
	}
	good := rawBook{sheets: []rawSheet{{name: "Sheet1", data: data.String()}}}.bytes(t)
	// Damage near the end of the sheet's data, which reading its first rows would not reach:
	// only the whole-part check at Open finds it.
	bad := corruptTail(t, good, "xl/worksheets/sheet1.xml")
	dir := t.TempDir()
	write := func(name string, b []byte, mod time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
		return p
	}
	open := func(p string) error {
		r, err := Open(p, Options{})
		if err == nil {
			r.Close()
		}
		return err
	}
	sheetPart := func(p string) bool {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return checked.has(fi, r.stream.part)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := write("roster.xlsx", good, t0)
	if err := open(p); err != nil {
		t.Fatal(err)
	}
	if !sheetPart(p) {
		t.Fatal("a sound part opened once is not remembered")
	}
	t.Run("another file with the same parts", func(t *testing.T) {
		other := write("copy.xlsx", bad, t0) // same name of part, sizes, checksum in its header
		if err := open(other); err == nil || !strings.Contains(err.Error(), "is damaged") {
			t.Fatalf("a damaged copy opened (err %v): the memo stood in for another file", err)
		}
	})
	t.Run("the same file rewritten", func(t *testing.T) {
		write("roster.xlsx", bad, t0.Add(time.Second))
		if err := open(p); err == nil || !strings.Contains(err.Error(), "is damaged") {
			t.Fatalf("the rewritten file opened (err %v)", err)
		}
	})
}

// corruptTail flips bytes of a part's compressed data just before its end, keeping its headers.
func corruptTail(t *testing.T, data []byte, part string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != part {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		out := bytes.Clone(data)
		end := off + int64(f.CompressedSize64)
		for i := end - 12; i < end-2; i++ {
			out[i] ^= 0x5a
		}
		return out
	}
	t.Fatalf("no part %s", part)
	return nil
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}
