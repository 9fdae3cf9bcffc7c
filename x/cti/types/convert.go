package types

import (
	"github.com/adf-consortium/adf/pkg/cti"
)

// ToDomain converts a wire indicator to pkg/cti's model.
func (in Indicator) ToDomain() cti.Indicator {
	out := cti.Indicator{
		ID:         in.Id,
		SourceID:   in.SourceId,
		Kind:       cti.Kind(in.Kind),
		Value:      in.Value,
		Confidence: in.Confidence,
		Severity:   cti.Severity(in.Severity),
		ValidFrom:  in.ValidFrom,
		ValidUntil: in.ValidUntil,
		Labels:     in.Labels,
		References: in.References,
		Summary:    in.Summary,
		Publisher:  in.Publisher,
	}
	if in.Package != nil {
		out.Package = in.Package.ToDomain()
	}
	return out
}

// ToDomain converts a wire package match.
func (p *PackageMatch) ToDomain() *cti.PackageMatch {
	m := &cti.PackageMatch{
		Ecosystem:   p.Ecosystem,
		Name:        p.Name,
		Versions:    p.Versions,
		AllVersions: p.AllVersions,
	}
	for _, r := range p.Ranges {
		cr := cti.Range{Type: r.Type, Events: make([]cti.Event, len(r.Events))}
		for i, e := range r.Events {
			cr.Events[i] = cti.Event{Introduced: e.Introduced, Fixed: e.Fixed, LastAffected: e.LastAffected, Limit: e.Limit}
		}
		m.Ranges = append(m.Ranges, cr)
	}
	return m
}

// IndicatorFromDomain converts pkg/cti's model to the wire indicator.
func IndicatorFromDomain(in cti.Indicator) Indicator {
	out := Indicator{
		Id:         in.ID,
		SourceId:   in.SourceID,
		Kind:       string(in.Kind),
		Value:      in.Value,
		Confidence: in.Confidence,
		Severity:   string(in.Severity),
		ValidFrom:  in.ValidFrom,
		ValidUntil: in.ValidUntil,
		Labels:     in.Labels,
		References: in.References,
		Summary:    in.Summary,
		Publisher:  in.Publisher,
	}
	if p := in.Package; p != nil {
		m := &PackageMatch{
			Ecosystem:   p.Ecosystem,
			Name:        p.Name,
			Versions:    p.Versions,
			AllVersions: p.AllVersions,
		}
		for _, r := range p.Ranges {
			wr := VersionRange{Type: r.Type, Events: make([]VersionEvent, len(r.Events))}
			for i, e := range r.Events {
				wr.Events[i] = VersionEvent{Introduced: e.Introduced, Fixed: e.Fixed, LastAffected: e.LastAffected, Limit: e.Limit}
			}
			m.Ranges = append(m.Ranges, wr)
		}
		out.Package = m
	}
	return out
}

// ScoreOf converts a domain score.
func ScoreOf(s cti.Score) Score {
	return Score{Total: s.Total, Confidence: s.Confidence, Decay: s.Decay, Reputation: s.Reputation, Sightings: s.Sightings}
}

// ToDomain converts a reputation.
func (r Reputation) ToDomain() cti.Reputation {
	return cti.Reputation{TruePositive: r.TruePositives, FalsePositive: r.FalsePositives}
}

// ScoreParams is the scoring part of the params in pkg/cti's form.
func (p Params) ScoreParams() cti.ScoreParams {
	sp := cti.ScoreParams{
		ReputationPrior:     p.ReputationPrior,
		SightingPrior:       p.SightingPrior,
		FalsePositiveWeight: p.FalsePositiveWeight,
	}
	for _, d := range p.Decay {
		sp.Decay = append(sp.Decay, cti.KindDecay{Kind: cti.Kind(d.Kind), DecayParams: cti.DecayParams{LifetimeSeconds: d.LifetimeSeconds, SpeedMilli: d.SpeedMilli}})
	}
	return sp
}

func (t Thresholds) toDomain() cti.Thresholds {
	return cti.Thresholds{Warn: t.Warn, Hold: t.Hold, Block: t.Block}
}

func thresholdsOf(t cti.Thresholds) Thresholds {
	return Thresholds{Warn: t.Warn, Hold: t.Hold, Block: t.Block}
}

// GatePolicy is the gate policy in pkg/cti's form: the params' thresholds
// and the exceptions, at a policy version.
func (p Params) GatePolicy(version uint64, exceptions []Exception) (cti.GatePolicy, error) {
	gp := cti.GatePolicy{
		Version:         version,
		Default:         p.Thresholds.toDomain(),
		MaliciousBlocks: p.MaliciousBlocks,
	}
	for _, e := range p.Ecosystems {
		gp.Ecosystems = append(gp.Ecosystems, cti.EcosystemThresholds{Ecosystem: e.Ecosystem, Thresholds: e.Thresholds.toDomain()})
	}
	for _, e := range exceptions {
		d, err := e.ToDomain()
		if err != nil {
			return cti.GatePolicy{}, err
		}
		gp.Exceptions = append(gp.Exceptions, d)
	}
	return gp, nil
}

// ToDomain converts an exception; an empty max_decision means hold.
func (e Exception) ToDomain() (cti.Exception, error) {
	md := cti.DecisionHold
	if e.MaxDecision != "" {
		d, err := cti.ParseDecision(e.MaxDecision)
		if err != nil {
			return cti.Exception{}, ErrInvalidException.Wrapf("exception %q: max_decision: %v", e.Id, err)
		}
		md = d
	}
	return cti.Exception{ID: e.Id, Target: e.Target, Reason: e.Reason, Approver: e.Approver, Expires: e.Expires, MaxDecision: md}, nil
}
