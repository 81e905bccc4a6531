package xlsxread

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// workbook is what the reader needs to know about a workbook before it streams a sheet.
type workbook struct {
	sheets   []sheetInfo
	date1904 bool
	dates    []bool    // cell style (xf) index -> its number format shows a date
	sst      *zip.File // the shared-string table part, or nil
}

// sheetInfo is one sheet as the workbook lists it.
type sheetInfo struct {
	name   string
	hidden bool
	kind   string    // "worksheet", "chartsheet", "dialogsheet", "macrosheet", or "" when unknown
	part   *zip.File // its part, nil when missing
	target string    // its part's name, as resolved
}

// relationships is a .rels part.
type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// readRels reads the relationships part name (nil, nil when it is not there).
func readRels(a *archive, name string, maxXML int64) (*relationships, error) {
	f := a.part(name)
	if f == nil {
		return nil, nil
	}
	b, err := readSmallPart(f, maxXML)
	if err != nil {
		return nil, err
	}
	var rels relationships
	if err := xml.Unmarshal(b, &rels); err != nil {
		return nil, fmt.Errorf("is damaged: %s is not valid XML: %v", f.Name, err)
	}
	return &rels, nil
}

// readSmallPart reads a part that must fit in memory (a .rels part, for instance).
func readSmallPart(f *zip.File, maxXML int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(maxXML) {
		return nil, fmt.Errorf("is not a workbook this reader accepts: its part %s unpacks to %s, more than the %s allowed for it",
			f.Name, byteSize(f.UncompressedSize64), byteSize(uint64(maxXML)))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, partError(f, false, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, partError(f, true, err)
	}
	return b, nil
}

// relType is the last element of a relationship type, which is the same in transitional and
// strict OOXML: ".../relationships/worksheet" -> "worksheet".
func relType(t string) string {
	return t[strings.LastIndexByte(t, '/')+1:]
}

// resolve returns the part name a relationship target points at, from the folder of the part
// whose relationships these are. Targets are relative ("worksheets/sheet1.xml") or absolute
// ("/xl/worksheets/sheet1.xml").
func resolve(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return path.Clean(target[1:])
	}
	return path.Clean(path.Join(dir, target))
}

// loadWorkbook finds the workbook part and reads its sheets, date system and cell styles.
// excelize parses the workbook and styles parts; it is given a small zip holding only those
// (and their relationships), copied without inflating, so that it does not unpack every
// worksheet into memory or temp files as its OpenFile does.
func loadWorkbook(a *archive, maxUnzip, maxXML int64) (wb *workbook, err error) {
	rootRels, err := readRels(a, "_rels/.rels", maxXML)
	if err != nil {
		return nil, err
	}
	wbName := ""
	if rootRels != nil {
		for _, rel := range rootRels.Rels {
			if relType(rel.Type) == "officeDocument" {
				wbName = resolve("", rel.Target)
				break
			}
		}
	}
	if wbName == "" && a.part("xl/workbook.xml") != nil {
		wbName = "xl/workbook.xml"
	}
	switch {
	case wbName == "":
		return nil, errors.New("is not a valid XLSX file (a zip archive without a workbook in it)")
	case strings.HasSuffix(strings.ToLower(wbName), ".bin"):
		return nil, errors.New("is a binary (.xlsb) workbook, not XLSX: save it as .xlsx")
	}
	wbPart := a.part(wbName)
	if wbPart == nil {
		return nil, fmt.Errorf("is damaged: its workbook part %s is missing", wbName)
	}
	wbDir := path.Dir(wbName)
	relsName := path.Join(wbDir, "_rels", path.Base(wbName)+".rels")
	rels, err := readRels(a, relsName, maxXML)
	if err != nil {
		return nil, err
	}
	if rels == nil {
		rels = &relationships{}
	}

	wb = &workbook{}
	byID := map[string]string{} // relationship id -> resolved target
	kinds := map[string]string{}
	var styles *zip.File
	for _, rel := range rels.Rels {
		target := resolve(wbDir, rel.Target)
		byID[rel.ID] = target
		kinds[rel.ID] = relType(rel.Type)
		switch relType(rel.Type) {
		case "styles":
			styles = a.part(target)
		case "sharedStrings":
			wb.sst = a.part(target)
		}
	}
	if styles == nil {
		styles = a.part(path.Join(wbDir, "styles.xml"))
	}
	if wb.sst == nil {
		wb.sst = a.part(path.Join(wbDir, "sharedStrings.xml"))
	}

	var meta bytes.Buffer
	zw := zip.NewWriter(&meta)
	for _, p := range []struct {
		f  *zip.File
		as string
	}{
		{a.part("_rels/.rels"), "_rels/.rels"},
		{wbPart, wbName},
		{a.part(relsName), relsName},
		{styles, "xl/styles.xml"}, // excelize looks for styles there only
	} {
		if p.f == nil {
			continue
		}
		if p.f.UncompressedSize64 > uint64(maxXML) {
			return nil, fmt.Errorf("is not a workbook this reader accepts: its part %s unpacks to %s, more than the %s allowed for it",
				p.f.Name, byteSize(p.f.UncompressedSize64), byteSize(uint64(maxXML)))
		}
		if err := checkPart(p.f); err != nil {
			return nil, err
		}
		if err := copyPart(zw, p.f, p.as); err != nil {
			return nil, fmt.Errorf("is damaged: %s cannot be copied: %w", p.f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("is damaged: %w", err)
	}

	defer func() {
		// excelize is handed input we do not control; a panic in it is a damaged file, not a crash.
		if p := recover(); p != nil {
			wb, err = nil, fmt.Errorf("is damaged: its workbook or styles part cannot be read (%v)", p)
		}
	}()
	xf, err := excelize.OpenReader(&meta, excelize.Options{UnzipSizeLimit: maxUnzip, UnzipXMLSizeLimit: maxXML})
	if err != nil {
		return nil, fmt.Errorf("is damaged: its workbook or styles part cannot be read: %v", err)
	}
	defer xf.Close()

	props, err := xf.GetWorkbookProps()
	if err != nil {
		return nil, fmt.Errorf("is damaged: its workbook part cannot be read: %v", err)
	}
	wb.date1904 = props.Date1904 != nil && *props.Date1904
	if xf.WorkBook != nil {
		for _, s := range xf.WorkBook.Sheets.Sheet {
			info := sheetInfo{name: s.Name, hidden: s.State == "hidden" || s.State == "veryHidden", kind: kinds[s.ID]}
			if target, ok := byID[s.ID]; ok {
				info.target = target
				info.part = a.part(target)
			}
			wb.sheets = append(wb.sheets, info)
		}
	}
	wb.dates = dateStyles(xf)
	return wb, nil
}

// copyPart copies a zip entry into zw under the name as, still compressed.
func copyPart(zw *zip.Writer, f *zip.File, as string) error {
	hdr := f.FileHeader
	hdr.Name = as
	w, err := zw.CreateRaw(&hdr)
	if err != nil {
		return err
	}
	r, err := f.OpenRaw()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// dateStyles returns, for each cell style of the workbook, whether its number format shows a
// date. A custom format defined with a built-in id overrides the built-in one, as in Excel.
func dateStyles(xf *excelize.File) []bool {
	s := xf.Styles
	if s == nil || s.CellXfs == nil {
		return nil
	}
	custom := map[int]bool{}
	if s.NumFmts != nil {
		for _, nf := range s.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = isDateFormat(code)
		}
	}
	dates := make([]bool, len(s.CellXfs.Xf))
	for i, x := range s.CellXfs.Xf {
		if x.NumFmtID == nil {
			continue
		}
		id := *x.NumFmtID
		if d, ok := custom[id]; ok {
			dates[i] = d
		} else {
			dates[i] = builtInDate(id)
		}
	}
	return dates
}

// pick returns the sheet to read: the one named (exactly, else ignoring case), or the first
// visible worksheet.
func (wb *workbook) pick(name string) (*sheetInfo, error) {
	if len(wb.sheets) == 0 {
		return nil, errors.New("has no sheets")
	}
	if name == "" {
		for i := range wb.sheets {
			if s := &wb.sheets[i]; !s.hidden && s.kind == "worksheet" {
				return s, nil
			}
		}
		return nil, fmt.Errorf("has no visible worksheet; name the sheet to read (sheets: %s)", wb.list())
	}
	var found *sheetInfo
	for i := range wb.sheets {
		if wb.sheets[i].name == name {
			found = &wb.sheets[i]
			break
		}
	}
	for i := range wb.sheets {
		if found == nil && strings.EqualFold(wb.sheets[i].name, name) {
			found = &wb.sheets[i]
		}
	}
	switch {
	case found == nil:
		return nil, fmt.Errorf("has no sheet %q (sheets: %s)", name, wb.list())
	case found.kind != "worksheet" && found.kind != "":
		what, ok := sheetKinds[found.kind]
		if !ok {
			what = "a " + found.kind
		}
		return nil, fmt.Errorf("sheet %q is %s, not a worksheet", found.name, what)
	}
	return found, nil
}

// sheetKinds names the kinds of sheet that hold no rows.
var sheetKinds = map[string]string{
	"chartsheet":       "a chart sheet",
	"dialogsheet":      "a dialog sheet",
	"xlMacrosheet":     "a macro sheet",
	"xlIntlMacrosheet": "a macro sheet",
}

// list names the workbook's sheets for a message: "Employees", "Old" (hidden).
func (wb *workbook) list() string {
	names := make([]string, 0, len(wb.sheets))
	for _, s := range wb.sheets {
		n := strconv.Quote(s.name)
		if s.hidden {
			n += " (hidden)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}
