package anomaly

import (
	"encoding/json"
	"fmt"
	"math"
)

// EWMA and CUSUM share one adaptive baseline per channel: an exponentially
// weighted mean and variance that follow slow changes of operating point, so
// a channel that settles at a new level stops alarming once the baseline has
// caught up. They differ in what they do with the standardised residual
// z = (x − mean) / sd of a sample against the baseline before it:
//
//   - ewma scores |z| directly: fast on spikes and steps, blind to slow drift;
//   - cusum accumulates z − k (and −z − k) in two one-sided sums that reset at
//     zero, so a small persistent offset or a drift adds up while noise (|z| < k)
//     drains away; z is clipped first so one spike cannot hold the alarm.
//
// Two methods rather than one with a mode, because they suit different faults
// and are evaluated side by side. A sample's score is the largest channel
// score, as for robust-z.
type EWMA struct {
	// Alpha is the weight of the newest sample in the baseline (0 < Alpha < 1);
	// the baseline remembers about 1/Alpha samples.
	Alpha float64 `json:"alpha"`
	// FloorFraction of the training standard deviation bounds the baseline
	// sd from below, for the same reason as RobustZ.FloorFraction.
	FloorFraction float64       `json:"floor_fraction"`
	Rule          ThresholdRule `json:"rule"`
	// CUSUM turns the method into cusum with slack K and clip Clip.
	CUSUM bool    `json:"cusum"`
	K     float64 `json:"k"`
	Clip  float64 `json:"clip"`
	// Hold keeps an alarm up for Hold samples (see peakHold); 0 or 1 is off.
	Hold int `json:"hold"`
}

// Method names of the two variants.
const (
	MethodEWMA  = "ewma"
	MethodCUSUM = "cusum"
)

// NewEWMA returns the ewma method with default settings.
func NewEWMA() EWMA {
	return EWMA{Alpha: 0.05, FloorFraction: 0.05, Rule: DefaultThreshold}
}

// NewCUSUM returns the cusum method with default settings: a slower baseline
// than ewma so that a shift is summed before the baseline absorbs it, and the
// classic slack of half a standard deviation.
func NewCUSUM() EWMA {
	return EWMA{Alpha: 0.01, FloorFraction: 0.05, Rule: DefaultThreshold, CUSUM: true, K: 0.5, Clip: 6}
}

// Name implements Method.
func (e EWMA) Name() string {
	if e.CUSUM {
		return MethodCUSUM
	}
	return MethodEWMA
}

type ewmaParams struct {
	Alpha float64 `json:"alpha"`
	// Warmup samples pass before scores count: the baseline starts at the
	// first sample and needs a few to settle.
	Warmup int `json:"warmup"`
	// InitSD is each channel's training standard deviation, the baseline's
	// starting spread; Floor is its least spread.
	InitSD []float64 `json:"init_sd"`
	Floor  []float64 `json:"floor"`
	K      float64   `json:"k,omitempty"`
	Clip   float64   `json:"clip,omitempty"`
	Hold   int       `json:"hold,omitempty"`
	// Norm divides each channel's score (see channelNorms); absent for one
	// channel.
	Norm []float64 `json:"norm,omitempty"`
}

type ewmaModel struct {
	name      string
	p         ewmaParams
	threshold float64
}

func (e EWMA) check() error {
	if !(e.Alpha > 0 && e.Alpha < 1) {
		return fmt.Errorf("anomaly: %s alpha %v not in (0, 1)", e.Name(), e.Alpha)
	}
	if !(e.FloorFraction > 0) || math.IsInf(e.FloorFraction, 0) {
		return fmt.Errorf("anomaly: %s floor fraction %v must be positive", e.Name(), e.FloorFraction)
	}
	if err := checkHold(e.Name(), e.Hold); err != nil {
		return err
	}
	if e.CUSUM && (!(e.K >= 0) || !(e.Clip > e.K) || math.IsInf(e.Clip, 0)) {
		return fmt.Errorf("anomaly: cusum slack %v and clip %v: want 0 ≤ k < clip, finite", e.K, e.Clip)
	}
	return nil
}

// Fit implements Method.
func (e EWMA) Fit(train [][]float64) (Model, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	warmup := int(math.Ceil(1 / e.Alpha))
	c, err := checkRows(train, warmup+1)
	if err != nil {
		return nil, err
	}
	m := &ewmaModel{name: e.Name(), p: ewmaParams{Alpha: e.Alpha, Warmup: warmup, InitSD: make([]float64, c), Floor: make([]float64, c), Hold: e.Hold}}
	if e.CUSUM {
		m.p.K, m.p.Clip = e.K, e.Clip
	}
	for ch := range c {
		sd := channelScale(train, ch)
		m.p.InitSD[ch] = sd
		m.p.Floor[ch] = e.FloorFraction * sd
	}
	if c > 1 {
		s := m.newScorer()
		s.raw = make([]float64, c)
		m.p.Norm = channelNorms(train, e.Rule.Quantile, s.raw, s.Push)
	}
	m.threshold, err = e.Rule.Apply(trainScores(m, train))
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m *ewmaModel) Method() string                 { return m.name }
func (m *ewmaModel) Channels() int                  { return len(m.p.Floor) }
func (m *ewmaModel) Threshold() float64             { return m.threshold }
func (m *ewmaModel) MarshalParams() ([]byte, error) { return json.Marshal(m.p) }

func (m *ewmaModel) NewScorer() Scorer { return m.newScorer() }

func (m *ewmaModel) newScorer() *ewmaScorer {
	c := len(m.p.Floor)
	return &ewmaScorer{m: m, cusum: m.name == MethodCUSUM, hold: newPeakHold(m.p.Hold), mean: make([]float64, c), vr: make([]float64, c), hi: make([]float64, c), lo: make([]float64, c)}
}

type ewmaScorer struct {
	m      *ewmaModel
	cusum  bool
	seen   int
	mean   []float64
	vr     []float64 // baseline variance
	hi, lo []float64 // cusum sums
	hold   *peakHold
	raw    []float64 // if set, receives each channel's unnormalised score
}

func (s *ewmaScorer) Push(x []float64) (float64, bool) {
	p := &s.m.p
	if s.seen == 0 {
		for ch := range s.mean {
			s.mean[ch] = x[ch]
			s.vr[ch] = p.InitSD[ch] * p.InitSD[ch]
		}
		s.seen = 1
		return 0, false
	}
	s.seen++
	a := p.Alpha
	score := 0.0
	for ch, v := range x[:len(s.mean)] {
		d := v - s.mean[ch]
		z := d / math.Max(math.Sqrt(s.vr[ch]), p.Floor[ch])
		var sc float64
		if s.cusum {
			z = math.Max(-p.Clip, math.Min(p.Clip, z))
			s.hi[ch] = math.Max(0, s.hi[ch]+z-p.K)
			s.lo[ch] = math.Max(0, s.lo[ch]-z-p.K)
			sc = math.Max(s.hi[ch], s.lo[ch])
		} else {
			sc = math.Abs(z)
		}
		if s.raw != nil {
			s.raw[ch] = sc
		}
		if p.Norm != nil {
			sc /= p.Norm[ch]
		}
		if sc > score {
			score = sc
		}
		s.mean[ch] += a * d
		s.vr[ch] = (1 - a) * (s.vr[ch] + a*d*d)
	}
	if s.seen <= p.Warmup {
		return 0, false
	}
	return s.hold.push(score), true
}

func decodeEWMA(name string) Decoder {
	return func(channels int, threshold float64, params []byte) (Model, error) {
		var p ewmaParams
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, fmt.Errorf("anomaly: %s params: %w", name, err)
		}
		e := EWMA{Alpha: p.Alpha, FloorFraction: 1, CUSUM: name == MethodCUSUM, K: p.K, Clip: p.Clip, Hold: p.Hold}
		if err := e.check(); err != nil {
			return nil, err
		}
		if p.Warmup < 1 || p.Warmup > maxWindow {
			return nil, fmt.Errorf("anomaly: %s warmup %d, want 1 to %d", name, p.Warmup, maxWindow)
		}
		if len(p.Floor) != channels || len(p.InitSD) != channels {
			return nil, fmt.Errorf("anomaly: %s has %d floors and %d sds for %d channels", name, len(p.Floor), len(p.InitSD), channels)
		}
		for i := range p.Floor {
			if !(p.Floor[i] > 0) || math.IsInf(p.Floor[i], 0) || !(p.InitSD[i] > 0) || math.IsInf(p.InitSD[i], 0) {
				return nil, fmt.Errorf("anomaly: %s channel %d floor %v sd %v, want positive finite numbers", name, i, p.Floor[i], p.InitSD[i])
			}
		}
		if err := checkNorm(name, p.Norm, channels); err != nil {
			return nil, err
		}
		if err := checkThreshold(threshold); err != nil {
			return nil, err
		}
		return &ewmaModel{name: name, p: p, threshold: threshold}, nil
	}
}

func init() {
	RegisterDecoder(MethodEWMA, decodeEWMA(MethodEWMA))
	RegisterDecoder(MethodCUSUM, decodeEWMA(MethodCUSUM))
}
