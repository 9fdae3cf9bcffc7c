package conformance

import (
	"errors"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/gate"
)

// TestRootsAgainstRules runs the root steps against pkg/anchor alone: the
// rules both deployments call.
func TestRootsAgainstRules(t *testing.T) {
	var head *anchor.Head
	for _, s := range Roots() {
		u := anchor.RootUpdate{LogID: s.LogID, TreeSize: s.TreeSize, RootHash: s.RootHash, ConsistencyProof: s.Proof}
		err := anchor.ValidateRootUpdate(u)
		var prev uint64
		if err == nil {
			prev, err = anchor.CheckExtension(head, u, "acme", 100000)
		}
		if s.Want == "" {
			if err != nil || prev != s.WantPrev {
				t.Fatalf("%s: %v (prev %d)", s.Name, err, prev)
			}
			head = &anchor.Head{TreeSize: s.TreeSize, RootHash: s.RootHash, AnchoredAt: "step"}
			continue
		}
		if err == nil || !strings.Contains(err.Error()+": "+errRule(err), s.Want) {
			t.Fatalf("%s: got %v, want %q", s.Name, err, s.Want)
		}
	}
}

func errRule(err error) string {
	for _, r := range []error{anchor.ErrInvalidConsistencyProof, anchor.ErrRootAlreadyAnchored, anchor.ErrLogShrunk, anchor.ErrLogForked,
		anchor.ErrInvalidRootHash, anchor.ErrInvalidTreeSize, anchor.ErrInvalidLogID} {
		if errors.Is(err, r) {
			return r.Error()
		}
	}
	return ""
}

// TestGateAgainstEvaluator decides the gate cases with pkg/cti's Evaluator
// over the indicators directly, with pkg/cti's default params and policy.
func TestGateAgainstEvaluator(t *testing.T) {
	idx := map[string][]cti.Candidate{}
	for _, in := range Indicators() {
		in.Publisher = Publisher
		if err := in.Validate(); err != nil {
			t.Fatal(err)
		}
		c := in
		idx[c.IndexKey()] = append(idx[c.IndexKey()], cti.Candidate{Indicator: &c, PublishedAt: 1_800_000_000})
	}
	run := func(cases []GateCase, rep cti.Reputation) {
		ev := cti.Evaluator{Now: 1_800_000_000, Params: cti.DefaultScoreParams(), Policy: cti.DefaultGatePolicy(),
			Reputation: func(string) (cti.Reputation, error) { return rep, nil }}
		for _, c := range cases {
			tg, err := gate.ParseTarget(c.Purl)
			if (err != nil) != c.WantError {
				t.Fatalf("%s: parse error %v", c.Purl, err)
			}
			if err != nil {
				continue
			}
			e, err := ev.EvaluatePackage(tg.Ecosystem, tg.Version, tg.NoVersion, tg.WithVersion, idx[cti.PackageKey(tg.Ecosystem, tg.Name)])
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Verdict.Decision.String(); got != c.Decision {
				t.Errorf("%s: %s, want %s (%+v)", c.Purl, got, c.Decision, e.Verdict.Reasons)
			}
		}
	}
	run(GateBefore, cti.Reputation{})
	// The false-positive sighting: the indicator's own counter and its
	// publisher's reputation.
	for _, cs := range idx {
		for i := range cs {
			if cs[i].Indicator.ID == SightedFalse() {
				cs[i].Sightings.FalsePositive = 1
			}
		}
	}
	run(GateAfter, cti.Reputation{FalsePositive: 1})
}

// TestDecayAgainstEvaluator decides the decay cases with the Evaluator.
func TestDecayAgainstEvaluator(t *testing.T) {
	in := DomainIndicator()
	in.Publisher = Publisher
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	const published = 1_800_000_000
	for _, c := range DecayCases {
		ev := cti.Evaluator{Now: published + int64(c.After.Seconds()), Params: cti.DefaultScoreParams(), Policy: cti.DefaultGatePolicy(),
			Reputation: func(string) (cti.Reputation, error) { return cti.Reputation{FalsePositive: 1}, nil }}
		keys, _, err := cti.ValueKeys(c.Kind, c.Value)
		if err != nil {
			t.Fatal(err)
		}
		var cands []cti.Candidate
		for _, k := range keys {
			if k == in.IndexKey() {
				cands = append(cands, cti.Candidate{Indicator: &in, PublishedAt: published})
			}
		}
		e, err := ev.EvaluateValue(cands)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Verdict.Decision.String(); got != c.Decision {
			t.Errorf("%s after %s: %s, want %s (%+v)", c.Value, c.After, got, c.Decision, e.Verdict.Reasons)
		}
	}
}
