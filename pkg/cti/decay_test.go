package cti

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

const day = int64(86400)

// refDecay is the float64 reference: round(10000·(1 − (t/τ)^(1000/s))).
func refDecay(t int64, p DecayParams) float64 {
	if p.LifetimeSeconds <= 0 || t <= 0 {
		return ScoreScale
	}
	if t >= p.LifetimeSeconds {
		return 0
	}
	return ScoreScale * (1 - math.Pow(float64(t)/float64(p.LifetimeSeconds), 1000/float64(p.SpeedMilli)))
}

func TestDecayFactorTable(t *testing.T) {
	misp := DecayParams{LifetimeSeconds: 30 * day, SpeedMilli: 300}
	linear := DecayParams{LifetimeSeconds: 100, SpeedMilli: 1000}
	square := DecayParams{LifetimeSeconds: 100, SpeedMilli: 500}
	root := DecayParams{LifetimeSeconds: 100, SpeedMilli: 2000}
	for _, c := range []struct {
		name string
		t    int64
		p    DecayParams
		want uint32
	}{
		{"t=0", 0, misp, 10000},
		{"t<0", -5, misp, 10000},
		{"t=min", math.MinInt64, misp, 10000},
		{"t=τ", 30 * day, misp, 0},
		{"t>τ", 31 * day, misp, 0},
		{"t=max", math.MaxInt64, misp, 0},
		{"no decay", 1000 * day, DecayParams{}, 10000},
		{"no decay, negative τ", 1000 * day, DecayParams{LifetimeSeconds: -1, SpeedMilli: 300}, 10000},
		{"1 s of 30 d", 1, misp, 10000},
		// (1/4)^(10/3) = 0.0098431 → 9901.57
		{"δ=0.3, t=τ/4", 30 * day / 4, misp, 9902},
		// (1/2)^(10/3) = 0.0992126 → 9007.87
		{"δ=0.3, t=τ/2", 15 * day, misp, 9008},
		{"linear, t=τ/4", 25, linear, 7500},
		{"linear, t=τ/2", 50, linear, 5000},
		{"linear, t=99", 99, linear, 100},
		{"δ=0.5, t=τ/2", 50, square, 7500},
		{"δ=0.5, t=τ/10", 10, square, 9900},
		{"δ=2, t=τ/4", 25, root, 5000},
		{"δ=2, t=τ/100", 1, root, 9000},
		{"δ=2, t=81", 81, root, 1000},
		// exact halves round up: 1 − (1/2)^1 with τ=20000 gives t=1 → 0.99995 → 9999.5 → 10000
		{"half rounds up", 1, DecayParams{LifetimeSeconds: 20000, SpeedMilli: 1000}, 10000},
		{"below half", 3, DecayParams{LifetimeSeconds: 20000, SpeedMilli: 1000}, 9999}, // 9998.5 → 9999
		{"speed 0 saturates to 50", 50, DecayParams{LifetimeSeconds: 100, SpeedMilli: 0}, 10000},
		{"speed max saturates", 50, DecayParams{LifetimeSeconds: 100, SpeedMilli: math.MaxUint32}, DecayFactor(50, DecayParams{LifetimeSeconds: 100, SpeedMilli: MaxSpeedMilli})},
		{"huge τ, t=1", 1, DecayParams{LifetimeSeconds: math.MaxInt64, SpeedMilli: MaxSpeedMilli}, DecayFactor(1, DecayParams{LifetimeSeconds: math.MaxInt64, SpeedMilli: MaxSpeedMilli})},
	} {
		if got := DecayFactor(c.t, c.p); got != c.want {
			t.Errorf("%s: DecayFactor(%d, %+v) = %d, want %d (float %.4f)", c.name, c.t, c.p, got, c.want, refDecay(c.t, c.p))
		}
	}
	// (2^-62)^(0.05) = 2^-3.1 → 1 − 0.1166 = 8834 at t=1, τ=2^62... check against float.
	p := DecayParams{LifetimeSeconds: 1 << 62, SpeedMilli: MaxSpeedMilli}
	if got, want := DecayFactor(1, p), math.Round(refDecay(1, p)); float64(got) != want {
		t.Errorf("τ=2^62, t=1, δ=20: %d, want %v", got, want)
	}
}

// TestDecayFactorAgainstPow compares thousands of (t, τ, δ) points with
// math.Pow: never more than 1 basis point apart, and in practice equal.
func TestDecayFactorAgainstPow(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	lifetimes := []int64{1, 2, 3, 7, 60, 3600, day, 7 * day, 14 * day, 30 * day, 365 * day, 10 * 365 * day, math.MaxInt64 / 3, math.MaxInt64}
	var n, off int
	for _, tau := range lifetimes {
		for s := uint32(MinSpeedMilli); s <= MaxSpeedMilli; {
			p := DecayParams{LifetimeSeconds: tau, SpeedMilli: s}
			for i := 0; i < 60; i++ {
				var el int64
				switch i % 3 {
				case 0:
					el = r.Int64N(tau)
				case 1:
					el = tau / 60 * int64(i)
				default:
					el = tau - r.Int64N(min(tau, 1000)+1)
				}
				want := refDecay(el, p)
				got := float64(DecayFactor(el, p))
				d := math.Abs(got - want)
				if d > 1 {
					t.Fatalf("DecayFactor(%d, %+v) = %v, float %v", el, p, got, want)
				}
				if got != math.Round(want) {
					off++
				}
				n++
			}
			switch {
			case s < 1000:
				s += 50
			case s < 5000:
				s += 250
			default:
				s += 1000
			}
		}
	}
	t.Logf("%d points, %d differ from the float64 round (each by 1 basis point, at a half)", n, off)
	if n < 5000 {
		t.Fatalf("only %d points", n)
	}
}

func TestDecayFactorMonotone(t *testing.T) {
	for _, s := range []uint32{MinSpeedMilli, 100, 300, 1000, 3000, MaxSpeedMilli} {
		// Every second of a 1-day lifetime, and strided sweeps of long ones.
		for _, c := range []struct{ tau, step int64 }{{day, 1}, {365 * day, 631}, {math.MaxInt64, math.MaxInt64 / 50000}} {
			p := DecayParams{LifetimeSeconds: c.tau, SpeedMilli: s}
			prev := uint32(ScoreScale)
			for el := int64(-2); ; el += c.step {
				got := DecayFactor(el, p)
				if got > prev {
					t.Fatalf("%+v: DecayFactor rises from %d to %d at t=%d", p, prev, got, el)
				}
				prev = got
				if el > c.tau-c.step {
					break
				}
			}
			if DecayFactor(c.tau, p) != 0 {
				t.Fatalf("%+v: not 0 at τ", p)
			}
		}
	}
}

func TestDecayParamsValidate(t *testing.T) {
	for _, c := range []struct {
		p  DecayParams
		ok bool
	}{
		{DecayParams{}, true},
		{DecayParams{LifetimeSeconds: 0, SpeedMilli: 300}, true},
		{DecayParams{LifetimeSeconds: day, SpeedMilli: 300}, true},
		{DecayParams{LifetimeSeconds: day, SpeedMilli: MinSpeedMilli}, true},
		{DecayParams{LifetimeSeconds: day, SpeedMilli: MaxSpeedMilli}, true},
		{DecayParams{LifetimeSeconds: day, SpeedMilli: 0}, false},
		{DecayParams{LifetimeSeconds: day, SpeedMilli: MinSpeedMilli - 1}, false},
		{DecayParams{LifetimeSeconds: day, SpeedMilli: MaxSpeedMilli + 1}, false},
		{DecayParams{LifetimeSeconds: -1}, false},
		{DecayParams{LifetimeSeconds: 0, SpeedMilli: 1}, false},
	} {
		err := c.p.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%+v.Validate() = %v, want ok=%v", c.p, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%+v: error %v does not wrap ErrInvalidParams", c.p, err)
		}
	}
}

// FuzzDecayFactor: 0..ScoreScale, never panics, non-increasing in t for
// fixed parameters, ScoreScale at t ≤ 0 and 0 at t ≥ τ > 0.
func FuzzDecayFactor(f *testing.F) {
	f.Add(int64(0), int64(1), int64(30*day), uint32(300))
	f.Add(int64(15*day), int64(15*day+1), int64(30*day), uint32(300))
	f.Add(int64(1), int64(2), int64(3), uint32(50))
	f.Add(int64(-1), int64(math.MaxInt64), int64(math.MaxInt64), uint32(20000))
	f.Add(int64(math.MinInt64), int64(0), int64(-5), uint32(0))
	f.Fuzz(func(t *testing.T, t1, t2, tau int64, speed uint32) {
		if t1 > t2 {
			t1, t2 = t2, t1
		}
		p := DecayParams{LifetimeSeconds: tau, SpeedMilli: speed}
		a, b := DecayFactor(t1, p), DecayFactor(t2, p)
		if a > ScoreScale || b > ScoreScale {
			t.Fatalf("out of range: %d %d", a, b)
		}
		if b > a {
			t.Fatalf("%+v: DecayFactor(%d) = %d < DecayFactor(%d) = %d", p, t1, a, t2, b)
		}
		if (t1 <= 0 || tau <= 0) && a != ScoreScale {
			t.Fatalf("%+v: DecayFactor(%d) = %d, want %d", p, t1, a, ScoreScale)
		}
		if tau > 0 && t2 >= tau && b != 0 {
			t.Fatalf("%+v: DecayFactor(%d) = %d at or past τ", p, t2, b)
		}
		if tau > 0 && t1 > 0 && t1 < tau && speed >= MinSpeedMilli && speed <= MaxSpeedMilli {
			if want := refDecay(t1, p); math.Abs(float64(a)-want) > 1 {
				t.Fatalf("%+v: DecayFactor(%d) = %d, float %v", p, t1, a, want)
			}
		}
	})
}
