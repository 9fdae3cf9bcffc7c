// Package dataset loads labelled telemetry for evaluating the anomaly
// detectors: NASA SMAP (Hundman et al., KDD 2018), the Skoltech Anomaly
// Benchmark (SKAB), any CSV with a label column, and a small synthetic
// fixture bundled with the repository so the harness runs end to end
// without the shared data.
package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Series is one stream to evaluate: a detector is fitted on Train (no
// anomalies) and scores Test, whose rows Labels marks anomalous or not.
type Series struct {
	Name    string
	Columns []string
	// TrainKey names the training data: series with the same key share it,
	// so a harness fits one model for all of them.
	TrainKey string
	Train    [][]float64
	Test     [][]float64
	Labels   []bool
}

// Dataset is a set of series evaluated together: metrics add up over them.
type Dataset struct {
	Name   string
	Series []Series
	// Protocol says in a sentence how the data is split and labelled, for
	// reports.
	Protocol string
}

// Rows counts the test rows of all series.
func (d *Dataset) Rows() int {
	n := 0
	for _, s := range d.Series {
		n += len(s.Test)
	}
	return n
}

// ErrNoData is returned when a named dataset's files are not on this machine;
// tests skip on it.
var ErrNoData = errors.New("dataset files not found")

// EnvSharedData names the environment variable pointing at the shared data
// folder (the one holding telemetry/).
const EnvSharedData = "ADF_SHARED_DATA"

// Root returns the telemetry data folder: dir if given, else
// $ADF_SHARED_DATA/telemetry, else ../shared/data/telemetry next to the
// repository holding the working directory (found by walking up to go.mod).
func Root(dir string) string {
	if dir != "" {
		return dir
	}
	if env := os.Getenv(EnvSharedData); env != "" {
		return filepath.Join(env, "telemetry")
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "data", "telemetry")
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "data", "telemetry")
		}
		if filepath.Dir(d) == d {
			return filepath.Join("..", "shared", "data", "telemetry")
		}
	}
}

// Load opens a dataset by name: "smap", "skab", "skab-head", "fixture", or
// the path of a CSV file (see LoadCSV with default options).
func Load(name, root string) (*Dataset, error) { return LoadWith(name, root, CSVOptions{}) }

// LoadWith is Load with the options for a CSV file (ignored for the named
// datasets).
func LoadWith(name, root string, csv CSVOptions) (*Dataset, error) {
	switch name {
	case "smap":
		return LoadSMAP(filepath.Join(root, "smap"), SMAPOptions{})
	case "skab":
		return LoadSKAB(filepath.Join(root, "skab"), SKABTrainAnomalyFree)
	case "skab-head":
		return LoadSKAB(filepath.Join(root, "skab"), SKABTrainHead)
	case "fixture":
		return Fixture()
	}
	f, err := os.Open(name)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("dataset %q: not smap, skab, skab-head or fixture, and no such file", name)
		}
		return nil, err
	}
	defer f.Close()
	return LoadCSV(f, filepath.Base(name), csv)
}
