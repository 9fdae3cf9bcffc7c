package sparse

import (
	"math"
	"math/rand/v2"
)

// coupledSeries is three channels: two that always move together (a shared
// oscillation), a third that is a phase-shifted copy, plus noise. Seeded so
// tests are repeatable.
func coupledSeries(n int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	rows := make([][]float64, n)
	for t := range rows {
		s := math.Sin(2 * math.Pi * float64(t) / 40)
		c := math.Cos(2 * math.Pi * float64(t) / 40)
		rows[t] = []float64{
			s + 0.05*rng.NormFloat64(),
			0.8*s + 0.05*rng.NormFloat64(),
			c + 0.05*rng.NormFloat64(),
		}
	}
	return rows
}

// breakCoupling flips channel 1 against channel 0 in rows [from, to): each
// channel keeps its usual amplitude and range, only their relation changes.
func breakCoupling(rows [][]float64, from, to int) {
	for t := from; t < to; t++ {
		rows[t][1] = -rows[t][1]
	}
}

func channelRange(rows [][]float64, j int) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		lo, hi = math.Min(lo, r[j]), math.Max(hi, r[j])
	}
	return lo, hi
}
