package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/rosterload/rosterload/sink/journal"
)

// The lines written are those the journal writes.
func TestAppendLineIsTheJournalsFormat(t *testing.T) {
	at := time.Date(2026, 1, 5, 2, 0, 0, 123456789, time.UTC)
	for _, e := range []journal.Entry{
		{ExternalID: "E0000001", Kind: "ewa", Status: journal.StatusPending, Row: 2, At: at},
		{ExternalID: "E0000001", Kind: "ewa", Status: journal.StatusCreated, Row: 2, At: at.Truncate(time.Second),
			CustomerID: "0e01f271-80b1-4724-b5dc-6959c7cd88dc", ProfileID: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
			FinancialAccountID: "e4021849-0e09-43ef-b9a7-18124356f489"},
		{ExternalID: "X", Status: journal.StatusFailed, IdempotencyKey: "k"},
	} {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendLine(nil, &e)); got != string(want)+"\n" {
			t.Errorf("AppendLine = %s, json.Marshal = %s", got, want)
		}
	}
}

func TestWriteThenLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	if err := writeState(path, 50, 3, "ewa", "api.example.com", false, 1); err != nil {
		t.Fatal(err)
	}
	j, err := journal.OpenFor(path, journal.Options{Kind: "ewa", Host: "api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.Len() != 50 {
		t.Errorf("Len = %d, want 50", j.Len())
	}
	if e, ok := j.Done("E0000050"); !ok || e.Status != journal.StatusExists || len(e.CustomerID) != 36 {
		t.Errorf("Done(E0000050) = %+v, %v", e, ok)
	}
	if len(j.Warnings()) != 0 {
		t.Errorf("warnings: %v", j.Warnings())
	}
}

func TestWriteCurrentThenLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	if err := writeCurrent(path, 50, 2, "ewa", "api.example.com"); err != nil {
		t.Fatal(err)
	}
	j, err := journal.OpenFor(path, journal.Options{Kind: "ewa", Host: "api.example.com", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	e, ok := j.Lookup("E0000050")
	if j.Len() != 50 || !ok || e.FirstSeen != "2026-01-05" || e.LastSeen != "2026-01-06" {
		t.Errorf("Len %d, Lookup = %+v, %v", j.Len(), e, ok)
	}
	if paths, known := j.Changed("E0000050", j.Fingerprint("E0000050", request(49))); !known || len(paths) != 0 {
		t.Errorf("Changed = %q, %v", paths, known)
	}
}
