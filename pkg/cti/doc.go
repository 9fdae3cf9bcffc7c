// Package cti is ADF's chain-agnostic threat-intelligence core: indicators
// and their validation, package-version matching, MISP-style decay,
// publisher reputation, effective scores and the staged gate policy.
//
// It imports neither the Cosmos SDK nor Fabric, so x/cti, `adf cti import`
// and the offline `adf gate --snapshot` (and a Fabric chaincode deployment
// of the same registry) reach the same verdict for the same indicators at
// the same time. Everything that
// feeds a state transition is integer arithmetic on unix seconds.
package cti
