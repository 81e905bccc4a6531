package ingest

import (
	"errors"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

func TestHeaderOfData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		header  []string
		refused bool
		want    []string // substrings of the message
	}{
		{
			name:    "a headerless EWA roster",
			header:  []string{"E1001", "Ana", "Silva", "ana.silva@example.com", "+1 415 555 0101", "1988-04-12", "123-45-6789", "4111 1111 1111 1111", "12/27"},
			refused: true,
			want:    []string{"row 1, taken as the header, looks like an employee's data", "missing its header row"},
		},
		{
			name:    "--header-row naming the first data row",
			cfg:     Config{HeaderRow: 2},
			header:  []string{"1001", "Bo", "Li", "bo@example.com", "4155550102"},
			refused: true,
			want:    []string{"the header row was given as 2"},
		},
		{
			name:    "one card number is enough",
			header:  []string{"Employee ID", "First Name", "4111.1111.1111.1111"},
			refused: true,
		},
		{
			name:    "one e-mail address is enough",
			header:  []string{"Employee ID", "sam@example.com"},
			refused: true,
		},
		{
			name:    "an SSN written bare",
			header:  []string{"Employee ID", "Name", "219099999"},
			refused: true,
		},
		{
			name:    "two dates",
			header:  []string{"E1", "Ana", "1/2/1990", "2020-03-04"},
			refused: true,
		},
		{
			name:   "the template",
			header: []string{"externalId", "firstName", "lastName", "email", "phone", "dateOfBirth", "ssn", "cardNumber", "cardExpiry", "zip"},
		},
		{
			name:   "payroll export headers with digits and punctuation",
			header: []string{"Employee ID", "Address Line 1", "Address Line 2", "Phone 2", "2024 Bonus", "Personal Contact: Personal Email", "Zip/Postal Code", "W-4 Status", "401(k) %"},
		},
		{
			name:   "one year as a header",
			header: []string{"Employee ID", "2024"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewMapper(tt.cfg, rows.Header{Num: max(tt.cfg.HeaderRow, 1), Names: tt.header})
			if !tt.refused {
				if err != nil {
					t.Fatalf("NewMapper: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("NewMapper: %v, want a configuration error", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			// The message names the row, never its cells.
			for _, c := range tt.header {
				if len(c) > 4 && strings.Contains(msg, c) {
					t.Errorf("message %q quotes the cell %q", msg, c)
				}
			}
		})
	}
}

func TestIDColumnOfPersonalData(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"SSN", "Social Security Number", "Card Number", "Tax ID", "Personal Contact: SSN"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			_, err := NewMapper(Config{Columns: map[string]string{"externalId": h}}, rows.Header{Num: 1, Names: []string{h, "First Name"}})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "externalId would come from column") {
				t.Fatalf("NewMapper: %v, want the id column refused", err)
			}
		})
	}
	if _, err := NewMapper(Config{Columns: map[string]string{"externalId": "Badge"}}, rows.Header{Num: 1, Names: []string{"Badge", "SSN"}}); err != nil {
		t.Fatalf("an id column that is not personal data: %v", err)
	}
}
