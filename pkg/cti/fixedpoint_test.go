package cti

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFixedPointLn2(t *testing.T) {
	// ⌊ln 2 · 2^62⌋, checked against the float64 value (which is within
	// 2^−53 relative, i.e. within 512 units of 2^−62).
	got := float64(fpLn2) / float64(fpOne)
	if math.Abs(got-math.Ln2) > 1e-15 {
		t.Fatalf("fpLn2 = %v, want ln 2 = %v", got, math.Ln2)
	}
}

func TestFixedPointLog2Int(t *testing.T) {
	for _, c := range []struct{ v, want uint64 }{
		{0, 0}, {1, 0}, {2, fpLogOne}, {4, 2 * fpLogOne}, {1 << 62, 62 * fpLogOne}, {1 << 63, 63 * fpLogOne},
	} {
		if got := fpLog2Int(c.v); got != c.want {
			t.Errorf("log2(%d) = %d, want %d", c.v, got, c.want)
		}
	}
	if got := fpLog2Int(math.MaxUint64); got >= 64*fpLogOne || got < 64*fpLogOne-64 {
		t.Errorf("log2(2^64-1) = %v", float64(got)/float64(fpLogOne))
	}
	prev := uint64(0)
	for v := uint64(1); v < 1<<17; v++ {
		got := fpLog2Int(v)
		if got < prev {
			t.Fatalf("log2 falls at %d", v)
		}
		prev = got
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		v := r.Uint64N(1<<53) + 1 // exactly representable in float64
		v <<= r.UintN(11)
		want := math.Log2(float64(v))
		got := float64(fpLog2Int(v)) / float64(fpLogOne)
		if math.Abs(got-want) > 1e-14 {
			t.Fatalf("log2(%d) = %v, want %v", v, got, want)
		}
	}
}

func TestFixedPointExp2(t *testing.T) {
	for _, c := range []struct {
		f    uint64
		want uint64
	}{
		{0, fpOne},
		{fpLogOne, fpOne / 2},
		{62 * fpLogOne, 1},
		{63 * fpLogOne, 0},
		{200 * fpLogOne, 0},
		{math.MaxUint64, 0},
	} {
		if got := fpExp2Neg(c.f); got != c.want {
			t.Errorf("2^-%v = %d, want %d", float64(c.f)/float64(fpLogOne), got, c.want)
		}
	}
	// 2^u never exceeds 2^63 (no overflow) and is within 64 units of 2^-62.
	if got := fpExp2Frac(fpOne - 1); got > 1<<63 || (1<<63)-got > 64 {
		t.Fatalf("2^(1-ε) = %d, want just below 2^63", got)
	}
	prev := uint64(math.MaxUint64)
	for i := uint64(0); i < 1<<16; i++ {
		f := i << 44 // sweeps 0..16 in steps of 2^-12
		got := fpExp2Neg(f)
		if got > prev {
			t.Fatalf("2^-f rises at f=%v", float64(f)/float64(fpLogOne))
		}
		prev = got
		want := math.Exp2(-float64(f)/float64(fpLogOne)) * float64(fpOne)
		if d := math.Abs(float64(got) - want); d > 1e-15*float64(fpOne) {
			t.Fatalf("2^-%v: got %d want %.0f (diff %g of one)", float64(f)/float64(fpLogOne), got, want, d/float64(fpOne))
		}
	}
}

// TestFixedPointPow measures |fpPowRatio(a, b, 1000, s) − (a/b)^(1000/s)|
// over a grid and random points against math.Pow, and checks the
// documented 2^−48.
func TestFixedPointPow(t *testing.T) {
	bound := math.Ldexp(1, -48)
	r := rand.New(rand.NewPCG(3, 4))
	speeds := []uint64{MinSpeedMilli, 100, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 5000, 10000, MaxSpeedMilli}
	var worst float64
	check := func(a, b, s uint64) {
		got := float64(fpPowRatio(a, b, 1000, s)) / float64(fpOne)
		// a and b below 2^53 are exact in float64; the quotient is rounded
		// once (relative 2^−53, times the exponent ≤ 20).
		want := math.Pow(float64(a)/float64(b), 1000/float64(s))
		d := math.Abs(got - want)
		if d > worst {
			worst = d
		}
		if d > bound {
			t.Fatalf("fpPowRatio(%d/%d, 1000/%d) = %v, want %v (diff %g > 2^-48)", a, b, s, got, want, d)
		}
	}
	for _, s := range speeds {
		for i := uint64(1); i < 4096; i++ {
			check(i, 4096, s)
		}
		for i := 0; i < 5000; i++ {
			b := r.Uint64N(1<<53-1) + 2
			check(r.Uint64N(b-1)+1, b, s)
		}
		for i := 0; i < 2000; i++ { // tiny ratios
			b := uint64(1)<<52 + r.Uint64N(1<<52)
			check(r.Uint64N(1000)+1, b, s)
		}
	}
	for s := uint64(MinSpeedMilli); s <= MaxSpeedMilli; s += 37 {
		b := r.Uint64N(1<<53-1) + 2
		check(r.Uint64N(b-1)+1, b, s)
	}
	t.Logf("max |fpPowRatio − math.Pow| = %g (%.1f units of 2^-62; bound 2^-48 = %g)", worst, worst*float64(fpOne), bound)
	// Edge cases.
	for _, c := range []struct{ a, b, num, den, want uint64 }{
		{0, 5, 1000, 300, 0},
		{5, 5, 1000, 300, fpOne},
		{6, 5, 1000, 300, fpOne},
		{1, 2, 0, 300, fpOne},
		{1, 2, 1, 0, fpOne / 2},
		{1, 1 << 63, 1000, 1, 0},
		{1, 2, 1, 1, fpOne / 2},
		{1, 4, 1, 2, fpOne / 2},
	} {
		if got := fpPowRatio(c.a, c.b, c.num, c.den); got != c.want {
			t.Errorf("fpPowRatio(%d, %d, %d, %d) = %d, want %d", c.a, c.b, c.num, c.den, got, c.want)
		}
	}
}
