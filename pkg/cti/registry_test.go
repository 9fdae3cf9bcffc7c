package cti

import "testing"

func TestSameContent(t *testing.T) {
	a := Indicator{ID: "x", Kind: KindPackage, Labels: []string{}, Package: &PackageMatch{Ecosystem: "npm", Name: "p", Versions: []string{}}}
	b := Indicator{ID: "x", Kind: KindPackage, Package: &PackageMatch{Ecosystem: "npm", Name: "p"}}
	if !SameContent(a, b) {
		t.Fatal("nil and empty lists must compare equal")
	}
	if a.Labels == nil || a.Package.Versions == nil {
		t.Fatal("SameContent must not modify its arguments")
	}
	b.Confidence = 1
	if SameContent(a, b) {
		t.Fatal("a changed confidence is a change")
	}
}

func TestMoveSighting(t *testing.T) {
	var s Sightings
	var r Reputation
	MoveSighting(&s, &r, true, +1)
	MoveSighting(&s, &r, true, -1)
	MoveSighting(&s, &r, false, +1)
	MoveSighting(&s, &r, true, -1) // never below zero
	if s != (Sightings{FalsePositive: 1}) || r != (Reputation{FalsePositive: 1}) {
		t.Fatalf("%+v %+v", s, r)
	}
}
