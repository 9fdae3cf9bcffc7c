package anomaly

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// normalRows makes c channels of noisy sinusoids with different periods;
// channel 1 follows channel 0 closely so PCA has a correlation to learn.
func normalRows(seed uint64, n, c int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	rows := make([][]float64, n)
	for t := range rows {
		r := make([]float64, c)
		base := math.Sin(2 * math.Pi * float64(t) / 50)
		for ch := range c {
			switch ch {
			case 0:
				r[ch] = base + 0.05*rng.NormFloat64()
			case 1:
				r[ch] = 2*base + 0.05*rng.NormFloat64()
			default:
				r[ch] = math.Cos(2*math.Pi*float64(t)/float64(30+7*ch)) + 0.05*rng.NormFloat64()
			}
		}
		rows[t] = r
	}
	return rows
}

type injection struct {
	name       string
	start, end int // the anomalous rows, [start, end)
	apply      func(rows [][]float64)
}

func injections() []injection {
	return []injection{
		{"spike", 1500, 1501, func(r [][]float64) { r[1500][2] += 3 }},
		{"level shift", 1500, 1600, func(r [][]float64) {
			for t := 1500; t < 1600; t++ {
				r[t][0] += 1.5
			}
		}},
		{"drift", 1400, 1700, func(r [][]float64) {
			for t := 1400; t < 1700; t++ {
				r[t][2] += 0.01 * float64(t-1400)
			}
		}},
		{"broken correlation", 1500, 1600, func(r [][]float64) {
			for t := 1500; t < 1600; t++ {
				r[t][1] = -r[t][1] // channel 1 now opposes channel 0, each within its normal range
			}
		}},
	}
}

// detects reports whether any score in [start, end+grace) crosses the threshold.
func detects(m Model, scores []float64, start, end, grace int) bool {
	for t := start; t < end+grace && t < len(scores); t++ {
		if scores[t] > m.Threshold() {
			return true
		}
	}
	return false
}

func falseAlarms(m Model, scores []float64) int {
	n := 0
	for _, s := range scores {
		if s > m.Threshold() {
			n++
		}
	}
	return n
}

func TestDetectorsFlagInjectedAnomaliesAndStayQuietOtherwise(t *testing.T) {
	train := normalRows(1, 3000, 4)
	// Which injected faults each method is built to catch; the others are
	// not asserted either way.
	catches := map[string][]string{
		MethodRobustZ: {"spike", "level shift"},
		MethodEWMA:    {"spike", "level shift"},
		MethodCUSUM:   {"level shift", "drift"},
		MethodPCA:     {"spike", "level shift", "broken correlation"},
		MethodPCAT2Q:  {"spike", "level shift", "broken correlation"},
	}
	for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM(), NewPCA(), NewPCAT2Q()} {
		m, err := meth.Fit(train)
		if err != nil {
			t.Fatalf("%s: fit: %v", meth.Name(), err)
		}
		if m.Method() != meth.Name() || m.Channels() != 4 || !(m.Threshold() > 0) {
			t.Fatalf("%s: model %s, %d channels, threshold %v", meth.Name(), m.Method(), m.Channels(), m.Threshold())
		}
		quiet := normalRows(2, 3000, 4)
		if n := falseAlarms(m, ScoreAll(m, quiet)); n > 3 {
			t.Errorf("%s: %d alarms on 3000 normal samples", meth.Name(), n)
		}
		for _, inj := range injections() {
			want := false
			for _, c := range catches[meth.Name()] {
				want = want || c == inj.name
			}
			if !want {
				continue
			}
			rows := normalRows(2, 3000, 4)
			inj.apply(rows)
			scores := ScoreAll(m, rows)
			if !detects(m, scores, inj.start, inj.end, 20) {
				peak := 0.0
				for t := inj.start; t < inj.end+20; t++ {
					peak = math.Max(peak, scores[t])
				}
				t.Errorf("%s missed the %s: peak %.3g, threshold %.3g", meth.Name(), inj.name, peak, m.Threshold())
			}
			// Alarms far from the injection are false alarms.
			outside := append(append([]float64{}, scores[:inj.start]...), make([]float64, inj.end+300-inj.start)...)
			outside = append(outside, scores[min(len(scores), inj.end+300):]...)
			if n := falseAlarms(m, outside); n > 3 {
				t.Errorf("%s: %d alarms away from the %s", meth.Name(), n, inj.name)
			}
		}
	}
}

func TestEncodeDecodeGivesSameScoresAndDigest(t *testing.T) {
	train := normalRows(3, 1200, 3)
	test := normalRows(4, 600, 3)
	for t := 300; t < 400; t++ {
		test[t][0] += 2
	}
	for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM(), NewPCA(), NewPCAT2Q()} {
		m, err := meth.Fit(train)
		if err != nil {
			t.Fatalf("%s: %v", meth.Name(), err)
		}
		b, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", meth.Name(), err)
		}
		b2, _ := Encode(back)
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: re-encoding differs", meth.Name())
		}
		d1, _ := Digest(m)
		d2, _ := Digest(back)
		if d1 != d2 || len(d1) != len("sha256:")+64 {
			t.Errorf("%s: digests %s %s", meth.Name(), d1, d2)
		}
		s1, s2 := ScoreAll(m, test), ScoreAll(back, test)
		for i := range s1 {
			if s1[i] != s2[i] {
				t.Fatalf("%s: score %d: %v before encoding, %v after", meth.Name(), i, s1[i], s2[i])
			}
		}
		// Same data, same digest: fitting is deterministic.
		again, err := meth.Fit(normalRows(3, 1200, 3))
		if err != nil {
			t.Fatal(err)
		}
		if d3, _ := Digest(again); d3 != d1 {
			t.Errorf("%s: refit digest %s, first %s", meth.Name(), d3, d1)
		}
		// Different data, different digest.
		other, _ := meth.Fit(normalRows(5, 1200, 3))
		if d4, _ := Digest(other); d4 == d1 {
			t.Errorf("%s: different training data gave the same digest", meth.Name())
		}
	}
}

func TestFitRejectsBadTrainingData(t *testing.T) {
	for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM(), NewPCA(), NewPCAT2Q()} {
		for name, rows := range map[string][][]float64{
			"empty":   nil,
			"short":   normalRows(1, 5, 2),
			"ragged":  append(normalRows(1, 200, 2), []float64{1}),
			"nan":     append(normalRows(1, 200, 2), []float64{1, math.NaN()}),
			"inf":     append(normalRows(1, 200, 2), []float64{math.Inf(1), 0}),
			"huge":    append(normalRows(1, 200, 2), []float64{1e300, 0}),
			"nothing": make([][]float64, 200),
		} {
			if _, err := meth.Fit(rows); err == nil {
				t.Errorf("%s accepted %s training data", meth.Name(), name)
			}
		}
	}
}

func TestDecodeRejectsBrokenParams(t *testing.T) {
	m, err := NewPCA().Fit(normalRows(1, 500, 2))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := Encode(m)
	for _, bad := range []string{
		`{"format":"adf-anomaly-model/v1","method":"pca","channels":2,"threshold":1,"params":{"window":0}}`,
		`{"format":"adf-anomaly-model/v1","method":"robust-z","channels":2,"threshold":1,"params":{"window":10,"floor":[1]}}`,
		`{"format":"adf-anomaly-model/v1","method":"robust-z","channels":1,"threshold":1,"params":{"window":100000000,"floor":[1]}}`,
		`{"format":"adf-anomaly-model/v1","method":"robust-z","channels":1,"threshold":1,"params":{"window":10,"floor":[-1]}}`,
		`{"format":"adf-anomaly-model/v1","method":"ewma","channels":1,"threshold":1,"params":{"alpha":2,"warmup":3,"init_sd":[1],"floor":[1]}}`,
		`{"format":"adf-anomaly-model/v1","method":"cusum","channels":1,"threshold":1,"params":{"alpha":0.1,"warmup":3,"init_sd":[1],"floor":[1]}}`,
		string(bytes.Replace(good, []byte(`"window":16`), []byte(`"window":15`), 1)),
		string(bytes.Replace(good, []byte(`"method":"pca"`), []byte(`"method":"pca-t2q"`), 1)),
	} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("decoded %.120s", bad)
		}
	}
}

func TestSlidingOrderMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{3, 4, 7, 64} {
		w := newSlidingOrder(n)
		var hist []float64
		for i := range 2000 {
			v := math.Round(rng.NormFloat64()*3) / 2 // ties on purpose
			if i%97 == 0 {
				v = 50
			}
			w.push(v)
			hist = append(hist, v)
			last := hist[max(0, len(hist)-n):]
			med := Quantile(last, 0.5)
			s := sortedCopy(last)
			if len(s)%2 == 0 {
				med = (s[len(s)/2-1] + s[len(s)/2]) / 2
			} else {
				med = s[len(s)/2]
			}
			dev := make([]float64, len(s))
			for j, x := range s {
				dev[j] = math.Abs(x - med)
			}
			ds := sortedCopy(dev)
			mad := ds[len(ds)/2]
			if len(ds)%2 == 0 {
				mad = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
			}
			if got := w.median(); got != med {
				t.Fatalf("n=%d step %d: median %v, want %v", n, i, got, med)
			}
			if got := w.mad(med); got != mad {
				t.Fatalf("n=%d step %d: mad %v, want %v (window %v)", n, i, got, mad, s)
			}
		}
	}
}

func sortedCopy(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestThresholdRule(t *testing.T) {
	scores := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		r    ThresholdRule
		want float64
	}{{ThresholdRule{1, 1}, 10}, {ThresholdRule{0.9, 1}, 9}, {ThresholdRule{0.5, 2}, 10}, {ThresholdRule{0.05, 1}, 1}} {
		got, err := c.r.Apply(scores)
		if err != nil || got != c.want {
			t.Errorf("%+v: %v %v, want %v", c.r, got, err, c.want)
		}
	}
	for _, bad := range []ThresholdRule{{0, 1}, {1.1, 1}, {1, 0.5}, {math.NaN(), 1}, {1, math.Inf(1)}} {
		if _, err := bad.Apply(scores); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if _, err := DefaultThreshold.Apply(nil); err == nil {
		t.Error("no scores accepted")
	}
}

// SMAP has channels that never move during training; every method must
// still fit them and flag the first change.
func TestConstantTrainingChannelFlagsAnyChange(t *testing.T) {
	train := make([][]float64, 500)
	for i := range train {
		train[i] = []float64{0.25}
	}
	test := make([][]float64, 300)
	for i := range test {
		test[i] = []float64{0.25}
		if i >= 200 {
			test[i][0] = 0.26
		}
	}
	for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM(), NewPCA(), NewPCAT2Q()} {
		m, err := meth.Fit(train)
		if err != nil {
			t.Fatalf("%s: %v", meth.Name(), err)
		}
		scores := ScoreAll(m, test)
		if falseAlarms(m, scores[:200]) != 0 || !detects(m, scores, 200, 201, 0) {
			t.Errorf("%s: alarms before the change %d, score at it %v (threshold %v)", meth.Name(), falseAlarms(m, scores[:200]), scores[200], m.Threshold())
		}
		b, _ := Encode(m)
		if _, err := Decode(b); err != nil {
			t.Errorf("%s: decode: %v", meth.Name(), err)
		}
	}
}

func TestPeakHoldMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{0, 1, 2, 5, 16} {
		h := newPeakHold(n)
		var hist []float64
		for i := range 3000 {
			v := rng.Float64()
			if i%50 < 10 {
				v = float64(i % 7) // runs of ties and monotone stretches
			}
			hist = append(hist, v)
			want := v
			for _, x := range hist[max(0, len(hist)-n):] {
				want = math.Max(want, x)
			}
			if got := h.push(v); got != want {
				t.Fatalf("n=%d step %d: %v, want %v", n, i, got, want)
			}
		}
	}
}

func TestHoldMergesAlarmsOfOneFault(t *testing.T) {
	train := normalRows(1, 3000, 2)
	test := normalRows(2, 3000, 2)
	for t := 1500; t < 1540; t += 8 { // one fault: five spikes 8 samples apart
		test[t][0] += 4
	}
	runs := func(m Model) int {
		n, prev := 0, false
		for _, s := range ScoreAll(m, test) {
			on := s > m.Threshold()
			if on && !prev {
				n++
			}
			prev = on
		}
		return n
	}
	plain := NewRobustZ()
	held := plain
	held.Hold = 16
	mp, err := plain.Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	mh, err := held.Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	if rp, rh := runs(mp), runs(mh); rp < 3 || rh != 1 {
		t.Errorf("alarm runs without hold %d (want ≥ 3), with hold 16: %d (want 1)", rp, rh)
	}
	b, _ := Encode(mh)
	back, err := Decode(b)
	if err != nil || runs(back) != 1 {
		t.Errorf("decoded held model: %v", err)
	}
	// Hold off leaves the encoding as it was before holds existed.
	if b0, _ := Encode(mp); bytes.Contains(b0, []byte(`"hold"`)) {
		t.Errorf("hold 0 is encoded: %s", b0)
	}
}

func TestPCAWindowOfOneValueIsRefused(t *testing.T) {
	p := NewPCA()
	p.Window = 1
	if _, err := p.Fit(normalRows(1, 300, 1)); err == nil || !strings.Contains(err.Error(), "no residual") {
		t.Errorf("window 1 × 1 channel: %v", err)
	}
	// One sample of two channels is fine: the residual is one dimension.
	m, err := p.Fit(normalRows(1, 300, 2))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Encode(m)
	if _, err := Decode(b); err != nil {
		t.Errorf("decode: %v", err)
	}
}

// A restless channel must not set the threshold for a quiet one: a fault in
// the quiet channel, small next to the restless channel's normal excursions
// in z units, is still found.
func TestQuietChannelIsNotMaskedByARestlessOne(t *testing.T) {
	rows := func(seed uint64, n int) [][]float64 {
		rng := rand.New(rand.NewPCG(seed, 3))
		out := make([][]float64, n)
		for i := range out {
			quiet := 0.1 * rng.NormFloat64()
			restless := rng.NormFloat64()
			if rng.IntN(50) == 0 { // heavy-tailed bursts: z of 10 and more in training
				restless *= 12
			}
			out[i] = []float64{quiet, restless}
		}
		return out
	}
	train, test := rows(1, 4000), rows(2, 2000)
	for i := 1000; i < 1005; i++ {
		test[i][0] += 1.2 // 12 sd of the quiet channel
	}
	for _, meth := range []Method{NewRobustZ(), NewEWMA()} {
		m, err := meth.Fit(train)
		if err != nil {
			t.Fatal(err)
		}
		scores := ScoreAll(m, test)
		if !detects(m, scores, 1000, 1005, 0) {
			t.Errorf("%s missed the quiet channel's fault (threshold %v)", meth.Name(), m.Threshold())
		}
	}
}
