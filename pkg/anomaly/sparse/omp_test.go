package sparse

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
)

func randomDictionary(dim, atoms int, rng *rand.Rand) *dictionary {
	d := make([]float64, dim*atoms)
	for k := 0; k < atoms; k++ {
		a := d[k*dim : (k+1)*dim]
		for j := range a {
			a[j] = rng.NormFloat64()
		}
		floats.Scale(1/floats.Norm(a, 2), a)
	}
	return newDictionary(dim, atoms, d)
}

func TestOMPRecoversKnownSparseCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	dim, atoms, sparsity := 64, 128, 4
	dict := randomDictionary(dim, atoms, rng)
	o := newOMP(dict, sparsity)
	for trial := 0; trial < 50; trial++ {
		want := map[int]float64{}
		for len(want) < sparsity {
			// Coefficients bounded away from zero so the support is identifiable.
			want[rng.IntN(atoms)] = (1 + rng.Float64()) * float64(1-2*rng.IntN(2))
		}
		x := make([]float64, dim)
		for k, c := range want {
			floats.AddScaled(x, c, dict.atom(k))
		}
		got := o.encode(x)
		if len(got.idx) != sparsity {
			t.Fatalf("trial %d: %d atoms selected, want %d", trial, len(got.idx), sparsity)
		}
		for j, k := range got.idx {
			c, ok := want[k]
			if !ok {
				t.Fatalf("trial %d: selected atom %d not in the true support %v", trial, k, want)
			}
			if math.Abs(got.coef[j]-c) > 1e-9 {
				t.Fatalf("trial %d: atom %d coefficient %v, want %v", trial, k, got.coef[j], c)
			}
		}
		if got.resSq > 1e-12*floats.Dot(x, x) {
			t.Fatalf("trial %d: residual %v for an exactly sparse signal", trial, got.resSq)
		}
	}
}

// The residual energy OMP reports from the normal equations must match the
// residual computed explicitly, including when the signal is not sparse.
func TestOMPResidualMatchesExplicit(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	dim, atoms := 40, 30
	dict := randomDictionary(dim, atoms, rng)
	o := newOMP(dict, 5)
	x := make([]float64, dim)
	for j := range x {
		x[j] = rng.NormFloat64()
	}
	c := o.encode(x)
	r := append([]float64(nil), x...)
	for j, k := range c.idx {
		floats.AddScaled(r, -c.coef[j], dict.atom(k))
	}
	if explicit := floats.Dot(r, r); math.Abs(explicit-c.resSq) > 1e-9*floats.Dot(x, x) {
		t.Fatalf("residual %v, explicit %v", c.resSq, explicit)
	}
	if c.resSq >= floats.Dot(x, x) {
		t.Fatalf("residual %v not below signal energy %v", c.resSq, floats.Dot(x, x))
	}
}

func TestOMPZeroAndDuplicateAtoms(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	dict := randomDictionary(8, 4, rng)
	copy(dict.atom(1), dict.atom(0)) // two identical atoms: the Gram system would be singular
	dict.refreshGram()
	o := newOMP(dict, 4)
	if c := o.encode(make([]float64, 8)); len(c.idx) != 0 || c.resSq != 0 {
		t.Fatalf("zero window: code %v residual %v", c.idx, c.resSq)
	}
	x := append([]float64(nil), dict.atom(0)...)
	floats.AddScaled(x, 0.5, dict.atom(2))
	c := o.encode(x)
	for _, v := range c.coef {
		if !finite(v) {
			t.Fatalf("non-finite coefficient with duplicate atoms: %v", c.coef)
		}
	}
	if c.resSq > 1e-12 {
		t.Fatalf("residual %v", c.resSq)
	}
}
