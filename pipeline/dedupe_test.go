package pipeline

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/rosterload/rosterload/api"
)

func ewa(id, email, card string) *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID: id, ProgramID: "p1",
		CustomerData: &api.IndividualCustomer{
			Type: "INDIVIDUAL", FirstName: "Ana", LastName: "Lee",
			PrimaryEmail: &api.Email{Value: email},
			Metadata:     map[string]string{"b": "2", "a": "1"},
		},
		FinancialAccountData: &api.FinancialAccountData{Name: "card", Subtype: "DEBIT",
			Card: &api.Card{CardNumber: card}},
	}
}

func TestDeduperClaim(t *testing.T) {
	t.Parallel()
	type claim struct {
		id      string
		row     int
		req     any
		wantRow int      // 0: first use
		differ  []string // expected differing fields
	}
	tests := []struct {
		name   string
		claims []claim
	}{
		{"distinct ids", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "4242424242424242")},
			{id: "B", row: 3, req: ewa("B", "a@x.io", "4242424242424242")},
		}},
		{"same content", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "4242424242424242")},
			{id: "A", row: 9, req: ewa("A", "a@x.io", "4242424242424242"), wantRow: 2},
		}},
		{"differing fields named, first row kept", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "4242424242424242")},
			{id: "A", row: 5, req: ewa("A", "b@x.io", "4000056655665556"), wantRow: 2,
				differ: []string{"customerData.primaryEmail.value", "financialAccountData.card.cardNumber"}},
			{id: "A", row: 7, req: ewa("A", "a@x.io", "4242424242424242"), wantRow: 2},
		}},
		{"case matters", []claim{
			{id: "a1", row: 2, req: ewa("a1", "a@x.io", "1")},
			{id: "A1", row: 3, req: ewa("A1", "a@x.io", "1")},
		}},
		{"field present in one only", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "")},
			{id: "A", row: 3, req: ewa("A", "a@x.io", "4242424242424242"), wantRow: 2,
				differ: []string{"financialAccountData.card.cardNumber"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHasher()
			d, err := newDeduper(t.TempDir(), h)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			for _, c := range tt.claims {
				fu, err := d.Claim(c.id, c.row, h.fingerprint(c.req))
				if err != nil {
					t.Fatal(err)
				}
				if c.wantRow == 0 {
					if fu != nil {
						t.Fatalf("row %d: got duplicate of row %d, want first use", c.row, fu.Row)
					}
					continue
				}
				if fu == nil {
					t.Fatalf("row %d: got first use, want duplicate of row %d", c.row, c.wantRow)
				}
				if fu.Row != c.wantRow {
					t.Errorf("row %d: duplicate of row %d, want %d", c.row, fu.Row, c.wantRow)
				}
				if !reflect.DeepEqual(fu.Differ, c.differ) {
					t.Errorf("row %d: differ = %q, want %q", c.row, fu.Differ, c.differ)
				}
			}
		})
	}
}

// Two ids whose hashes collide must not be taken for each other.
func TestDeduperHashCollision(t *testing.T) {
	t.Parallel()
	h := newHasher()
	d, err := newDeduper(t.TempDir(), h)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.hash = func(string) uint64 { return 42 } // every id collides
	for i := range 50 {
		id := fmt.Sprint("id", i)
		if fu, err := d.Claim(id, i+2, h.fingerprint(ewa(id, "a@x.io", "1"))); err != nil || fu != nil {
			t.Fatalf("claim %s: got duplicate %v, err %v; want first use", id, fu, err)
		}
	}
	fu, err := d.Claim("id10", 99, h.fingerprint(ewa("id10", "b@x.io", "1")))
	if err != nil {
		t.Fatal(err)
	}
	if fu == nil || fu.Row != 12 || !reflect.DeepEqual(fu.Differ, []string{"customerData.primaryEmail.value"}) {
		t.Fatalf("claim id10 again = %+v, want duplicate of row 12 differing in the email", fu)
	}
}

// More entries than one chunk holds: entries past the first chunk are found again.
func TestDeduperManyChunks(t *testing.T) {
	t.Parallel()
	h := newHasher()
	d, err := newDeduper(t.TempDir(), h)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fp := h.fingerprint(ewa("x", "a@x.io", "1"))
	n := chunkSize + chunkSize/2
	for i := range n {
		if fu, err := d.Claim(fmt.Sprint("x", i), i+2, fp); err != nil || fu != nil {
			t.Fatalf("claim %d: %v %v", i, fu, err)
		}
	}
	for _, i := range []int{0, chunkSize - 1, chunkSize, n - 1} {
		fu, err := d.Claim(fmt.Sprint("x", i), n+10, fp)
		if err != nil || fu == nil || fu.Row != i+2 {
			t.Errorf("claim x%d again = %+v, %v; want duplicate of row %d", i, fu, err, i+2)
		}
	}
}
