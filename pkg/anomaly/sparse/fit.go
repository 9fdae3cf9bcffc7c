package sparse

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// Floors for the feature scales, in standardised units, so that a training
// set the dictionary reproduces exactly does not make every later rounding
// error look enormous.
const (
	minCoefScale     = 1e-6
	minResidualScale = 1e-2
	// minTailWindows is how many held-out windows the threshold needs.
	minTailWindows = 10
)

func (m method) Fit(train [][]float64) (anomaly.Model, error) {
	cfg := m.cfg
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	_, err := checkRows(train)
	if err != nil {
		return nil, err
	}
	w := cfg.Window
	n := len(train)
	nHead, _ := splitTrain(n, cfg)
	if !enoughTraining(n, cfg) {
		return nil, fmt.Errorf("sparse: training series too short: %d samples, need at least %d for window %d, %d atoms and a %.0f%% held-out tail",
			n, minTrainSamples(cfg), w, cfg.Atoms, 100*cfg.Holdout)
	}
	head, tail := train[:nHead], train[nHead:]

	mod, err := fitCore(head, cfg)
	if err != nil {
		return nil, err
	}
	threshold := calibrate(mod, tail, cfg)
	if cfg.Refit {
		if mod, err = fitCore(train, cfg); err != nil {
			return nil, err
		}
	}
	mod.threshold = threshold
	return mod, nil
}

// fitCore learns standardisation, dictionary, feature scales and boundary
// from rows; the threshold is left to the caller.
func fitCore(rows [][]float64, cfg Config) (*model, error) {
	channels := len(rows[0])
	p := params{Config: cfg, Scaling: fitScaling(rows)}
	if err := p.Scaling.validate(channels); err != nil {
		return nil, fmt.Errorf("%w (training values too large to standardise)", err)
	}
	// Training where nothing moves (several SMAP channels) is kept: every
	// window is then the zero vector, the boundary encloses just that point
	// and any later movement scores as far outside it.
	X, nw := trainingWindows(rows, p.Scaling, cfg.Window, cfg.MaxTrainWindows, cfg.Center)
	dict := learnDictionary(X, nw, cfg.Window*channels, cfg).dict
	p.Dictionary = make([][]float64, dict.atoms)
	for k := range p.Dictionary {
		p.Dictionary[k] = append([]float64(nil), dict.atom(k)...)
	}
	var err error
	if p.Features, err = fitFeatureMap(dict, cfg.Sparsity, X, nw); err != nil {
		return nil, err
	}
	feats := boundaryPoints(dict, cfg, p.Features, X, nw)
	gamma := cfg.Gamma
	if gamma == 0 {
		gamma = medianGamma(feats)
	}
	b, err := trainOneClass(feats, cfg.Nu, gamma)
	if err != nil {
		return nil, err
	}
	p.Boundary = *b
	return &model{p: p, channels: channels, dict: dict}, nil
}

// splitTrain divides n training samples into the head the model learns
// from and the tail that calibrates the threshold.
func splitTrain(n int, cfg Config) (head, tail int) {
	tail = int(cfg.Holdout * float64(n))
	return n - tail, tail
}

// enoughTraining: the head must give at least one window per atom and the
// tail at least minTailWindows windows.
func enoughTraining(n int, cfg Config) bool {
	head, tail := splitTrain(n, cfg)
	return head-cfg.Window+1 >= cfg.Atoms && tail-cfg.Window+1 >= minTailWindows
}

// minTrainSamples is the shortest training series Fit accepts.
func minTrainSamples(cfg Config) int {
	n := cfg.Window
	for !enoughTraining(n, cfg) {
		n++
	}
	return n
}

func checkRows(rows [][]float64) (int, error) {
	if len(rows) == 0 {
		return 0, errors.New("sparse: no training samples")
	}
	c := len(rows[0])
	if c == 0 {
		return 0, errors.New("sparse: training samples have no channels")
	}
	for i, r := range rows {
		if len(r) != c {
			return 0, fmt.Errorf("sparse: training sample %d has %d channels, sample 0 has %d", i, len(r), c)
		}
		if !allFinite(r) {
			return 0, fmt.Errorf("sparse: training sample %d has a non-finite value", i)
		}
	}
	return c, nil
}

// trainingWindows standardises rows and returns up to maxWindows flattened
// windows, evenly spaced over all stride-1 windows so the whole training
// period is represented.
func trainingWindows(rows [][]float64, s scaling, w, maxWindows int, center bool) ([]float64, int) {
	c := len(rows[0])
	std := make([]float64, len(rows)*c)
	for i, r := range rows {
		s.apply(std[i*c:(i+1)*c], r)
	}
	all := len(rows) - w + 1
	n := min(all, maxWindows)
	dim := w * c
	X := make([]float64, n*dim)
	for i := 0; i < n; i++ {
		start := evenIndex(i, n, all)
		copy(X[i*dim:(i+1)*dim], std[start*c:(start+w)*c])
		if center {
			centerWindow(X[i*dim:(i+1)*dim], c)
		}
	}
	return X, n
}

// evenIndex is the i-th of n indices spread evenly over [0, total).
func evenIndex(i, n, total int) int {
	if n >= total {
		return i
	}
	return int(int64(i) * int64(total) / int64(n))
}

func fitFeatureMap(dict *dictionary, sparsity int, X []float64, n int) (featureMap, error) {
	o := newOMP(dict, sparsity)
	dim := dict.dim
	var coefSq, resSq float64
	var coefN int
	for i := 0; i < n; i++ {
		c := o.encode(X[i*dim : (i+1)*dim])
		for _, v := range c.coef {
			coefSq += v * v
		}
		coefN += len(c.coef)
		resSq += c.resSq / float64(dim)
	}
	f := featureMap{CoefScale: minCoefScale, ResidualScale: minResidualScale}
	if coefN > 0 {
		f.CoefScale = math.Max(f.CoefScale, math.Sqrt(coefSq/float64(coefN)))
	}
	f.ResidualScale = math.Max(f.ResidualScale, math.Sqrt(resSq/float64(n)))
	if !finite(f.CoefScale) || !finite(f.ResidualScale) {
		return f, errors.New("sparse: feature scales are not finite")
	}
	return f, nil
}

func boundaryPoints(dict *dictionary, cfg Config, f featureMap, X []float64, n int) [][]float64 {
	o := newOMP(dict, cfg.Sparsity)
	m := min(n, cfg.MaxBoundaryPoints)
	out := make([][]float64, m)
	for i := range out {
		j := evenIndex(i, m, n)
		out[i] = make([]float64, dict.atoms+1)
		f.apply(out[i], o.encode(X[j*dict.dim:(j+1)*dict.dim]), dict.dim)
	}
	return out
}

// calibrate sets the threshold from the scores of the held-out tail of the
// training series, which the model never saw: the configured quantile plus
// Margin interquartile ranges, or MinMargin if that is more.
func calibrate(m *model, tail [][]float64, cfg Config) float64 {
	s := m.NewScorer()
	var scores []float64
	for _, r := range tail {
		if v, ok := s.Push(r); ok {
			scores = append(scores, v)
		}
	}
	sort.Float64s(scores)
	q := quantile(scores, cfg.Quantile)
	iqr := quantile(scores, 0.75) - quantile(scores, 0.25)
	return q + math.Max(cfg.Margin*iqr, cfg.MinMargin)
}

// quantile of sorted values by the nearest-rank rule.
func quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	i = max(0, min(len(sorted)-1, i))
	return sorted[i]
}

// centerWindow subtracts each channel's mean over a flattened window.
func centerWindow(win []float64, channels int) {
	steps := len(win) / channels
	for j := 0; j < channels; j++ {
		sum := 0.0
		for t := 0; t < steps; t++ {
			sum += win[t*channels+j]
		}
		mean := sum / float64(steps)
		for t := 0; t < steps; t++ {
			win[t*channels+j] -= mean
		}
	}
}
