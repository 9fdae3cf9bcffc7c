package sparse

import (
	"errors"
	"math"
	"sort"
)

// boundary is a trained one-class SVM with RBF kernel (Schölkopf et al.
// 2001): inside where Σ Coef_i·exp(-Gamma·|SV_i - x|²) ≥ Rho.
type boundary struct {
	Gamma float64     `json:"gamma"`
	Rho   float64     `json:"rho"`
	Coef  []float64   `json:"coef"`
	SV    [][]float64 `json:"sv"`
}

// score is log(Rho / Σ Coef_i·K(SV_i, x)): zero on the SVM's boundary,
// negative inside, positive outside, so it separates exactly as the SVM
// does. The usual decision value Σ Coef_i·K - Rho saturates at -Rho once x
// is far from every support vector, which makes a distant anomaly and one
// just past the edge score alike and lets a single odd held-out window push
// the threshold beyond every reachable score. The log does not saturate:
// far away it grows like Gamma times the squared distance to the nearest
// support vector. scratch must hold len(SV) values.
func (b *boundary) score(x, scratch []float64) float64 {
	top := math.Inf(-1)
	for i, sv := range b.SV {
		e := -b.Gamma * sqDist(sv, x)
		scratch[i] = e
		if e > top {
			top = e
		}
	}
	if math.IsInf(top, -1) {
		return math.MaxFloat64 // x so far out that every distance overflowed
	}
	sum := 0.0
	for i, e := range scratch[:len(b.SV)] {
		sum += b.Coef[i] * math.Exp(e-top)
	}
	// log Σ c_i e^{e_i} = top + log Σ c_i e^{e_i - top}
	return math.Log(b.Rho) - top - math.Log(sum)
}

func sqDist(a, b []float64) float64 {
	d := 0.0
	for j, v := range a {
		t := v - b[j]
		d += t * t
	}
	return d
}

// medianGamma is the median heuristic for the RBF width: 1 / median of
// squared distances between points (a deterministic sample of pairs).
func medianGamma(X [][]float64) float64 {
	n := len(X)
	var d []float64
	step := 1
	if n*(n-1)/2 > 200000 {
		step = n*(n-1)/2/200000 + 1
	}
	c := 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if c%step == 0 {
				if v := sqDist(X[i], X[j]); v > 0 {
					d = append(d, v)
				}
			}
			c++
		}
	}
	if len(d) == 0 {
		return 1
	}
	sort.Float64s(d)
	return 1 / d[len(d)/2]
}

// SMO stops when the maximal KKT violation drops below smoEps (LIBSVM's
// default) or after smoMaxIter pair updates, whichever comes first.
const (
	smoEps     = 1e-3
	smoMaxIter = 1_000_000
	smoTau     = 1e-12
)

// trainOneClass solves the ν-one-class SVM dual
//
//	min ½ αᵀQα  s.t. 0 ≤ α_i ≤ 1, Σα_i = ν·l
//
// with SMO and second-order working-set selection (Fan, Chen & Lin 2005),
// as LIBSVM does. X must be non-empty.
func trainOneClass(X [][]float64, nu, gamma float64) (*boundary, error) {
	l := len(X)
	if l == 0 {
		return nil, errors.New("sparse: no points for the one-class boundary")
	}
	Q := make([]float64, l*l)
	for i := 0; i < l; i++ {
		Q[i*l+i] = 1
		for j := i + 1; j < l; j++ {
			k := math.Exp(-gamma * sqDist(X[i], X[j]))
			Q[i*l+j], Q[j*l+i] = k, k
		}
	}
	alpha := make([]float64, l)
	total := nu * float64(l)
	full := int(total)
	for i := 0; i < full && i < l; i++ {
		alpha[i] = 1
	}
	if full < l {
		alpha[full] = total - float64(full)
	}
	G := make([]float64, l)
	for i := 0; i < l; i++ {
		if alpha[i] == 0 {
			continue
		}
		row := Q[i*l : (i+1)*l]
		for j := range G {
			G[j] += alpha[i] * row[j]
		}
	}

	for iter := 0; iter < smoMaxIter; iter++ {
		// i: the index in I_up (α_i < 1) with largest -G_i.
		i, gmax := -1, math.Inf(-1)
		for t := 0; t < l; t++ {
			if alpha[t] < 1 && -G[t] >= gmax {
				i, gmax = t, -G[t]
			}
		}
		if i < 0 {
			break
		}
		Qi := Q[i*l : (i+1)*l]
		j, gmax2, best := -1, math.Inf(-1), math.Inf(1)
		for t := 0; t < l; t++ {
			if alpha[t] <= 0 {
				continue
			}
			if G[t] >= gmax2 {
				gmax2 = G[t]
			}
			diff := gmax + G[t]
			if diff > 0 {
				quad := 2 - 2*Qi[t]
				if quad <= 0 {
					quad = smoTau
				}
				if obj := -diff * diff / quad; obj <= best {
					j, best = t, obj
				}
			}
		}
		if j < 0 || gmax+gmax2 < smoEps {
			break
		}
		Qj := Q[j*l : (j+1)*l]
		quad := 2 - 2*Qi[j]
		if quad <= 0 {
			quad = smoTau
		}
		oldI, oldJ := alpha[i], alpha[j]
		delta := (G[i] - G[j]) / quad
		sum := oldI + oldJ
		ai, aj := oldI-delta, oldJ+delta
		if sum > 1 {
			if ai > 1 {
				ai, aj = 1, sum-1
			}
		} else if aj < 0 {
			aj, ai = 0, sum
		}
		if sum > 1 {
			if aj > 1 {
				aj, ai = 1, sum-1
			}
		} else if ai < 0 {
			ai, aj = 0, sum
		}
		alpha[i], alpha[j] = ai, aj
		di, dj := ai-oldI, aj-oldJ
		for t := range G {
			G[t] += di*Qi[t] + dj*Qj[t]
		}
	}

	// ρ: mean gradient over free α (on the boundary); bounds if none is free.
	nFree, sumFree := 0, 0.0
	ub, lb := math.Inf(1), math.Inf(-1)
	for t := 0; t < l; t++ {
		switch {
		case alpha[t] >= 1:
			lb = math.Max(lb, G[t])
		case alpha[t] <= 0:
			ub = math.Min(ub, G[t])
		default:
			nFree++
			sumFree += G[t]
		}
	}
	rho := (ub + lb) / 2
	if nFree > 0 {
		rho = sumFree / float64(nFree)
	}
	// Normalise so the coefficients sum to one: the score is a ratio, so
	// this only fixes the scale of what is stored.
	if !(rho > 0) || !finite(rho) {
		return nil, errors.New("sparse: one-class SVM did not converge to a usable boundary")
	}
	b := &boundary{Gamma: gamma, Rho: rho / total}
	for t := 0; t < l; t++ {
		if alpha[t] > 0 {
			b.Coef = append(b.Coef, alpha[t]/total)
			b.SV = append(b.SV, append([]float64(nil), X[t]...))
		}
	}
	return b, nil
}
