package cti

import "reflect"

// Registry rules shared by x/cti and the Fabric chaincode: when a
// re-published indicator counts as unchanged, and how a sighting moves the
// counters of the indicator and of its publisher.

// SameContent reports whether two revisions of an indicator say the same
// thing, treating nil and empty lists alike, so an identical re-import is
// recognised as unchanged and makes no new revision.
func SameContent(a, b Indicator) bool {
	return reflect.DeepEqual(contentOf(a), contentOf(b))
}

func contentOf(in Indicator) Indicator {
	if len(in.Labels) == 0 {
		in.Labels = nil
	}
	if len(in.References) == 0 {
		in.References = nil
	}
	if in.Package != nil {
		p := *in.Package
		if len(p.Versions) == 0 {
			p.Versions = nil
		}
		if len(p.Ranges) == 0 {
			p.Ranges = nil
		}
		in.Package = &p
	}
	return in
}

// MoveSighting adds delta (+1 or -1) to the true- or false-positive
// counters of an indicator and of its publisher. Each organisation counts
// once per indicator: a changed verdict is a -1 on the old side and a +1
// on the new. Decrements never go below zero.
func MoveSighting(s *Sightings, rep *Reputation, truePositive bool, delta int) {
	if truePositive {
		s.TruePositive = step32(s.TruePositive, delta)
		rep.TruePositive = step64(rep.TruePositive, delta)
		return
	}
	s.FalsePositive = step32(s.FalsePositive, delta)
	rep.FalsePositive = step64(rep.FalsePositive, delta)
}

func step32(x uint32, delta int) uint32 {
	switch {
	case delta > 0:
		return x + 1
	case x > 0:
		return x - 1
	}
	return x
}

func step64(x uint64, delta int) uint64 {
	switch {
	case delta > 0:
		return x + 1
	case x > 0:
		return x - 1
	}
	return x
}
