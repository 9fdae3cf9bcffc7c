package anomaly

import (
	"encoding/json"
	"fmt"
	"math"
)

// RobustZ scores each channel by its distance from the median of the previous
// Window samples, in units of their median absolute deviation, and a sample by
// the largest such distance over its channels. The maximum (rather than a sum
// or a mean) keeps one broken channel among many quiet ones as loud as it is
// alone, and keeps the score in the units of a single z so one threshold fits
// any number of channels.
type RobustZ struct {
	Window int `json:"window"`
	// FloorFraction of a channel's training standard deviation is the least
	// scale the MAD may take: flat stretches (MAD 0) would otherwise make the
	// first quantisation step infinitely anomalous.
	FloorFraction float64       `json:"floor_fraction"`
	Rule          ThresholdRule `json:"rule"`
	// Hold keeps an alarm up for Hold samples (see peakHold); 0 or 1 is off.
	Hold int `json:"hold"`
}

// MethodRobustZ is the name robust z-score models carry.
const MethodRobustZ = "robust-z"

// NewRobustZ returns the method with its default settings.
func NewRobustZ() RobustZ {
	return RobustZ{Window: 64, FloorFraction: 0.05, Rule: DefaultThreshold}
}

// Name implements Method.
func (RobustZ) Name() string { return MethodRobustZ }

// madToSigma makes the MAD of Gaussian data estimate its standard deviation.
const madToSigma = 1.4826

type robustZParams struct {
	Window int       `json:"window"`
	Floor  []float64 `json:"floor"`
	Hold   int       `json:"hold,omitempty"`
	// Norm divides each channel's score (see channelNorms); absent for one
	// channel.
	Norm []float64 `json:"norm,omitempty"`
}

type robustZModel struct {
	p         robustZParams
	threshold float64
}

// Fit implements Method.
func (r RobustZ) Fit(train [][]float64) (Model, error) {
	if err := checkWindow("robust-z", r.Window, 3); err != nil {
		return nil, err
	}
	if !(r.FloorFraction > 0) {
		return nil, fmt.Errorf("anomaly: robust-z floor fraction %v must be positive", r.FloorFraction)
	}
	if err := checkHold(MethodRobustZ, r.Hold); err != nil {
		return nil, err
	}
	c, err := checkRows(train, r.Window+1)
	if err != nil {
		return nil, err
	}
	m := &robustZModel{p: robustZParams{Window: r.Window, Floor: make([]float64, c), Hold: r.Hold}}
	for ch := range c {
		m.p.Floor[ch] = r.FloorFraction * channelScale(train, ch)
	}
	if c > 1 {
		s := m.newScorer()
		s.raw = make([]float64, c)
		m.p.Norm = channelNorms(train, r.Rule.Quantile, s.raw, s.Push)
	}
	m.threshold, err = r.Rule.Apply(trainScores(m, train))
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m *robustZModel) Method() string                 { return MethodRobustZ }
func (m *robustZModel) Channels() int                  { return len(m.p.Floor) }
func (m *robustZModel) Threshold() float64             { return m.threshold }
func (m *robustZModel) MarshalParams() ([]byte, error) { return json.Marshal(m.p) }

func (m *robustZModel) NewScorer() Scorer { return m.newScorer() }

func (m *robustZModel) newScorer() *robustZScorer {
	s := &robustZScorer{m: m, win: make([]*slidingOrder, len(m.p.Floor)), hold: newPeakHold(m.p.Hold)}
	for i := range s.win {
		s.win[i] = newSlidingOrder(m.p.Window)
	}
	return s
}

type robustZScorer struct {
	m    *robustZModel
	win  []*slidingOrder
	hold *peakHold
	raw  []float64 // if set, receives each channel's unnormalised score
}

// Push scores x against the window before it, then lets x into the window.
func (s *robustZScorer) Push(x []float64) (float64, bool) {
	ready := s.win[0].len() == s.m.p.Window
	score := 0.0
	for ch, w := range s.win {
		v := x[ch]
		if ready {
			med := w.median()
			scale := math.Max(madToSigma*w.mad(med), s.m.p.Floor[ch])
			z := math.Abs(v-med) / scale
			if s.raw != nil {
				s.raw[ch] = z
			}
			if s.m.p.Norm != nil {
				z /= s.m.p.Norm[ch]
			}
			if z > score {
				score = z
			}
		}
		w.push(v)
	}
	if !ready {
		return 0, false
	}
	return s.hold.push(score), true
}

func decodeRobustZ(channels int, threshold float64, params []byte) (Model, error) {
	var p robustZParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("anomaly: robust-z params: %w", err)
	}
	if err := checkWindow("robust-z", p.Window, 3); err != nil {
		return nil, err
	}
	if err := checkHold(MethodRobustZ, p.Hold); err != nil {
		return nil, err
	}
	if len(p.Floor) != channels {
		return nil, fmt.Errorf("anomaly: robust-z has %d floors for %d channels", len(p.Floor), channels)
	}
	if err := checkNorm(MethodRobustZ, p.Norm, channels); err != nil {
		return nil, err
	}
	for i, f := range p.Floor {
		if !(f > 0) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("anomaly: robust-z floor %d is %v, want a positive finite number", i, f)
		}
	}
	if err := checkThreshold(threshold); err != nil {
		return nil, err
	}
	return &robustZModel{p: p, threshold: threshold}, nil
}

// maxWindow bounds windows so a hostile model file cannot make a scorer
// allocate without limit.
const maxWindow = 1 << 16

func checkWindow(method string, w, least int) error {
	if w < least || w > maxWindow {
		return fmt.Errorf("anomaly: %s window %d, want %d to %d", method, w, least, maxWindow)
	}
	return nil
}

func checkThreshold(t float64) error {
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return fmt.Errorf("anomaly: threshold %v is not a finite number", t)
	}
	return nil
}

func init() { RegisterDecoder(MethodRobustZ, decodeRobustZ) }
