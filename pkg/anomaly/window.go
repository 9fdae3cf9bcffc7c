package anomaly

import "slices"

// slidingOrder keeps the last n values of a channel both in arrival order (a
// ring, to know which value leaves) and sorted (to read order statistics).
// An update costs a binary search plus one memmove of at most n floats, and
// the median and MAD are read without sorting anything.
type slidingOrder struct {
	ring   []float64
	next   int // ring slot the next value goes to
	full   bool
	sorted []float64
}

func newSlidingOrder(n int) *slidingOrder {
	return &slidingOrder{ring: make([]float64, n), sorted: make([]float64, 0, n)}
}

func (s *slidingOrder) len() int { return len(s.sorted) }

// push adds v, dropping the oldest value once n are held.
func (s *slidingOrder) push(v float64) {
	if s.full {
		old := s.ring[s.next]
		i, _ := slices.BinarySearch(s.sorted, old) // old is present: first index ≥ old holds it
		copy(s.sorted[i:], s.sorted[i+1:])
		s.sorted = s.sorted[:len(s.sorted)-1]
	}
	s.ring[s.next] = v
	s.next++
	if s.next == len(s.ring) {
		s.next = 0
		s.full = true
	}
	i, _ := slices.BinarySearch(s.sorted, v)
	s.sorted = append(s.sorted, 0)
	copy(s.sorted[i+1:], s.sorted[i:])
	s.sorted[i] = v
}

// median of the held values; the mean of the middle two for an even count.
func (s *slidingOrder) median() float64 {
	n := len(s.sorted)
	if n%2 == 1 {
		return s.sorted[n/2]
	}
	return (s.sorted[n/2-1] + s.sorted[n/2]) / 2
}

// mad is the median absolute deviation from m = median(). The deviations of
// the values below the middle, read from the middle outwards, and of the values
// from the middle up are two ascending sequences; the MAD is the middle of
// their union, found by a binary search instead of a merge.
func (s *slidingOrder) mad(m float64) float64 {
	n := len(s.sorted)
	if n%2 == 1 {
		return s.kthDeviation(n/2, m)
	}
	return (s.kthDeviation(n/2-1, m) + s.kthDeviation(n/2, m)) / 2
}

// kthDeviation returns the k-th smallest (0-based) of |x - m| over the held
// values, m being the median.
func (s *slidingOrder) kthDeviation(k int, m float64) float64 {
	x := s.sorted
	p := len(x) / 2
	a, b := p, len(x)-p // lower half (read downwards), upper half (read upwards)
	// Deviation i of the lower half is m - x[p-1-i]; deviation j of the
	// upper half is x[p+j] - m. Take i values from the lower half and k+1-i
	// from the upper half; find the smallest i whose next lower deviation is
	// not below the last upper one.
	lo, hi := max(0, k+1-b), min(a, k+1)
	for lo < hi {
		i := (lo + hi) / 2
		if m-x[p-1-i] < x[p+k-i]-m {
			lo = i + 1
		} else {
			hi = i
		}
	}
	i, j := lo, k+1-lo
	var out float64
	if i > 0 {
		out = m - x[p-i]
	}
	if j > 0 && x[p+j-1]-m > out {
		out = x[p+j-1] - m
	}
	return out
}
