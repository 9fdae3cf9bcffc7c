package cti

import (
	"fmt"
	"sort"
	"strings"
)

// ReputationFactor is the reputation factor EffectiveScore applies for a
// publisher, in basis points.
func ReputationFactor(rep Reputation, p ScoreParams) uint32 {
	return EffectiveScore(&Indicator{Confidence: MaxConfidence}, 0, 0, Sightings{}, rep, ScoreParams{
		ReputationPrior: p.ReputationPrior, SightingPrior: p.SightingPrior, FalsePositiveWeight: p.FalsePositiveWeight,
	}).Reputation
}

// Candidate is an active indicator indexed under the key being matched,
// with the registry state its score needs.
type Candidate struct {
	Indicator   *Indicator
	PublishedAt int64
	Sightings   Sightings
}

// Evaluator decides packages and observables at one point in time under
// one policy: the chain's query and the offline gate both use it, so they
// reach the same verdict from the same state.
type Evaluator struct {
	Now    int64
	Params ScoreParams
	Policy GatePolicy
	// Reputation returns a publisher's counters.
	Reputation func(org string) (Reputation, error)
}

// Evaluated is the verdict on one package or observable, with the scored
// matches (by indicator id) and what could not be evaluated.
type Evaluated struct {
	Verdict  Verdict
	Matches  map[string]Match
	Problems []string
}

// EvaluatePackage decides one package version against the candidates
// indexed under its package key. A candidate whose ranges cannot be
// compared with the version (an unparsable version for the ecosystem) is a
// problem, and the package is at least warned: never a silent pass.
func (e Evaluator) EvaluatePackage(ecosystem, version, purlNoVersion, purlWithVersion string, cands []Candidate) (Evaluated, error) {
	out := Evaluated{Matches: map[string]Match{}}
	var matches []Match
	for _, c := range cands {
		if c.Indicator == nil || c.Indicator.Package == nil {
			continue
		}
		ok, err := c.Indicator.Package.Affects(version)
		if err != nil {
			out.Problems = append(out.Problems, fmt.Sprintf("%s (%s): %v", c.Indicator.ID, c.Indicator.SourceID, err))
			continue
		}
		if !ok {
			continue
		}
		m, err := e.score(c)
		if err != nil {
			return out, err
		}
		matches = append(matches, m)
		out.Matches[c.Indicator.ID] = m
	}
	out.Verdict = e.Policy.Decide(ecosystem, purlNoVersion, purlWithVersion, matches, e.Now)
	if len(out.Problems) > 0 && out.Verdict.Decision < DecisionWarn {
		out.Verdict.Decision = DecisionWarn
	}
	sort.Strings(out.Problems)
	return out, nil
}

// EvaluateValue decides an observable against every candidate (the caller
// found them under the value's keys: itself, parent domains, covering
// prefixes).
func (e Evaluator) EvaluateValue(cands []Candidate) (Evaluated, error) {
	out := Evaluated{Matches: map[string]Match{}}
	var matches []Match
	for _, c := range cands {
		if c.Indicator == nil {
			continue
		}
		if _, dup := out.Matches[c.Indicator.ID]; dup {
			continue
		}
		m, err := e.score(c)
		if err != nil {
			return out, err
		}
		matches = append(matches, m)
		out.Matches[c.Indicator.ID] = m
	}
	out.Verdict = e.Policy.Decide("", "", "", matches, e.Now)
	return out, nil
}

func (e Evaluator) score(c Candidate) (Match, error) {
	var rep Reputation
	if e.Reputation != nil {
		r, err := e.Reputation(c.Indicator.Publisher)
		if err != nil {
			return Match{}, err
		}
		rep = r
	}
	return Match{Indicator: c.Indicator, Score: EffectiveScore(c.Indicator, c.PublishedAt, e.Now, c.Sightings, rep, e.Params)}, nil
}

// ValueKeys lists the index keys an observable matches under: the value
// itself, each parent domain of a domain (a.b.evil.com matches evil.com),
// each covering prefix of an IP address. It returns the normalised value.
func ValueKeys(kind Kind, value string) ([]string, string, error) {
	norm, err := NormalizeValue(kind, value)
	if err != nil {
		return nil, "", err
	}
	key := func(v string) string { return string(kind) + "/" + v }
	keys := []string{key(norm)}
	switch kind {
	case KindDomain:
		labels := strings.Split(norm, ".")
		for i := 1; i+2 <= len(labels); i++ {
			keys = append(keys, key(strings.Join(labels[i:], ".")))
		}
	case KindIP:
		if strings.Contains(norm, "/") {
			break // a prefix matches indicators on itself only
		}
		a, err := parseAddr(norm)
		if err != nil {
			return nil, "", err
		}
		for bits := a.BitLen() - 1; bits >= 0; bits-- {
			pfx, err := a.Prefix(bits)
			if err != nil {
				return nil, "", err
			}
			keys = append(keys, key(pfx.String()))
		}
	}
	return keys, norm, nil
}
