package anomaly

import (
	"math"
	"testing"
)

// FuzzDecode: model files come from disk and, in the sentinel, from
// operators; a broken one must be an error, and one that decodes must score
// without panicking.
func FuzzDecode(f *testing.F) {
	train := normalRows(1, 400, 2)
	for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM(), NewPCA(), NewPCAT2Q()} {
		m, err := meth.Fit(train)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := Encode(m)
		f.Add(b)
	}
	f.Add([]byte(`{"format":"adf-anomaly-model/v1","method":"pca","channels":1,"threshold":1,"params":{"window":2,"mean":[0],"sd":[1],"dim_mean":[0,0],"components":[],"eigen":[]}}`))
	f.Add([]byte(`{"format":"adf-anomaly-model/v1","method":"robust-z","channels":1,"threshold":1,"params":{"window":3,"floor":[1],"hold":2}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		if m.Channels() <= 0 || math.IsNaN(m.Threshold()) {
			t.Fatalf("decoded %d channels, threshold %v", m.Channels(), m.Threshold())
		}
		if m.Channels() > 64 {
			return // valid but too wide to be worth scoring here
		}
		s := m.NewScorer()
		x := make([]float64, m.Channels())
		for i := range 40 {
			for j := range x {
				x[j] = math.Sin(float64(i + j))
			}
			if v, ok := s.Push(x); ok && math.IsNaN(v) {
				t.Fatalf("NaN score from %s", b)
			}
		}
	})
}

// FuzzFitRoundTrip: whatever finite training data a method accepts, the
// model it writes must decode to the same bytes.
func FuzzFitRoundTrip(f *testing.F) {
	f.Add(int64(1), 300, 2, 1.0)
	f.Add(int64(2), 120, 1, 1e300)
	f.Add(int64(3), 80, 3, 0.0)
	f.Fuzz(func(t *testing.T, seed int64, n, c int, scale float64) {
		if n < 0 || n > 600 || c < 1 || c > 4 || math.IsNaN(scale) || math.IsInf(scale, 0) {
			return
		}
		rows := normalRows(uint64(seed), n, c)
		for _, r := range rows {
			for j := range r {
				r[j] *= scale
			}
		}
		for _, meth := range []Method{NewRobustZ(), NewEWMA(), NewCUSUM(), NewPCA(), NewPCAT2Q()} {
			m, err := meth.Fit(rows)
			if err != nil {
				continue
			}
			b, err := Encode(m)
			if err != nil {
				t.Fatalf("%s: encode: %v", meth.Name(), err)
			}
			back, err := Decode(b)
			if err != nil {
				t.Fatalf("%s: fitted model does not decode: %v", meth.Name(), err)
			}
			if b2, _ := Encode(back); string(b2) != string(b) {
				t.Fatalf("%s: re-encoding differs", meth.Name())
			}
		}
	})
}
