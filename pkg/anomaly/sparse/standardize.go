package sparse

import (
	"fmt"
	"math"
)

// scaling maps each channel to zero mean and unit variance with statistics
// of the training data. A channel that never moved in training gets scale 1:
// any later movement then shows up in its natural units instead of being
// divided by zero or dropped (in SMAP the command flags are such channels).
type scaling struct {
	Mean  []float64 `json:"mean"`
	Scale []float64 `json:"scale"`
}

// constantTol is how small a standard deviation, relative to the channel's
// magnitude, still counts as a constant channel.
const constantTol = 1e-9

func fitScaling(rows [][]float64) scaling {
	c := len(rows[0])
	s := scaling{Mean: make([]float64, c), Scale: make([]float64, c)}
	n := float64(len(rows))
	for _, r := range rows {
		for j, v := range r {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for _, r := range rows {
		for j, v := range r {
			d := v - s.Mean[j]
			s.Scale[j] += d * d
		}
	}
	for j := range s.Scale {
		sd := math.Sqrt(s.Scale[j] / n)
		if sd <= constantTol*math.Max(1, math.Abs(s.Mean[j])) {
			sd = 1
		}
		s.Scale[j] = sd
	}
	return s
}

func (s scaling) apply(dst, x []float64) {
	for j, v := range x {
		dst[j] = (v - s.Mean[j]) / s.Scale[j]
	}
}

func (s scaling) validate(channels int) error {
	if len(s.Mean) != channels || len(s.Scale) != channels {
		return fmt.Errorf("sparse: scaling has %d means and %d scales for %d channels", len(s.Mean), len(s.Scale), channels)
	}
	for j := range s.Mean {
		if !finite(s.Mean[j]) || !finite(s.Scale[j]) || s.Scale[j] <= 0 {
			return fmt.Errorf("sparse: channel %d has mean %v, scale %v", j, s.Mean[j], s.Scale[j])
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func allFinite(v []float64) bool {
	for _, x := range v {
		if !finite(x) {
			return false
		}
	}
	return true
}
