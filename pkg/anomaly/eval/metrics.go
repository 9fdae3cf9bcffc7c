// Package eval measures anomaly detectors on labelled telemetry: point-wise
// and event-level precision, recall and F1, the area under the PA%K curve,
// detection delay and scoring speed, for every registered method and a
// seeded random-score baseline.
package eval

import "fmt"

// Counts are point-wise confusion counts.
type Counts struct{ TP, FP, FN int }

// Add sums counts.
func (c Counts) Add(o Counts) Counts { return Counts{c.TP + o.TP, c.FP + o.FP, c.FN + o.FN} }

// PRF is precision, recall and F1 from counts; an empty denominator gives 0.
func PRF(tp, fp, fn int) (p, r, f1 float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// Segment is a run of rows [Start, End) (end exclusive).
type Segment struct{ Start, End int }

// Runs returns the maximal runs of true values.
func Runs(xs []bool) []Segment {
	var out []Segment
	for i := 0; i < len(xs); {
		if !xs[i] {
			i++
			continue
		}
		j := i
		for j < len(xs) && xs[j] {
			j++
		}
		out = append(out, Segment{i, j})
		i = j
	}
	return out
}

func checkLen(pred, labels []bool) {
	if len(pred) != len(labels) {
		panic(fmt.Sprintf("eval: %d predictions for %d labels", len(pred), len(labels)))
	}
}

// Pointwise counts samples, with no point adjustment.
func Pointwise(pred, labels []bool) Counts {
	checkLen(pred, labels)
	var c Counts
	for i, p := range pred {
		switch {
		case p && labels[i]:
			c.TP++
		case p:
			c.FP++
		case labels[i]:
			c.FN++
		}
	}
	return c
}

// Events are event-level counts by Telemanom's overlap rule (Hundman et al.,
// KDD 2018): predicted sequences are the maximal runs of flagged samples; a
// labelled event is detected if a predicted sequence overlaps it; a
// predicted sequence that overlaps no labelled event is a false positive.
// Precision is Detected/(Detected+FalseSeqs), recall Detected/Events.
type Events struct {
	Events, Detected, FalseSeqs int
	// Delays holds, per detected event, the samples from its start to its
	// first flagged sample.
	Delays []int
}

// Add sums event counts (series are independent, as in Telemanom's totals).
func (e Events) Add(o Events) Events {
	return Events{e.Events + o.Events, e.Detected + o.Detected, e.FalseSeqs + o.FalseSeqs, append(append([]int(nil), e.Delays...), o.Delays...)}
}

// PRF of the event counts.
func (e Events) PRF() (p, r, f1 float64) {
	return PRF(e.Detected, e.FalseSeqs, e.Events-e.Detected)
}

// MeanDelay over detected events; 0 when none was detected.
func (e Events) MeanDelay() float64 {
	if len(e.Delays) == 0 {
		return 0
	}
	s := 0
	for _, d := range e.Delays {
		s += d
	}
	return float64(s) / float64(len(e.Delays))
}

// EventLevel counts events of one series.
func EventLevel(pred, labels []bool) Events {
	checkLen(pred, labels)
	var e Events
	for _, ev := range Runs(labels) {
		e.Events++
		for i := ev.Start; i < ev.End; i++ {
			if pred[i] {
				e.Detected++
				e.Delays = append(e.Delays, i-ev.Start)
				break
			}
		}
	}
	for _, s := range Runs(pred) {
		overlaps := false
		for i := s.Start; i < s.End && !overlaps; i++ {
			overlaps = labels[i]
		}
		if !overlaps {
			e.FalseSeqs++
		}
	}
	return e
}

// PAKSteps is the number of K values on the PA%K curve: K = 0, 1, …, 100.
const PAKSteps = 101

// PAK returns, for K = 0..100, the point-wise counts after PA%K adjustment
// (Kim et al., AAAI 2022): a labelled segment counts as wholly detected if at
// least one of its points and at least K % of them are flagged; otherwise
// its points stay as flagged. K = 0 is the usual point adjustment; K = 100
// equals no adjustment.
func PAK(pred, labels []bool) [PAKSteps]Counts {
	checkLen(pred, labels)
	base := Pointwise(pred, labels)
	var out [PAKSteps]Counts
	for k := range out {
		out[k] = base
	}
	for _, seg := range Runs(labels) {
		n := seg.End - seg.Start
		hit := 0
		for i := seg.Start; i < seg.End; i++ {
			if pred[i] {
				hit++
			}
		}
		if hit == 0 {
			continue
		}
		for k := range out {
			// hit/n ≥ k/100, in integers to avoid rounding at the boundary.
			if 100*hit >= k*n {
				out[k].TP += n - hit
				out[k].FN -= n - hit
			}
		}
	}
	return out
}

// PAKCurve is F1 at each K from summed PA%K counts.
func PAKCurve(c [PAKSteps]Counts) [PAKSteps]float64 {
	var f [PAKSteps]float64
	for k, ck := range c {
		_, _, f[k] = PRF(ck.TP, ck.FP, ck.FN)
	}
	return f
}

// PAKAUC is the area under F1(K) for K in [0, 100] by the trapezoid rule,
// divided by 100 so it lies in [0, 1].
func PAKAUC(c [PAKSteps]Counts) float64 {
	f := PAKCurve(c)
	area := 0.0
	for k := 1; k < PAKSteps; k++ {
		area += (f[k-1] + f[k]) / 2
	}
	return area / float64(PAKSteps-1)
}

// AddPAK sums PA%K counts of several series.
func AddPAK(a, b [PAKSteps]Counts) [PAKSteps]Counts {
	for k := range a {
		a[k] = a[k].Add(b[k])
	}
	return a
}
