package sparse

import (
	"errors"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

type method struct{ cfg Config }

// New returns the sparse-feature method with the given configuration. An
// invalid configuration is reported by Fit.
func New(cfg Config) anomaly.Method { return method{cfg: cfg} }

func (m method) Name() string { return MethodName }

func (m method) Fit(train [][]float64) (anomaly.Model, error) {
	if err := m.cfg.Validate(); err != nil {
		return nil, err
	}
	return nil, errors.New("sparse: not implemented yet")
}

func init() {
	anomaly.RegisterDecoder(MethodName, decode)
}

func decode(channels int, threshold float64, params []byte) (anomaly.Model, error) {
	return nil, errors.New("sparse: decoder not implemented yet")
}
