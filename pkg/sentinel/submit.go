package sentinel

import (
	"context"
	"errors"
	"time"
)

// ReportResult is the chain's answer to one report of a batch.
type ReportResult struct {
	ReportID   uint64
	IncidentID uint64
	// Duplicate: the chain already had this report (same detector, device,
	// window and method) and kept the earlier one.
	Duplicate bool
}

// Submitted is the chain's answer to a batch.
type Submitted struct {
	Height  int64
	TxHash  string
	Results []ReportResult // one per report, in order (may be empty)
}

// ReportSink puts reports on chain (cmd/adf signs MsgSubmitReports).
type ReportSink interface {
	// SubmitReports sends one batch in one transaction and returns once it
	// is included. An error wrapping ErrRefused means the chain refused
	// the content (retrying the same batch cannot succeed); any other
	// error is treated as transient and the batch is retried.
	SubmitReports(ctx context.Context, reports []*Report) (*Submitted, error)
}

// ErrRefused marks a sink error where the chain refused the reports
// themselves (for instance a window older than max_report_age).
var ErrRefused = errors.New("chain refused the reports")

// submitLoop sends pending reports in batches until ctx ends. A batch is
// sent when it holds Batch reports or its oldest report waited Flush.
// Transient failures are retried with exponential backoff, so a report
// leaves the queue only when the chain included it or refused it; a
// refused batch of several is retried one report at a time so one bad
// report does not take the others down with it.
func (s *Service) submitLoop(ctx context.Context) {
	backoff := time.Duration(0)
	singles := 0
	flush := time.NewTimer(time.Hour)
	defer flush.Stop()
	for {
		// Wait for a full batch or for the oldest report's flush time.
		for {
			s.repMu.Lock()
			n := len(s.pending)
			var oldest int64
			if n > 0 {
				oldest = s.pending[0].DetectedAt
			}
			s.repMu.Unlock()
			if n >= s.cfg.Batch || singles > 0 {
				break
			}
			wait := time.Hour
			if n > 0 {
				wait = s.cfg.Flush - s.cfg.Now().Sub(time.Unix(0, oldest))
				if wait <= 0 {
					break
				}
			}
			flush.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			case <-flush.C:
			}
			flush.Stop()
		}
		s.repMu.Lock()
		k := min(s.cfg.Batch, len(s.pending))
		if singles > 0 {
			k = 1
		}
		batch := append([]*Report(nil), s.pending[:k]...)
		s.repMu.Unlock()

		started := time.Now()
		res, err := s.sink.SubmitReports(ctx, batch)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err == nil:
			s.m.submitSeconds.Observe(time.Since(started).Seconds())
			now := s.cfg.Now()
			for i, r := range batch {
				r.State, r.Height, r.Error = StateSubmitted, res.Height, ""
				r.TxHash = res.TxHash
				r.Attempts++
				if i < len(res.Results) {
					r.ReportID, r.IncidentID, r.Duplicate = res.Results[i].ReportID, res.Results[i].IncidentID, res.Results[i].Duplicate
				}
				if r.Duplicate {
					s.m.duplicates.Inc()
				}
				s.m.detectToInclude.Observe(now.Sub(time.Unix(0, r.DetectedAt)).Seconds())
			}
			s.m.submitted.Add(float64(len(batch)))
			s.finish(batch)
			s.setSubmitErr(nil)
			s.cfg.Logger.Info("reports on chain", "reports", len(batch), "height", res.Height, "tx", res.TxHash)
			backoff = 0
			if singles > 0 {
				singles--
			}
		case errors.Is(err, ErrRefused) && len(batch) > 1:
			s.m.submitFailures.Inc()
			s.cfg.Logger.Warn("chain refused a batch; retrying its reports one by one", "reports", len(batch), "err", err)
			singles = len(batch)
		case errors.Is(err, ErrRefused):
			s.m.refused.Inc()
			s.m.submitFailures.Inc()
			r := batch[0]
			r.State, r.Error = StateRefused, err.Error()
			r.Attempts++
			s.finish(batch)
			s.setSubmitErr(err)
			s.cfg.Logger.Error("chain refused a report; kept in the store as refused", "seq", r.Seq, "device", r.Device, "err", err)
			if singles > 0 {
				singles--
			}
		default:
			s.m.submitFailures.Inc()
			s.setSubmitErr(err)
			for _, r := range batch {
				r.Attempts++
			}
			if backoff == 0 {
				backoff = 250 * time.Millisecond
			} else {
				backoff = min(2*backoff, s.cfg.MaxBackoff)
			}
			s.cfg.Logger.Warn("report submission failed; retrying", "reports", len(batch), "in", backoff, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
	}
}

// finish records the batch's final state and takes it off the queue (it is
// the queue's front: only this loop removes reports).
func (s *Service) finish(batch []*Report) {
	if err := s.store.UpdateReports(batch); err != nil {
		// The chain has them; a restart would resubmit them, and the
		// chain answers duplicates, so this costs a transaction, not data.
		s.cfg.Logger.Error("cannot record report states", "err", err)
	}
	s.repMu.Lock()
	s.pending = s.pending[len(batch):]
	s.repCond.Broadcast()
	s.repMu.Unlock()
}
