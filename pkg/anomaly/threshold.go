package anomaly

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ThresholdRule turns the scores a model gives its own anomaly-free training
// data into the threshold it uses on new data. The quantile bounds the false
// alarm rate on normal data; the margin lifts the threshold above the tail of
// the training scores, because a short training series rarely shows the
// largest excursion normal operation produces.
type ThresholdRule struct {
	Quantile float64 `json:"quantile"` // in (0, 1]; 1 is the largest training score
	Margin   float64 `json:"margin"`   // multiplier ≥ 1 applied to the quantile
}

// DefaultThreshold is the rule the detectors use unless told otherwise: the
// largest training score plus half again. It was fixed before looking at any
// test labels; docs/detection.md shows how results move with it.
var DefaultThreshold = ThresholdRule{Quantile: 1, Margin: 1.5}

// Validate reports a rule that cannot produce a threshold.
func (r ThresholdRule) Validate() error {
	if !(r.Quantile > 0 && r.Quantile <= 1) {
		return fmt.Errorf("anomaly: threshold quantile %v not in (0, 1]", r.Quantile)
	}
	if !(r.Margin >= 1) || math.IsInf(r.Margin, 0) {
		return fmt.Errorf("anomaly: threshold margin %v must be a finite number ≥ 1", r.Margin)
	}
	return nil
}

// Apply computes the threshold from training scores.
func (r ThresholdRule) Apply(trainScores []float64) (float64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if len(trainScores) == 0 {
		return 0, errors.New("anomaly: no training scores to set a threshold from (training series shorter than the window?)")
	}
	q := Quantile(trainScores, r.Quantile)
	if q <= 0 {
		// A flat training score (all zero) would make every non-zero score
		// anomalous; keep a tiny positive floor instead.
		q = math.SmallestNonzeroFloat64
	}
	t := q * r.Margin
	if math.IsInf(t, 0) || math.IsNaN(t) {
		return 0, fmt.Errorf("anomaly: threshold %v × margin %v is not a finite number (training scores overflow)", q, r.Margin)
	}
	return t, nil
}

// Quantile returns the q-quantile of xs (nearest rank, no interpolation, so the
// result is one of the values). xs is not modified.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// trainScores scores the training rows with the model and keeps the scores of
// the samples the scorer could score.
func trainScores(m Model, rows [][]float64) []float64 {
	s := m.NewScorer()
	out := make([]float64, 0, len(rows))
	for _, r := range rows {
		if v, ok := s.Push(r); ok {
			out = append(out, v)
		}
	}
	return out
}

// maxMagnitude bounds training values: sums of squares of larger ones
// overflow to infinity, and no telemetry unit needs them.
const maxMagnitude = 1e100

// checkRows validates training rows: at least minRows, all of the same
// width, all finite.
func checkRows(rows [][]float64, minRows int) (channels int, err error) {
	if len(rows) < minRows {
		return 0, fmt.Errorf("anomaly: %d training rows, need at least %d", len(rows), minRows)
	}
	channels = len(rows[0])
	if channels == 0 {
		return 0, errors.New("anomaly: training rows have no channels")
	}
	for i, r := range rows {
		if len(r) != channels {
			return 0, fmt.Errorf("anomaly: training row %d has %d values, row 0 has %d", i, len(r), channels)
		}
		for j, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("anomaly: training row %d channel %d is %v", i, j, v)
			}
			if math.Abs(v) > maxMagnitude {
				return 0, fmt.Errorf("anomaly: training row %d channel %d is %v, beyond ±%g: rescale the channel", i, j, v, maxMagnitude)
			}
		}
	}
	return channels, nil
}

// channelScale is a per-channel scale from training data used as a floor for
// the streaming scale estimates: telemetry is often flat for long stretches
// (MAD or variance 0), and dividing by a vanishing scale would turn the first
// quantisation step into an infinite score.
func channelScale(rows [][]float64, ch int) float64 {
	col := make([]float64, len(rows))
	for i, r := range rows {
		col[i] = r[ch]
	}
	mean := 0.0
	for _, v := range col {
		mean += v
	}
	mean /= float64(len(col))
	ss := 0.0
	for _, v := range col {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(len(col)))
	// Summing a constant column leaves rounding noise in the mean (SMAP's
	// constant channels give sd ≈ 1e-14), so "constant" is relative.
	if sd <= 1e-12*math.Max(1, math.Abs(mean)) || math.IsNaN(sd) {
		// Constant channel in training: any change is news, but scale it
		// against something non-zero.
		sd = 1e-6 * math.Max(1, math.Abs(mean))
	}
	return sd
}

// channelNorms puts the channels of a multichannel model on one scale. A
// sample's score is the largest channel score, and channels differ in how
// far normal operation takes them (a wandering temperature against a steady
// pressure): with raw scores one threshold would be set by the most restless
// channel and blind to the others. Each channel's score is therefore divided
// by the same quantile of its own training scores, so a score of 1 means "as
// far as this channel went in training" on every channel, and one threshold
// acts as a threshold per channel. push scores a row and fills raw with the
// channel scores.
func channelNorms(train [][]float64, quantile float64, raw []float64, push func([]float64) (float64, bool)) []float64 {
	per := make([][]float64, len(raw))
	for _, r := range train {
		if _, ok := push(r); ok {
			for ch, v := range raw {
				per[ch] = append(per[ch], v)
			}
		}
	}
	norm := make([]float64, len(raw))
	for ch, xs := range per {
		q := 0.0
		if len(xs) > 0 {
			q = Quantile(xs, quantile)
		}
		// A channel that never moved in training scores 0 there; divide by a
		// small number instead, so that its first movement is far above 1
		// but still finite.
		norm[ch] = math.Max(q, minNorm)
	}
	return norm
}

const minNorm = 1e-9

func checkNorm(method string, norm []float64, channels int) error {
	if norm == nil {
		return nil
	}
	if len(norm) != channels {
		return fmt.Errorf("anomaly: %s has %d channel norms for %d channels", method, len(norm), channels)
	}
	for i, v := range norm {
		if !(v >= minNorm) || math.IsInf(v, 0) {
			return fmt.Errorf("anomaly: %s channel %d norm %v, want a finite number ≥ %g", method, i, v, minNorm)
		}
	}
	return nil
}
