package sparse

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// smapLike is shaped like a SMAP channel: one telemetry value in (-1, 1)
// and 24 one-hot command flags, a command firing now and then.
func smapLike(n int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	rows := make([][]float64, n)
	for t := range rows {
		r := make([]float64, 25)
		r[0] = 0.6*math.Sin(2*math.Pi*float64(t)/120) + 0.05*rng.NormFloat64()
		if rng.IntN(40) == 0 {
			r[1+rng.IntN(24)] = 1
		}
		rows[t] = r
	}
	return rows
}

// BenchmarkScoreSMAPLike pushes samples through a stride-1 scorer, so every
// push scores one full window (16 samples × 25 channels).
func BenchmarkScoreSMAPLike(b *testing.B) {
	m, err := New(DefaultConfig()).Fit(smapLike(2800, 1))
	if err != nil {
		b.Fatal(err)
	}
	rows := smapLike(4096, 2)
	s := m.NewScorer()
	for _, r := range rows[:DefaultConfig().Window] {
		s.Push(r)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		s.Push(rows[i%len(rows)])
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "windows/s")
	b.ReportMetric(float64(len(m.(*model).p.Boundary.SV)), "support-vectors")
}

func BenchmarkFitSMAPLike(b *testing.B) {
	rows := smapLike(2800, 1)
	for i := 0; i < b.N; i++ {
		if _, err := New(DefaultConfig()).Fit(rows); err != nil {
			b.Fatal(err)
		}
	}
}

var sinkScores []float64

func BenchmarkScoreAllSMAPLike(b *testing.B) {
	m, err := New(DefaultConfig()).Fit(smapLike(2800, 1))
	if err != nil {
		b.Fatal(err)
	}
	rows := smapLike(8000, 2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sinkScores = anomaly.ScoreAll(m, rows)
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "samples/s")
}
