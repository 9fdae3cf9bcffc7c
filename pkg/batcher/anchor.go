package batcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/adf-consortium/adf/pkg/batchlog"
	"github.com/adf-consortium/adf/pkg/merkle"
)

// ErrFatal marks errors the anchoring loop cannot recover from (the chain's
// root is not a root of the local log).
var ErrFatal = errors.New("batcher: fatal")

// Run polls the chain height and runs the anchoring loop until ctx ends. It
// returns nil on cancellation and an error wrapping ErrFatal if the chain's
// anchored root contradicts the local log (lost data or a fork).
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); s.pollLoop(ctx) }()
	err := s.anchorLoop(ctx)
	cancel()
	<-done
	return err
}

// SyncAnchored reads the chain's latest root for the log and records it
// locally after checking it is this log's root at that size.
func (s *Server) SyncAnchored(ctx context.Context) error {
	root, err := s.chain.LatestRoot(ctx, s.cfg.LogID)
	if err != nil {
		return fmt.Errorf("latest root of %s: %w", s.cfg.LogID, err)
	}
	if root == nil {
		return nil
	}
	if root.TreeSize > s.log.Size() {
		return fmt.Errorf("%w: chain has a root of %s at tree size %d but the local log has only %d entries (wrong --data-dir or lost data)",
			ErrFatal, s.cfg.LogID, root.TreeSize, s.log.Size())
	}
	if root.TreeSize <= s.log.Anchored().TreeSize {
		return nil
	}
	if err := s.log.SetAnchored(batchlog.Anchored{TreeSize: root.TreeSize, RootHash: root.RootHash, Height: root.Height, Time: root.Time}); err != nil {
		return fmt.Errorf("%w: %v", ErrFatal, err)
	}
	return nil
}

func (s *Server) setAnchorErr(err error) {
	s.anchorMu.Lock()
	defer s.anchorMu.Unlock()
	if err == nil {
		s.lastAnchorErr = ""
	} else {
		s.lastAnchorErr = err.Error()
	}
}

func (s *Server) anchorLoop(ctx context.Context) error {
	backoff := time.Duration(0)
	nextBackoff := func() time.Duration {
		if backoff == 0 {
			backoff = 200 * time.Millisecond
		} else {
			backoff = min(backoff*2, s.cfg.MaxBackoff)
		}
		return backoff
	}
	// Learn where the chain stands before anchoring anything.
	for {
		err := s.SyncAnchored(ctx)
		if err == nil {
			break
		}
		if errors.Is(err, ErrFatal) {
			s.setAnchorErr(err)
			return err
		}
		s.setAnchorErr(err)
		s.cfg.Logger.Warn("cannot read the chain's latest root; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(nextBackoff()):
		}
	}
	backoff = 0
	timer := time.NewTimer(s.cfg.Epoch)
	defer timer.Stop()
	resync := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-s.kick:
			if backoff != 0 {
				continue // failing: wait for the backoff timer
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		if resync {
			// The last attempt may have landed although we saw an error.
			if err := s.SyncAnchored(ctx); err != nil {
				if errors.Is(err, ErrFatal) {
					s.setAnchorErr(err)
					return err
				}
				s.anchorFailures.Inc()
				s.setAnchorErr(err)
				timer.Reset(nextBackoff())
				continue
			}
			resync = false
		}
		started := time.Now()
		more, err := s.AnchorOnce(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			s.anchorFailures.Inc()
			s.setAnchorErr(err)
			d := nextBackoff()
			s.cfg.Logger.Warn("anchoring failed; retrying", "err", err, "in", d)
			resync = true
			timer.Reset(d)
		case more:
			backoff = 0
			timer.Reset(0)
		default:
			backoff = 0
			// --epoch is the period between anchors: the time the anchoring
			// transaction took to be included counts against it.
			timer.Reset(max(0, s.cfg.Epoch-time.Since(started)))
		}
	}
}

// AnchorOnce anchors the log's current root (at most MaxGrowth entries
// beyond the last anchored root) if the tree grew. more is true when a
// backlog beyond MaxGrowth remains.
func (s *Server) AnchorOnce(ctx context.Context) (more bool, err error) {
	a := s.log.Anchored()
	size := s.log.Size()
	if size <= a.TreeSize {
		return false, nil
	}
	target := size
	if target-a.TreeSize > s.cfg.MaxGrowth {
		target = a.TreeSize + s.cfg.MaxGrowth
		more = true
	}
	root, err := s.log.RootAt(target)
	if err != nil {
		return false, err
	}
	var proof []merkle.Hash
	if a.TreeSize > 0 {
		if proof, err = s.log.ConsistencyProof(a.TreeSize, target); err != nil {
			return false, err
		}
	}
	height, err := s.chain.AnchorRoot(ctx, s.cfg.LogID, target, root, proof)
	if errors.Is(err, ErrRootAlreadyAnchored) {
		// Our earlier attempt landed: take the chain's record of it.
		if err := s.SyncAnchored(ctx); err != nil {
			return false, err
		}
		if s.log.Anchored().TreeSize >= target {
			return more, nil
		}
		return false, fmt.Errorf("chain says root %d already anchored but its latest root is at %d", target, s.log.Anchored().TreeSize)
	}
	if errors.Is(err, ErrStaleAnchorBase) {
		// If the chain moved past the base we proved from, one of our own
		// earlier anchors landed late: re-anchor from the new base at once,
		// without counting a failure. Otherwise the refusal stands.
		if err := s.SyncAnchored(ctx); err != nil {
			return false, err
		}
		if s.log.Anchored().TreeSize > a.TreeSize {
			s.cfg.Logger.Info("anchor base moved on chain; re-anchoring", "log", s.cfg.LogID, "from", a.TreeSize, "to", s.log.Anchored().TreeSize)
			return true, nil
		}
	}
	if err != nil {
		return false, fmt.Errorf("anchor %s at tree size %d (from %d): %w", s.cfg.LogID, target, a.TreeSize, err)
	}
	if err := s.log.SetAnchored(batchlog.Anchored{TreeSize: target, RootHash: root, Height: height, Time: s.cfg.Now().UTC()}); err != nil {
		return false, err
	}
	s.anchors.Inc()
	if e, err := s.log.Entry(a.TreeSize); err == nil {
		s.anchorLag.Observe(s.cfg.Now().Sub(e.Received).Seconds())
	}
	s.setAnchorErr(nil)
	s.cfg.Logger.Info("root anchored", "log", s.cfg.LogID, "tree_size", target, "previous", a.TreeSize, "height", height)
	return more, nil
}
