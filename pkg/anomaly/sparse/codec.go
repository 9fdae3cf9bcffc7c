package sparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"gonum.org/v1/gonum/floats"
)

func init() {
	anomaly.RegisterDecoder(MethodName, decode)
}

// Limits on decoded models: generous for real use, small enough that a
// hostile model cannot make the decoder or a scorer allocate without bound.
const (
	maxChannels = 4096
	maxDim      = 1 << 20
)

// decode rebuilds a model from MarshalParams output, checking every shape
// and value, so that a scorer built from it can never index out of range or
// compute with NaN.
func decode(channels int, threshold float64, raw []byte) (anomaly.Model, error) {
	if channels <= 0 || channels > maxChannels {
		return nil, fmt.Errorf("sparse: %d channels outside [1, %d]", channels, maxChannels)
	}
	if !finite(threshold) {
		return nil, fmt.Errorf("sparse: threshold %v is not finite", threshold)
	}
	var p params
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("sparse: model parameters: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("sparse: model parameters: trailing data")
	}
	if err := p.Config.Validate(); err != nil {
		return nil, err
	}
	if err := p.Scaling.validate(channels); err != nil {
		return nil, err
	}
	dim := p.Config.Window * channels
	if dim > maxDim {
		return nil, fmt.Errorf("sparse: window %d × %d channels exceeds %d values", p.Config.Window, channels, maxDim)
	}
	K := p.Config.Atoms
	if len(p.Dictionary) != K {
		return nil, fmt.Errorf("sparse: dictionary has %d atoms, config says %d", len(p.Dictionary), K)
	}
	flat := make([]float64, 0, K*dim)
	for k, a := range p.Dictionary {
		if len(a) != dim {
			return nil, fmt.Errorf("sparse: atom %d has %d values, want %d", k, len(a), dim)
		}
		if !allFinite(a) {
			return nil, fmt.Errorf("sparse: atom %d has a non-finite value", k)
		}
		// OMP's Cholesky updates assume unit-norm atoms.
		if n := floats.Norm(a, 2); math.Abs(n-1) > 1e-6 {
			return nil, fmt.Errorf("sparse: atom %d has norm %v, want 1", k, n)
		}
		flat = append(flat, a...)
	}
	f := p.Features
	if !finite(f.CoefScale) || !finite(f.ResidualScale) || f.CoefScale <= 0 || f.ResidualScale <= 0 {
		return nil, fmt.Errorf("sparse: feature scales %v, %v must be finite and positive", f.CoefScale, f.ResidualScale)
	}
	b := p.Boundary
	if !finite(b.Gamma) || b.Gamma <= 0 || !finite(b.Rho) || b.Rho <= 0 {
		return nil, fmt.Errorf("sparse: boundary gamma %v, rho %v", b.Gamma, b.Rho)
	}
	if len(b.SV) == 0 || len(b.SV) != len(b.Coef) {
		return nil, fmt.Errorf("sparse: boundary has %d support vectors and %d coefficients", len(b.SV), len(b.Coef))
	}
	for i, c := range b.Coef {
		if !finite(c) || c <= 0 {
			return nil, fmt.Errorf("sparse: boundary coefficient %d is %v, want finite and positive", i, c)
		}
	}
	for i, sv := range b.SV {
		if len(sv) != K+1 {
			return nil, fmt.Errorf("sparse: support vector %d has %d features, want %d", i, len(sv), K+1)
		}
		if !allFinite(sv) {
			return nil, fmt.Errorf("sparse: support vector %d has a non-finite value", i)
		}
	}
	return &model{p: p, channels: channels, threshold: threshold, dict: newDictionary(dim, K, flat)}, nil
}
