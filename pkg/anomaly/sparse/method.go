package sparse

import "github.com/adf-consortium/adf/pkg/anomaly"

type method struct{ cfg Config }

// New returns the sparse-feature method with the given configuration. An
// invalid configuration is reported by Fit.
func New(cfg Config) anomaly.Method { return method{cfg: cfg} }

func (m method) Name() string { return MethodName }
