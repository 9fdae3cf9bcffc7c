package sparse

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
)

func TestKSVDReducesReconstructionError(t *testing.T) {
	// Signals that are truly 3-sparse in a hidden dictionary, plus noise.
	rng := rand.New(rand.NewPCG(6, 6))
	dim, atoms, n := 20, 30, 1500
	hidden := randomDictionary(dim, atoms, rng)
	X := make([]float64, n*dim)
	for i := 0; i < n; i++ {
		x := X[i*dim : (i+1)*dim]
		for s := 0; s < 3; s++ {
			floats.AddScaled(x, rng.NormFloat64(), hidden.atom(rng.IntN(atoms)))
		}
		for j := range x {
			x[j] += 0.01 * rng.NormFloat64()
		}
	}
	cfg := DefaultConfig()
	cfg.Atoms, cfg.Sparsity, cfg.Iterations = atoms, 3, 25
	res := learnDictionary(X, n, dim, cfg)
	errs := res.errors
	if len(errs) != cfg.Iterations+1 {
		t.Fatalf("%d error values for %d iterations", len(errs), cfg.Iterations)
	}
	first, last := errs[0], errs[len(errs)-1]
	if !(last < 0.5*first) {
		t.Fatalf("mean squared error %v -> %v: K-SVD did not halve it (history %v)", first, last, errs)
	}
	// Approximate K-SVD is not strictly monotone after atom replacements, but
	// it must not drift upwards over the run.
	for i := 5; i < len(errs); i++ {
		if errs[i] > 1.05*errs[i-5] {
			t.Fatalf("error rose from %v (sweep %d) to %v (sweep %d)", errs[i-5], i-5, errs[i], i)
		}
	}
	for k := 0; k < atoms; k++ {
		if nrm := floats.Norm(res.dict.atom(k), 2); nrm < 0.999999 || nrm > 1.000001 {
			t.Fatalf("atom %d has norm %v", k, nrm)
		}
	}
	t.Logf("mean squared error per window: %.4g -> %.4g", first, last)
}

func TestKSVDIsDeterministic(t *testing.T) {
	rows := coupledSeries(600, 9)
	s := fitScaling(rows)
	X, n := trainingWindows(rows, s, 8, 1000, false)
	cfg := DefaultConfig()
	cfg.Atoms, cfg.Iterations = 16, 5
	a := learnDictionary(X, n, 8*3, cfg)
	b := learnDictionary(X, n, 8*3, cfg)
	if !floats.Equal(a.dict.d, b.dict.d) {
		t.Fatal("two runs on the same data learned different dictionaries")
	}
}
