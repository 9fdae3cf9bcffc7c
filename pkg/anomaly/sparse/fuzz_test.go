package sparse

import (
	"bytes"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// FuzzDecodeModel feeds arbitrary bytes to the decoder. Whatever it accepts
// must re-encode to bytes that decode to the same encoding again, and must
// score samples without panicking.
func FuzzDecodeModel(f *testing.F) {
	cfg := DefaultConfig()
	cfg.Window, cfg.Atoms, cfg.Sparsity, cfg.Iterations, cfg.MaxBoundaryPoints = 4, 6, 2, 3, 40
	m, err := New(cfg).Fit(coupledSeries(300, 1))
	if err != nil {
		f.Fatal(err)
	}
	good, err := anomaly.Encode(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"format":"adf-anomaly-model/v1","method":"sparse","channels":1,"threshold":0,"params":{}}`))
	f.Add(bytes.Replace(good, []byte(`"window":4`), []byte(`"window":400000`), 1))
	f.Add(bytes.Replace(good, []byte(`"sv":[[`), []byte(`"sv":[[1e999,`), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := anomaly.Decode(b)
		if err != nil {
			return
		}
		enc, err := anomaly.Encode(m)
		if err != nil {
			t.Fatalf("decoded model does not encode: %v", err)
		}
		again, err := anomaly.Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded model does not decode: %v", err)
		}
		enc2, err := anomaly.Encode(again)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable across a round trip (err %v)", err)
		}
		s := m.NewScorer()
		x := make([]float64, m.Channels())
		for i := 0; i < 3*(1+len(x)) && i < 64; i++ {
			x[i%len(x)] = float64(i%7) - 3
			s.Push(x)
		}
	})
}

// FuzzDecodeParams goes straight to the method's decoder so the fuzzer
// spends its time inside the parameters rather than the envelope.
func FuzzDecodeParams(f *testing.F) {
	cfg := DefaultConfig()
	cfg.Window, cfg.Atoms, cfg.Sparsity, cfg.Iterations, cfg.MaxBoundaryPoints = 2, 4, 2, 2, 20
	m, err := New(cfg).Fit(coupledSeries(200, 1))
	if err != nil {
		f.Fatal(err)
	}
	p, err := m.MarshalParams()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(3, p)
	f.Add(1, p)
	f.Add(3, bytes.Replace(p, []byte(`"atoms":4`), []byte(`"atoms":1024`), 1))
	f.Fuzz(func(t *testing.T, channels int, b []byte) {
		m, err := decode(channels, 0.5, b)
		if err != nil {
			return
		}
		again, err := m.MarshalParams()
		if err != nil {
			t.Fatalf("decoded params do not marshal: %v", err)
		}
		if _, err := decode(channels, 0.5, again); err != nil {
			t.Fatalf("marshalled params do not decode: %v", err)
		}
		s := m.NewScorer()
		x := make([]float64, channels)
		for i := 0; i < 16; i++ {
			x[i%channels] = float64(i%5) - 2
			s.Push(x)
		}
	})
}
