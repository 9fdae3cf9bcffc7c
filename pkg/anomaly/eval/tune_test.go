package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
)

func wave(n int, phase float64) [][]float64 {
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = []float64{math.Sin(float64(i)/9+phase) + 0.01*math.Cos(float64(i)*1.7)}
	}
	return rows
}

func TestValidationUsesTrainingRowsOnly(t *testing.T) {
	test := wave(3000, 0)
	for i := range test {
		test[i][0] = 1e9 // if any of this reaches validation, the check below sees it
	}
	ds := &dataset.Dataset{Name: "d", Series: []dataset.Series{
		{Name: "a", TrainKey: "k", Train: wave(2000, 0), Test: test, Labels: make([]bool, 3000)},
		{Name: "b", TrainKey: "k", Train: wave(2000, 0), Test: test, Labels: make([]bool, 3000)},
		{Name: "c", TrainKey: "other", Train: wave(1000, 1), Test: test, Labels: make([]bool, 3000)},
	}}
	v := Validation(ds, 1)
	if len(v.Series) != 2 {
		t.Fatalf("%d validation series, want one per training key", len(v.Series))
	}
	s := v.Series[0]
	if len(s.Train) != 1200 || len(s.Test) != 800 || len(s.Labels) != 800 {
		t.Fatalf("split %d/%d", len(s.Train), len(s.Test))
	}
	faults := len(Runs(s.Labels))
	if faults != 2 { // one per 400 validation rows
		t.Errorf("%d faults, want 2", faults)
	}
	for i, r := range s.Test {
		if math.Abs(r[0]) > 100 {
			t.Fatalf("validation row %d is %v: test data leaked", i, r[0])
		}
		if s.Labels[i] && i < 200 {
			t.Errorf("fault at %d, inside the first quarter", i)
		}
	}
	// Training rows are copied before faults go in.
	if ds.Series[0].Train[1500][0] != wave(2000, 0)[1500][0] {
		t.Error("Validation changed the dataset's training rows")
	}
	// Same seed, same faults; another seed, others.
	again := Validation(ds, 1).Series[0]
	other := Validation(ds, 2).Series[0]
	same, diff := true, false
	for i := range s.Test {
		same = same && again.Test[i][0] == s.Test[i][0] && again.Labels[i] == s.Labels[i]
		diff = diff || other.Test[i][0] != s.Test[i][0]
	}
	if !same || !diff {
		t.Errorf("seeding: same %v, differs with another seed %v", same, diff)
	}
}

func TestTunePicksTheCandidateThatFindsTheFaults(t *testing.T) {
	var series []dataset.Series
	for k := range 6 {
		series = append(series, dataset.Series{Name: string(rune('a' + k)), TrainKey: string(rune('a' + k)), Train: wave(4000, float64(k))})
	}
	val := Validation(&dataset.Dataset{Name: "w", Series: series}, 3)
	c := Tune(val, anomaly.NewPCA(), EventF1)
	if c.Candidates != len(Candidates(anomaly.NewPCA())) || c.Candidates < 10 {
		t.Fatalf("%d candidates", c.Candidates)
	}
	// No candidate does better on the validation data than the chosen one.
	for _, m := range Candidates(anomaly.NewPCA()) {
		if r := Evaluate(val, m); r.EventF1 > c.Validation.EventF1 {
			t.Errorf("%s scores %v, above the chosen %s at %v", Settings(m), r.EventF1, c.Settings, c.Validation.EventF1)
		}
	}
	if c.Validation.EventF1 < 0.5 || !strings.Contains(c.Settings, `"window"`) {
		t.Errorf("chose %s with event F1 %v", c.Settings, c.Validation.EventF1)
	}
	// Methods without a grid are returned as they are.
	if c := Tune(val, NewRandom(1), PointF1); c.Candidates != 1 || c.Method.Name() != MethodRandom {
		t.Errorf("%+v", c)
	}
}

// ValidationScored puts faults into the scored columns only; the input
// columns after them reach validation unchanged.
func TestValidationScoredLeavesInputsAlone(t *testing.T) {
	train := wave(4000, 0)
	for i := range train {
		train[i] = append(train[i], float64(i%3), float64(i%7)) // two input columns
	}
	ds := &dataset.Dataset{Name: "d", Series: []dataset.Series{{Name: "a", TrainKey: "a", Train: train, Test: train, Labels: make([]bool, len(train))}}}
	s := ValidationScored(ds, 1, 1).Series[0]
	changed := 0
	for i, r := range s.Test {
		orig := train[len(s.Train)+i]
		if r[1] != orig[1] || r[2] != orig[2] {
			t.Fatalf("input column changed at validation row %d: %v, was %v", i, r, orig)
		}
		if r[0] != orig[0] {
			changed++
		}
	}
	if changed == 0 || len(Runs(s.Labels)) != 4 {
		t.Errorf("%d c0 values changed, %d faults; want faults in c0", changed, len(Runs(s.Labels)))
	}
	// With every column scored it is Validation.
	all, v := ValidationScored(ds, 1, 0).Series[0], Validation(ds, 1).Series[0]
	for i := range v.Test {
		for c := range v.Test[i] {
			if all.Test[i][c] != v.Test[i][c] {
				t.Fatalf("ValidationScored(…, 0) differs from Validation at %d/%d", i, c)
			}
		}
	}
}
