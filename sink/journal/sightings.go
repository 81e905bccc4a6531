package journal

import (
	"slices"
	"strings"
	"time"
)

// Employee is what the state knows of a done externalId: the platform's ids, and the days
// (yyyy-MM-dd, UTC) it was first and last seen in a roster and went missing ("" if it is not).
type Employee struct {
	ExternalID         string
	Kind               string
	CustomerID         string
	ProfileID          string
	FinancialAccountID string
	FirstSeen          string
	LastSeen           string
	MissingSince       string
}

const secondsPerDay = 24 * 60 * 60

// dayOf is t's day (UTC) since 1970-01-01, clamped to what a uint16 holds; 0 for the zero time.
func dayOf(t time.Time) uint16 {
	if t.IsZero() {
		return 0
	}
	d := t.Unix() / secondsPerDay
	if t.Unix() < 0 {
		d = 0
	}
	return uint16(min(max(d, 1), 1<<16-1))
}

// dateText is day d as yyyy-MM-dd, "" for 0.
func dateText(d uint16) string {
	if d == 0 {
		return ""
	}
	return time.Unix(int64(d)*secondsPerDay, 0).UTC().Format(time.DateOnly)
}

// parseDate reads a yyyy-MM-dd date as a day; ok is false for anything else.
func parseDate(b []byte) (uint16, bool) {
	if len(b) == 0 {
		return 0, true
	}
	if len(b) != len(time.DateOnly) {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// employee makes the Employee of a done slot.
func (j *Journal) employee(id string, i int32) Employee {
	sl := j.st.slot(i)
	e := j.st.entry(sl, j.st.spill, i, id)
	return Employee{ExternalID: id, Kind: e.Kind, CustomerID: e.CustomerID, ProfileID: e.ProfileID,
		FinancialAccountID: e.FinancialAccountID, FirstSeen: dateText(sl.firstDay), LastSeen: dateText(sl.lastDay),
		MissingSince: dateText(sl.missDay)}
}

// doneSlot returns externalID's slot if it is done (of the journal's kind).
func (j *Journal) doneSlot(externalID string) (int32, *slot, bool) {
	i, ok := j.st.index[externalID]
	if !ok {
		return 0, nil, false
	}
	sl := j.st.slot(i)
	if !isDone(sl.status) || (j.kind != "" && j.st.kinds[sl.kind] != j.kind && sl.flags&flagSpilled == 0) {
		return 0, nil, false
	}
	return i, sl, true
}

// Seen marks externalID, a done id, as seen in today's roster. If it was missing it is active
// again, and Seen returns the day it went missing (yyyy-MM-dd); "" otherwise.
func (j *Journal) Seen(externalID string) (missingSince string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, sl, ok := j.doneSlot(externalID)
	if !ok {
		return ""
	}
	since := dateText(sl.missDay)
	sl.seen, sl.lastDay, sl.missDay = true, max(sl.lastDay, j.today), 0
	j.changed = true
	return since
}

// Lookup returns what the state knows of externalID, if it is done.
func (j *Journal) Lookup(externalID string) (Employee, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, _, ok := j.doneSlot(externalID)
	if !ok {
		return Employee{}, false
	}
	return j.employee(externalID, i), true
}

// Active returns how many done ids are not missing.
func (j *Journal) Active() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	j.eachDone(func(_ string, _ int32, sl *slot) {
		if sl.missDay == 0 {
			n++
		}
	})
	return n
}

// Unseen returns the active done ids not seen in this run (neither Seen nor recorded done),
// ordered by externalId: with a full roster, the leavers.
func (j *Journal) Unseen() []Employee {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Employee
	j.eachDone(func(id string, i int32, sl *slot) {
		if sl.missDay == 0 && !sl.seen {
			out = append(out, j.employee(id, i))
		}
	})
	slices.SortFunc(out, func(a, b Employee) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	return out
}

// MarkMissing marks the done ids among ids as missing since today (those missing already keep
// their day).
func (j *Journal) MarkMissing(ids []string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range ids {
		if _, sl, ok := j.doneSlot(id); ok && sl.missDay == 0 {
			sl.missDay = j.today
			j.changed = true
		}
	}
}

func (j *Journal) eachDone(fn func(id string, i int32, sl *slot)) {
	for id := range j.st.index {
		if i, sl, ok := j.doneSlot(id); ok {
			fn(id, i, sl)
		}
	}
}
