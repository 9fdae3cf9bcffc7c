package sparse

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

func fitSmall(t testing.TB, seed uint64) anomaly.Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Atoms, cfg.Iterations = 24, 8
	m, err := New(cfg).Fit(coupledSeries(1200, seed))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	m := fitSmall(t, 1)
	enc, err := anomaly.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := anomaly.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if back.Method() != MethodName || back.Channels() != 3 || back.Threshold() != m.Threshold() {
		t.Fatalf("decoded %s/%d/%v, want %s/3/%v", back.Method(), back.Channels(), back.Threshold(), MethodName, m.Threshold())
	}
	enc2, err := anomaly.Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, enc2) {
		t.Fatal("re-encoding the decoded model changed its bytes")
	}
	d1, _ := anomaly.Digest(m)
	d2, _ := anomaly.Digest(back)
	if d1 != d2 {
		t.Fatalf("digest %s after round trip, was %s", d2, d1)
	}
	test := coupledSeries(500, 2)
	breakCoupling(test, 200, 260)
	a, b := anomaly.ScoreAll(m, test), anomaly.ScoreAll(back, test)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("sample %d: score %v before and %v after the round trip", i, a[i], b[i])
		}
	}
}

func TestFitIsDeterministic(t *testing.T) {
	d1, err := anomaly.Digest(fitSmall(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := anomaly.Digest(fitSmall(t, 4))
	if d1 != d2 {
		t.Fatalf("same data, different models: %s vs %s", d1, d2)
	}
	if d3, _ := anomaly.Digest(fitSmall(t, 5)); d3 == d1 {
		t.Fatal("different training data gave the same digest")
	}
}

func TestScorerWarmUpAndStride(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Atoms, cfg.Iterations, cfg.Window, cfg.Stride = 16, 5, 8, 4
	cfg.Persist, cfg.Hold = 1, 1 // raw window scores; the filters have their own test
	m, err := New(cfg).Fit(coupledSeries(1000, 1))
	if err != nil {
		t.Fatal(err)
	}
	s := m.NewScorer()
	rows := coupledSeries(40, 3)
	rows[20][0] = 9 // makes the windows containing it score differently
	var scores []float64
	for i, r := range rows {
		v, ok := s.Push(r)
		if ok != (i >= cfg.Window-1) {
			t.Fatalf("sample %d: ok=%v with window %d", i, ok, cfg.Window)
		}
		scores = append(scores, v)
	}
	// Windows end at samples 7, 11, 15, ...; between them the score repeats.
	for i := cfg.Window; i < len(rows); i++ {
		fresh := (i-(cfg.Window-1))%cfg.Stride == 0
		if !fresh && scores[i] != scores[i-1] {
			t.Fatalf("sample %d: score changed between strides (%v -> %v)", i, scores[i-1], scores[i])
		}
	}
	if scores[23] == scores[19] {
		t.Fatalf("the window holding the outlier scored like the one before (%v)", scores[23])
	}
	if v, ok := s.Push([]float64{1, 2}); ok || v != 0 {
		t.Fatalf("wrong channel count: got %v, %v; want 0, false", v, ok)
	}
}

func TestFitRejectsBadTraining(t *testing.T) {
	ragged := coupledSeries(500, 1)
	ragged[10] = ragged[10][:2]
	nonFinite := coupledSeries(500, 1)
	nonFinite[7][1] = 1 / zero()
	cases := map[string]struct {
		rows [][]float64
		cfg  Config
		want string
	}{
		"empty":     {nil, DefaultConfig(), "no training samples"},
		"short":     {coupledSeries(60, 1), DefaultConfig(), "too short"},
		"ragged":    {ragged, DefaultConfig(), "channels"},
		"nonfinite": {nonFinite, DefaultConfig(), "non-finite"},
		"badconfig": {coupledSeries(500, 1), Config{}, "window"},
	}
	for name, c := range cases {
		_, err := New(c.cfg).Fit(c.rows)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
	// The shortest accepted series is accepted, one sample less is not.
	n := minTrainSamples(DefaultConfig())
	if _, err := New(DefaultConfig()).Fit(coupledSeries(n, 1)); err != nil {
		t.Errorf("%d samples (the stated minimum): %v", n, err)
	}
	if _, err := New(DefaultConfig()).Fit(coupledSeries(n-1, 1)); err == nil {
		t.Errorf("%d samples accepted below the stated minimum", n-1)
	}
}

// A channel constant in training keeps scale 1, and moving it later is
// scored as anomalous rather than ignored or blowing up.
func TestConstantChannelMovingLaterIsAnomalous(t *testing.T) {
	rows := coupledSeries(1500, 1)
	for _, r := range rows {
		r[2] = 0
	}
	cfg := DefaultConfig()
	cfg.Atoms, cfg.Iterations = 24, 8
	m, err := New(cfg).Fit(rows)
	if err != nil {
		t.Fatal(err)
	}
	test := coupledSeries(300, 2)
	for i, r := range test {
		r[2] = 0
		if i >= 150 && i < 180 {
			r[2] = 1
		}
	}
	scores := anomaly.ScoreAll(m, test)
	if scores[165] <= m.Threshold() {
		t.Errorf("constant channel switched on: score %v, threshold %v", scores[165], m.Threshold())
	}
	if scores[100] > m.Threshold() {
		t.Errorf("normal sample scored %v above threshold %v", scores[100], m.Threshold())
	}
}

// Training in which nothing moves gives a model that accepts exactly that
// and flags any change.
func TestConstantTrainingFlagsAnyChange(t *testing.T) {
	rows := make([][]float64, 800)
	for i := range rows {
		rows[i] = []float64{0.999, 0}
	}
	cfg := DefaultConfig()
	cfg.Persist, cfg.Hold = 1, 1 // so exactly the windows holding the change are flagged
	m, err := New(cfg).Fit(rows)
	if err != nil {
		t.Fatal(err)
	}
	test := make([][]float64, 200)
	for i := range test {
		test[i] = []float64{0.999, 0}
	}
	test[120][0] = 0.5
	scores := anomaly.ScoreAll(m, test)
	for i, v := range scores {
		inWindow := i >= 120 && i < 120+cfg.Window
		if inWindow != (v > m.Threshold()) {
			t.Fatalf("sample %d: score %v, threshold %v, holds the change: %v", i, v, m.Threshold(), inWindow)
		}
	}
}

func TestWindowExtreme(t *testing.T) {
	lo, hi := newWindowExtreme(3, true), newWindowExtreme(3, false)
	in := []float64{5, 1, 4, 6, 7, 2, 9}
	wantLo := []float64{5, 1, 1, 1, 4, 2, 2}
	wantHi := []float64{5, 5, 5, 6, 7, 7, 9}
	for i, v := range in {
		if a, b := lo.push(v), hi.push(v); a != wantLo[i] || b != wantHi[i] {
			t.Fatalf("step %d: min %v max %v, want %v %v", i, a, b, wantLo[i], wantHi[i])
		}
	}
}

// With Persist, a window score counts only if the windows around it agree:
// the same fitted core scores an isolated high window lower, a sustained
// anomaly the same; Hold then keeps the alarm up after it ends.
func TestPersistAndHoldFilters(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Atoms, cfg.Iterations, cfg.Persist, cfg.Hold = 24, 8, 1, 1
	m, err := New(cfg).Fit(coupledSeries(1500, 1))
	if err != nil {
		t.Fatal(err)
	}
	raw := m.(*model)
	filtered := *raw
	filtered.p.Config.Persist, filtered.p.Config.Hold = 4, 10
	test := coupledSeries(400, 2)
	breakCoupling(test, 200, 260)
	a, b := anomaly.ScoreAll(raw, test), anomaly.ScoreAll(&filtered, test)
	w := cfg.Window
	for i := w - 1 + 3; i < len(test); i++ {
		lo := a[i]
		for j := i - 3; j < i; j++ {
			lo = min(lo, a[j])
		}
		hi := lo
		// b[i] is the max over the last 10 persistence-filtered scores.
		for k := i - 9; k < i; k++ {
			if k < w-1+3 {
				continue
			}
			p := a[k]
			for j := k - 3; j < k; j++ {
				p = min(p, a[j])
			}
			hi = max(hi, p)
		}
		if i >= w-1+3+9 && b[i] != hi {
			t.Fatalf("sample %d: filtered score %v, want %v", i, b[i], hi)
		}
	}
	// Take the last raw alarm of the anomaly; Hold must keep the alarm up
	// for the next samples although the raw score has dropped.
	thr, last := raw.Threshold(), -1
	for i := 200; i < 260+w+20; i++ {
		if a[i] > thr {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("construction: the raw scores never cross the threshold")
	}
	if b[last+5] <= thr {
		t.Errorf("hold: five samples after the last raw alarm (%d) the score %v is below the threshold %v", last, b[last+5], thr)
	}
}

func TestHugeValues(t *testing.T) {
	huge := coupledSeries(500, 1)
	for _, r := range huge {
		r[0] *= 1e308
	}
	if _, err := New(DefaultConfig()).Fit(huge); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("training values near overflow: error %v", err)
	}
	m := fitSmall(t, 1)
	s := m.NewScorer()
	var v float64
	var ok bool
	for i := 0; i < 40; i++ {
		x := []float64{0, 0, 0}
		if i == 30 {
			x[1] = 1e300
		}
		v, ok = s.Push(x)
	}
	if !ok || math.IsNaN(v) || v <= m.Threshold() {
		t.Errorf("a sample of 1e300 scored %v (ok %v), threshold %v", v, ok, m.Threshold())
	}
}

func zero() float64 { return 0 }
