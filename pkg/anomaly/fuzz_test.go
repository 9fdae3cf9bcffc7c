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
