package keeper

import (
	"context"
	"fmt"
	"strings"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/gate"
	"github.com/adf-consortium/adf/x/cti/types"
)

// matcher answers match queries against the state of one height with
// pkg/cti's Evaluator: the same code the offline gate runs on a snapshot.
type matcher struct {
	k    Keeper
	eval cti.Evaluator
	reps map[string]cti.Reputation
}

func (k Keeper) newMatcher(ctx context.Context) (*matcher, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	now, err := k.now(ctx)
	if err != nil {
		return nil, err
	}
	version, err := k.policyVersion(ctx)
	if err != nil {
		return nil, err
	}
	exc, err := k.exceptions(ctx)
	if err != nil {
		return nil, err
	}
	gp, err := params.GatePolicy(version, exc)
	if err != nil {
		return nil, err
	}
	m := &matcher{k: k, reps: map[string]cti.Reputation{}}
	// Reputations are cached per query: the state does not change during it.
	m.eval = cti.Evaluator{Now: now, Params: params.ScoreParams(), Policy: gp, Reputation: func(org string) (cti.Reputation, error) {
		if r, ok := m.reps[org]; ok {
			return r, nil
		}
		rep, err := k.getReputation(ctx, org)
		if err != nil {
			return cti.Reputation{}, err
		}
		m.reps[org] = rep.ToDomain()
		return m.reps[org], nil
	}}
	return m, nil
}

// candidates returns the active indicators indexed under key, in id order.
// For a package query (version not empty) only the indicators whose indexed
// versions cover it, or cannot be compared with it, are read in full.
func (m *matcher) candidates(ctx context.Context, key, version string, recs map[string]types.IndicatorRecord) ([]cti.Candidate, error) {
	e, err := m.k.indexEntry(ctx, key)
	if err != nil {
		return nil, err
	}
	var out []cti.Candidate
	for i, id := range e.Ids {
		if version != "" && i < len(e.Packages) && e.Packages[i].Name != "" {
			ok, err := e.Packages[i].ToDomain().Affects(version)
			if !ok && err == nil {
				continue
			}
		}
		rec, err := m.k.Indicators.Get(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("index entry %q → %s: %w", key, id, err)
		}
		if rec.Status != types.INDICATOR_STATUS_ACTIVE {
			continue
		}
		d := rec.Indicator.ToDomain()
		recs[d.ID] = rec
		out = append(out, cti.Candidate{
			Indicator: &d, PublishedAt: rec.PublishedAt,
			Sightings: cti.Sightings{TruePositive: rec.TruePositives, FalsePositive: rec.FalsePositives},
		})
	}
	return out, nil
}

// score scores one record now.
func (m *matcher) score(ctx context.Context, rec types.IndicatorRecord) (cti.Score, error) {
	d := rec.Indicator.ToDomain()
	ev, err := m.eval.EvaluateValue([]cti.Candidate{{Indicator: &d, PublishedAt: rec.PublishedAt,
		Sightings: cti.Sightings{TruePositive: rec.TruePositives, FalsePositive: rec.FalsePositives}}})
	if err != nil {
		return cti.Score{}, err
	}
	return ev.Matches[d.ID].Score, nil
}

// matchPackage answers one purl. Problems with the purl itself are reported
// in the result, not as a query error, so one bad line of a manifest does
// not hide the verdict on the others.
func (m *matcher) matchPackage(ctx context.Context, s string) (types.PackageResult, error) {
	res := types.PackageResult{Purl: s, Decision: cti.DecisionPass.String()}
	t, err := gate.ParseTarget(s)
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	res.Ecosystem, res.Name, res.Version = t.Ecosystem, t.Name, t.Version

	recs := map[string]types.IndicatorRecord{}
	cands, err := m.candidates(ctx, cti.PackageKey(t.Ecosystem, t.Name), t.Version, recs)
	if err != nil {
		return res, err
	}
	ev, err := m.eval.EvaluatePackage(t.Ecosystem, t.Version, t.NoVersion, t.WithVersion, cands)
	if err != nil {
		return res, err
	}
	if len(ev.Problems) > 0 {
		res.Error = "cannot compare the version with: " + strings.Join(ev.Problems, "; ")
	}
	res.Decision = ev.Verdict.Decision.String()
	res.Matches = matchesOf(ev, recs)
	return res, nil
}

func (m *matcher) matchValue(ctx context.Context, kind cti.Kind, value string) (types.ValueResult, error) {
	res := types.ValueResult{Value: value, Decision: cti.DecisionPass.String()}
	keys, norm, err := cti.ValueKeys(kind, value)
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	res.Value = norm
	recs := map[string]types.IndicatorRecord{}
	var cands []cti.Candidate
	for _, key := range keys {
		c, err := m.candidates(ctx, key, "", recs)
		if err != nil {
			return res, err
		}
		cands = append(cands, c...)
	}
	ev, err := m.eval.EvaluateValue(cands)
	if err != nil {
		return res, err
	}
	res.Decision = ev.Verdict.Decision.String()
	res.Matches = matchesOf(ev, recs)
	return res, nil
}

// matchesOf lists a verdict's reasons, in the verdict's order, with the
// indicators' details and full scores.
func matchesOf(ev cti.Evaluated, recs map[string]types.IndicatorRecord) []types.Match {
	out := make([]types.Match, 0, len(ev.Verdict.Reasons))
	for _, r := range ev.Verdict.Reasons {
		rec := recs[r.IndicatorID]
		in := rec.Indicator
		out = append(out, types.Match{
			IndicatorId: r.IndicatorID,
			SourceId:    in.SourceId,
			Publisher:   in.Publisher,
			Summary:     in.Summary,
			Labels:      in.Labels,
			References:  in.References,
			Score:       types.ScoreOf(ev.Matches[r.IndicatorID].Score),
			Decision:    r.Decision.String(),
			Why:         r.Why,
			ExceptionId: r.ExceptionID,
			Revision:    rec.Revision,
		})
	}
	return out
}
