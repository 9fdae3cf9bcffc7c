package sparse

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// This file is how the defaults were chosen without test labels: each SMAP
// channel's training series is split into a fitting part (70 %) and a
// validation part (30 %). The model is fitted on the first; the second is
// scored clean (every alarm is false) and with synthetic anomalies injected
// one at a time (spikes, level shifts, noise bursts on the telemetry value).
// Run with ADF_SPARSE_TUNE=1; it prints a table and asserts nothing about
// which configuration wins.

type injection struct {
	kind     string
	from, to int // injected rows [from, to)
}

// inject returns a copy of rows with one anomaly on channel 0, scaled to the
// channel's training range and kept inside [-1, 1] like SMAP's values.
func inject(rows [][]float64, kind string, rng *rand.Rand, span float64) ([][]float64, injection) {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = append([]float64(nil), r...)
	}
	L := 1
	if kind != "spike" {
		L = min(30+rng.IntN(90), len(rows)/4)
	}
	from := len(rows)/4 + rng.IntN(len(rows)/2-L)
	clip := func(v float64) float64 { return math.Max(-1, math.Min(1, v)) }
	// Push away from the nearer bound so clipping does not erase the change.
	dir := 1.0
	if out[from][0] > 0 {
		dir = -1
	}
	switch kind {
	case "spike":
		out[from][0] = clip(out[from][0] + dir*(0.3+0.7*rng.Float64())*span)
	case "shift":
		d := dir * (0.2 + 0.3*rng.Float64()) * span
		for i := from; i < from+L; i++ {
			out[i][0] = clip(out[i][0] + d)
		}
	case "noise":
		for i := from; i < from+L; i++ {
			out[i][0] = clip(out[i][0] + 0.1*span*rng.NormFloat64())
		}
	}
	return out, injection{kind, from, from + L}
}

type tuneScore struct {
	injected, detected int
	falseRuns          int // on clean validation data
	cleanSamples       int
	byKind             map[string][2]int
}

// objective is an event F1 that assumes one real anomaly per 5,000 samples,
// so false alarms on clean data weigh as they would on a test series.
func (s tuneScore) objective() (f1, recall, fpPer1k float64) {
	recall = float64(s.detected) / float64(s.injected)
	fpPer1k = 1000 * float64(s.falseRuns) / float64(s.cleanSamples)
	fp := fpPer1k * 5 * float64(s.injected)
	p := 0.0
	if s.detected > 0 {
		p = float64(s.detected) / (float64(s.detected) + fp)
	}
	if p+recall > 0 {
		f1 = 2 * p * recall / (p + recall)
	}
	return
}

func flagged(m anomaly.Model, rows [][]float64) []bool {
	scores := anomaly.ScoreAll(m, rows)
	pred := make([]bool, len(scores))
	for i, v := range scores {
		pred[i] = v > m.Threshold()
	}
	return pred
}

func validate(t *testing.T, cfg Config, chans []smapChannel) tuneScore {
	s := tuneScore{byKind: map[string][2]int{}}
	for ci, c := range chans {
		cut := len(c.train) * 7 / 10
		fitRows, val := c.train[:cut], c.train[cut:]
		m, err := New(cfg).Fit(fitRows)
		if err != nil {
			t.Logf("%s: %v", c.name, err)
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range fitRows {
			lo, hi = math.Min(lo, r[0]), math.Max(hi, r[0])
		}
		span := hi - lo
		if span < 0.1 {
			span = 0.5
		}
		fr := len(runs(flagged(m, val)))
		if fr > 0 && os.Getenv("ADF_SPARSE_TUNE") == "v" {
			t.Logf("  %s: %d false runs on %d clean samples, threshold %.3f", c.name, fr, len(val), m.Threshold())
		}
		s.falseRuns += fr
		s.cleanSamples += len(val)
		rng := rand.New(rand.NewPCG(uint64(ci), 99))
		for _, kind := range []string{"spike", "shift", "noise", "spike", "shift", "noise"} {
			rows, inj := inject(val, kind, rng, span)
			pred := flagged(m, rows)
			hit := false
			for i := inj.from; i < len(pred) && i < inj.to+cfg.Window+cfg.Persist; i++ {
				hit = hit || pred[i]
			}
			k := s.byKind[kind]
			k[1]++
			s.injected++
			if hit {
				k[0]++
				s.detected++
			}
			s.byKind[kind] = k
		}
	}
	return s
}

func TestTuneOnTraining(t *testing.T) {
	if os.Getenv("ADF_SPARSE_TUNE") == "" {
		t.Skip("set ADF_SPARSE_TUNE=1 to run the training-only tuning sweep")
	}
	chans := loadSMAP(t, os.Getenv("ADF_SPARSE_SMAP_COMMANDS") == "1")
	base := DefaultConfig()
	// The sweep that set DefaultConfig, round by round; F1* as printed
	// (recall, false runs on ~41k clean samples). Each round started from
	// the previous round's best:
	//
	//	raw window score, first defaults (nu 0.05, margin 0.5 IQR): 0.222 (0.71, 39)
	//	persist 4, hold 16:                                  0.299 (0.73, 26)
	//	score as log ratio (non-saturating), same settings:  0.293 (0.82, 31)
	//	+ margin 2 IQR, nu 0.2:                              0.401 (0.74, 16)
	//	+ min margin 2:                                      0.494 (0.65, 8)
	//	+ refit on the whole series:                         0.533 (0.63, 6)
	//	+ sparsity 2:                                        0.606 (0.70, 5)
	//
	// Not taken: window 8 or 24/32, atoms 24/32/96, sparsity 1/3, nu 0.01/0.1/0.3,
	// persist 2/8, hold 32, holdout 0.4, quantile 0.99, min margin 3/4, RBF
	// width ×0.3 or ×3 the median heuristic (0.584, 0.556), centred windows
	// (0.402), command flags as channels (0.120: the 24 sparse flags swamp
	// the telemetry value), a second calibration fold (learn from the last
	// 75 %, calibrate on the first 25 %, take the lower threshold: 0.619,
	// two more injections found, same false runs: not worth a third fit).
	// Differences of one or two false runs are noise.
	variants := []struct {
		name string
		edit func(*Config)
	}{
		{"default", func(c *Config) {}},
		{"persist=1,hold=1", func(c *Config) { c.Persist, c.Hold = 1, 1 }},
		{"refit=false", func(c *Config) { c.Refit = false }},
		{"center", func(c *Config) { c.Center = true }},
	}
	for _, v := range variants {
		cfg := base
		v.edit(&cfg)
		s := validate(t, cfg, chans)
		f1, rec, fp := s.objective()
		t.Logf("%-22s F1* %.3f recall %.3f (spike %v shift %v noise %v) false runs %d (%.2f per 1k clean samples)",
			v.name, f1, rec, s.byKind["spike"], s.byKind["shift"], s.byKind["noise"], s.falseRuns, fp)
	}
}
