package anomaly

import (
	"fmt"
	"testing"
)

// The benchmarks push one sample — one row holding a value for every channel
// — per iteration into a scorer, single goroutine, and report samples/s and
// values/s (samples × channels) by wall time and samples per CPU-second of
// the process. SKAB has 8 channels, SMAP 1 per series.

func benchScorer(b *testing.B, meth Method, channels int) {
	train := normalRows(11, 4000, channels)
	m, err := meth.Fit(train)
	if err != nil {
		b.Fatal(err)
	}
	test := normalRows(12, 4096, channels)
	s := m.NewScorer()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		s.Push(test[i&4095])
	}
	cpu := (processCPU() - cpu0).Seconds()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "samples/s")
	b.ReportMetric(float64(b.N*channels)/sec, "values/s")
	if cpu > 0 {
		// The process's CPU time includes the runtime's own threads, so this
		// rate errs low.
		b.ReportMetric(float64(b.N)/cpu, "samples/cpu-s")
	}
}

func BenchmarkCheapPath(b *testing.B) {
	for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM()} {
		for _, c := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/channels=%d", meth.Name(), c), func(b *testing.B) { benchScorer(b, meth, c) })
		}
	}
}

// BenchmarkPCAWindows: every sample completes one window of Window samples,
// so samples/s is windows/s.
func BenchmarkPCAWindows(b *testing.B) {
	for _, meth := range []Method{NewPCA(), NewPCAT2Q()} {
		for _, c := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/window=16/channels=%d", meth.Name(), c), func(b *testing.B) { benchScorer(b, meth, c) })
		}
	}
}
