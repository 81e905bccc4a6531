package job

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/reports"
)

// reportSheet describes the roster for an XLSX report: its header, and for each column how its
// cells may be shown (card numbers, SSNs and tax ids masked, card expiries never).
func reportSheet(r *ingest.Roster) (reports.Sheet, error) {
	h, err := r.Header()
	if err != nil {
		return reports.Sheet{}, err
	}
	masks := make([]reports.Mask, len(h.Names))
	mark := func(ps []ingest.Placement) {
		for _, p := range ps {
			if p.Column < 0 || p.Column >= len(masks) {
				continue
			}
			m := reports.MaskScan
			switch p.Field {
			case "cardNumber":
				m = reports.MaskPAN
			case "ssn", "taxId":
				m = reports.MaskID
			case "cardExpiry":
				m = reports.MaskDrop
			}
			masks[p.Column] = max(masks[p.Column], m)
		}
	}
	mark(r.Mapper.Placements())
	// The report copies every column: one that another kind would take for card or identity
	// data (the SSNs and card expiries of an EWA roster run as business) is masked too.
	for _, spec := range ingest.Specs() {
		if other, err := ingest.NewMapper(ingest.Config{Kind: spec.Kind}, h); err == nil {
			mark(other.Placements())
		}
	}
	return reports.Sheet{HeaderRow: h.Num, Header: h.Names, Masks: masks}, nil
}

// logPlacements says which row is the header when it was chosen, which header went to which
// field, and what was left unplaced. (A required field nothing gives was refused by the
// preflight.)
func logPlacements(log *slog.Logger, r *ingest.Roster) {
	if c := r.Choice; c != nil {
		log.Info("header row chosen", "row", c.Row, "of", c.String())
	}
	var placed []string
	for _, p := range r.Mapper.Placements() {
		placed = append(placed, fmt.Sprintf("%q->%s", p.Header, p.Field))
	}
	log.Info("columns mapped", "count", len(placed), "map", strings.Join(placed, ", "))
	if un := r.Mapper.Unplaced(); len(un) > 0 {
		log.Warn("columns not used", "headers", strings.Join(un, ", "))
	}
	// What unused columns' values look like: a warning when nothing feeds that field, else a
	// note (a "Hire Date" beside the "Birth Date" would warn every night).
	for _, g := range r.Guesses {
		if g.Placed == "" {
			log.Warn("column looks like a field", "guess", g.String())
		} else {
			log.Info("column looks like a field", "guess", g.String())
		}
	}
}
