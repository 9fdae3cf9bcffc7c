package cti

import (
	"fmt"
	"math/bits"
)

// Sightings counts the distinct orgs, other than the publisher, that
// reported seeing one indicator, split by their verdict.
type Sightings struct {
	TruePositive  uint32 `json:"true_positive"`
	FalsePositive uint32 `json:"false_positive"`
}

// Reputation is a publisher's record over every sighting of every
// indicator it published.
type Reputation struct {
	TruePositive  uint64 `json:"true_positive"`
	FalsePositive uint64 `json:"false_positive"`
}

// KindDecay is the decay curve of one indicator kind.
type KindDecay struct {
	Kind Kind `json:"kind"`
	DecayParams
}

// Bounds on ScoreParams.
const (
	MaxPrior               = 1_000_000
	MaxFalsePositiveWeight = 100
)

// ScoreParams are the registry-wide scoring parameters.
type ScoreParams struct {
	// Decay holds one curve per kind in Kinds.
	Decay []KindDecay `json:"decay"`
	// ReputationPrior is the pseudo-count of true positives every
	// publisher starts with, so a new publisher scores 100% and a single
	// false positive does not wipe it out.
	ReputationPrior uint32 `json:"reputation_prior"`
	// SightingPrior is the pseudo-count of true positives every
	// indicator starts with in its sighting factor.
	SightingPrior uint32 `json:"sighting_prior"`
	// FalsePositiveWeight is how many true-positive sightings one
	// false-positive sighting of the same indicator outweighs.
	FalsePositiveWeight uint32 `json:"false_positive_weight"`
}

// Durations in seconds.
const (
	secondsPerDay = 86400
)

// DefaultScoreParams are the parameters the registry starts with.
//
// Lifetimes τ and speeds δ per kind (see MinSpeedMilli for the shape of
// each δ):
//
//   - package: no decay. A malicious or vulnerable package version stays
//     so; it leaves the feed by withdrawal (ValidUntil), not by age.
//   - file-sha256: 365 days, δ = 0.3 (MISP's default). A hash names exactly
//     one file forever; what ages is the chance of meeting it again, so it
//     keeps 99% for the first quarter of the year and 90% at six months.
//   - domain: 30 days, δ = 0.5. Malicious domains are burnt and parked
//     within weeks, then re-registered by others; the score stays above
//     the default block threshold (80) for 13 days and above hold (60)
//     for 19.
//   - ip: 14 days, δ = 1 (linear). Addresses are recycled fastest (cloud,
//     residential proxies): half the score after a week.
//   - url: 30 days, δ = 1 (linear). A payload URL is more specific than
//     its domain and dies with the file behind it, so it decays from the
//     start, reaching 50 at two weeks.
//   - attack-technique: no decay. A technique id is context, not an
//     observable.
//
// ReputationPrior 10: a publisher needs ten false positives more than
// its true positives to fall to 50%. SightingPrior 4 with
// FalsePositiveWeight 2: one dissenting org takes a confidence-100
// indicator to 66.66 (still at or above the default hold threshold, so a
// malicious package still blocks), two take it to 50.00 (warn), and every
// confirming org offsets half a dissent.
func DefaultScoreParams() ScoreParams {
	return ScoreParams{
		Decay: []KindDecay{
			{KindPackage, DecayParams{}},
			{KindFileSHA256, DecayParams{LifetimeSeconds: 365 * secondsPerDay, SpeedMilli: 300}},
			{KindDomain, DecayParams{LifetimeSeconds: 30 * secondsPerDay, SpeedMilli: 500}},
			{KindIP, DecayParams{LifetimeSeconds: 14 * secondsPerDay, SpeedMilli: 1000}},
			{KindURL, DecayParams{LifetimeSeconds: 30 * secondsPerDay, SpeedMilli: 1000}},
			{KindTechnique, DecayParams{}},
		},
		ReputationPrior:     10,
		SightingPrior:       4,
		FalsePositiveWeight: 2,
	}
}

// Validate checks one valid decay curve for every kind and no other,
// priors in 1..MaxPrior and a false-positive weight in
// 1..MaxFalsePositiveWeight. Errors wrap ErrInvalidParams and name the
// field.
func (p ScoreParams) Validate() error {
	if len(p.Decay) != len(Kinds) {
		return invalidParam("decay", "%d entries, want one for each of the %d kinds", len(p.Decay), len(Kinds))
	}
	for i, d := range p.Decay {
		if !d.Kind.Valid() {
			return invalidParam(fieldIndex("decay", i)+".kind", "unknown kind %q", d.Kind)
		}
		for j := 0; j < i; j++ {
			if p.Decay[j].Kind == d.Kind {
				return invalidParam(fieldIndex("decay", i)+".kind", "duplicate kind %q", d.Kind)
			}
		}
		if err := d.DecayParams.Validate(); err != nil {
			return invalidParam(fieldIndex("decay", i), "%s: %v", d.Kind, err)
		}
	}
	if p.ReputationPrior < 1 || p.ReputationPrior > MaxPrior {
		return invalidParam("reputation_prior", "%d is outside 1..%d", p.ReputationPrior, MaxPrior)
	}
	if p.SightingPrior < 1 || p.SightingPrior > MaxPrior {
		return invalidParam("sighting_prior", "%d is outside 1..%d", p.SightingPrior, MaxPrior)
	}
	if p.FalsePositiveWeight < 1 || p.FalsePositiveWeight > MaxFalsePositiveWeight {
		return invalidParam("false_positive_weight", "%d is outside 1..%d", p.FalsePositiveWeight, MaxFalsePositiveWeight)
	}
	return nil
}

// DecayFor returns the decay curve of kind k, and no decay for a kind the
// params do not list.
func (p ScoreParams) DecayFor(k Kind) DecayParams {
	for _, d := range p.Decay {
		if d.Kind == k {
			return d.DecayParams
		}
	}
	return DecayParams{}
}

// Score is an effective score and the factors it is the product of, all
// in basis points (ScoreScale = 100.00).
type Score struct {
	// Total is ⌊Confidence·Decay·Reputation·Sightings / ScoreScale³⌋.
	Total uint32 `json:"total"`
	// Confidence is the indicator's confidence (0..100) times 100.
	Confidence uint32 `json:"confidence"`
	// Decay is DecayFactor of the indicator's age under its kind's curve,
	// and 0 outside the validity window.
	Decay      uint32 `json:"decay"`
	Reputation uint32 `json:"reputation"`
	Sightings  uint32 `json:"sightings"`
}

// EffectiveScore is the score of indicator in at block time now, published
// at publishedAt, with its sightings s and its publisher's reputation rep:
//
//		Total = Confidence · Decay · Reputation · Sightings (each a factor in
//		        basis points), rounded down once, at the end.
//
//	  - Confidence = min(in.Confidence, 100) · 100.
//	  - Decay = DecayFactor(now − max(ValidFrom, publishedAt), curve of
//	    in.Kind). Age counts from the later of the two: an indicator
//	    published long after the source dated it is new to the consortium
//	    (members had no chance to act on it before), and one published
//	    ahead of its ValidFrom does not age before it takes effect. Outside
//	    the validity window (now < ValidFrom, or ValidUntil ≠ 0 and now ≥
//	    ValidUntil) Decay is 0, and so is Total.
//	  - Reputation = (prior + TP) / (prior + TP + FP) over the publisher's
//	    whole record: 100.00 for a new publisher, falling with every false
//	    positive others report against any of its indicators, recovering with
//	    confirmations. It is unweighted: the per-indicator factor below
//	    already punishes each false positive, and reputation should move
//	    slowly.
//	  - Sightings = (prior + TP) / (prior + TP + weight · FP) over distinct
//	    orgs' sightings of this indicator, at most 100.00: with no false
//	    positives it is 100.00 whatever the confirmations (a confirmation
//	    cannot lift an indicator above its publisher's confidence), and each
//	    false positive counts weight times.
//
// Ratios are rounded down. Counts so large that a sum overflows 64 bits
// (not reachable with real sightings) are halved before dividing. A nil
// indicator scores zero. EffectiveScore never panics.
func EffectiveScore(in *Indicator, publishedAt, now int64, s Sightings, rep Reputation, p ScoreParams) Score {
	if in == nil {
		return Score{}
	}
	var sc Score
	sc.Confidence = min(in.Confidence, MaxConfidence) * (ScoreScale / MaxConfidence)
	sc.Reputation = ratioBP(uint64(p.ReputationPrior), rep.TruePositive, rep.FalsePositive, 1)
	sc.Sightings = ratioBP(uint64(p.SightingPrior), uint64(s.TruePositive), uint64(s.FalsePositive), uint64(p.FalsePositiveWeight))
	if now >= in.ValidFrom && (in.ValidUntil == 0 || now < in.ValidUntil) {
		sc.Decay = DecayFactor(age(max(in.ValidFrom, publishedAt), now), p.DecayFor(in.Kind))
	}
	// Each factor ≤ 10^4, so the product ≤ 10^16 < 2^64.
	t := uint64(sc.Confidence) * uint64(sc.Decay) * uint64(sc.Reputation) * uint64(sc.Sightings)
	sc.Total = uint32(t / (ScoreScale * ScoreScale * ScoreScale))
	return sc
}

// age returns now − start, 0 when now ≤ start, saturated at MaxInt64.
func age(start, now int64) int64 {
	if now <= start {
		return 0
	}
	d := uint64(now) - uint64(start) // exact: the true difference is in 1..2^64−1
	if d > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(d)
}

// ratioBP returns ⌊ScoreScale · (prior + tp) / (prior + tp + weight·fp)⌋,
// ScoreScale when the denominator is 0, computed on 128-bit sums.
func ratioBP(prior, tp, fp, weight uint64) uint32 {
	var num, den [2]uint64 // {hi, lo}
	var c uint64
	num[1], c = bits.Add64(prior, tp, 0)
	num[0] = c
	whi, wlo := bits.Mul64(fp, weight)
	den[1], c = bits.Add64(num[1], wlo, 0)
	den[0], _ = bits.Add64(num[0], whi, c) // < 2^65, no carry out
	if den[0] == 0 && den[1] == 0 {
		return ScoreScale
	}
	// Scale both down until the denominator fits 64 bits (at most 64 steps).
	for den[0] != 0 {
		num[1] = num[1]>>1 | num[0]<<63
		num[0] >>= 1
		den[1] = den[1]>>1 | den[0]<<63
		den[0] >>= 1
	}
	n, d := num[1], den[1]
	if n >= d { // d ≥ 1: a non-zero denominator stays non-zero when halved below 2^64

		return ScoreScale
	}
	hi, lo := bits.Mul64(n, ScoreScale) // hi < d since n < d
	q, _ := bits.Div64(hi, lo, d)
	return uint32(q)
}

func fieldIndex(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}
