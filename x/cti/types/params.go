package types

import (
	"fmt"

	"github.com/adf-consortium/adf/pkg/cti"
)

// Default bounds of work per message and query.
const (
	DefaultMaxIndicatorsPerTx  = 500
	DefaultMaxExceptionSeconds = 90 * 24 * 3600
	DefaultMaxQueryItems       = 10000
	// MaxReasonLen bounds revocation reasons, exception reasons and
	// sighting notes: pkg/cti's bound on exception reasons.
	MaxReasonLen = cti.MaxExceptionReasonLen
	// MaxExceptionIDLen bounds exception ids, as pkg/cti does.
	MaxExceptionIDLen = cti.MaxExceptionIDLen
)

// DefaultParams are pkg/cti's default score params and gate policy: an OSV
// MAL- advisory (confidence 100, label malicious) blocks.
func DefaultParams() Params {
	sp := cti.DefaultScoreParams()
	gp := cti.DefaultGatePolicy()
	p := Params{
		ReputationPrior:     sp.ReputationPrior,
		SightingPrior:       sp.SightingPrior,
		FalsePositiveWeight: sp.FalsePositiveWeight,
		Thresholds:          thresholdsOf(gp.Default),
		MaliciousBlocks:     gp.MaliciousBlocks,
		MaxIndicatorsPerTx:  DefaultMaxIndicatorsPerTx,
		MaxExceptionSeconds: DefaultMaxExceptionSeconds,
		MaxQueryItems:       DefaultMaxQueryItems,
	}
	for _, d := range sp.Decay {
		p.Decay = append(p.Decay, KindDecay{Kind: string(d.Kind), LifetimeSeconds: d.LifetimeSeconds, SpeedMilli: d.SpeedMilli})
	}
	for _, e := range gp.Ecosystems {
		p.Ecosystems = append(p.Ecosystems, EcosystemThresholds{Ecosystem: e.Ecosystem, Thresholds: thresholdsOf(e.Thresholds)})
	}
	return p
}

// Validate checks the params with pkg/cti's rules plus the work bounds.
func (p Params) Validate() error {
	if err := p.ScoreParams().Validate(); err != nil {
		return ErrInvalidParams.Wrap(err.Error())
	}
	gp, err := p.GatePolicy(0, nil)
	if err != nil {
		return err
	}
	if err := gp.Validate(0); err != nil {
		return ErrInvalidParams.Wrap(err.Error())
	}
	if p.MaxIndicatorsPerTx == 0 || p.MaxIndicatorsPerTx > 10000 {
		return ErrInvalidParams.Wrapf("max_indicators_per_tx: %d is not in 1..10000", p.MaxIndicatorsPerTx)
	}
	if p.MaxExceptionSeconds <= 0 || p.MaxExceptionSeconds > cti.MaxExceptionSeconds {
		return ErrInvalidParams.Wrapf("max_exception_seconds: %d is not in 1..%d", p.MaxExceptionSeconds, cti.MaxExceptionSeconds)
	}
	if p.MaxQueryItems == 0 || p.MaxQueryItems > 100000 {
		return ErrInvalidParams.Wrapf("max_query_items: %d is not in 1..100000", p.MaxQueryItems)
	}
	return nil
}

// String is for logs.
func (s SightingVerdict) Short() string {
	switch s {
	case SIGHTING_VERDICT_TRUE_POSITIVE:
		return "true-positive"
	case SIGHTING_VERDICT_FALSE_POSITIVE:
		return "false-positive"
	}
	return fmt.Sprintf("unknown(%d)", int32(s))
}
