package sparse

import (
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

func TestDetectsCouplingBreakAndSpike(t *testing.T) {
	train := coupledSeries(3000, 1)
	test := coupledSeries(2000, 2)
	breakCoupling(test, 800, 880)
	test[1500][2] += 4 // a spike well outside channel 2's range

	// The coupling break must be invisible to a per-channel range check.
	for j := 0; j < 3; j++ {
		lo, hi := channelRange(train, j)
		for i := 800; i < 880; i++ {
			if v := test[i][j]; v < lo-0.1 || v > hi+0.1 {
				t.Fatalf("construction: channel %d leaves its training range at %d (%v not in [%v, %v])", j, i, v, lo, hi)
			}
		}
	}

	m, err := New(DefaultConfig()).Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	scores := anomaly.ScoreAll(m, test)
	th := m.Threshold()
	w := DefaultConfig().Window

	flagged := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			if scores[i] > th {
				n++
			}
		}
		return n
	}
	if n := flagged(800+w, 880); n < (880-800-w)/2 {
		t.Errorf("coupling break: %d of %d windows inside it above threshold %v", n, 880-800-w, th)
	}
	if n := flagged(1500, 1500+w); n == 0 {
		t.Errorf("spike: no window containing it above threshold %v", th)
	}
	normal := flagged(w, 780) + flagged(900, 1480)
	if rate := float64(normal) / float64(780-w+1480-900); rate > 0.02 {
		t.Errorf("false alarm rate on normal stretches %.3f > 0.02", rate)
	}
	t.Logf("threshold %.4f, break flagged %d/%d, normal flagged %d", th, flagged(800+w, 880), 880-800-w, normal)
}
