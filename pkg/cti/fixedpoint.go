package cti

import "math/bits"

// Fixed-point helpers for the decay curve. Everything here is unsigned
// 64-bit arithmetic with 128-bit intermediates from math/bits, so every
// node computes the same bits; there is no floating point.
//
// Formats:
//   - Q62: a uint64 v stands for v / 2^62; 1.0 is fpOne. Powers in [0, 1]
//     and the series for 2^u, u in [0, 1), use it.
//   - Q56: a uint64 v stands for v / 2^56; logarithms (0 .. 64) and the
//     exponent f of 2^−f use it, leaving 8 integer bits.
//
// (a/b)^e for integers 0 < a < b (age t over lifetime τ) is computed as
// 2^(−e·(log2 b − log2 a)):
//
//  1. log2 of each integer by the bit-by-bit method: the integer part is
//     the bit length, then the mantissa m in [1, 2) is squared 56 times,
//     emitting a bit whenever the square reaches 2.
//  2. f = e·(log2 b − log2 a), e = num/den, with a 128-bit product and a
//     128-by-64-bit division.
//  3. 2^−f = 2^−(n+1) · 2^u with n = ⌊f⌋ and u = 1 − (f − n) in (0, 1],
//     2^u by the Taylor series of e^(u·ln 2), every term non-negative and
//     truncated, at most 40 terms.
//
// The ratio a/b is never rounded to a fixed-point fraction, so a second
// out of a 2^62-second lifetime keeps full relative precision.
//
// Monotonicity: every step is a non-decreasing (or, where negated,
// non-increasing) function of its input: truncated products and quotients
// of non-negative non-decreasing values are non-decreasing, the bit-by-bit
// logarithm emits a lexicographically larger bit string for a larger
// mantissa, and the series only adds non-negative terms. So fpPowRatio is
// non-decreasing in a by construction, not merely up to rounding, and
// DecayFactor never rises with age.
//
// Error: every truncation loses less than one unit of 2^−62 (Q62) or 2^−56
// (Q56). Each logarithm is within about 2^−55 of the truth, the exponent f
// within e·2^−54 + 2^−56, and 2^−f within 2^−f·(f error·ln 2) plus about 40
// units of 2^−62 for the series. For e ≤ 1000/MinSpeedMilli = 20 that is
// |fpPowRatio − (a/b)^e| < 2^−48 ≈ 3.6e−15 (TestFixedPointPow measures it
// against math.Pow), ten billion times smaller than the half basis point
// (5e−5) that decides DecayFactor's rounding.

const (
	fpOne     uint64 = 1 << 62
	fpLogBits        = 56
	fpLogOne  uint64 = 1 << fpLogBits
	// fpLn2 is ⌊ln 2 · 2^62⌋.
	fpLn2 uint64 = 3196577161300663914
	// fpSeriesTerms bounds the series loop; (ln 2)^k/k! < 2^−62 from k = 19.
	fpSeriesTerms = 40
)

// fpMul returns ⌊a·b / 2^62⌋ for a, b ≤ 2^63.
func fpMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi<<2 | lo>>62
}

// fpLog2Int returns log2 v in Q56 for v ≥ 1 (0 for v = 0): ⌊log2 v⌋ plus
// 56 fraction bits of the mantissa's logarithm, at most 63·2^56 + 2^56.
func fpLog2Int(v uint64) uint64 {
	if v == 0 {
		return 0
	}
	p := 63 - bits.LeadingZeros64(v) // v in [2^p, 2^(p+1))
	var m uint64                     // the mantissa v/2^p in [1, 2), Q62
	if p <= 62 {
		m = v << (62 - p)
	} else {
		m = v >> 1 // p = 63: drops the lowest bit, monotone still
	}
	var frac uint64
	for i := 0; i < fpLogBits; i++ {
		m = fpMul(m, m) // in [2^62, 2^64)
		frac <<= 1
		if m >= 1<<63 {
			frac |= 1
			m >>= 1
		}
	}
	return uint64(p)<<fpLogBits | frac
}

// fpExp2Frac returns 2^u in Q62 for a Q62 u in [0, 1): a value in
// [2^62, 2^63], never above the true value.
func fpExp2Frac(u uint64) uint64 {
	w := fpMul(u, fpLn2)
	sum, term := fpOne, fpOne
	for k := uint64(1); k <= fpSeriesTerms && term != 0; k++ {
		term = fpMul(term, w) / k
		sum += term
	}
	return sum
}

// fpExp2Neg returns 2^−f in Q62 for a Q56 f ≥ 0.
func fpExp2Neg(f uint64) uint64 {
	n := f >> fpLogBits
	r := f & (fpLogOne - 1)
	if r == 0 {
		if n > 62 {
			return 0
		}
		return fpOne >> n
	}
	if n >= 63 {
		return 0
	}
	// 2^−(n + r) = 2^−(n+1) · 2^(1−r), 1 − r in (0, 1).
	u := (fpLogOne - r) << (62 - fpLogBits)
	return fpExp2Frac(u) >> (n + 1)
}

// fpPowRatio returns (a/b)^(num/den) in Q62 for 0 < a < b: 1 when a ≥ b
// or num = 0, 0 when a = 0; den = 0 is treated as 1. The ratio is never
// rounded to a fixed-point fraction, so tiny ratios (a second out of a
// 2^62-second lifetime) keep full relative precision: the exponent is
// num/den · (log2 b − log2 a).
func fpPowRatio(a, b, num, den uint64) uint64 {
	if a >= b || num == 0 {
		return fpOne
	}
	if a == 0 {
		return 0
	}
	if den == 0 {
		den = 1
	}
	la, lb := fpLog2Int(a), fpLog2Int(b)
	if la >= lb {
		return fpOne
	}
	hi, lo := bits.Mul64(lb-la, num)
	if hi >= den { // f ≥ 2^64/2^56 = 256: 2^−f is far below 2^−62
		return 0
	}
	f, _ := bits.Div64(hi, lo, den)
	return fpExp2Neg(f)
}
