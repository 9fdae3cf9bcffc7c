package types

import (
	"fmt"
	"sort"
	"time"
)

// Default parameter values.
const (
	DefaultMaxEpochInterval                = 10 * time.Second
	DefaultMaxEnvelopeBytes         uint64 = 256 << 10
	DefaultMaxEntriesPerEpochPerOrg uint64 = 100_000
	DefaultMaxDirectAnchorsPerDay   uint64 = 10_000
	DefaultMaxProvenanceDepth       uint32 = 16
	DefaultMaxProvenanceFanOut      uint32 = 8
	DefaultMaxSubjects              uint32 = 256

	// MaxEnvelopeBytesLimit bounds max_envelope_bytes (4 MiB): an envelope
	// travels in a transaction and is hashed and parsed by every validator.
	MaxEnvelopeBytesLimit uint64 = 4 << 20
	// MaxProvenanceDepthLimit and MaxProvenanceFanOutLimit bound the
	// Provenance walk's params.
	MaxProvenanceDepthLimit  uint32 = 64
	MaxProvenanceFanOutLimit uint32 = 64
	// MaxSubjectsLimit bounds max_subjects.
	MaxSubjectsLimit uint32 = 4096
	// MaxRiskClasses bounds direct_risk_classes.
	MaxRiskClasses = 64
	// MaxEpochIntervalLimit bounds max_epoch_interval.
	MaxEpochIntervalLimit = 24 * time.Hour
)

// DefaultDirectRiskClasses are the risk classes that must be anchored
// directly by default, sorted.
func DefaultDirectRiskClasses() []string {
	return []string{"production-deploy", "release"}
}

// DefaultParams returns the default attestation parameters.
func DefaultParams() Params {
	return Params{
		DirectRiskClasses:            DefaultDirectRiskClasses(),
		MaxEpochInterval:             DefaultMaxEpochInterval,
		MaxEnvelopeBytes:             DefaultMaxEnvelopeBytes,
		MaxEntriesPerEpochPerOrg:     DefaultMaxEntriesPerEpochPerOrg,
		MaxDirectAnchorsPerDayPerOrg: DefaultMaxDirectAnchorsPerDay,
		MaxProvenanceDepth:           DefaultMaxProvenanceDepth,
		MaxProvenanceFanOut:          DefaultMaxProvenanceFanOut,
		MaxSubjects:                  DefaultMaxSubjects,
	}
}

// Validate checks the parameters; the error names the offending field.
func (p Params) Validate() error {
	if len(p.DirectRiskClasses) > MaxRiskClasses {
		return fmt.Errorf("direct_risk_classes: %d classes exceeds %d", len(p.DirectRiskClasses), MaxRiskClasses)
	}
	for i, c := range p.DirectRiskClasses {
		if err := ValidateRiskClass(c); err != nil {
			return fmt.Errorf("direct_risk_classes[%d]: %w", i, err)
		}
		if i > 0 && p.DirectRiskClasses[i-1] >= c {
			return fmt.Errorf("direct_risk_classes[%d]: %q: classes must be sorted and unique", i, c)
		}
	}
	if p.MaxEpochInterval <= 0 || p.MaxEpochInterval > MaxEpochIntervalLimit {
		return fmt.Errorf("max_epoch_interval: %s is not in (0, %s]", p.MaxEpochInterval, MaxEpochIntervalLimit)
	}
	if p.MaxEnvelopeBytes < 64 || p.MaxEnvelopeBytes > MaxEnvelopeBytesLimit {
		return fmt.Errorf("max_envelope_bytes: %d is not in 64..%d", p.MaxEnvelopeBytes, MaxEnvelopeBytesLimit)
	}
	if p.MaxEntriesPerEpochPerOrg < 1 {
		return fmt.Errorf("max_entries_per_epoch_per_org: %d must be >= 1", p.MaxEntriesPerEpochPerOrg)
	}
	if p.MaxDirectAnchorsPerDayPerOrg < 1 {
		return fmt.Errorf("max_direct_anchors_per_day_per_org: %d must be >= 1", p.MaxDirectAnchorsPerDayPerOrg)
	}
	if p.MaxProvenanceDepth < 1 || p.MaxProvenanceDepth > MaxProvenanceDepthLimit {
		return fmt.Errorf("max_provenance_depth: %d is not in 1..%d", p.MaxProvenanceDepth, MaxProvenanceDepthLimit)
	}
	if p.MaxProvenanceFanOut < 1 || p.MaxProvenanceFanOut > MaxProvenanceFanOutLimit {
		return fmt.Errorf("max_provenance_fan_out: %d is not in 1..%d", p.MaxProvenanceFanOut, MaxProvenanceFanOutLimit)
	}
	if p.MaxSubjects < 1 || p.MaxSubjects > MaxSubjectsLimit {
		return fmt.Errorf("max_subjects: %d is not in 1..%d", p.MaxSubjects, MaxSubjectsLimit)
	}
	return nil
}

// IsDirectRiskClass reports whether attestations of class must be anchored
// directly.
func (p Params) IsDirectRiskClass(class string) bool {
	i := sort.SearchStrings(p.DirectRiskClasses, class)
	return i < len(p.DirectRiskClasses) && p.DirectRiskClasses[i] == class
}
