package types

import (
	"fmt"
	"strings"

	"github.com/adf-consortium/adf/pkg/cti"
)

// DefaultGenesis is an empty registry with default params.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), PolicyVersion: 1}
}

// Validate checks the genesis state: params, every indicator, unique ids,
// history and sightings that refer to known indicators, unique exceptions.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	ids := make(map[string]IndicatorRecord, len(gs.Indicators))
	for i, r := range gs.Indicators {
		d := r.Indicator.ToDomain()
		if err := d.Validate(); err != nil {
			return fmt.Errorf("indicators[%d]: %w", i, err)
		}
		if d.Publisher == "" {
			return fmt.Errorf("indicators[%d] (%s): empty publisher", i, d.ID)
		}
		if r.Status != INDICATOR_STATUS_ACTIVE && r.Status != INDICATOR_STATUS_REVOKED {
			return fmt.Errorf("indicators[%d] (%s): status %s", i, d.ID, r.Status)
		}
		if _, dup := ids[d.ID]; dup {
			return fmt.Errorf("indicators[%d]: duplicate id %s", i, d.ID)
		}
		ids[d.ID] = r
	}
	type rev struct {
		id string
		n  uint32
	}
	seen := map[rev]bool{}
	for i, h := range gs.History {
		if _, ok := ids[h.IndicatorId]; !ok {
			return fmt.Errorf("history[%d]: unknown indicator %s", i, h.IndicatorId)
		}
		k := rev{h.IndicatorId, h.Revision}
		if seen[k] {
			return fmt.Errorf("history[%d]: duplicate revision %d of %s", i, h.Revision, h.IndicatorId)
		}
		seen[k] = true
	}
	type so struct{ id, org string }
	sseen := map[so]bool{}
	for i, s := range gs.Sightings {
		r, ok := ids[s.IndicatorId]
		if !ok {
			return fmt.Errorf("sightings[%d]: unknown indicator %s", i, s.IndicatorId)
		}
		if s.OrgId == "" || s.OrgId == r.Indicator.Publisher {
			return fmt.Errorf("sightings[%d]: organisation %q cannot sight %s", i, s.OrgId, s.IndicatorId)
		}
		if s.Verdict != SIGHTING_VERDICT_TRUE_POSITIVE && s.Verdict != SIGHTING_VERDICT_FALSE_POSITIVE {
			return fmt.Errorf("sightings[%d]: verdict %s", i, s.Verdict)
		}
		k := so{s.IndicatorId, s.OrgId}
		if sseen[k] {
			return fmt.Errorf("sightings[%d]: duplicate sighting of %s by %s", i, s.IndicatorId, s.OrgId)
		}
		sseen[k] = true
	}
	gp, err := gs.Params.GatePolicy(gs.PolicyVersion, gs.Exceptions)
	if err != nil {
		return fmt.Errorf("exceptions: %w", err)
	}
	// pkg/cti's rules; now 0 skips the expiry bound (exported exceptions
	// may have been set long before the export).
	if err := gp.Validate(0); err != nil {
		return err
	}
	eseen := map[string]bool{}
	for i, e := range gs.Exceptions {
		if err := ValidateExceptionFields(e.Id, e.Target, e.Reason, e.Expires); err != nil {
			return fmt.Errorf("exceptions[%d]: %w", i, err)
		}
		if eseen[e.Id] {
			return fmt.Errorf("exceptions[%d]: duplicate id %s", i, e.Id)
		}
		eseen[e.Id] = true
	}
	rseen := map[string]bool{}
	for i, r := range gs.Reputations {
		if r.OrgId == "" || rseen[r.OrgId] {
			return fmt.Errorf("reputations[%d]: empty or duplicate org %q", i, r.OrgId)
		}
		rseen[r.OrgId] = true
	}
	return nil
}

// ValidateExceptionFields checks an exception's stateless fields: id,
// target (a purl or an indicator id), a reason, an expiry.
func ValidateExceptionFields(id, target, reason string, expires int64) error {
	if id == "" || len(id) > MaxExceptionIDLen {
		return ErrInvalidException.Wrapf("id %q: empty or longer than %d bytes", id, MaxExceptionIDLen)
	}
	if err := cti.ValidateExceptionTarget(target); err != nil {
		return ErrInvalidException.Wrapf("target: %v", err)
	}
	if strings.TrimSpace(reason) == "" || len(reason) > MaxReasonLen {
		return ErrInvalidException.Wrapf("reason: empty or longer than %d bytes", MaxReasonLen)
	}
	if expires <= 0 {
		return ErrInvalidException.Wrap("expires: must be a unix time in the future")
	}
	return nil
}
