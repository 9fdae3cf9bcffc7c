package cti

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// The -update flag rewrites golden files (SCORES.md). It is registered in
// init, after every package-level flag.Bool of other test files, and only
// if nobody registered it already.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files such as SCORES.md")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func bp(v uint32) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }

func testIndicator(kind Kind, conf uint32, labels ...string) *Indicator {
	in := &Indicator{SourceID: "test-" + string(kind), Kind: kind, Confidence: conf, Labels: labels}
	in.ID = IDFor(in.SourceID)
	switch kind {
	case KindPackage:
		in.Package = &PackageMatch{Ecosystem: "npm", Name: "evil", AllVersions: true}
	case KindFileSHA256:
		in.Value = strings.Repeat("ab", 32)
	case KindDomain:
		in.Value = "evil.example"
	case KindIP:
		in.Value = "192.0.2.1"
	case KindURL:
		in.Value = "https://evil.example/payload"
	case KindTechnique:
		in.Value = "T1195.002"
	}
	return in
}

func TestDefaultScoreParamsValid(t *testing.T) {
	if err := DefaultScoreParams().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		found := false
		for _, d := range DefaultScoreParams().Decay {
			found = found || d.Kind == k
		}
		if !found {
			t.Errorf("no decay for %s", k)
		}
	}
}

func TestScoreParamsValidate(t *testing.T) {
	mod := func(f func(*ScoreParams)) ScoreParams {
		p := DefaultScoreParams()
		f(&p)
		return p
	}
	for name, c := range map[string]struct {
		p     ScoreParams
		field string
	}{
		"missing kind":   {mod(func(p *ScoreParams) { p.Decay = p.Decay[1:] }), "decay"},
		"duplicate kind": {mod(func(p *ScoreParams) { p.Decay[1].Kind = KindPackage }), "decay[1].kind"},
		"unknown kind":   {mod(func(p *ScoreParams) { p.Decay[2].Kind = "email" }), "decay[2].kind"},
		"bad speed":      {mod(func(p *ScoreParams) { p.Decay[3].SpeedMilli = 1 }), "decay[3]"},
		"negative τ":     {mod(func(p *ScoreParams) { p.Decay[3].LifetimeSeconds = -1 }), "decay[3]"},
		"prior 0":        {mod(func(p *ScoreParams) { p.ReputationPrior = 0 }), "reputation_prior"},
		"prior huge":     {mod(func(p *ScoreParams) { p.SightingPrior = MaxPrior + 1 }), "sighting_prior"},
		"weight 0":       {mod(func(p *ScoreParams) { p.FalsePositiveWeight = 0 }), "false_positive_weight"},
		"weight huge":    {mod(func(p *ScoreParams) { p.FalsePositiveWeight = 101 }), "false_positive_weight"},
	} {
		err := c.p.Validate()
		if err == nil || !errors.Is(err, ErrInvalidParams) || !strings.Contains(err.Error(), ": "+c.field+": ") {
			t.Errorf("%s: Validate() = %v, want an ErrInvalidParams naming %s", name, err, c.field)
		}
	}
}

func TestEffectiveScoreRules(t *testing.T) {
	p := DefaultScoreParams()
	const pub = int64(1_700_000_000)
	mal := testIndicator(KindPackage, 100, LabelMalicious)
	ip := testIndicator(KindIP, 80)

	// Product of factors, rounded down once.
	got := EffectiveScore(ip, pub, pub+7*day, Sightings{FalsePositive: 1}, Reputation{FalsePositive: 5}, p)
	want := Score{Confidence: 8000, Decay: 5000, Reputation: 6666, Sightings: 6666}
	want.Total = uint32(uint64(8000) * 5000 * 6666 * 6666 / 1e12)
	if got != want {
		t.Errorf("ip: %+v, want %+v", got, want)
	}
	if want.Total != 1777 {
		t.Errorf("product %d, want 1777", want.Total)
	}

	// Age counts from max(ValidFrom, publishedAt).
	late := *ip
	late.ValidFrom = pub - 30*day // dated a month before publication
	if s := EffectiveScore(&late, pub, pub+7*day, Sightings{}, Reputation{}, p); s.Decay != 5000 {
		t.Errorf("age from publication: decay %d, want 5000", s.Decay)
	}
	early := *ip
	early.ValidFrom = pub + 7*day // published a week ahead of validity
	if s := EffectiveScore(&early, pub, pub+7*day, Sightings{}, Reputation{}, p); s.Decay != ScoreScale || s.Total != 8000 {
		t.Errorf("age from valid_from: %+v, want decay 10000", s)
	}
	// Not yet valid.
	if s := EffectiveScore(&early, pub, pub+7*day-1, Sightings{}, Reputation{}, p); s.Total != 0 || s.Decay != 0 {
		t.Errorf("before valid_from: %+v, want 0", s)
	}
	// Withdrawn: ValidUntil exclusive.
	w := *mal
	w.ValidUntil = pub + day
	if s := EffectiveScore(&w, pub, pub+day-1, Sightings{}, Reputation{}, p); s.Total != ScoreScale {
		t.Errorf("before valid_until: %+v", s)
	}
	if s := EffectiveScore(&w, pub, pub+day, Sightings{}, Reputation{}, p); s.Total != 0 {
		t.Errorf("at valid_until: %+v, want 0", s)
	}
	// Published in the future of now (clock skew between nodes cannot
	// happen on chain, but queries may ask about the past): no decay yet.
	if s := EffectiveScore(ip, pub, pub-10, Sightings{}, Reputation{}, p); s.Decay != ScoreScale {
		t.Errorf("now before publication: %+v", s)
	}
	// Confirmations cannot lift a score above confidence; they offset FPs.
	if s := EffectiveScore(mal, pub, pub, Sightings{TruePositive: 50}, Reputation{TruePositive: 1000}, p); s.Total != ScoreScale {
		t.Errorf("confirmed: %+v", s)
	}
	if s := EffectiveScore(mal, pub, pub, Sightings{TruePositive: 2, FalsePositive: 1}, Reputation{}, p); s.Sightings != 7500 {
		t.Errorf("2 TP 1 FP: sightings %d, want 7500 (6/8)", s.Sightings)
	}
	// Confidence above 100 saturates; nil indicator scores zero.
	over := *mal
	over.Confidence = 1000
	if s := EffectiveScore(&over, pub, pub, Sightings{}, Reputation{}, p); s.Confidence != ScoreScale || s.Total != ScoreScale {
		t.Errorf("confidence 1000: %+v", s)
	}
	if s := EffectiveScore(nil, pub, pub, Sightings{}, Reputation{}, p); s != (Score{}) {
		t.Errorf("nil: %+v", s)
	}
	// Extreme counts and times neither panic nor overflow.
	ext := EffectiveScore(ip, math.MinInt64, math.MaxInt64, Sightings{math.MaxUint32, math.MaxUint32},
		Reputation{math.MaxUint64, math.MaxUint64}, ScoreParams{Decay: p.Decay, ReputationPrior: math.MaxUint32, SightingPrior: math.MaxUint32, FalsePositiveWeight: math.MaxUint32})
	if ext.Decay != 0 || ext.Reputation != 5000 {
		t.Errorf("extremes: %+v", ext)
	}
	if r := ratioBP(0, math.MaxUint64, math.MaxUint64, math.MaxUint64); r != 0 {
		t.Errorf("ratioBP(0, max, max, max) = %d", r)
	}
	if r := ratioBP(math.MaxUint64, math.MaxUint64, 0, 0); r != ScoreScale {
		t.Errorf("ratioBP(max, max, 0, 0) = %d", r)
	}
	if r := ratioBP(0, 0, 0, 5); r != ScoreScale {
		t.Errorf("ratioBP(0, 0, 0, 5) = %d", r)
	}
	if r := ratioBP(0, 0, 3, 5); r != 0 {
		t.Errorf("ratioBP(0, 0, 3, 5) = %d", r)
	}
}

// scoreTable computes the tables SCORES.md documents.
type scoreTables struct {
	days    []int64
	byKind  [][]uint32 // [kind][day]
	fps     []uint32   // MAL advisory with 0..3 FP sightings
	fpScore []Score
	repFPs  []uint64
	repScor []Score
	fpGate  []Decision // DefaultGatePolicy's decision on each
	repGate []Decision
}

func computeScoreTables() scoreTables {
	p := DefaultScoreParams()
	const pub = int64(1_700_000_000)
	st := scoreTables{days: []int64{0, 1, 7, 14, 30, 90}, fps: []uint32{0, 1, 2, 3}, repFPs: []uint64{0, 5, 20}}
	for _, k := range Kinds {
		in := testIndicator(k, 100)
		var row []uint32
		for _, d := range st.days {
			row = append(row, EffectiveScore(in, pub, pub+d*day, Sightings{}, Reputation{}, p).Total)
		}
		st.byKind = append(st.byKind, row)
	}
	mal := testIndicator(KindPackage, 100, LabelMalicious)
	gate := DefaultGatePolicy()
	for _, fp := range st.fps {
		sc := EffectiveScore(mal, pub, pub+day, Sightings{FalsePositive: fp}, Reputation{}, p)
		st.fpScore = append(st.fpScore, sc)
		st.fpGate = append(st.fpGate, gate.Decide("npm", "pkg:npm/evil", "pkg:npm/evil@1.0.0", []Match{{mal, sc}}, pub+day).Decision)
	}
	for _, fp := range st.repFPs {
		sc := EffectiveScore(mal, pub, pub+day, Sightings{}, Reputation{FalsePositive: fp}, p)
		st.repScor = append(st.repScor, sc)
		st.repGate = append(st.repGate, gate.Decide("npm", "pkg:npm/evil", "pkg:npm/evil@1.0.0", []Match{{mal, sc}}, pub+day).Decision)
	}
	return st
}

func (st scoreTables) markdown() string {
	p := DefaultScoreParams()
	var b strings.Builder
	b.WriteString("# Effective scores under the default parameters\n\n")
	b.WriteString("Generated by `go test -run TestScoreTable ./pkg/cti/ -update` from\n")
	b.WriteString("`DefaultScoreParams()` (pkg/cti/score.go); `go test ./pkg/cti/` fails when\n")
	b.WriteString("this file and the code disagree. Scores are out of 100.00 (10000 basis\n")
	b.WriteString("points); Total = Confidence · Decay · Reputation · Sightings, rounded down.\n\n")
	b.WriteString("## Decay by kind\n\n")
	b.WriteString("A confidence-100 indicator from a new publisher with no sightings, by age\n")
	b.WriteString("(days since max(valid_from, publication)).\n\n")
	b.WriteString("| kind | τ (days) | δ |")
	for _, d := range st.days {
		fmt.Fprintf(&b, " %d d |", d)
	}
	b.WriteString("\n|---|---|---|")
	for range st.days {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for i, k := range Kinds {
		dp := p.DecayFor(k)
		tau, delta := "no decay", "–"
		if dp.LifetimeSeconds > 0 {
			tau = fmt.Sprint(dp.LifetimeSeconds / day)
			delta = fmt.Sprintf("%d.%03d", dp.SpeedMilli/1000, dp.SpeedMilli%1000)
			delta = strings.TrimRight(strings.TrimRight(delta, "0"), ".")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |", k, tau, delta)
		for _, v := range st.byKind[i] {
			fmt.Fprintf(&b, " %s |", bp(v))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n## False-positive sightings\n\n")
	fmt.Fprintf(&b, "An OSV MAL- advisory (package, confidence 100, label malicious, one day\n")
	fmt.Fprintf(&b, "old) from a new publisher, with false-positive sightings from distinct\n")
	fmt.Fprintf(&b, "orgs. Sighting prior %d, false-positive weight %d.\n\n", p.SightingPrior, p.FalsePositiveWeight)
	b.WriteString("| FP sightings | sightings factor | total | default gate |\n|---|---|---|---|\n")
	for i, fp := range st.fps {
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", fp, bp(st.fpScore[i].Sightings), bp(st.fpScore[i].Total), st.fpGate[i])
	}
	fmt.Fprintf(&b, "\n## Publisher reputation\n\n")
	fmt.Fprintf(&b, "The same advisory, no sightings of it, from a publisher whose indicators\n")
	fmt.Fprintf(&b, "drew false positives (and no confirmations) elsewhere. Reputation prior %d.\n\n", p.ReputationPrior)
	b.WriteString("| publisher FPs | reputation factor | total | default gate |\n|---|---|---|---|\n")
	for i, fp := range st.repFPs {
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", fp, bp(st.repScor[i].Reputation), bp(st.repScor[i].Total), st.repGate[i])
	}
	g := DefaultGatePolicy()
	fmt.Fprintf(&b, "\n\"default gate\" is `DefaultGatePolicy()` (pkg/cti/policy.go): warn at %s, hold at\n", bp(g.Default.Warn))
	fmt.Fprintf(&b, "%s, block at %s, and a match labelled malicious blocks from hold. So one\n", bp(g.Default.Hold), bp(g.Default.Block))
	b.WriteString("dissenting org cannot unblock a malicious package; two can bring it down to\n")
	b.WriteString("a warning, as can a publisher with twenty unanswered false positives.\n")
	return b.String()
}

func TestScoreTable(t *testing.T) {
	st := computeScoreTables()
	md := st.markdown()
	t.Log("\n" + md)

	want := map[Kind][]uint32{
		KindPackage:    {10000, 10000, 10000, 10000, 10000, 10000},
		KindFileSHA256: {10000, 10000, 10000, 10000, 9998, 9906},
		KindDomain:     {10000, 9989, 9456, 7822, 0, 0},
		KindIP:         {10000, 9286, 5000, 0, 0, 0},
		KindURL:        {10000, 9667, 7667, 5333, 0, 0},
		KindTechnique:  {10000, 10000, 10000, 10000, 10000, 10000},
	}
	for i, k := range Kinds {
		for j, d := range st.days {
			if st.byKind[i][j] != want[k][j] {
				t.Errorf("%s at %d d: %d, want %d", k, d, st.byKind[i][j], want[k][j])
			}
		}
	}
	for i, w := range []uint32{10000, 6666, 5000, 4000} {
		if st.fpScore[i].Total != w {
			t.Errorf("MAL with %d FP: %d, want %d", st.fps[i], st.fpScore[i].Total, w)
		}
	}
	for i, w := range []uint32{10000, 6666, 3333} {
		if st.repScor[i].Total != w {
			t.Errorf("publisher with %d FP: %d, want %d", st.repFPs[i], st.repScor[i].Total, w)
		}
	}
	for i, w := range []Decision{DecisionBlock, DecisionBlock, DecisionWarn, DecisionWarn} {
		if st.fpGate[i] != w {
			t.Errorf("MAL with %d FP: %v, want %v", st.fps[i], st.fpGate[i], w)
		}
	}
	for i, w := range []Decision{DecisionBlock, DecisionBlock, DecisionWarn} {
		if st.repGate[i] != w {
			t.Errorf("publisher with %d FP: %v, want %v", st.repFPs[i], st.repGate[i], w)
		}
	}

	const path = "SCORES.md"
	if updateGolden() {
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestScoreTable ./pkg/cti/ -update)", err)
	}
	if string(got) != md {
		t.Fatalf("%s is stale; run go test -run TestScoreTable ./pkg/cti/ -update", path)
	}
}
