package job

import (
	"context"
	"sync/atomic"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/pipeline"
)

// inFlightSink counts the records its sink is submitting, for the line an interrupt prints.
type inFlightSink struct {
	pipeline.Sink
	n atomic.Int64
}

func (s *inFlightSink) Submit(ctx context.Context, rec *ingest.Record) (outcome.Outcome, error) {
	s.n.Add(1)
	defer s.n.Add(-1)
	return s.Sink.Submit(ctx, rec)
}

// InFlight is the number of records being submitted now.
func (s *inFlightSink) InFlight() int { return int(s.n.Load()) }
