package eval

import (
	"errors"
	"os"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
)

// On the real SMAP data (when present) the cheap detectors must beat the
// random baseline by a wide margin at the event level, and find events at
// all; this guards against a harness that quietly scores nothing.
func TestSharedSMAPBeatsRandom(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 54 channel files")
	}
	root := dataset.Root("")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared telemetry data not at %s", root)
	}
	ds, err := dataset.Load("smap", root)
	if errors.Is(err, dataset.ErrNoData) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	random := Evaluate(ds, NewRandom(RandomSeed))
	for _, m := range []anomaly.Method{anomaly.NewEWMA(), anomaly.NewCUSUM()} {
		r := Evaluate(ds, m)
		if r.FitFailures != 0 || r.Events != 68 || r.Samples != 435826 {
			t.Fatalf("%s: %d fit failures, %d events, %d samples", r.Method, r.FitFailures, r.Events, r.Samples)
		}
		if r.EventF1 < random.EventF1+0.3 || r.Detected < 20 {
			t.Errorf("%s: event F1 %.3f (%d events), random %.3f", r.Method, r.EventF1, r.Detected, random.EventF1)
		}
	}
}
