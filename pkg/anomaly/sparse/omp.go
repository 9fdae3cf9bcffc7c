package sparse

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// dictionary holds unit-norm atoms, each contiguous, and their Gram matrix.
// Keeping the Gram matrix lets OMP run as Batch-OMP (Rubinstein, Zibulevsky
// & Elad 2008): one product with the dictionary per window, then only K×K
// work per selected atom, which is what makes thousands of windows per
// second possible.
type dictionary struct {
	dim   int       // length of one atom = window × channels
	atoms int       // K
	d     []float64 // atoms × dim, atom k at d[k*dim:(k+1)*dim]
	gram  []float64 // atoms × atoms
}

func newDictionary(dim, atoms int, d []float64) *dictionary {
	dict := &dictionary{dim: dim, atoms: atoms, d: d, gram: make([]float64, atoms*atoms)}
	dict.refreshGram()
	return dict
}

func (dict *dictionary) atom(k int) []float64 { return dict.d[k*dict.dim : (k+1)*dict.dim] }

func (dict *dictionary) refreshGram() {
	for i := 0; i < dict.atoms; i++ {
		ai := dict.atom(i)
		for j := i; j < dict.atoms; j++ {
			g := floats.Dot(ai, dict.atom(j))
			dict.gram[i*dict.atoms+j] = g
			dict.gram[j*dict.atoms+i] = g
		}
	}
}

// code is the sparse representation of one window.
type code struct {
	idx   []int     // selected atoms, in selection order
	coef  []float64 // their coefficients
	resSq float64   // squared norm of the residual x - D·coef
}

// omp is a reusable Batch-OMP workspace for one dictionary and sparsity.
type omp struct {
	dict     *dictionary
	sparsity int
	alpha0   []float64 // Dᵀx
	alpha    []float64 // Dᵀ(residual)
	chol     []float64 // sparsity × sparsity lower-triangular factor of G[I,I]
	rhs      []float64
	gamma    []float64
	w        []float64
	used     []bool
	out      code
}

func newOMP(dict *dictionary, sparsity int) *omp {
	if sparsity > dict.atoms {
		sparsity = dict.atoms
	}
	return &omp{
		dict:     dict,
		sparsity: sparsity,
		alpha0:   make([]float64, dict.atoms),
		alpha:    make([]float64, dict.atoms),
		chol:     make([]float64, sparsity*sparsity),
		rhs:      make([]float64, sparsity),
		gamma:    make([]float64, sparsity),
		w:        make([]float64, sparsity),
		used:     make([]bool, dict.atoms),
		out:      code{idx: make([]int, 0, sparsity), coef: make([]float64, 0, sparsity)},
	}
}

// Stop selecting atoms once the residual energy falls below this fraction of
// the window's energy, or a new atom is this close to the span of the
// chosen ones: further atoms would only fit rounding noise.
const (
	ompRelTol  = 1e-12
	ompCollTol = 1e-10
)

// encode returns the sparse code of x. The result aliases the workspace and
// is valid until the next call.
func (o *omp) encode(x []float64) *code {
	dict, K, T := o.dict, o.dict.atoms, o.sparsity
	for k := 0; k < K; k++ {
		o.alpha0[k] = floats.Dot(dict.atom(k), x)
		o.used[k] = false
	}
	copy(o.alpha, o.alpha0)
	energy := floats.Dot(x, x)
	res := energy
	idx := o.out.idx[:0]
	n := 0
	for n < T && res > ompRelTol*energy {
		best, bestAbs := -1, 0.0
		for k, a := range o.alpha {
			if !o.used[k] && math.Abs(a) > bestAbs {
				best, bestAbs = k, math.Abs(a)
			}
		}
		if best < 0 || bestAbs <= 1e-12*math.Sqrt(energy) {
			break
		}
		// Extend the Cholesky factor of G[I,I] by the new atom.
		if n > 0 {
			for i := 0; i < n; i++ {
				s := dict.gram[idx[i]*K+best]
				for j := 0; j < i; j++ {
					s -= o.chol[i*T+j] * o.w[j]
				}
				o.w[i] = s / o.chol[i*T+i]
			}
			d := 1 - floats.Dot(o.w[:n], o.w[:n])
			if d <= ompCollTol {
				break
			}
			copy(o.chol[n*T:n*T+n], o.w[:n])
			o.chol[n*T+n] = math.Sqrt(d)
		} else {
			o.chol[0] = 1
		}
		idx = append(idx, best)
		o.used[best] = true
		n++
		// Solve L Lᵀ γ = alpha0[I].
		for i := 0; i < n; i++ {
			s := o.alpha0[idx[i]]
			for j := 0; j < i; j++ {
				s -= o.chol[i*T+j] * o.rhs[j]
			}
			o.rhs[i] = s / o.chol[i*T+i]
		}
		for i := n - 1; i >= 0; i-- {
			s := o.rhs[i]
			for j := i + 1; j < n; j++ {
				s -= o.chol[j*T+i] * o.gamma[j]
			}
			o.gamma[i] = s / o.chol[i*T+i]
		}
		// alpha = alpha0 - G[:,I] γ, and the residual energy follows from the
		// normal equations: |x - D_I γ|² = |x|² - γᵀ alpha0[I].
		copy(o.alpha, o.alpha0)
		res = energy
		for i := 0; i < n; i++ {
			g, row := o.gamma[i], dict.gram[idx[i]*K:(idx[i]+1)*K]
			floats.AddScaled(o.alpha, -g, row)
			res -= g * o.alpha0[idx[i]]
		}
	}
	o.out.idx = idx
	o.out.coef = append(o.out.coef[:0], o.gamma[:n]...)
	if res < 0 {
		res = 0
	}
	o.out.resSq = res
	return &o.out
}
