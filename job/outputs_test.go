package job

import "testing"

func TestSummaryName(t *testing.T) {
	t.Parallel()
	tests := []struct{ report, summary string }{
		{"roster.csv.report.csv", "roster.csv.summary.json"},
		{"roster.xlsx.report.jsonl", "roster.xlsx.summary.json"},
		{"acme.json", "acme.summary.json"},
	}
	for _, tt := range tests {
		t.Run(tt.report, func(t *testing.T) {
			if got := summaryName(tt.report); got != tt.summary {
				t.Errorf("summaryName(%q) = %q, want %q", tt.report, got, tt.summary)
			}
		})
	}
}
