package sparse

import (
	"encoding/json"
	"math"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// params is everything a fitted model needs, in the order it is applied.
// It is also the JSON encoding of the model (MarshalParams).
type params struct {
	Config  Config  `json:"config"`
	Scaling scaling `json:"scaling"`
	// Dictionary holds the unit-norm atoms, each of length window×channels
	// laid out time step by time step (all channels of the oldest sample
	// first).
	Dictionary [][]float64 `json:"dictionary"`
	Features   featureMap  `json:"features"`
	Boundary   boundary    `json:"boundary"`
}

// featureMap turns a sparse code into the vector the boundary sees: the
// dense coefficient vector divided by one common scale (so the geometry of
// code space is kept: atoms are unit norm, coefficients comparable), then
// the window's RMS residual divided by its own scale. The residual is
// there because a window unlike anything in training can still get a
// plausible-looking code; what the code cannot explain is in the residual.
type featureMap struct {
	CoefScale     float64 `json:"coef_scale"`
	ResidualScale float64 `json:"residual_scale"`
}

func (f featureMap) apply(dst []float64, c *code, dim int) {
	K := len(dst) - 1
	for k := 0; k < K; k++ {
		dst[k] = 0
	}
	for j, k := range c.idx {
		dst[k] = c.coef[j] / f.CoefScale
	}
	dst[K] = math.Sqrt(c.resSq/float64(dim)) / f.ResidualScale
}

type model struct {
	p         params
	channels  int
	threshold float64
	dict      *dictionary
}

func (m *model) Method() string                 { return MethodName }
func (m *model) Channels() int                  { return m.channels }
func (m *model) Threshold() float64             { return m.threshold }
func (m *model) MarshalParams() ([]byte, error) { return json.Marshal(m.p) }

// NewScorer returns a streaming scorer. It keeps the last Window samples
// and scores the window ending at the current sample every Stride samples,
// repeating the last score in between, so every sample after the first full
// window carries the score of the most recent window that contains it
// (after the Persist and Hold filters). Samples with the wrong number of
// channels are not scored (ok=false) and leave the state untouched.
func (m *model) NewScorer() anomaly.Scorer {
	w, c := m.p.Config.Window, m.channels
	return &scorer{
		m:       m,
		ring:    make([]float64, w*c),
		win:     make([]float64, w*c),
		feat:    make([]float64, m.dict.atoms+1),
		kern:    make([]float64, len(m.p.Boundary.SV)),
		omp:     newOMP(m.dict, m.p.Config.Sparsity),
		persist: newWindowExtreme(m.p.Config.Persist, true),
		hold:    newWindowExtreme(m.p.Config.Hold, false),
	}
}

type scorer struct {
	m     *model
	ring  []float64 // standardised samples, slot pos is the oldest once full
	pos   int
	count int
	win   []float64
	feat  []float64
	kern  []float64
	omp   *omp
	last  float64

	persist, hold *windowExtreme
}

func (s *scorer) Push(x []float64) (float64, bool) {
	c, w := s.m.channels, s.m.p.Config.Window
	if len(x) != c {
		return 0, false
	}
	s.m.p.Scaling.apply(s.ring[s.pos*c:(s.pos+1)*c], x)
	s.pos = (s.pos + 1) % w
	s.count++
	if s.count < w {
		return 0, false
	}
	if (s.count-w)%s.m.p.Config.Stride == 0 {
		n := copy(s.win, s.ring[s.pos*c:])
		copy(s.win[n:], s.ring[:s.pos*c])
		if s.m.p.Config.Center {
			centerWindow(s.win, c)
		}
		raw := s.m.scoreWindow(s.omp, s.win, s.feat, s.kern)
		s.last = s.hold.push(s.persist.push(raw))
	}
	return s.last, true
}

// scoreWindow scores one standardised, flattened window using the given
// workspaces.
func (m *model) scoreWindow(o *omp, win, feat, kern []float64) float64 {
	c := o.encode(win)
	m.p.Features.apply(feat, c, m.dict.dim)
	s := m.p.Boundary.score(feat, kern)
	if math.IsNaN(s) {
		// Only overflow gets here (finite samples so large that sums of
		// squares become infinite): as far from normal as a window gets.
		return math.MaxFloat64
	}
	return s
}

// windowExtreme is the minimum (or maximum) of the last n values pushed, or
// of all values so far while fewer than n have arrived. n is small, so a
// scan of the ring beats a monotone deque in both code and speed.
type windowExtreme struct {
	ring  []float64
	next  int
	count int
	min   bool
}

func newWindowExtreme(n int, min bool) *windowExtreme {
	return &windowExtreme{ring: make([]float64, n), min: min}
}

func (w *windowExtreme) push(v float64) float64 {
	w.ring[w.next] = v
	w.next = (w.next + 1) % len(w.ring)
	if w.count < len(w.ring) {
		w.count++
	}
	out := v
	for _, x := range w.ring[:w.count] {
		if (w.min && x < out) || (!w.min && x > out) {
			out = x
		}
	}
	return out
}
