package anomaly

import "fmt"

// peakHold reports the largest of the last n scores it was given: once a
// score crosses the threshold the alarm stays up for n samples. One fault
// whose score dips below the threshold for a moment then gives one alarm
// instead of several, which is what an operator (and the event-level count
// of false alarms) wants; the price is n−1 samples of alarm after the fault
// ends. n ≤ 1 passes scores through.
type peakHold struct {
	n    int
	t    int
	idx  []int // candidate maxima: indices with decreasing values
	val  []float64
	head int
}

func newPeakHold(n int) *peakHold { return &peakHold{n: n} }

func (h *peakHold) push(v float64) float64 {
	if h.n <= 1 {
		return v
	}
	// Drop candidates that v dominates, then those that left the window.
	for len(h.val) > h.head && h.val[len(h.val)-1] <= v {
		h.val, h.idx = h.val[:len(h.val)-1], h.idx[:len(h.idx)-1]
	}
	h.val, h.idx = append(h.val, v), append(h.idx, h.t)
	for h.idx[h.head] <= h.t-h.n {
		h.head++
	}
	if h.head > 2*h.n { // reclaim the consumed front now and then
		h.val, h.idx = append(h.val[:0], h.val[h.head:]...), append(h.idx[:0], h.idx[h.head:]...)
		h.head = 0
	}
	h.t++
	return h.val[h.head]
}

func checkHold(method string, hold int) error {
	if hold < 0 || hold > maxWindow {
		return fmt.Errorf("anomaly: %s hold %d, want 0 to %d", method, hold, maxWindow)
	}
	return nil
}
