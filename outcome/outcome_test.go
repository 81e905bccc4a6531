package outcome

import (
	"slices"
	"testing"

	"github.com/rosterload/rosterload/validate"
)

// OK decides the exit code: only the statuses that leave nothing to do are OK, and Statuses,
// which the summary walks, holds each status once.
func TestStatusOK(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s  Status
		ok bool
	}{
		{Valid, true}, {Invalid, false}, {Duplicate, false}, {Created, true},
		{Exists, true}, {Skipped, true}, {Changed, true}, {Failed, false}, {NotSubmitted, false},
	} {
		t.Run(string(tt.s), func(t *testing.T) {
			if tt.s.OK() != tt.ok {
				t.Errorf("%s.OK() = %v, want %v", tt.s, !tt.ok, tt.ok)
			}
		})
	}
	seen := map[Status]bool{}
	for _, s := range Statuses {
		if seen[s] {
			t.Errorf("%s listed twice", s)
		}
		seen[s] = true
	}
	if len(seen) != 9 {
		t.Errorf("Statuses holds %d statuses, want 9", len(seen))
	}
	// A summary shows CHANGED right after SKIPPED: both are the state's verdicts on rows done before.
	if i := slices.Index(Statuses, Changed); i < 1 || Statuses[i-1] != Skipped {
		t.Errorf("Statuses = %v, want CHANGED right after SKIPPED", Statuses)
	}
}

// The nightly warnings name the field and the date, carry their codes, and read well without a
// date.
func TestNightlyWarnings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		got  validate.Problem
		want validate.Problem
	}{
		{"changed", ChangedWarning("customerData.primaryPhoneNumber.number", "Phone", "D7", "2026-11-02"), validate.Problem{
			Field: "customerData.primaryPhoneNumber.number", Column: "Phone", Cell: "D7", Code: "changed",
			Message: "changed since it was sent on 2026-11-02; not sent (the platform has no update endpoint)"}},
		{"changed from a default", ChangedWarning("programId", "", "", ""), validate.Problem{
			Field: "programId", Code: "changed", Message: "changed since it was sent; not sent (the platform has no update endpoint)"}},
		{"returned", ReturnedWarning("Employee ID", "A9", "2026-11-04"), validate.Problem{
			Field: "externalId", Column: "Employee ID", Cell: "A9", Code: "returned", Message: "back in the roster; it was missing since 2026-11-04"}},
		{"returned, no date", ReturnedWarning("ID", "A2", ""), validate.Problem{
			Field: "externalId", Column: "ID", Cell: "A2", Code: "returned", Message: "back in the roster after it was missing"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %+v\nwant %+v", tt.got, tt.want)
			}
		})
	}
}
