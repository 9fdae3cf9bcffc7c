package cti

import (
	"errors"
	"fmt"
	"math/bits"
)

// ScoreScale is the fixed-point scale of scores and factors: basis points,
// 10000 = 100.00 (a factor of 1, a score of 100).
const ScoreScale = 10000

// Bounds on the decay speed δ, in thousandths (DecayParams.SpeedMilli).
//
// MISP's polynomial model is score(t) = base · (1 − (t/τ)^(1/δ)):
//
//   - δ < 1 (exponent 1/δ > 1): the score stays close to base for most of
//     the lifetime and falls steeply just before τ. MISP's default δ = 0.3
//     keeps 99% of the score at a quarter of τ and 50% at 81% of τ.
//   - δ = 1: linear decay to 0 at τ.
//   - δ > 1 (exponent < 1): most of the score is lost early, then a long
//     tail. δ = 3 (OpenCTI's default) loses a third of the score in the
//     first 1/27 of τ.
//
// δ below 0.05 (exponent above 20) is a step function in all but name
// (use ValidUntil for that); δ above 20 (exponent below 0.05) drops an
// indicator below half its score within 10⁻⁶ of its lifetime, which is no
// lifetime at all. Validate accepts 0.05 ≤ δ ≤ 20; DecayFactor saturates
// values outside that range into it.
const (
	MinSpeedMilli = 50
	MaxSpeedMilli = 20000
	// DefaultSpeedMilli is MISP's default δ = 0.3.
	DefaultSpeedMilli = 300
)

// ErrInvalidParams wraps every decay and score parameter error.
var ErrInvalidParams = errors.New("invalid score parameters")

func invalidParam(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidParams, field, fmt.Sprintf(format, args...))
}

// DecayParams is one polynomial decay curve.
type DecayParams struct {
	// LifetimeSeconds is τ, the age at which the score reaches 0; 0 means
	// no decay.
	LifetimeSeconds int64 `json:"lifetime_seconds"`
	// SpeedMilli is δ × 1000 (δ = 0.3 → 300). It is ignored, and may be 0,
	// when LifetimeSeconds is 0.
	SpeedMilli uint32 `json:"speed_milli"`
}

// Validate checks τ ≥ 0 and, when τ > 0, MinSpeedMilli ≤ δ×1000 ≤
// MaxSpeedMilli. With τ = 0 the speed must be 0 or in that range.
func (p DecayParams) Validate() error {
	if p.LifetimeSeconds < 0 {
		return invalidParam("lifetime_seconds", "%d is negative", p.LifetimeSeconds)
	}
	if p.LifetimeSeconds == 0 && p.SpeedMilli == 0 {
		return nil
	}
	if p.SpeedMilli < MinSpeedMilli || p.SpeedMilli > MaxSpeedMilli {
		return invalidParam("speed_milli", "%d is outside %d..%d (δ 0.05..20)", p.SpeedMilli, MinSpeedMilli, MaxSpeedMilli)
	}
	return nil
}

// DecayFactor is MISP's polynomial decay 1 − (t/τ)^(1/δ) in basis points,
// rounded to the nearest (halves up), for an age of t = elapsedSeconds:
//
//   - t ≤ 0, or τ ≤ 0 (no decay): ScoreScale;
//   - t ≥ τ: 0;
//   - otherwise round(10000 · (1 − (t/τ)^(1000/SpeedMilli))), computed in
//     fixed point (fixedpoint.go) within 2^−48 of the exact power, so the
//     result is the correctly rounded value except where the exact value
//     lies within 4·10⁻¹¹ basis points of a half, and never off by more
//     than 1.
//
// It is non-increasing in t for fixed parameters, by construction. A
// SpeedMilli outside MinSpeedMilli..MaxSpeedMilli is saturated into it. It
// never panics.
func DecayFactor(elapsedSeconds int64, p DecayParams) uint32 {
	if p.LifetimeSeconds <= 0 || elapsedSeconds <= 0 {
		return ScoreScale
	}
	if elapsedSeconds >= p.LifetimeSeconds {
		return 0
	}
	s := p.SpeedMilli
	if s < MinSpeedMilli {
		s = MinSpeedMilli
	} else if s > MaxSpeedMilli {
		s = MaxSpeedMilli
	}
	y := fpPowRatio(uint64(elapsedSeconds), uint64(p.LifetimeSeconds), 1000, uint64(s))
	// round(10000 · (1 − y)) with y in Q62.
	hi, lo := bits.Mul64(fpOne-y, ScoreScale)
	var c uint64
	lo, c = bits.Add64(lo, 1<<61, 0)
	hi += c
	return uint32(hi<<2 | lo>>62)
}
