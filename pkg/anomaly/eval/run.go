package eval

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
	"github.com/adf-consortium/adf/pkg/anomaly/sparse"
)

// Methods returns the detectors with their default settings, in report order.
func Methods() []anomaly.Method {
	return []anomaly.Method{
		anomaly.NewRobustZ(), anomaly.NewEWMA(), anomaly.NewCUSUM(),
		anomaly.NewPCA(), anomaly.NewPCAT2Q(),
		sparse.New(sparse.DefaultConfig()),
		anomaly.NewForecast(),
	}
}

// RandomSeed seeds the random baseline in reports.
const RandomSeed = 1

// Lookup resolves a comma-separated list of method names, or "all".
func Lookup(list string) ([]anomaly.Method, error) {
	all := Methods()
	if strings.TrimSpace(list) == "all" {
		return all, nil
	}
	var out []anomaly.Method
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		var found anomaly.Method
		for _, m := range all {
			if m.Name() == name {
				found = m
			}
		}
		if name == MethodRandom {
			found = NewRandom(RandomSeed)
		}
		if found == nil {
			return nil, fmt.Errorf("unknown method %q (known: %s, random, all)", name, strings.Join(Names(), ", "))
		}
		out = append(out, found)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no method named")
	}
	return out, nil
}

// Names lists the registered methods' names.
func Names() []string {
	var out []string
	for _, m := range Methods() {
		out = append(out, m.Name())
	}
	return out
}

// Result is one method's figures on one dataset.
type Result struct {
	Method  string `json:"method"`
	Dataset string `json:"dataset"`
	Series  int    `json:"series"`
	// FitFailures counts series whose training data the method could not
	// fit (too short for its window, say); their samples count as unflagged.
	FitFailures int      `json:"fit_failures"`
	FitErrors   []string `json:"fit_errors,omitempty"`

	// Point-wise over all samples of all series pooled, no point adjustment.
	PointP  float64 `json:"point_precision"`
	PointR  float64 `json:"point_recall"`
	PointF1 float64 `json:"point_f1"`
	// PointF1Mean is the mean of per-series point-wise F1 over series with
	// labelled anomalies (SKAB reports F1 per experiment).
	PointF1Mean float64 `json:"point_f1_mean_per_series"`

	Events    int     `json:"events"`
	Detected  int     `json:"events_detected"`
	FalseSeqs int     `json:"false_sequences"`
	EventP    float64 `json:"event_precision"`
	EventR    float64 `json:"event_recall"`
	EventF1   float64 `json:"event_f1"`

	PAKAUC    float64 `json:"pak_auc"`
	PAF1      float64 `json:"pa_f1"` // K = 0, the usual point adjustment; never a headline
	MeanDelay float64 `json:"mean_delay_samples"`

	Samples       int     `json:"samples"`
	SamplesPerSec float64 `json:"samples_per_sec"`
}

// Evaluate fits the method on each series' training rows (once per training
// key) and scores its test rows. Thresholds come from the models, which take
// them from training data; labels are read only to count.
func Evaluate(ds *dataset.Dataset, m anomaly.Method) Result {
	res := Result{Method: m.Name(), Dataset: ds.Name, Series: len(ds.Series)}
	type fitted struct {
		model anomaly.Model
		err   error
	}
	models := map[string]fitted{}
	scored := 0
	var pts Counts
	var ev Events
	var pak [PAKSteps]Counts
	var scoring time.Duration
	f1s, withEvents := 0.0, 0
	for _, s := range ds.Series {
		f, ok := models[s.TrainKey]
		if !ok || s.TrainKey == "" {
			f.model, f.err = m.Fit(s.Train)
			models[s.TrainKey] = f
			if f.err != nil {
				res.FitFailures++
				res.FitErrors = append(res.FitErrors, fmt.Sprintf("%s: %v", s.Name, f.err))
			}
		}
		pred := make([]bool, len(s.Test))
		if f.err == nil {
			start := time.Now()
			scores := anomaly.ScoreAll(f.model, s.Test)
			scoring += time.Since(start)
			scored += len(s.Test)
			thr := f.model.Threshold()
			for i, v := range scores {
				pred[i] = v > thr
			}
		}
		c := Pointwise(pred, s.Labels)
		pts = pts.Add(c)
		if c.TP+c.FN > 0 {
			_, _, f1 := PRF(c.TP, c.FP, c.FN)
			f1s += f1
			withEvents++
		}
		ev = ev.Add(EventLevel(pred, s.Labels))
		pak = AddPAK(pak, PAK(pred, s.Labels))
		res.Samples += len(s.Test)
	}
	sort.Strings(res.FitErrors)
	res.PointP, res.PointR, res.PointF1 = PRF(pts.TP, pts.FP, pts.FN)
	if withEvents > 0 {
		res.PointF1Mean = f1s / float64(withEvents)
	}
	res.Events, res.Detected, res.FalseSeqs = ev.Events, ev.Detected, ev.FalseSeqs
	res.EventP, res.EventR, res.EventF1 = ev.PRF()
	res.PAKAUC = PAKAUC(pak)
	res.PAF1 = PAKCurve(pak)[0]
	res.MeanDelay = ev.MeanDelay()
	if scoring > 0 {
		res.SamplesPerSec = float64(scored) / scoring.Seconds()
	}
	return res
}

// WithRule returns m thresholded by rule instead of its default, for the
// methods whose rule is a setting (all but sparse, which sets its threshold
// its own way and is returned unchanged with ok false).
func WithRule(m anomaly.Method, rule anomaly.ThresholdRule) (anomaly.Method, bool) {
	switch v := m.(type) {
	case anomaly.RobustZ:
		v.Rule = rule
		return v, true
	case anomaly.EWMA:
		v.Rule = rule
		return v, true
	case anomaly.PCA:
		v.Rule = rule
		return v, true
	case anomaly.Forecast:
		v.Rule = rule
		return v, true
	case Random:
		v.Rule = rule
		return v, true
	}
	return m, false
}
