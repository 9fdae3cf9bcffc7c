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
// repeating the last window's score in between, so every sample after the
// first full window carries the score of the most recent window that
// contains it. Samples with the wrong number of channels are not scored
// (ok=false) and leave the state untouched.
func (m *model) NewScorer() anomaly.Scorer {
	w, c := m.p.Config.Window, m.channels
	return &scorer{
		m:    m,
		ring: make([]float64, w*c),
		win:  make([]float64, w*c),
		feat: make([]float64, m.dict.atoms+1),
		omp:  newOMP(m.dict, m.p.Config.Sparsity),
	}
}

type scorer struct {
	m     *model
	ring  []float64 // standardised samples, slot pos is the oldest once full
	pos   int
	count int
	win   []float64
	feat  []float64
	omp   *omp
	last  float64
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
		s.last = s.m.scoreWindow(s.omp, s.win, s.feat)
	}
	return s.last, true
}

// scoreWindow scores one standardised, flattened window using the given
// workspaces.
func (m *model) scoreWindow(o *omp, win, feat []float64) float64 {
	c := o.encode(win)
	m.p.Features.apply(feat, c, m.dict.dim)
	return m.p.Boundary.score(feat)
}
