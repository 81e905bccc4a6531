package outcome

import "testing"

// OK decides the exit code: only the statuses that leave nothing to do are OK, and Statuses,
// which the summary walks, holds each status once.
func TestStatusOK(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s  Status
		ok bool
	}{
		{Valid, true}, {Invalid, false}, {Duplicate, false}, {Created, true},
		{Exists, true}, {Skipped, true}, {Failed, false}, {NotSubmitted, false},
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
	if len(seen) != 8 {
		t.Errorf("Statuses holds %d statuses, want 8", len(seen))
	}
}
