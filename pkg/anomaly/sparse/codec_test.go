package sparse

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// validParams fits a tiny model and returns its parameters, decoded into
// the struct so tests can break one thing at a time.
func validParams(t testing.TB) params {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Window, cfg.Atoms, cfg.Sparsity, cfg.Iterations, cfg.MaxBoundaryPoints = 2, 4, 2, 2, 20
	m, err := New(cfg).Fit(coupledSeries(200, 1))
	if err != nil {
		t.Fatal(err)
	}
	return m.(*model).p
}

func clone(t testing.TB, p params) params {
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q params
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestDecodeRejectsBrokenParams(t *testing.T) {
	base := validParams(t)
	cases := []struct {
		name  string
		spoil func(*params)
		want  string
	}{
		{"config", func(p *params) { p.Config.Sparsity = 0 }, "sparsity"},
		{"scaling length", func(p *params) { p.Scaling.Mean = p.Scaling.Mean[:1] }, "scaling"},
		{"zero scale", func(p *params) { p.Scaling.Scale[0] = 0 }, "scale"},
		{"atom count", func(p *params) { p.Dictionary = p.Dictionary[:2] }, "atoms"},
		{"atom length", func(p *params) { p.Dictionary[1] = p.Dictionary[1][:3] }, "values"},
		{"atom norm", func(p *params) { p.Dictionary[0][0] += 0.5 }, "norm"},
		{"feature scale", func(p *params) { p.Features.CoefScale = -1 }, "feature scales"},
		{"gamma", func(p *params) { p.Boundary.Gamma = 0 }, "gamma"},
		{"rho", func(p *params) { p.Boundary.Rho = -1 }, "rho"},
		{"sv count", func(p *params) { p.Boundary.SV = p.Boundary.SV[:1] }, "support vectors"},
		{"no sv", func(p *params) { p.Boundary.SV, p.Boundary.Coef = nil, nil }, "support vectors"},
		{"coef sign", func(p *params) { p.Boundary.Coef[0] = -0.1 }, "coefficient"},
		{"sv length", func(p *params) { p.Boundary.SV[0] = p.Boundary.SV[0][:2] }, "features"},
	}
	for _, c := range cases {
		p := clone(t, base)
		c.spoil(&p)
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decode(3, 1, b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	good, _ := json.Marshal(base)
	for name, b := range map[string][]byte{
		"unknown field": []byte(strings.Replace(string(good), `"config":{`, `"config":{"extra":1,`, 1)),
		"trailing data": append(append([]byte(nil), good...), []byte(` {}`)...),
		"not json":      []byte(`{"config":`),
	} {
		if _, err := decode(3, 1, b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := decode(3, math.NaN(), good); err == nil {
		t.Error("NaN threshold accepted")
	}
	if _, err := decode(2, 1, good); err == nil {
		t.Error("model for 3 channels accepted as 2")
	}
	if _, err := decode(3, 1, good); err != nil {
		t.Errorf("the unbroken parameters: %v", err)
	}
}
