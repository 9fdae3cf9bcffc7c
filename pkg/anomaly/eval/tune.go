package eval

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
)

// Settings are chosen without test labels: Validation turns each series'
// training rows into a small labelled problem of its own — fit on the first
// ValidationFit of them, score the rest with synthetic faults injected — and
// Tune picks, per method, the candidate settings that score best there. The
// test part of a dataset is not read.

// ValidationFit is the share of each training series the candidates are
// fitted on; the rest, with injected faults, is what they are judged on.
const ValidationFit = 0.6

// Fault kinds injected into validation data, in units of the channel's
// training standard deviation sd.
const (
	faultSpike = iota // 1–3 samples, ±4–8 sd
	faultShift        // 30–150 samples, ±2–4 sd
	faultDrift        // 50–200 samples, ramp to ±3–6 sd
	faultStuck        // 50–200 samples held at the value where it starts
	faultNoise        // 30–100 samples of added noise of 2–3 sd
	faultKinds
)

// Validation builds the validation dataset from ds's training parts, one
// series per distinct training set. The faults are seeded by seed and the
// training key, so the same data always gives the same validation set.
func Validation(ds *dataset.Dataset, seed uint64) *dataset.Dataset {
	return ValidationScored(ds, seed, 0)
}

// ValidationScored is Validation with faults injected only into the first
// scored columns of each row (0: all columns). The other columns are inputs
// a detector reads but does not score (SMAP's command flags for forecast
// with Inputs set), so a fault there would be one no scored channel shows.
// With scored equal to the number of columns it is Validation.
func ValidationScored(ds *dataset.Dataset, seed uint64, scored int) *dataset.Dataset {
	out := &dataset.Dataset{Name: ds.Name + "/validation", Protocol: "training rows split 60/40, synthetic faults injected into the 40 %"}
	seen := map[string]bool{}
	for _, s := range ds.Series {
		if seen[s.TrainKey] {
			continue
		}
		seen[s.TrainKey] = true
		n := int(ValidationFit * float64(len(s.Train)))
		if n < 2 || len(s.Train)-n < 20 {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(s.TrainKey))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		fit := s.Train[:n]
		val := make([][]float64, len(s.Train)-n)
		for i, r := range s.Train[n:] {
			val[i] = append([]float64(nil), r...)
		}
		labels := inject(rng, fit, val, scored)
		out.Series = append(out.Series, dataset.Series{Name: s.TrainKey + "/validation", Columns: s.Columns, TrainKey: s.TrainKey, Train: fit, Test: val, Labels: labels})
	}
	return out
}

// inject writes faults into val: one per 400 rows (at least one), each in
// its own slot after the first quarter (which lets windows and baselines
// fill as they would at the start of a stream).
func inject(rng *rand.Rand, fit, val [][]float64, scored int) []bool {
	labels := make([]bool, len(val))
	c := len(val[0])
	if scored > 0 && scored < c {
		c = scored
	}
	sd := make([]float64, c)
	for ch := range c {
		var mean, ss float64
		for _, r := range fit {
			mean += r[ch]
		}
		mean /= float64(len(fit))
		for _, r := range fit {
			ss += (r[ch] - mean) * (r[ch] - mean)
		}
		sd[ch] = math.Sqrt(ss / float64(len(fit)))
		if sd[ch] == 0 {
			sd[ch] = 1e-6 * math.Max(1, math.Abs(mean))
		}
	}
	start := len(val) / 4
	count := max(1, len(val)/400)
	slot := (len(val) - start) / count
	sign := func() float64 {
		if rng.IntN(2) == 0 {
			return -1
		}
		return 1
	}
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	for k := range count {
		lo := start + k*slot
		ch := rng.IntN(c)
		kind := rng.IntN(faultKinds)
		var length int
		switch kind {
		case faultSpike:
			length = between(1, 3)
		case faultShift, faultNoise:
			length = between(30, 150)
		default:
			length = between(50, 200)
		}
		length = min(length, max(1, slot/2))
		at := lo + rng.IntN(max(1, slot-length))
		size := sd[ch]
		switch kind {
		case faultSpike:
			size *= sign() * (4 + 4*rng.Float64())
		case faultShift:
			size *= sign() * (2 + 2*rng.Float64())
		case faultDrift:
			size *= sign() * (3 + 3*rng.Float64())
		case faultNoise:
			size *= 2 + rng.Float64()
		}
		held := val[at][ch]
		for i := at; i < at+length && i < len(val); i++ {
			switch kind {
			case faultSpike, faultShift:
				val[i][ch] += size
			case faultDrift:
				val[i][ch] += size * float64(i-at+1) / float64(length)
			case faultStuck:
				val[i][ch] = held
			case faultNoise:
				val[i][ch] += size * rng.NormFloat64()
			}
			labels[i] = true
		}
	}
	return labels
}

// Candidates are the settings Tune chooses among for a method: its
// defaults varied along the settings that matter most (memory or window,
// threshold margin, alarm hold). Methods without a grid (sparse, random)
// are their only candidate.
func Candidates(m anomaly.Method) []anomaly.Method {
	margins := []float64{1, 1.5, 2, 3}
	holds := []int{0, 16}
	var out []anomaly.Method
	switch v := m.(type) {
	case anomaly.RobustZ:
		for _, w := range []int{32, 64, 128} {
			for _, mg := range margins {
				for _, h := range holds {
					c := v
					c.Window, c.Rule.Margin, c.Hold = w, mg, h
					out = append(out, c)
				}
			}
		}
	case anomaly.EWMA:
		alphas := []float64{0.02, 0.05, 0.1}
		ks := []float64{0}
		if v.CUSUM {
			alphas = []float64{0.005, 0.01, 0.02}
			ks = []float64{0.5, 1}
		}
		for _, a := range alphas {
			for _, k := range ks {
				for _, mg := range margins {
					for _, h := range holds {
						c := v
						c.Alpha, c.Rule.Margin, c.Hold = a, mg, h
						if v.CUSUM {
							c.K = k
						}
						out = append(out, c)
					}
				}
			}
		}
	case anomaly.PCA:
		for _, w := range []int{8, 16, 32} {
			for _, ev := range []float64{0.9, 0.95, 0.99} {
				for _, mg := range margins {
					for _, h := range holds {
						c := v
						c.Window, c.Variance, c.Rule.Margin, c.Hold = w, ev, mg, h
						out = append(out, c)
					}
				}
			}
		}
	default:
		out = []anomaly.Method{m}
	}
	return out
}

// Objective is what Tune maximises on the validation data.
type Objective string

// Objectives.
const (
	EventF1 Objective = "event-f1"
	PointF1 Objective = "point-f1"
)

func (o Objective) of(r Result) float64 {
	if o == PointF1 {
		return r.PointF1
	}
	return r.EventF1
}

// Choice is a tuned method and how its candidates did on validation data.
type Choice struct {
	Method     anomaly.Method `json:"-"`
	Settings   string         `json:"settings"`
	Candidates int            `json:"candidates"`
	Validation Result         `json:"validation"`
}

// Tune returns the candidate of m that maximises the objective on val; ties
// go to the earlier candidate (so defaults and smaller settings win ties).
func Tune(val *dataset.Dataset, m anomaly.Method, o Objective) Choice {
	cands := Candidates(m)
	best := Choice{Method: cands[0], Candidates: len(cands)}
	bestScore := math.Inf(-1)
	for _, c := range cands {
		r := Evaluate(val, c)
		if s := o.of(r); s > bestScore {
			bestScore = s
			best.Method, best.Validation = c, r
		}
	}
	best.Settings = Settings(best.Method)
	return best
}

// Settings describes a method's settings as JSON (its exported fields), or
// says that it has none to show.
func Settings(m anomaly.Method) string {
	b, err := json.Marshal(m)
	if err != nil || string(b) == "{}" {
		return "its defaults (settings not exported)"
	}
	return string(b)
}
