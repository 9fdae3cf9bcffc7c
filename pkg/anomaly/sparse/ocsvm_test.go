package sparse

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestOneClassBoundaryAcceptsNormalRejectsFar(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	gauss := func(n int) [][]float64 {
		X := make([][]float64, n)
		for i := range X {
			X[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		}
		return X
	}
	train := gauss(800)
	nu := 0.05
	b, err := trainOneClass(train, nu, medianGamma(train))
	if err != nil {
		t.Fatal(err)
	}
	// ν bounds the fraction of training points outside from above and the
	// fraction of support vectors from below (Schölkopf et al. 2001).
	outside := 0
	for _, x := range train {
		if score(b, x) > 1e-9 {
			outside++
		}
	}
	if frac := float64(outside) / float64(len(train)); frac > nu+0.02 {
		t.Errorf("%.3f of training points outside, ν=%v", frac, nu)
	}
	if frac := float64(len(b.SV)) / float64(len(train)); frac < nu-1e-9 {
		t.Errorf("support vector fraction %.3f below ν=%v", frac, nu)
	}
	fresh := gauss(2000)
	out := 0
	for _, x := range fresh {
		if score(b, x) > 0 {
			out++
		}
	}
	if frac := float64(out) / float64(len(fresh)); frac > 3*nu {
		t.Errorf("%.3f of fresh normal points outside the boundary", frac)
	}
	if s := score(b, []float64{0, 0, 0}); s >= 0 {
		t.Errorf("centre scored %v, want inside (< 0)", s)
	}
	for _, far := range [][]float64{{6, 0, 0}, {0, -6, 0}, {4, 4, 4}} {
		if s := score(b, far); s <= 0 {
			t.Errorf("far point %v scored %v, want outside (> 0)", far, s)
		}
	}
	// Scores grow with distance from the data until the kernel saturates.
	if a, c := score(b, []float64{2.5, 0, 0}), score(b, []float64{5, 0, 0}); !(c > a) {
		t.Errorf("score at distance 5 (%v) not above distance 2.5 (%v)", c, a)
	}
	if math.IsNaN(b.Rho) {
		t.Fatal("rho is NaN")
	}
}

func TestOneClassIdenticalPoints(t *testing.T) {
	X := make([][]float64, 50)
	for i := range X {
		X[i] = []float64{1, 2}
	}
	b, err := trainOneClass(X, 0.1, medianGamma(X))
	if err != nil {
		t.Fatal(err)
	}
	if s := score(b, []float64{1, 2}); math.Abs(s) > 1e-9 {
		t.Errorf("the training point scored %v, want 0 (on the boundary)", s)
	}
	if s := score(b, []float64{3, 2}); s <= 0 {
		t.Errorf("another point scored %v, want > 0", s)
	}
}

func score(b *boundary, x []float64) float64 { return b.score(x, make([]float64, len(b.SV))) }

func TestBoundaryScoreDoesNotSaturate(t *testing.T) {
	b := &boundary{Gamma: 0.5, Rho: 0.5, Coef: []float64{0.5, 0.5}, SV: [][]float64{{0}, {1}}}
	prev := math.Inf(-1)
	for _, d := range []float64{2, 5, 20, 100, 1e3} {
		s := score(b, []float64{d})
		if !(s > prev) || !finite(s) {
			t.Fatalf("score at %v is %v, not above %v at the previous distance", d, s, prev)
		}
		prev = s
	}
	if s := score(b, []float64{1e200}); s != math.MaxFloat64 {
		t.Fatalf("overflowing distance scored %v", s)
	}
}
