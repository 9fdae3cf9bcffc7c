package sparse

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// ksvdResult is a learned dictionary and the mean squared representation
// error of the training windows after each sweep (index 0: before the first
// atom update), kept so tests can check that learning helps.
type ksvdResult struct {
	dict   *dictionary
	errors []float64
}

// Atoms whose absolute inner product exceeds this are duplicates: one of
// them is replaced so the dictionary does not waste columns and OMP's Gram
// systems stay well conditioned.
const maxCoherence = 0.99

// learnDictionary runs approximate K-SVD (one power step per atom instead of
// a full rank-1 SVD, Rubinstein et al. 2008) on windows X (n × dim, each
// window contiguous). Everything is deterministic: initial atoms are evenly
// spaced distinct training windows and the seed only fills columns for which
// the data offers no distinct window.
func learnDictionary(X []float64, n, dim int, cfg Config) ksvdResult {
	K := cfg.Atoms
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
	dict := newDictionary(dim, K, initialAtoms(X, n, dim, K, rng))

	o := newOMP(dict, cfg.Sparsity)
	codes := make([][]int, n)
	coefs := make([][]float64, n)
	R := make([]float64, n*dim) // residuals x_i - D a_i
	var errs []float64

	codeAll := func() float64 {
		total := 0.0
		for i := 0; i < n; i++ {
			x := X[i*dim : (i+1)*dim]
			c := o.encode(x)
			codes[i] = append(codes[i][:0], c.idx...)
			coefs[i] = append(coefs[i][:0], c.coef...)
			r := R[i*dim : (i+1)*dim]
			copy(r, x)
			for j, k := range c.idx {
				floats.AddScaled(r, -c.coef[j], dict.atom(k))
			}
			total += floats.Dot(r, r)
		}
		return total / float64(n)
	}

	users := make([][]int, K) // windows using atom k, and the slot in their code
	slots := make([][]int, K)
	e := make([]float64, dim)
	replaced := make([]bool, n)
	for it := 0; it < cfg.Iterations; it++ {
		errs = append(errs, codeAll())
		for k := range users {
			users[k], slots[k] = users[k][:0], slots[k][:0]
		}
		for i, idx := range codes {
			for s, k := range idx {
				users[k] = append(users[k], i)
				slots[k] = append(slots[k], s)
			}
		}
		for i := range replaced {
			replaced[i] = false
		}
		for k := 0; k < K; k++ {
			dk := dict.atom(k)
			if len(users[k]) == 0 {
				replaceAtom(dk, R, n, dim, replaced, rng)
				continue
			}
			// d ∝ Σ g_i e_i where e_i = r_i + g_i d_k is the residual of
			// window i without atom k: the dominant left singular vector of
			// the restricted error matrix, after one power step from g.
			newD := make([]float64, dim)
			for u, i := range users[k] {
				g := coefs[i][slots[k][u]]
				r := R[i*dim : (i+1)*dim]
				copy(e, r)
				floats.AddScaled(e, g, dk)
				floats.AddScaled(newD, g, e)
			}
			norm := floats.Norm(newD, 2)
			if norm < 1e-12 {
				continue
			}
			floats.Scale(1/norm, newD)
			for u, i := range users[k] {
				s := slots[k][u]
				g := coefs[i][s]
				r := R[i*dim : (i+1)*dim]
				floats.AddScaled(r, g, dk) // r is now e_i
				gNew := floats.Dot(r, newD)
				floats.AddScaled(r, -gNew, newD)
				coefs[i][s] = gNew
			}
			copy(dk, newD)
		}
		decohere(dict, R, n, dim, replaced, rng)
		dict.refreshGram()
	}
	errs = append(errs, codeAll())
	return ksvdResult{dict: dict, errors: errs}
}

// initialAtoms picks K evenly spaced training windows, skipping near-zero
// windows and near-duplicates of those already chosen, and fills what is
// left with seeded random directions.
func initialAtoms(X []float64, n, dim, K int, rng *rand.Rand) []float64 {
	D := make([]float64, K*dim)
	chosen := 0
	tryAdd := func(v []float64) bool {
		norm := floats.Norm(v, 2)
		if norm < 1e-9 {
			return false
		}
		a := D[chosen*dim : (chosen+1)*dim]
		copy(a, v)
		floats.Scale(1/norm, a)
		for j := 0; j < chosen; j++ {
			if math.Abs(floats.Dot(a, D[j*dim:(j+1)*dim])) > maxCoherence {
				return false
			}
		}
		chosen++
		return true
	}
	// Several passes with finer offsets so that data with few distinct
	// windows still gets every distinct one before random fill.
	for pass := 0; pass < 4 && chosen < K; pass++ {
		for c := 0; c < K && chosen < K; c++ {
			i := int((float64(c) + float64(pass)/4) * float64(n) / float64(K))
			if i >= n {
				i = n - 1
			}
			tryAdd(X[i*dim : (i+1)*dim])
		}
	}
	for chosen < K {
		v := make([]float64, dim)
		for j := range v {
			v[j] = rng.NormFloat64()
		}
		tryAdd(v)
	}
	return D
}

// replaceAtom points an atom at the worst represented window not yet used
// for a replacement this sweep, the usual K-SVD remedy for unused atoms.
func replaceAtom(dk, R []float64, n, dim int, replaced []bool, rng *rand.Rand) {
	worst, worstErr := -1, 1e-18
	for i := 0; i < n; i++ {
		if replaced[i] {
			continue
		}
		r := R[i*dim : (i+1)*dim]
		if e := floats.Dot(r, r); e > worstErr {
			worst, worstErr = i, e
		}
	}
	if worst < 0 {
		for j := range dk {
			dk[j] = rng.NormFloat64()
		}
	} else {
		replaced[worst] = true
		copy(dk, R[worst*dim:(worst+1)*dim])
	}
	floats.Scale(1/floats.Norm(dk, 2), dk)
}

// decohere replaces the later atom of any pair that became near-identical.
func decohere(dict *dictionary, R []float64, n, dim int, replaced []bool, rng *rand.Rand) {
	for k := 1; k < dict.atoms; k++ {
		dk := dict.atom(k)
		for j := 0; j < k; j++ {
			if math.Abs(floats.Dot(dk, dict.atom(j))) > maxCoherence {
				replaceAtom(dk, R, n, dim, replaced, rng)
				break
			}
		}
	}
}
