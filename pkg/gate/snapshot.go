package gate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/adf-consortium/adf/pkg/cti"
)

// SnapshotState is the registry state an offline gate needs besides the
// indicators, carried in a snapshot header's policy field (`adf cti
// export` writes it): the block time to score at, the score params, the gate
// policy with its exceptions, and the sparse sighting counters and publisher
// reputations. Indicators are exported with ValidFrom raised to
// max(ValidFrom, published_at), where the chain starts their decay, so
// scoring them with published_at 0 at Time gives the chain's scores.
type SnapshotState struct {
	Time        int64                     `json:"time"`
	Params      cti.ScoreParams           `json:"score_params"`
	Policy      cti.GatePolicy            `json:"gate_policy"`
	Sightings   map[string]cti.Sightings  `json:"sightings,omitempty"`
	Reputations map[string]cti.Reputation `json:"reputations,omitempty"`
}

// AnswersFromSnapshot answers purls from a snapshot read by
// cti.ReadSnapshot with the chain's rules (cti.Evaluator at the snapshot's
// block time): the verdict the chain gave at the snapshot's height.
func AnswersFromSnapshot(h cti.SnapshotHeader, idx *cti.Index, purls []string) (Answers, error) {
	var st SnapshotState
	if err := json.Unmarshal(h.Policy, &st); err != nil || st.Time == 0 {
		return Answers{}, fmt.Errorf("snapshot of %s at height %d carries no gate state (not written by adf cti export?): %v", h.ChainID, h.Height, err)
	}
	ev := cti.Evaluator{Now: st.Time, Params: st.Params, Policy: st.Policy, Reputation: func(org string) (cti.Reputation, error) {
		return st.Reputations[org], nil
	}}
	a := Answers{Source: "snapshot", ChainID: h.ChainID, Height: h.Height, Time: st.Time, PolicyVersion: h.PolicyVersion,
		Results: make(map[string]PackageResult, len(purls))}
	for _, s := range purls {
		res := PackageResult{PURL: s, Decision: cti.DecisionPass.String()}
		t, err := ParseTarget(s)
		if err != nil {
			res.Error = err.Error()
			a.Results[s] = res
			continue
		}
		// Unevaluable candidates go to the Evaluator too: it reports them
		// as problems and warns, as the chain does, instead of passing.
		hits, bad := idx.MatchPackageChecked(t.Ecosystem, t.Name, t.Version)
		var cands []cti.Candidate
		for _, in := range append(hits, bad...) {
			cands = append(cands, cti.Candidate{Indicator: in, Sightings: st.Sightings[in.ID]})
		}
		evd, err := ev.EvaluatePackage(t.Ecosystem, t.Version, t.NoVersion, t.WithVersion, cands)
		if err != nil {
			return a, err
		}
		res.Decision = evd.Verdict.Decision.String()
		if len(evd.Problems) > 0 {
			res.Error = "cannot compare the version with: " + strings.Join(evd.Problems, "; ")
		}
		for _, rsn := range evd.Verdict.Reasons {
			m := evd.Matches[rsn.IndicatorID]
			in := m.Indicator
			res.Matches = append(res.Matches, Match{
				IndicatorID: in.ID, SourceID: in.SourceID, Publisher: in.Publisher, Summary: in.Summary, Labels: in.Labels,
				References: in.References, Score: m.Score.Total, Decision: rsn.Decision.String(), Why: rsn.Why, ExceptionID: rsn.ExceptionID,
			})
		}
		a.Results[s] = res
	}
	return a, nil
}
