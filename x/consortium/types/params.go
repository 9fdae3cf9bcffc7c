package types

import (
	"fmt"
	"time"
)

// Default parameter values.
const (
	DefaultThresholdNumerator     uint32        = 2
	DefaultThresholdDenominator   uint32        = 3
	DefaultVotingPeriod           time.Duration = 24 * time.Hour
	DefaultMaxValidatorPower      int64         = 1000
	DefaultMaxProposalMessages    uint32        = 20
	DefaultMaxExpirationsPerBlock uint32        = 100

	// MaxVotingPeriod bounds voting_period.
	MaxVotingPeriod = 90 * 24 * time.Hour
	// MaxProposalMessagesLimit bounds max_proposal_messages.
	MaxProposalMessagesLimit uint32 = 100
	// MaxValidatorPowerLimit bounds max_validator_power so that sums of
	// powers (and 3x those sums in the 2/3 checks) stay far below CometBFT's
	// total voting power limit (MaxInt64/8) and never overflow int64.
	MaxValidatorPowerLimit int64 = 1_000_000_000_000
)

// DefaultParams returns the default consortium parameters: 2/3 of active
// organisations, 24 h voting, power cap 1000, 20 messages per proposal and
// 100 expirations per block.
func DefaultParams() Params {
	return Params{
		ThresholdNumerator:     DefaultThresholdNumerator,
		ThresholdDenominator:   DefaultThresholdDenominator,
		VotingPeriod:           DefaultVotingPeriod,
		MaxValidatorPower:      DefaultMaxValidatorPower,
		MaxProposalMessages:    DefaultMaxProposalMessages,
		MaxExpirationsPerBlock: DefaultMaxExpirationsPerBlock,
	}
}

// Validate checks the parameters; the error names the offending field.
func (p Params) Validate() error {
	if p.ThresholdDenominator < 1 {
		return fmt.Errorf("threshold_denominator: %d must be >= 1", p.ThresholdDenominator)
	}
	if p.ThresholdNumerator < 1 {
		return fmt.Errorf("threshold_numerator: %d must be >= 1", p.ThresholdNumerator)
	}
	if p.ThresholdNumerator > p.ThresholdDenominator {
		return fmt.Errorf("threshold_numerator: %d must be <= threshold_denominator %d", p.ThresholdNumerator, p.ThresholdDenominator)
	}
	if p.VotingPeriod <= 0 {
		return fmt.Errorf("voting_period: %s must be > 0", p.VotingPeriod)
	}
	if p.VotingPeriod > MaxVotingPeriod {
		return fmt.Errorf("voting_period: %s must be <= %s (90 days)", p.VotingPeriod, MaxVotingPeriod)
	}
	if p.MaxValidatorPower < 1 || p.MaxValidatorPower > MaxValidatorPowerLimit {
		return fmt.Errorf("max_validator_power: %d is not in 1..%d", p.MaxValidatorPower, MaxValidatorPowerLimit)
	}
	if p.MaxProposalMessages < 1 || p.MaxProposalMessages > MaxProposalMessagesLimit {
		return fmt.Errorf("max_proposal_messages: %d is not in 1..%d", p.MaxProposalMessages, MaxProposalMessagesLimit)
	}
	if p.MaxExpirationsPerBlock < 1 {
		return fmt.Errorf("max_expirations_per_block: %d must be >= 1", p.MaxExpirationsPerBlock)
	}
	return nil
}

// ValidatePower checks a validator power against the params.
func (p Params) ValidatePower(power int64) error {
	if power < 1 || power > p.MaxValidatorPower {
		return fmt.Errorf("%d is not in 1..%d", power, p.MaxValidatorPower)
	}
	return nil
}
