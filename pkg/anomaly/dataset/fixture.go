package dataset

import (
	"bytes"
	_ "embed"
)

//go:generate go run ./internal/genfixture -o fixture.csv

// fixtureCSV is synthetic (see internal/genfixture): small enough to ship, so
// the harness runs end to end in CI without the shared data.
//
//go:embed fixture.csv
var fixtureCSV []byte

// Fixture returns the bundled synthetic dataset: 1,500 training rows and
// 3,500 test rows of three channels with eight labelled faults.
func Fixture() (*Dataset, error) {
	d, err := LoadCSV(bytes.NewReader(fixtureCSV), "fixture", CSVOptions{Columns: []string{"vibration", "pressure", "temperature"}, TrainFraction: 0.3})
	if err != nil {
		return nil, err
	}
	d.Protocol = "synthetic (pkg/anomaly/dataset/internal/genfixture): " + d.Protocol
	return d, nil
}
