package anomaly

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCA models a window of the last Window samples of all channels, flattened
// to one vector and standardised with training statistics, by its first k
// principal components, k being the fewest that explain Variance of the
// training windows' variance. Normal windows lie near that subspace; a window
// whose channels or lags stop moving together (a broken correlation, a shape
// never seen in training) leaves it.
//
//   - pca scores the squared reconstruction error (Q, the squared prediction
//     error): the part of the window outside the subspace.
//   - pca-t2q also watches inside the subspace with Hotelling's T² (the
//     window's distance along the components, in units of their training
//     spread), as SKAB's PCA baseline does, and scores max(Q/Q₀, T²/T²₀) where
//     Q₀ and T²₀ are the threshold quantiles of the held-out training scores,
//     so that either statistic crossing its own limit is an alarm.
//
// The components are fitted on the first (1 − Holdout) of the training rows
// and the threshold is taken from scores on the rest: scores of the very
// windows the components were fitted to are optimistically small.
type PCA struct {
	Window   int           `json:"window"`
	Variance float64       `json:"variance"`
	Holdout  float64       `json:"holdout"`
	T2Q      bool          `json:"t2q"`
	Rule     ThresholdRule `json:"rule"`
	// Hold keeps an alarm up for Hold samples (see peakHold); 0 or 1 is off.
	Hold int `json:"hold"`
}

// Method names of the two variants.
const (
	MethodPCA    = "pca"
	MethodPCAT2Q = "pca-t2q"
)

// NewPCA returns the reconstruction-error method with default settings.
func NewPCA() PCA {
	return PCA{Window: 16, Variance: 0.95, Holdout: 0.25, Rule: DefaultThreshold}
}

// NewPCAT2Q returns the T²+Q variant with default settings.
func NewPCAT2Q() PCA {
	p := NewPCA()
	p.T2Q = true
	return p
}

// Name implements Method.
func (p PCA) Name() string {
	if p.T2Q {
		return MethodPCAT2Q
	}
	return MethodPCA
}

type pcaParams struct {
	Window int `json:"window"`
	// Mean and SD standardise each channel; DimMean centres each of the
	// Window×channels dimensions (lag-major: dimension = lag*channels+channel).
	Mean    []float64 `json:"mean"`
	SD      []float64 `json:"sd"`
	DimMean []float64 `json:"dim_mean"`
	// Components are k unit vectors of dimension Window×channels, row after
	// row; Eigen their training variances.
	Components []float64 `json:"components"`
	Eigen      []float64 `json:"eigen"`
	// Q0 and T20 scale the two statistics in pca-t2q; zero in pca. With no
	// components T² is always 0 and T20 is its floor.
	Q0   float64 `json:"q0,omitempty"`
	T20  float64 `json:"t2_0,omitempty"`
	Hold int     `json:"hold,omitempty"`
}

type pcaModel struct {
	name      string
	p         pcaParams
	threshold float64
}

// Fit implements Method.
func (p PCA) Fit(train [][]float64) (Model, error) {
	if err := checkWindow(p.Name(), p.Window, 1); err != nil {
		return nil, err
	}
	if !(p.Variance > 0 && p.Variance <= 1) {
		return nil, fmt.Errorf("anomaly: %s explained variance %v not in (0, 1]", p.Name(), p.Variance)
	}
	if err := checkHold(p.Name(), p.Hold); err != nil {
		return nil, err
	}
	if !(p.Holdout >= 0 && p.Holdout < 1) {
		return nil, fmt.Errorf("anomaly: %s holdout %v not in [0, 1)", p.Name(), p.Holdout)
	}
	c, err := checkRows(train, 1)
	if err != nil {
		return nil, err
	}
	d := p.Window * c
	if d > 4096 || d < 2 {
		return nil, fmt.Errorf("anomaly: %s window %d × %d channels = %d dimensions, want 2 to 4096 (one dimension leaves no residual)", p.Name(), p.Window, c, d)
	}
	nFit := len(train) - int(math.Round(p.Holdout*float64(len(train))))
	fitRows, heldRows := train[:nFit], train[nFit:]
	if len(heldRows) < p.Window {
		// Too little held out to score even one window: threshold on the
		// fitted rows instead (tighter, so more false alarms, never fewer).
		fitRows, heldRows = train, train
	}
	nWin := len(fitRows) - p.Window + 1
	if nWin < 2 {
		return nil, fmt.Errorf("anomaly: %s needs at least %d training rows for window %d, got %d", p.Name(), p.Window+1, p.Window, len(fitRows))
	}
	m := &pcaModel{name: p.Name(), p: pcaParams{Window: p.Window, Hold: p.Hold, Mean: make([]float64, c), SD: make([]float64, c), DimMean: make([]float64, d)}}
	for ch := range c {
		var sum float64
		for _, r := range fitRows {
			sum += r[ch]
		}
		m.p.Mean[ch] = sum / float64(len(fitRows))
		m.p.SD[ch] = channelScale(fitRows, ch)
	}
	X := mat.NewDense(nWin, d, nil)
	for i := range nWin {
		row := X.RawRowView(i)
		m.fill(row, fitRows[i:i+p.Window])
		for j, v := range row {
			m.p.DimMean[j] += v
		}
	}
	for j := range m.p.DimMean {
		m.p.DimMean[j] /= float64(nWin)
	}
	for i := range nWin {
		row := X.RawRowView(i)
		for j := range row {
			row[j] -= m.p.DimMean[j]
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(nWin-1), X.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, errors.New("anomaly: pca eigendecomposition did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	total := 0.0
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	// Training windows that do not vary at all (a channel held constant
	// through training, common in SMAP) get no components: the model is
	// "exactly this", and any change is residual.
	k, acc := 0, 0.0
	for i := d - 1; i >= 0 && total > 0 && (k == 0 || acc < p.Variance*total); i-- {
		acc += math.Max(vals[i], 0)
		k++
	}
	if k == d {
		k = d - 1 // keep a residual subspace, or Q is always zero
	}
	m.p.Components = make([]float64, 0, k*d)
	m.p.Eigen = make([]float64, k)
	for n := range k {
		col := d - 1 - n
		vec := make([]float64, d)
		big := 0
		for j := range d {
			vec[j] = vecs.At(j, col)
			if math.Abs(vec[j]) > math.Abs(vec[big]) {
				big = j
			}
		}
		if vec[big] < 0 { // an eigenvector's sign is arbitrary; fix it so encodings are stable
			for j := range vec {
				vec[j] = -vec[j]
			}
		}
		m.p.Components = append(m.p.Components, vec...)
		// A component with (numerically) no training variance would divide
		// T² by zero; give it the least variance that still counts.
		m.p.Eigen[n] = math.Max(vals[col], 1e-12*total)
	}
	if p.T2Q {
		qs, ts := m.statistics(heldRows)
		if len(qs) == 0 {
			return nil, fmt.Errorf("anomaly: %s: no held-out windows to scale Q and T²", p.Name())
		}
		m.p.Q0 = math.Max(Quantile(qs, p.Rule.Quantile), 1e-12)
		m.p.T20 = math.Max(Quantile(ts, p.Rule.Quantile), 1e-12)
	}
	m.threshold, err = p.Rule.Apply(trainScores(m, heldRows))
	if err != nil {
		return nil, err
	}
	return m, nil
}

// fill writes the standardised flattened window into dst.
func (m *pcaModel) fill(dst []float64, rows [][]float64) {
	c := len(m.p.Mean)
	for l, r := range rows {
		for ch := range c {
			dst[l*c+ch] = (r[ch] - m.p.Mean[ch]) / m.p.SD[ch]
		}
	}
}

// statistics returns Q and T² of every full window of rows.
func (m *pcaModel) statistics(rows [][]float64) (qs, ts []float64) {
	s := m.newScorer()
	for _, r := range rows {
		if s.pushRow(r) {
			q, t := s.stats()
			qs, ts = append(qs, q), append(ts, t)
		}
	}
	return qs, ts
}

func (m *pcaModel) Method() string                 { return m.name }
func (m *pcaModel) Channels() int                  { return len(m.p.Mean) }
func (m *pcaModel) Threshold() float64             { return m.threshold }
func (m *pcaModel) MarshalParams() ([]byte, error) { return json.Marshal(m.p) }
func (m *pcaModel) NewScorer() Scorer              { return m.newScorer() }

func (m *pcaModel) newScorer() *pcaScorer {
	c := len(m.p.Mean)
	return &pcaScorer{m: m, hold: newPeakHold(m.p.Hold), ring: make([]float64, m.p.Window*c), vec: make([]float64, m.p.Window*c)}
}

// pcaScorer keeps the standardised last Window rows in a ring of rows.
type pcaScorer struct {
	m    *pcaModel
	ring []float64 // Window rows of standardised values, oldest at head
	head int       // ring row holding the oldest sample
	seen int
	vec  []float64 // the window in time order, centred
	hold *peakHold
}

func (s *pcaScorer) pushRow(x []float64) bool {
	c := len(s.m.p.Mean)
	w := s.m.p.Window
	slot := (s.head + s.seen) % w
	if s.seen == w {
		slot = s.head
		s.head = (s.head + 1) % w
	} else {
		s.seen++
	}
	row := s.ring[slot*c : slot*c+c]
	for ch := range c {
		row[ch] = (x[ch] - s.m.p.Mean[ch]) / s.m.p.SD[ch]
	}
	return s.seen == w
}

// stats computes Q and T² of the current (full) window.
func (s *pcaScorer) stats() (q, t2 float64) {
	c := len(s.m.p.Mean)
	w := s.m.p.Window
	d := w * c
	// Unroll the ring into time order and centre it.
	first := s.head * c
	n := copy(s.vec, s.ring[first:])
	copy(s.vec[n:], s.ring[:first])
	norm := 0.0
	for j := range d {
		s.vec[j] -= s.m.p.DimMean[j]
		norm += s.vec[j] * s.vec[j]
	}
	proj := 0.0
	for k, ev := range s.m.p.Eigen {
		comp := s.m.p.Components[k*d : (k+1)*d]
		var dot float64
		for j, v := range comp {
			dot += v * s.vec[j]
		}
		proj += dot * dot
		t2 += dot * dot / ev
	}
	// The residual's squared norm is what projection leaves of the window's;
	// rounding can take it a hair below zero.
	return math.Max(norm-proj, 0), t2
}

func (s *pcaScorer) Push(x []float64) (float64, bool) {
	if !s.pushRow(x) {
		return 0, false
	}
	q, t2 := s.stats()
	if s.m.p.Q0 > 0 {
		q = math.Max(q/s.m.p.Q0, t2/s.m.p.T20)
	}
	return s.hold.push(q), true
}

func decodePCA(name string) Decoder {
	return func(channels int, threshold float64, params []byte) (Model, error) {
		var p pcaParams
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, fmt.Errorf("anomaly: %s params: %w", name, err)
		}
		if err := checkWindow(name, p.Window, 1); err != nil {
			return nil, err
		}
		if err := checkHold(name, p.Hold); err != nil {
			return nil, err
		}
		if len(p.Mean) != channels || len(p.SD) != channels {
			return nil, fmt.Errorf("anomaly: %s has %d means and %d sds for %d channels", name, len(p.Mean), len(p.SD), channels)
		}
		d := p.Window * channels
		if d > 4096 {
			return nil, fmt.Errorf("anomaly: %s window %d × %d channels exceeds 4096 dimensions", name, p.Window, channels)
		}
		k := len(p.Eigen)
		if len(p.DimMean) != d || k >= d || len(p.Components) != k*d {
			return nil, fmt.Errorf("anomaly: %s shapes: %d dimension means, %d eigenvalues, %d component values for %d dimensions", name, len(p.DimMean), k, len(p.Components), d)
		}
		for _, xs := range [][]float64{p.Mean, p.DimMean, p.Components} {
			for _, v := range xs {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("anomaly: %s parameter %v is not finite", name, v)
				}
			}
		}
		for _, xs := range [][]float64{p.SD, p.Eigen} {
			for _, v := range xs {
				if !(v > 0) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("anomaly: %s scale %v, want positive finite", name, v)
				}
			}
		}
		if t2q := name == MethodPCAT2Q; t2q != (p.Q0 > 0 && p.T20 > 0) || math.IsInf(p.Q0, 0) || math.IsInf(p.T20, 0) {
			return nil, fmt.Errorf("anomaly: %s scales q0 %v t2_0 %v do not fit the method", name, p.Q0, p.T20)
		}
		if err := checkThreshold(threshold); err != nil {
			return nil, err
		}
		return &pcaModel{name: name, p: p, threshold: threshold}, nil
	}
}

func init() {
	RegisterDecoder(MethodPCA, decodePCA(MethodPCA))
	RegisterDecoder(MethodPCAT2Q, decodePCA(MethodPCAT2Q))
}
