package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
)

// b turns "..11.1" into [false false true true false true].
func b(s string) []bool {
	out := make([]bool, len(s))
	for i, c := range s {
		out[i] = c == '1'
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestPointwise(t *testing.T) {
	//              labels: two events, 3 + 2 points
	labels := b("..111...11..")
	pred := b(".1.11......1")
	c := Pointwise(pred, labels)
	if c != (Counts{TP: 2, FP: 2, FN: 3}) {
		t.Fatalf("%+v", c)
	}
	p, r, f1 := PRF(c.TP, c.FP, c.FN)
	if !near(p, 0.5) || !near(r, 0.4) || !near(f1, 2*0.5*0.4/0.9) {
		t.Errorf("P %v R %v F1 %v", p, r, f1)
	}
	if p, r, f1 := PRF(0, 0, 0); p != 0 || r != 0 || f1 != 0 {
		t.Error("empty counts should give zeros")
	}
}

func TestEventLevel(t *testing.T) {
	labels := b("..111...11....111..")
	// Sequence 1 overlaps event 1 (starting before it), sequence 2 lies in
	// no event, sequence 3 spans event 2's end; event 3 is missed.
	pred := b(".11...1..111.......")
	e := EventLevel(pred, labels)
	if e.Events != 3 || e.Detected != 2 || e.FalseSeqs != 1 {
		t.Fatalf("%+v", e)
	}
	// Event 1 starts at 2 and is flagged at 2: delay 0; event 2 starts at 8,
	// first flagged inside at 9: delay 1.
	if len(e.Delays) != 2 || e.Delays[0] != 0 || e.Delays[1] != 1 || !near(e.MeanDelay(), 0.5) {
		t.Errorf("delays %v mean %v", e.Delays, e.MeanDelay())
	}
	p, r, f1 := e.PRF()
	if !near(p, 2.0/3) || !near(r, 2.0/3) || !near(f1, 2.0/3) {
		t.Errorf("P %v R %v F1 %v", p, r, f1)
	}
	// One long sequence over two events: both detected, no false positive.
	e = EventLevel(b("..1111111.."), b("..11...11.."))
	if e.Detected != 2 || e.FalseSeqs != 0 {
		t.Errorf("%+v", e)
	}
	sum := e.Add(Events{Events: 1, FalseSeqs: 2, Delays: []int{4}})
	if sum.Events != 3 || sum.Detected != 2 || sum.FalseSeqs != 2 || len(sum.Delays) != 3 || !near(sum.MeanDelay(), 4.0/3) {
		t.Errorf("sum %+v", sum)
	}
	if (Events{}).MeanDelay() != 0 {
		t.Error("mean delay of nothing")
	}
}

func TestRuns(t *testing.T) {
	got := Runs(b("11..1.111"))
	want := []Segment{{0, 2}, {4, 5}, {6, 9}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v", got)
		}
	}
	if Runs(nil) != nil || Runs(b("...")) != nil {
		t.Error("runs of nothing")
	}
}

func TestPAK(t *testing.T) {
	// Event A: 4 points, 1 flagged (25 %). Event B: 2 points, 2 flagged
	// (100 %). Event C: 3 points, none flagged. One false positive.
	labels := b("1111..11..111.")
	pred := b("1.....11.....1")
	c := PAK(pred, labels)
	// No adjustment: TP 3, FP 1, FN 6.
	if c[100] != (Counts{3, 1, 6}) {
		t.Errorf("K=100 %+v", c[100])
	}
	// K ≤ 25: A is adjusted too: TP 6, FP 1, FN 3.
	for _, k := range []int{0, 1, 25} {
		if c[k] != (Counts{6, 1, 3}) {
			t.Errorf("K=%d %+v", k, c[k])
		}
	}
	// K > 25: only B (already whole) counts: same as no adjustment.
	if c[26] != (Counts{3, 1, 6}) {
		t.Errorf("K=26 %+v", c[26])
	}
	// AUC by hand: F1 = 2TP/(2TP+FP+FN) = 12/16 for K = 0..25, 6/13 for
	// 26..100. Trapezoids: 25 at 12/16, one from 12/16 to 6/13, 74 at 6/13.
	want := (25*0.75 + (0.75+6.0/13)/2 + 74*6.0/13) / 100
	if got := PAKAUC(c); !near(got, want) {
		t.Errorf("AUC %v, want %v", got, want)
	}
	if f := PAKCurve(c); !near(f[0], 0.75) || !near(f[100], 6.0/13) {
		t.Errorf("curve ends %v %v", f[0], f[100])
	}
	// Perfect and empty predictions.
	if got := PAKAUC(PAK(labels, labels)); !near(got, 1) {
		t.Errorf("perfect AUC %v", got)
	}
	if got := PAKAUC(PAK(make([]bool, len(labels)), labels)); got != 0 {
		t.Errorf("empty AUC %v", got)
	}
	sum := AddPAK(c, c)
	if sum[0] != (Counts{12, 2, 6}) {
		t.Errorf("sum %+v", sum[0])
	}
}

func TestLengthMismatchPanicsLoudly(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "predictions") {
			t.Errorf("recovered %v", r)
		}
	}()
	Pointwise(b("1"), b("11"))
}

func TestRandomBaselineIsSeededAndThresholdedOnTraining(t *testing.T) {
	train := make([][]float64, 5000)
	for i := range train {
		train[i] = []float64{0}
	}
	m1, err := NewRandom(3).Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := NewRandom(3).Fit(train)
	m3, _ := NewRandom(4).Fit(train)
	if m1.Threshold() != m2.Threshold() || m1.Threshold() == m3.Threshold() {
		t.Errorf("thresholds %v %v %v", m1.Threshold(), m2.Threshold(), m3.Threshold())
	}
	test := train[:4000]
	s1, s2 := anomaly.ScoreAll(m1, test), anomaly.ScoreAll(m2, test)
	alarms := 0
	for i := range s1 {
		if s1[i] != s2[i] {
			t.Fatal("same seed, different scores")
		}
		if s1[i] > m1.Threshold() {
			alarms++
		}
	}
	// Expected about 4000/(1.5 × 5000 × π/2) ≈ 0.34 alarms per run; more
	// than a handful means the threshold ignored the training scores.
	if alarms > 5 {
		t.Errorf("%d alarms", alarms)
	}
	if _, err := NewRandom(1).Fit(nil); err == nil {
		t.Error("fitted nothing")
	}
}

func TestLookup(t *testing.T) {
	ms, err := Lookup("all")
	if err != nil || len(ms) != len(Methods()) {
		t.Fatalf("%v %v", ms, err)
	}
	names := map[string]bool{}
	for _, m := range ms {
		names[m.Name()] = true
	}
	for _, want := range []string{"robust-z", "ewma", "cusum", "pca", "pca-t2q", "sparse"} {
		if !names[want] {
			t.Errorf("all lacks %s", want)
		}
	}
	ms, err = Lookup("pca, random,pca")
	if err != nil || len(ms) != 2 || ms[0].Name() != "pca" || ms[1].Name() != "random" {
		t.Errorf("%v %v", ms, err)
	}
	if _, err := Lookup("lstm"); err == nil || !strings.Contains(err.Error(), "robust-z") {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := Lookup(" , "); err == nil {
		t.Error("empty list accepted")
	}
}

// constMethod flags fixed rows: it lets the harness be checked against
// hand-computed figures.
type constMethod struct{ flag map[int]bool }

func (c constMethod) Name() string { return "const" }
func (c constMethod) Fit(train [][]float64) (anomaly.Model, error) {
	return constModel(c), nil
}

type constModel constMethod

func (constModel) Method() string                 { return "const" }
func (constModel) Channels() int                  { return 1 }
func (constModel) Threshold() float64             { return 0.5 }
func (constModel) MarshalParams() ([]byte, error) { return []byte("{}"), nil }
func (c constModel) NewScorer() anomaly.Scorer    { return &constScorer{flag: c.flag} }

type constScorer struct {
	flag map[int]bool
	t    int
}

func (s *constScorer) Push([]float64) (float64, bool) {
	defer func() { s.t++ }()
	if s.flag[s.t] {
		return 1, true
	}
	return 0, true
}

func TestEvaluateAddsUpOverSeries(t *testing.T) {
	rows := func(n int) [][]float64 { return make([][]float64, n) }
	ds := &dataset.Dataset{Name: "hand", Series: []dataset.Series{
		{Name: "a", TrainKey: "a", Train: rows(3), Test: rows(8), Labels: b("..111...")},
		{Name: "b", TrainKey: "b", Train: rows(3), Test: rows(8), Labels: b(".....11.")},
	}}
	// Flags rows 3 and 6 of every series: series a hits its event at 3 (delay
	// 1) and raises a false sequence at 6; series b hits at 6 (delay 1) and
	// raises a false sequence at 3.
	r := Evaluate(ds, constMethod{flag: map[int]bool{3: true, 6: true}})
	if r.Events != 2 || r.Detected != 2 || r.FalseSeqs != 2 || !near(r.EventP, 0.5) || !near(r.EventR, 1) || !near(r.MeanDelay, 1) {
		t.Errorf("events %+v", r)
	}
	// Points: TP 2, FP 2, FN 3.
	if !near(r.PointP, 0.5) || !near(r.PointR, 0.4) || r.Samples != 16 || r.SamplesPerSec <= 0 {
		t.Errorf("points %+v", r)
	}
	// Per series F1: a: TP1 FP1 FN2 → 0.4; b: TP1 FP1 FN1 → 0.5.
	if !near(r.PointF1Mean, 0.45) {
		t.Errorf("mean F1 %v", r.PointF1Mean)
	}
	// PA at K=0: both events whole: TP 5, FP 2, FN 0.
	if !near(r.PAF1, 10.0/12) {
		t.Errorf("PA F1 %v", r.PAF1)
	}
}

func TestEvaluateCountsFitFailuresAsSilence(t *testing.T) {
	ds := &dataset.Dataset{Name: "short", Series: []dataset.Series{{Name: "s", TrainKey: "s", Train: make([][]float64, 2), Test: make([][]float64, 4), Labels: b(".11.")}}}
	for i := range ds.Series[0].Train {
		ds.Series[0].Train[i] = []float64{0}
	}
	r := Evaluate(ds, anomaly.NewRobustZ())
	if r.FitFailures != 1 || len(r.FitErrors) != 1 || r.Detected != 0 || r.Events != 1 || r.PointR != 0 {
		t.Errorf("%+v", r)
	}
}

func TestFixtureEndToEnd(t *testing.T) {
	ds, err := dataset.Fixture()
	if err != nil {
		t.Fatal(err)
	}
	best := 0.0
	var random Result
	for _, m := range append(Methods(), NewRandom(RandomSeed)) {
		r := Evaluate(ds, m)
		if r.FitFailures != 0 {
			t.Errorf("%s: %v", r.Method, r.FitErrors)
		}
		if r.Method == MethodRandom {
			random = r
		} else {
			best = math.Max(best, r.EventF1)
		}
	}
	// The fixture's faults are plain; the best detector must find most of
	// them and beat chance by far.
	if best < 0.8 || random.EventF1 > 0.3 {
		t.Errorf("best event F1 %v, random %v", best, random.EventF1)
	}
}

func TestWithRule(t *testing.T) {
	rule := anomaly.ThresholdRule{Quantile: 0.99, Margin: 1}
	train := make([][]float64, 400)
	for i := range train {
		train[i] = []float64{float64(i % 7)}
	}
	for _, m := range append(Methods(), NewRandom(1)) {
		got, ok := WithRule(m, rule)
		if m.Name() == "sparse" {
			if ok {
				t.Error("sparse has no rule to set")
			}
			continue
		}
		if !ok || got.Name() != m.Name() {
			t.Fatalf("%s: %v %v", m.Name(), got, ok)
		}
		loose, err1 := got.Fit(train)
		strict, err2 := m.Fit(train)
		if err1 != nil || err2 != nil || !(loose.Threshold() < strict.Threshold()) {
			t.Errorf("%s: quantile 0.99 × 1 threshold %v not below default %v (%v %v)", m.Name(), loose.Threshold(), strict.Threshold(), err1, err2)
		}
	}
}
