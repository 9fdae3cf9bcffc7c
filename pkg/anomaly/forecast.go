package anomaly

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Forecast is a prediction-error detector in the manner of Telemanom
// (Hundman et al., KDD 2018) with a linear predictor in place of the LSTM:
// each scored channel's value is predicted from its own last Lags values
// (and, when the last Inputs columns are command flags, from those flags at
// t and t−1) by ridge regression; the absolute prediction error, in units of
// the channel's training standard deviation, is smoothed by an EWMA, and the
// smoothed error is the channel's score. It catches contextual anomalies:
// values inside the usual range that the recent past does not predict.
//
// The predictor is fitted on the first FitFraction of the training rows; the
// threshold comes from the smoothed errors on the remaining held-out tail
// (scored with the fit part as history), by Rule, because errors on the very
// rows a regression was fitted on are optimistically small.
type Forecast struct {
	// Lags is the number of past values of a channel the prediction uses.
	Lags int `json:"lags"`
	// Lambda is the ridge penalty per training row on the standardised
	// coefficients (the intercept is not penalised).
	Lambda float64 `json:"lambda"`
	// Alpha is the weight of the newest error in the smoothed error
	// (0 < Alpha ≤ 1; 1 is no smoothing).
	Alpha float64 `json:"alpha"`
	// FitFraction of the training rows fits the predictor; the rest sets
	// the threshold.
	FitFraction float64       `json:"fit_fraction"`
	Rule        ThresholdRule `json:"rule"`
	// Inputs is the number of trailing columns that are exogenous inputs
	// (SMAP's command flags): used as regressors at t and t−1, not scored.
	Inputs int `json:"inputs"`
}

// MethodForecast names the forecast method.
const MethodForecast = "forecast"

// NewForecast returns the forecast method with its default settings. They
// were chosen on SMAP training data only (validation split with injected
// faults; see docs/detection.md, "forecast"), before any test figure of the
// method was seen.
func NewForecast() Forecast {
	return Forecast{Lags: 30, Lambda: 0.1, Alpha: 0.1, FitFraction: 0.7, Rule: DefaultThreshold}
}

// Name implements Method.
func (f Forecast) Name() string { return MethodForecast }

const maxLags = 1024

func (f Forecast) check() error {
	if f.Lags < 1 || f.Lags > maxLags {
		return fmt.Errorf("anomaly: forecast lags %d, want 1 to %d", f.Lags, maxLags)
	}
	if !(f.Lambda >= 0) || math.IsInf(f.Lambda, 0) {
		return fmt.Errorf("anomaly: forecast lambda %v must be a finite number ≥ 0", f.Lambda)
	}
	if !(f.Alpha > 0 && f.Alpha <= 1) {
		return fmt.Errorf("anomaly: forecast alpha %v not in (0, 1]", f.Alpha)
	}
	if f.Inputs < 0 {
		return fmt.Errorf("anomaly: forecast inputs %d is negative", f.Inputs)
	}
	return nil
}

type forecastParams struct {
	Lags   int     `json:"lags"`
	Alpha  float64 `json:"alpha"`
	Inputs int     `json:"inputs,omitempty"`
	// Mean and SD standardise each scored channel.
	Mean []float64 `json:"mean"`
	SD   []float64 `json:"sd"`
	// Coef holds per scored channel: intercept, the Lags coefficients
	// (oldest first), then the inputs at t and the inputs at t−1.
	Coef [][]float64 `json:"coef"`
	// InSD scales each input column by its training standard deviation, so
	// the ridge penalty weighs a rare command like a frequent one.
	InSD []float64 `json:"in_sd,omitempty"`
	// Norm divides each channel's score (see channelNorms); absent for one
	// scored channel.
	Norm []float64 `json:"norm,omitempty"`
}

type forecastModel struct {
	p         forecastParams
	channels  int
	threshold float64
}

// Fit implements Method.
func (f Forecast) Fit(train [][]float64) (Model, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if !(f.FitFraction > 0 && f.FitFraction < 1) {
		return nil, fmt.Errorf("anomaly: forecast fit fraction %v not in (0, 1)", f.FitFraction)
	}
	c, err := checkRows(train, 2*(f.Lags+2))
	if err != nil {
		return nil, err
	}
	if f.Inputs >= c {
		return nil, fmt.Errorf("anomaly: forecast has %d inputs of %d columns, none left to score", f.Inputs, c)
	}
	nFit := int(f.FitFraction * float64(len(train)))
	if nFit < f.Lags+2 || len(train)-nFit < 2 {
		return nil, fmt.Errorf("anomaly: forecast: %d training rows too few for %d lags and a held-out tail", len(train), f.Lags)
	}
	fit := train[:nFit]
	scored := c - f.Inputs
	m := &forecastModel{channels: c, p: forecastParams{Lags: f.Lags, Alpha: f.Alpha, Inputs: f.Inputs, Mean: make([]float64, scored), SD: make([]float64, scored), Coef: make([][]float64, scored)}}
	if f.Inputs > 0 {
		m.p.InSD = make([]float64, f.Inputs)
		for j := range f.Inputs {
			m.p.InSD[j] = channelScale(fit, scored+j)
		}
	}
	for ch := range scored {
		mean := 0.0
		for _, r := range fit {
			mean += r[ch]
		}
		m.p.Mean[ch] = mean / float64(len(fit))
		m.p.SD[ch] = channelScale(fit, ch)
		coef, err := ridge(fit, ch, m.p, f.Lambda)
		if err != nil {
			return nil, err
		}
		m.p.Coef[ch] = coef
	}
	// Score the whole training series (the fit part is history) and keep
	// the held-out tail's scores.
	tail := func(push func([]float64) (float64, bool)) func([]float64) (float64, bool) {
		i := 0
		return func(r []float64) (float64, bool) {
			v, ok := push(r)
			i++
			return v, ok && i > nFit
		}
	}
	if scored > 1 {
		s := m.newScorer()
		s.raw = make([]float64, scored)
		m.p.Norm = channelNorms(train, f.Rule.Quantile, s.raw, tail(s.Push))
	}
	var scores []float64
	push := tail(m.newScorer().Push)
	for _, r := range train {
		if v, ok := push(r); ok {
			scores = append(scores, v)
		}
	}
	if m.threshold, err = f.Rule.Apply(scores); err != nil {
		return nil, err
	}
	return m, nil
}

// features writes the regressors for predicting row t of channel ch into x:
// 1, the standardised lags, then the inputs at t and t−1.
func (p *forecastParams) features(x []float64, rows func(i int) []float64, ch int) {
	x[0] = 1
	for k := range p.Lags {
		x[1+k] = (rows(k)[ch] - p.Mean[ch]) / p.SD[ch]
	}
	if p.Inputs == 0 {
		return
	}
	cur, prev := rows(p.Lags), rows(p.Lags-1)
	first := len(cur) - p.Inputs
	for j := range p.Inputs {
		x[1+p.Lags+j] = cur[first+j] / p.InSD[j]
		x[1+p.Lags+p.Inputs+j] = prev[first+j] / p.InSD[j]
	}
}

func (p *forecastParams) width() int { return 1 + p.Lags + 2*p.Inputs }

// ridge solves (XᵀX + λ·n·D) β = Xᵀy, D = identity without the intercept.
func ridge(fit [][]float64, ch int, p forecastParams, lambda float64) ([]float64, error) {
	w := p.width()
	n := len(fit) - p.Lags
	a := mat.NewSymDense(w, nil)
	b := mat.NewVecDense(w, nil)
	x := make([]float64, w)
	for t := p.Lags; t < len(fit); t++ {
		p.features(x, func(i int) []float64 { return fit[t-p.Lags+i] }, ch)
		y := (fit[t][ch] - p.Mean[ch]) / p.SD[ch]
		for i := range w {
			for j := i; j < w; j++ {
				a.SetSym(i, j, a.At(i, j)+x[i]*x[j])
			}
			b.SetVec(i, b.AtVec(i)+x[i]*y)
		}
	}
	// A tiny ridge even at lambda 0 keeps constant or collinear lags
	// solvable.
	pen := math.Max(lambda, 1e-9) * float64(n)
	for i := 1; i < w; i++ {
		a.SetSym(i, i, a.At(i, i)+pen)
	}
	a.SetSym(0, 0, a.At(0, 0)+1e-9*float64(n))
	var chol mat.Cholesky
	if !chol.Factorize(a) {
		return nil, errors.New("anomaly: forecast: ridge system not positive definite")
	}
	var beta mat.VecDense
	if err := chol.SolveVecTo(&beta, b); err != nil {
		return nil, fmt.Errorf("anomaly: forecast: %w", err)
	}
	out := make([]float64, w)
	for i := range w {
		out[i] = beta.AtVec(i)
		if math.IsNaN(out[i]) || math.IsInf(out[i], 0) {
			return nil, errors.New("anomaly: forecast: ridge coefficients not finite")
		}
	}
	return out, nil
}

func (m *forecastModel) Method() string                 { return MethodForecast }
func (m *forecastModel) Channels() int                  { return m.channels }
func (m *forecastModel) Threshold() float64             { return m.threshold }
func (m *forecastModel) MarshalParams() ([]byte, error) { return json.Marshal(m.p) }
func (m *forecastModel) NewScorer() Scorer              { return m.newScorer() }

func (m *forecastModel) newScorer() *forecastScorer {
	return &forecastScorer{m: m, hist: make([][]float64, m.p.Lags+1), x: make([]float64, m.p.width()), sm: make([]float64, len(m.p.Coef))}
}

type forecastScorer struct {
	m    *forecastModel
	hist [][]float64 // ring of the last Lags+1 rows, the newest included
	head int         // index of the oldest row in hist
	seen int
	x    []float64
	sm   []float64 // smoothed errors
	raw  []float64 // if set, receives each channel's unnormalised score
}

func (s *forecastScorer) Push(x []float64) (float64, bool) {
	p := &s.m.p
	n := len(s.hist)
	// Overwrite the oldest slot with a copy of x.
	slot := s.hist[s.head]
	if slot == nil {
		slot = make([]float64, s.m.channels)
		s.hist[s.head] = slot
	}
	copy(slot, x[:s.m.channels])
	s.head = (s.head + 1) % n
	s.seen++
	if s.seen < n {
		return 0, false
	}
	// Row i of the window (0 = oldest, Lags = newest) is hist[(head+i) % n].
	row := func(i int) []float64 { return s.hist[(s.head+i)%n] }
	score := 0.0
	for ch, coef := range p.Coef {
		p.features(s.x, row, ch)
		pred := 0.0
		for i, c := range coef {
			pred += c * s.x[i]
		}
		e := math.Abs((row(p.Lags)[ch]-p.Mean[ch])/p.SD[ch] - pred)
		if s.seen == n {
			s.sm[ch] = e
		} else {
			s.sm[ch] += p.Alpha * (e - s.sm[ch])
		}
		sc := s.sm[ch]
		if s.raw != nil {
			s.raw[ch] = sc
		}
		if p.Norm != nil {
			sc /= p.Norm[ch]
		}
		if sc > score {
			score = sc
		}
	}
	return score, true
}

func decodeForecast(channels int, threshold float64, params []byte) (Model, error) {
	var p forecastParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("anomaly: forecast params: %w", err)
	}
	if err := (Forecast{Lags: p.Lags, Alpha: p.Alpha, Inputs: p.Inputs}).check(); err != nil {
		return nil, err
	}
	scored := channels - p.Inputs
	if scored < 1 {
		return nil, fmt.Errorf("anomaly: forecast has %d inputs of %d channels", p.Inputs, channels)
	}
	if len(p.Mean) != scored || len(p.SD) != scored || len(p.Coef) != scored {
		return nil, fmt.Errorf("anomaly: forecast has %d means, %d sds, %d coefficient sets for %d scored channels", len(p.Mean), len(p.SD), len(p.Coef), scored)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for ch := range scored {
		if !finite(p.Mean[ch]) || !(p.SD[ch] > 0) || !finite(p.SD[ch]) {
			return nil, fmt.Errorf("anomaly: forecast channel %d mean %v sd %v, want finite with sd > 0", ch, p.Mean[ch], p.SD[ch])
		}
		if len(p.Coef[ch]) != p.width() {
			return nil, fmt.Errorf("anomaly: forecast channel %d has %d coefficients, want %d", ch, len(p.Coef[ch]), p.width())
		}
		for _, c := range p.Coef[ch] {
			if !finite(c) {
				return nil, fmt.Errorf("anomaly: forecast channel %d coefficient %v not finite", ch, c)
			}
		}
	}
	if len(p.InSD) != p.Inputs {
		return nil, fmt.Errorf("anomaly: forecast has %d input scales for %d inputs", len(p.InSD), p.Inputs)
	}
	for j, v := range p.InSD {
		if !(v > 0) || !finite(v) {
			return nil, fmt.Errorf("anomaly: forecast input %d scale %v, want a positive finite number", j, v)
		}
	}
	if scored == 1 && p.Norm != nil {
		return nil, errors.New("anomaly: forecast has channel norms for one scored channel")
	}
	if err := checkNorm(MethodForecast, p.Norm, scored); err != nil {
		return nil, err
	}
	if err := checkThreshold(threshold); err != nil {
		return nil, err
	}
	return &forecastModel{p: p, channels: channels, threshold: threshold}, nil
}

func init() { RegisterDecoder(MethodForecast, decodeForecast) }
