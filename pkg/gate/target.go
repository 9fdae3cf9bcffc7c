package gate

import (
	"fmt"

	"github.com/adf-consortium/adf/pkg/purl"
)

// Target is a package the gate decides on: a purl with an exact version,
// read once so that the chain's query, the Fabric chaincode and the offline
// gate key and match it alike.
type Target struct {
	Ecosystem string // OSV ecosystem
	Name      string // OSV package name
	Version   string
	// NoVersion and WithVersion are the canonical purl without and with
	// its version (qualifiers and subpath dropped): what exceptions name.
	NoVersion   string
	WithVersion string
}

// ParseTarget reads a purl for the gate. Its error is a sentence for the
// result of that purl: one bad line of a manifest must not hide the verdict
// on the others.
func ParseTarget(s string) (Target, error) {
	p, err := purl.Parse(s)
	if err != nil {
		return Target{}, err
	}
	eco, name, err := p.Ecosystem()
	if err != nil {
		return Target{}, err
	}
	if p.Version == "" {
		return Target{}, fmt.Errorf("%s has no version: the gate decides on exact versions", s)
	}
	withVersion := purl.PURL{Type: p.Type, Namespace: p.Namespace, Name: p.Name, Version: p.Version}
	noVersion := withVersion
	noVersion.Version = ""
	return Target{Ecosystem: eco, Name: name, Version: p.Version, NoVersion: noVersion.String(), WithVersion: withVersion.String()}, nil
}
