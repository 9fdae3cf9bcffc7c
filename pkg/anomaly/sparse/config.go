package sparse

import (
	"fmt"
	"math"
)

// MethodName is the name models of this package carry in their encoding.
const MethodName = "sparse"

// Config holds the hyper-parameters of the sparse-feature detector. The zero
// value is not usable; start from DefaultConfig.
type Config struct {
	// Window is the number of consecutive samples in one window.
	Window int `json:"window"`
	// Stride is how many samples pass between two scored windows. The
	// scorer repeats the last window's score for the samples in between.
	Stride int `json:"stride"`
	// Atoms is the number of dictionary atoms (columns of D).
	Atoms int `json:"atoms"`
	// Sparsity is the largest number of atoms OMP may use for one window.
	Sparsity int `json:"sparsity"`
	// Iterations bounds the K-SVD sweeps.
	Iterations int `json:"iterations"`
	// MaxTrainWindows caps the windows K-SVD learns from; longer series are
	// subsampled evenly so fit time stays bounded.
	MaxTrainWindows int `json:"max_train_windows"`
	// MaxBoundaryPoints caps the feature vectors the one-class SVM is trained
	// on; the support vectors are a subset of them, so this bounds scoring
	// cost too.
	MaxBoundaryPoints int `json:"max_boundary_points"`
	// Nu is the one-class SVM's upper bound on the fraction of training
	// points outside the boundary (and lower bound on support vectors).
	Nu float64 `json:"nu"`
	// Gamma is the RBF kernel width exp(-Gamma*|a-b|^2) on standardised
	// features; 0 picks 1/median of pairwise squared distances at fit time.
	Gamma float64 `json:"gamma"`
	// Holdout is the fraction of the training series (its tail) held out
	// to calibrate the threshold.
	Holdout float64 `json:"holdout"`
	// Quantile of the held-out scores that becomes the threshold.
	Quantile float64 `json:"quantile"`
	// Margin is added to that quantile, in units of the held-out scores'
	// interquartile range, so the threshold sits a little outside what
	// normal data reached.
	Margin float64 `json:"margin"`
	// MinMargin is the least that is added to the quantile, in score units
	// (the score is a log ratio, so 1 means a kernel expansion e times
	// weaker than on the boundary). Without it a held-out tail in which
	// nothing moves (IQR 0) puts the threshold on the last normal score.
	MinMargin float64 `json:"min_margin"`
	// Persist is how many consecutive window scores must all be high: the
	// scorer reports the minimum of the last Persist window scores. A real
	// anomaly lies in Window overlapping windows and keeps them all high; a
	// normal window that grazes the boundary once does not. On the SMAP
	// training split (tune_test.go) Persist 4 with Hold 16 cut false alarm
	// runs from 19 to 5. 1 turns the filter off; the price is Persist-1
	// samples of extra delay.
	Persist int `json:"persist"`
	// Hold keeps an alarm up: the reported score is the maximum of the last
	// Hold persistence-filtered scores, so one anomaly that dips below the
	// threshold briefly still gives one alarm, not several. 1 turns it off.
	Hold int `json:"hold"`
	// Center removes each channel's mean within a window before coding, so
	// the dictionary and boundary see shapes and relations between channels,
	// not levels. A level change is then seen at its edges (the windows that
	// straddle it) rather than for as long as it lasts, and a deployment
	// whose levels are offset from training (SMAP's test files are scaled
	// apart from their training files) does not alarm throughout.
	Center bool `json:"center"`
	// Refit, after the threshold is set, learns the model again from the
	// whole training series, held-out tail included, and keeps that
	// threshold: the final model has seen more normal behaviour, at twice
	// the fit time.
	Refit bool `json:"refit"`
	// Seed drives the only randomness: random atoms where the training data
	// has too few distinct windows to start from or to replace an unused
	// atom with.
	Seed int64 `json:"seed"`
}

// DefaultConfig returns the configuration used when none is given.
func DefaultConfig() Config {
	// Chosen on SMAP training data only (tune_test.go): each channel's
	// training series split 70/30, injected spikes, level shifts and noise
	// bursts in the 30 % part, false alarms counted on it clean.
	return Config{
		Window:            16,
		Stride:            1,
		Atoms:             48,
		Sparsity:          2,
		Iterations:        15,
		MaxTrainWindows:   3000,
		MaxBoundaryPoints: 1500,
		Nu:                0.2,
		Gamma:             0,
		Holdout:           0.25,
		Quantile:          1,
		Margin:            2,
		MinMargin:         2,
		Persist:           4,
		Hold:              16,
		Refit:             true,
		Seed:              1,
	}
}

// Validate reports the first hyper-parameter that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Window < 1 || c.Window > 4096:
		return fmt.Errorf("sparse: window %d outside [1, 4096]", c.Window)
	case c.Stride < 1 || c.Stride > c.Window:
		return fmt.Errorf("sparse: stride %d outside [1, window=%d]", c.Stride, c.Window)
	case c.Atoms < 2 || c.Atoms > 1024:
		return fmt.Errorf("sparse: atoms %d outside [2, 1024]", c.Atoms)
	case c.Sparsity < 1 || c.Sparsity > c.Atoms:
		return fmt.Errorf("sparse: sparsity %d outside [1, atoms=%d]", c.Sparsity, c.Atoms)
	case c.Iterations < 0 || c.Iterations > 1000:
		return fmt.Errorf("sparse: iterations %d outside [0, 1000]", c.Iterations)
	case c.MaxTrainWindows < c.Atoms:
		return fmt.Errorf("sparse: max_train_windows %d below atoms %d", c.MaxTrainWindows, c.Atoms)
	case c.MaxBoundaryPoints < 10 || c.MaxBoundaryPoints > 4000:
		return fmt.Errorf("sparse: max_boundary_points %d outside [10, 4000]", c.MaxBoundaryPoints)
	case !(c.Nu > 0 && c.Nu <= 1):
		return fmt.Errorf("sparse: nu %v outside (0, 1]", c.Nu)
	case !(c.Gamma >= 0) || math.IsInf(c.Gamma, 0):
		return fmt.Errorf("sparse: gamma %v must be finite and >= 0", c.Gamma)
	case !(c.Holdout > 0 && c.Holdout < 0.9):
		return fmt.Errorf("sparse: holdout %v outside (0, 0.9)", c.Holdout)
	case !(c.Quantile > 0 && c.Quantile <= 1):
		return fmt.Errorf("sparse: quantile %v outside (0, 1]", c.Quantile)
	case !(c.MinMargin >= 0) || math.IsInf(c.MinMargin, 0):
		return fmt.Errorf("sparse: min_margin %v must be finite and >= 0", c.MinMargin)
	case c.Persist < 1 || c.Persist > 4096:
		return fmt.Errorf("sparse: persist %d outside [1, 4096]", c.Persist)
	case c.Hold < 1 || c.Hold > 4096:
		return fmt.Errorf("sparse: hold %d outside [1, 4096]", c.Hold)
	case !(c.Margin >= 0) || math.IsInf(c.Margin, 0):
		return fmt.Errorf("sparse: margin %v must be finite and >= 0", c.Margin)
	}
	return nil
}
