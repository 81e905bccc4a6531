package reports

import (
	"encoding/xml"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/outcome"
)

// TestXLSXStructure checks the package: every part a relationship names exists, every part has a
// content type, every XML part is well-formed, the worksheet's elements come in schema order,
// and the comment parts are there exactly when there are comments.
func TestXLSXStructure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lines    []*Line
		comments bool
		leavers  []Leaver
	}{
		{"with comments", problemLines(1030), true, nil}, // more than 1024 shapes: two id blocks
		{"without comments", []*Line{{Row: 2, Status: outcome.Valid, Cells: []string{"E1", "a@b.c"}}}, false, nil},
		{"header only", nil, false, nil},
		{"with comments and leavers", problemLines(3), true, sampleLeavers},
		{"leavers only", nil, false, sampleLeavers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeXLSXLeavers(t, Sheet{Header: []string{"ID", "Email"}}, tt.lines, tt.leavers)
			parts := zipParts(t, p)
			for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
				if _, ok := parts[name]; !ok {
					t.Errorf("no part %s", name)
				}
			}
			for _, name := range []string{"xl/worksheets/_rels/sheet1.xml.rels", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"} {
				if _, ok := parts[name]; ok != tt.comments {
					t.Errorf("part %s present %v, want %v", name, ok, tt.comments)
				}
			}
			for name, b := range parts {
				if err := wellFormed(b); err != nil {
					t.Errorf("%s is not well-formed: %v", name, err)
				}
			}
			if _, ok := parts["xl/worksheets/sheet2.xml"]; ok != (tt.leavers != nil) {
				t.Errorf("part sheet2.xml (the leavers) present %v, want %v", ok, tt.leavers != nil)
			}
			checkRels(t, parts)
			checkContentTypes(t, parts)
			checkSheetOrder(t, parts["xl/worksheets/sheet1.xml"])
			if tt.leavers != nil {
				checkSheetOrder(t, parts["xl/worksheets/sheet2.xml"])
				if !strings.Contains(string(parts["xl/workbook.xml"]), `<sheet name="Missing" sheetId="2" r:id="rId4"/>`) {
					t.Errorf("the workbook does not list the Missing sheet: %s", parts["xl/workbook.xml"])
				}
			}
			if tt.comments {
				x := openXLSX(t, p)
				if len(x.comments) != len(tt.lines) {
					t.Errorf("%d comments, want %d", len(x.comments), len(tt.lines))
				}
				idmap := `data="1"`
				if len(tt.lines) >= 1024 {
					idmap = `data="1,2"`
				}
				if vml := string(parts["xl/drawings/vmlDrawing1.vml"]); !strings.Contains(vml, idmap) || strings.Count(vml, "<v:shape ") != len(tt.lines) {
					t.Errorf("vml idmap or shape count wrong")
				}
			}
		})
	}
}

func wellFormed(b []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

type relationships struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// checkRels: every relationship's target is a part of the package.
func checkRels(t *testing.T, parts map[string][]byte) {
	t.Helper()
	for name, b := range parts {
		if !strings.HasSuffix(name, ".rels") {
			continue
		}
		var rels relationships
		if err := xml.Unmarshal(b, &rels); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// _rels/x.rels describes x: targets are relative to x's folder.
		source := path.Dir(path.Dir(name))
		for _, r := range rels.Rel {
			target := path.Join(source, r.Target)
			if strings.HasPrefix(r.Target, "/") {
				target = strings.TrimPrefix(r.Target, "/")
			}
			if _, ok := parts[target]; !ok {
				t.Errorf("%s: %s targets %s, which is not in the package", name, r.ID, target)
			}
		}
	}
}

// checkContentTypes: every part has a content type, by an override or by its extension.
func checkContentTypes(t *testing.T, parts map[string][]byte) {
	t.Helper()
	var ct struct {
		Default []struct {
			Ext string `xml:"Extension,attr"`
		} `xml:"Default"`
		Override []struct {
			Part string `xml:"PartName,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(parts["[Content_Types].xml"], &ct); err != nil {
		t.Fatal(err)
	}
	exts, overrides := map[string]bool{}, map[string]bool{}
	for _, d := range ct.Default {
		exts[strings.ToLower(d.Ext)] = true
	}
	for _, o := range ct.Override {
		if _, ok := parts[strings.TrimPrefix(o.Part, "/")]; !ok {
			t.Errorf("[Content_Types].xml overrides %s, which is not in the package", o.Part)
		}
		overrides[o.Part] = true
	}
	for name := range parts {
		if name == "[Content_Types].xml" {
			continue
		}
		if !overrides["/"+name] && !exts[strings.TrimPrefix(path.Ext(name), ".")] {
			t.Errorf("part %s has no content type", name)
		}
	}
	for _, main := range []string{"/xl/workbook.xml", "/xl/worksheets/sheet1.xml", "/xl/styles.xml"} {
		if !overrides[main] {
			t.Errorf("%s has no override: the generic xml type does not make it a %s", main, path.Base(main))
		}
	}
}

// checkSheetOrder: the worksheet's children come in the order ECMA-376 (CT_Worksheet) lays down.
func checkSheetOrder(t *testing.T, b []byte) {
	t.Helper()
	order := []string{"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
		"sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
		"customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
		"printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
		"cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing"}
	rank := map[string]int{}
	for i, n := range order {
		rank[n] = i
	}
	d := xml.NewDecoder(strings.NewReader(string(b)))
	depth, last := 0, -1
	var seen []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				r, ok := rank[e.Name.Local]
				if !ok || r <= last {
					t.Errorf("worksheet element %s out of order after %v", e.Name.Local, seen)
				}
				last = r
				seen = append(seen, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	if len(seen) < 5 {
		t.Errorf("worksheet children %v", seen)
	}
}

func TestVMLHead(t *testing.T) {
	t.Parallel()
	for shapes, want := range map[int]string{1: `data="1"`, 1023: `data="1"`, 1024: `data="1,2"`, 3000: `data="1,2,3"`} {
		if got := vmlHead(shapes); !strings.Contains(got, want) {
			t.Errorf("vmlHead(%d) lacks %s", shapes, want)
		}
	}
}
