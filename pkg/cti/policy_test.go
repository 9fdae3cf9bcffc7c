package cti

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

const (
	tNow     = int64(1_750_000_000)
	npmPkg   = "pkg:npm/evil"
	npmPkgV1 = "pkg:npm/evil@1.0.0"
)

func scored(in *Indicator, total uint32) Match {
	return Match{Indicator: in, Score: Score{Total: total}}
}

func indicatorN(n int, labels ...string) *Indicator {
	in := &Indicator{SourceID: "SRC-" + string(rune('A'+n%26)) + itoa3(n), Kind: KindPackage, Confidence: 100, Labels: labels, Publisher: "org-a"}
	in.ID = IDFor(in.SourceID)
	in.Package = &PackageMatch{Ecosystem: "npm", Name: "evil", AllVersions: true}
	return in
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
}

func TestDecisionNames(t *testing.T) {
	for d := DecisionPass; d <= DecisionBlock; d++ {
		got, err := ParseDecision(" " + strings.ToUpper(d.String()) + " ")
		if err != nil || got != d {
			t.Errorf("ParseDecision(%q) = %v, %v", d.String(), got, err)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Decision
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Errorf("JSON %s → %v, %v", b, back, err)
		}
	}
	if !(DecisionPass < DecisionWarn && DecisionWarn < DecisionHold && DecisionHold < DecisionBlock) {
		t.Fatal("decisions out of order")
	}
	if want := []string{"pass", "warn", "hold", "block"}; DecisionPass.String() != want[0] || DecisionBlock.String() != want[3] {
		t.Fatal("names")
	}
	if _, err := ParseDecision("deny"); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("ParseDecision(deny) = %v", err)
	}
	if s := Decision(9).String(); s != "decision(9)" {
		t.Errorf("Decision(9) = %q", s)
	}
	if _, err := json.Marshal(Decision(-1)); err == nil {
		t.Error("marshalled an invalid decision")
	}
}

func TestThresholdsStage(t *testing.T) {
	def := DefaultGatePolicy().Default
	noHold := Thresholds{Warn: 3000, Block: 8000}
	none := Thresholds{}
	for _, c := range []struct {
		th    Thresholds
		score uint32
		want  Decision
	}{
		{def, 0, DecisionPass}, {def, 2999, DecisionPass}, {def, 3000, DecisionWarn},
		{def, 5999, DecisionWarn}, {def, 6000, DecisionHold}, {def, 7999, DecisionHold},
		{def, 8000, DecisionBlock}, {def, 10000, DecisionBlock}, {def, 1 << 31, DecisionBlock},
		{noHold, 7000, DecisionWarn}, {noHold, 8000, DecisionBlock}, {noHold, 100, DecisionPass},
		{none, 10000, DecisionPass}, {none, 0, DecisionPass},
		{Thresholds{Hold: 5000}, 9000, DecisionHold},
	} {
		if got, _ := c.th.Stage(c.score); got != c.want {
			t.Errorf("%+v.Stage(%d) = %v, want %v", c.th, c.score, got, c.want)
		}
	}
}

// A real OSV MAL- advisory, scored by EffectiveScore, blocks under the
// default policy; a confidence-70 advisory holds.
func TestDefaultGatePolicyBlocksMAL(t *testing.T) {
	p := DefaultGatePolicy()
	if err := p.Validate(tNow); err != nil {
		t.Fatal(err)
	}
	mal := &Indicator{SourceID: "MAL-2025-1234", Kind: KindPackage, Confidence: 100, Labels: []string{LabelMalicious},
		Package: &PackageMatch{Ecosystem: "npm", Name: "evil", AllVersions: true}, Publisher: "org-osv"}
	mal.ID = IDFor(mal.SourceID)
	if err := mal.Validate(); err != nil {
		t.Fatal(err)
	}
	s := EffectiveScore(mal, tNow-day, tNow, Sightings{}, Reputation{}, DefaultScoreParams())
	v := p.Decide("npm", npmPkg, npmPkgV1, []Match{{mal, s}}, tNow)
	if v.Decision != DecisionBlock || v.PolicyVersion != 1 || len(v.Reasons) != 1 {
		t.Fatalf("verdict %+v", v)
	}
	want := "malicious package (label malicious), score 100.00 ≥ hold 60.00 → block"
	if r := v.Reasons[0]; r.Why != want || r.IndicatorID != mal.ID || r.SourceID != "MAL-2025-1234" || r.Publisher != "org-osv" || r.Score != 10000 {
		t.Fatalf("reason %+v, want why %q", r, want)
	}
	ghsa := &Indicator{SourceID: "GHSA-xxxx", Kind: KindPackage, Confidence: 70, Package: mal.Package}
	ghsa.ID = IDFor(ghsa.SourceID)
	s = EffectiveScore(ghsa, tNow-day, tNow, Sightings{}, Reputation{}, DefaultScoreParams())
	if v := p.Decide("npm", npmPkg, npmPkgV1, []Match{{ghsa, s}}, tNow); v.Decision != DecisionHold {
		t.Fatalf("confidence 70: %+v", v)
	}
}

func TestDecideRules(t *testing.T) {
	plain := indicatorN(1)
	mal := indicatorN(2, LabelMalicious)
	def := DefaultGatePolicy()
	noMal := def
	noMal.MaliciousBlocks = false
	noHold := def
	noHold.Default = Thresholds{Warn: 3000, Block: 8000}
	withNpm := def
	withNpm.Ecosystems = []EcosystemThresholds{{"PyPI", Thresholds{1000, 2000, 3000}}, {"npm", Thresholds{Warn: 1000, Hold: 2000, Block: 5000}}}
	for _, c := range []struct {
		name      string
		p         GatePolicy
		ecosystem string
		m         Match
		want      Decision
		why       string
	}{
		{"pass below warn", def, "npm", scored(plain, 2999), DecisionPass, "package score 29.99 below warn 30.00 → pass"},
		{"zero score", def, "npm", scored(plain, 0), DecisionPass, ""},
		{"warn", def, "npm", scored(plain, 3000), DecisionWarn, "package score 30.00 ≥ warn 30.00 → warn"},
		{"hold", def, "npm", scored(plain, 6000), DecisionHold, "package score 60.00 ≥ hold 60.00 → hold"},
		{"block", def, "npm", scored(plain, 8000), DecisionBlock, "package score 80.00 ≥ block 80.00 → block"},
		{"malicious at hold blocks", def, "npm", scored(mal, 6000), DecisionBlock, "malicious package (label malicious), score 60.00 ≥ hold 60.00 → block"},
		{"malicious below hold warns", def, "npm", scored(mal, 5999), DecisionWarn, "package score 59.99 ≥ warn 30.00 → warn"},
		{"malicious without MaliciousBlocks", noMal, "npm", scored(mal, 6000), DecisionHold, ""},
		{"malicious, hold disabled", noHold, "npm", scored(mal, 7000), DecisionWarn, ""},
		{"hold disabled, block", noHold, "npm", scored(plain, 8000), DecisionBlock, ""},
		{"override", withNpm, "npm", scored(plain, 5000), DecisionBlock, "package score 50.00 ≥ block 50.00 (npm thresholds) → block"},
		{"override below", withNpm, "npm", scored(plain, 999), DecisionPass, "package score 9.99 below warn 10.00 (npm thresholds) → pass"},
		{"no override for Go", withNpm, "Go", scored(plain, 5000), DecisionWarn, "package score 50.00 ≥ warn 30.00 → warn"},
		{"override is exact", withNpm, "NPM", scored(plain, 5000), DecisionWarn, ""},
	} {
		v := c.p.Decide(c.ecosystem, npmPkg, npmPkgV1, []Match{c.m}, tNow)
		if v.Decision != c.want || len(v.Reasons) != 1 || v.Reasons[0].Decision != c.want {
			t.Errorf("%s: %+v, want %v", c.name, v, c.want)
			continue
		}
		if c.why != "" && v.Reasons[0].Why != c.why {
			t.Errorf("%s: why %q, want %q", c.name, v.Reasons[0].Why, c.why)
		}
	}
	// No matches, nil indicators: pass.
	if v := def.Decide("npm", npmPkg, npmPkgV1, nil, tNow); v.Decision != DecisionPass || len(v.Reasons) != 0 || v.PolicyVersion != 1 {
		t.Errorf("no matches: %+v", v)
	}
	if v := def.Decide("npm", npmPkg, npmPkgV1, []Match{{nil, Score{Total: 10000}}}, tNow); v.Decision != DecisionPass || len(v.Reasons) != 0 {
		t.Errorf("nil indicator: %+v", v)
	}
}

func TestDecideExceptions(t *testing.T) {
	plain := indicatorN(1)
	mal := indicatorN(2, LabelMalicious)
	exp := tNow + 30*day
	ex := func(id, target string, max Decision, expires int64) Exception {
		return Exception{ID: id, Target: target, Reason: "vendored fork, reviewed", Approver: "alice@org-a", Expires: expires, MaxDecision: max}
	}
	for _, c := range []struct {
		name   string
		exc    []Exception
		m      Match
		now    int64
		want   Decision
		excID  string
		whySub string
	}{
		{"versionless purl lowers hold", []Exception{ex("e1", npmPkg, 0, exp)}, scored(plain, 7000), tNow, DecisionPass, "e1",
			"; exception e1 (approved by alice@org-a until 2025-07-15T15:06:40Z: vendored fork, reviewed) → pass"},
		{"exact purl lowers warn", []Exception{ex("e1", npmPkgV1, 0, exp)}, scored(plain, 3000), tNow, DecisionPass, "e1", ""},
		{"other version not covered", []Exception{ex("e1", "pkg:npm/evil@2.0.0", 0, exp)}, scored(plain, 7000), tNow, DecisionHold, "", ""},
		{"other package not covered", []Exception{ex("e1", "pkg:npm/evil2", 0, exp)}, scored(plain, 7000), tNow, DecisionHold, "", ""},
		{"indicator id", []Exception{ex("e1", plain.ID, 0, exp)}, scored(plain, 7000), tNow, DecisionPass, "e1", ""},
		{"other indicator id", []Exception{ex("e1", mal.ID, 0, exp)}, scored(plain, 7000), tNow, DecisionHold, "", ""},
		{"active one second before expiry", []Exception{ex("e1", npmPkg, 0, exp)}, scored(plain, 7000), exp - 1, DecisionPass, "e1", ""},
		{"expired exactly at Expires", []Exception{ex("e1", npmPkg, 0, exp)}, scored(plain, 7000), exp, DecisionHold, "", "; exception e1 expired at 2025-07-15T15:06:40Z"},
		{"default ceiling does not lower block", []Exception{ex("e1", npmPkg, 0, exp)}, scored(plain, 9000), tNow, DecisionBlock, "", "; exception e1 covers at most hold, not block"},
		{"default ceiling does not lower malicious", []Exception{ex("e1", npmPkg, DecisionHold, exp)}, scored(mal, 7000), tNow, DecisionBlock, "", ""},
		{"ceiling block lowers malicious", []Exception{ex("e1", npmPkg, DecisionBlock, exp)}, scored(mal, 10000), tNow, DecisionPass, "e1", ""},
		{"ceiling warn does not lower hold", []Exception{ex("e1", npmPkg, DecisionWarn, exp)}, scored(plain, 7000), tNow, DecisionHold, "", ""},
		{"ceiling warn lowers warn", []Exception{ex("e1", npmPkg, DecisionWarn, exp)}, scored(plain, 5000), tNow, DecisionPass, "e1", ""},
		{"smallest applicable id wins", []Exception{ex("e9", npmPkg, 0, exp), ex("e2", plain.ID, 0, exp), ex("e1", npmPkg, DecisionWarn, exp)}, scored(plain, 7000), tNow, DecisionPass, "e2", ""},
		{"expired ignored, active applies", []Exception{ex("e0", npmPkg, DecisionBlock, tNow), ex("e5", npmPkg, 0, exp)}, scored(plain, 7000), tNow, DecisionPass, "e5", ""},
		{"pass needs no exception", []Exception{ex("e1", npmPkg, 0, exp)}, scored(plain, 100), tNow, DecisionPass, "", ""},
	} {
		p := DefaultGatePolicy()
		p.Exceptions = c.exc
		if err := p.Validate(tNow); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		v := p.Decide("npm", npmPkg, npmPkgV1, []Match{c.m}, c.now)
		r := v.Reasons[0]
		if v.Decision != c.want || r.Decision != c.want || r.ExceptionID != c.excID {
			t.Errorf("%s: %+v, want %v by %q", c.name, v, c.want, c.excID)
		}
		if c.whySub != "" && !strings.Contains(r.Why, c.whySub) {
			t.Errorf("%s: why %q lacks %q", c.name, r.Why, c.whySub)
		}
	}
}

func TestDecideOrdering(t *testing.T) {
	var ms []Match
	for i := 0; i < 12; i++ {
		in := indicatorN(i)
		if i%4 == 0 {
			in.Labels = []string{LabelMalicious}
		}
		ms = append(ms, scored(in, uint32(i%5)*2000))
	}
	ms = append(ms, scored(indicatorN(3), 4000)) // same indicator twice
	p := DefaultGatePolicy()
	p.Exceptions = []Exception{{ID: "x", Target: indicatorN(7).ID, Reason: "r", Approver: "a", Expires: tNow + 1}}
	ref := p.Decide("npm", npmPkg, npmPkgV1, ms, tNow)
	r := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 50; k++ {
		sh := append([]Match(nil), ms...)
		r.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		v := p.Decide("npm", npmPkg, npmPkgV1, sh, tNow)
		if len(v.Reasons) != len(ref.Reasons) || v.Decision != ref.Decision {
			t.Fatalf("shuffle changed verdict")
		}
		for i := range v.Reasons {
			if v.Reasons[i] != ref.Reasons[i] {
				t.Fatalf("shuffle changed reason %d: %+v vs %+v", i, v.Reasons[i], ref.Reasons[i])
			}
		}
	}
	for i := 1; i < len(ref.Reasons); i++ {
		a, b := ref.Reasons[i-1], ref.Reasons[i]
		if a.Decision < b.Decision || (a.Decision == b.Decision && (a.Score < b.Score || (a.Score == b.Score && a.IndicatorID > b.IndicatorID))) {
			t.Fatalf("reasons %d, %d out of order: %+v, %+v", i-1, i, a, b)
		}
	}
	if ref.Decision != DecisionBlock || ref.Reasons[0].Decision != DecisionBlock || ref.Reasons[len(ref.Reasons)-1].Decision != DecisionPass {
		t.Fatalf("verdict %+v", ref)
	}
	var excepted int
	for _, x := range ref.Reasons {
		if x.ExceptionID == "x" {
			excepted++
		}
	}
	if excepted != 1 {
		t.Fatalf("exception applied %d times", excepted)
	}
	for _, x := range ref.Reasons {
		t.Logf("%-5s %6s %s %s", x.Decision, fmtBP(x.Score), x.SourceID, x.Why)
	}
}

func TestWorstDecision(t *testing.T) {
	if WorstDecision(nil) != DecisionPass {
		t.Fatal("nil")
	}
	vs := []Verdict{{Decision: DecisionWarn}, {Decision: DecisionHold}, {Decision: DecisionPass}}
	if WorstDecision(vs) != DecisionHold {
		t.Fatal("hold")
	}
	if WorstDecision(append(vs, Verdict{Decision: DecisionBlock})) != DecisionBlock {
		t.Fatal("block")
	}
}

func TestGatePolicyValidate(t *testing.T) {
	good := func() GatePolicy {
		p := DefaultGatePolicy()
		p.Ecosystems = []EcosystemThresholds{{"PyPI", Thresholds{1000, 2000, 3000}}, {"npm", Thresholds{Warn: 1000, Block: 5000}}}
		p.Exceptions = []Exception{
			{ID: "e1", Target: npmPkg, Reason: "r", Approver: "alice", Expires: tNow + day},
			{ID: "e2", Target: npmPkgV1, Reason: "r", Approver: "alice", Expires: tNow - day, MaxDecision: DecisionBlock}, // expired: history
			{ID: "e3", Target: indicatorN(1).ID, Reason: "r", Approver: "bob", Expires: tNow + MaxExceptionSeconds},
			{ID: "e4", Target: "pkg:maven/org.apache/log4j-core@2.14.1", Reason: "r", Approver: "bob", Expires: 1},
		}
		return p
	}
	if err := good().Validate(tNow); err != nil {
		t.Fatal(err)
	}
	if err := good().Validate(0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		mod   func(*GatePolicy)
		field string
	}{
		{"warn above hold", func(p *GatePolicy) { p.Default.Warn = 7000 }, "default.warn"},
		{"hold above block", func(p *GatePolicy) { p.Default.Hold = 9000 }, "default.hold"},
		{"warn above block, hold off", func(p *GatePolicy) { p.Default = Thresholds{Warn: 9000, Block: 8000} }, "default.warn"},
		{"above scale", func(p *GatePolicy) { p.Default.Block = ScoreScale + 1 }, "default.block"},
		{"override above scale", func(p *GatePolicy) { p.Ecosystems[1].Warn = ScoreScale + 1 }, "ecosystems[1].warn"},
		{"override warn above hold", func(p *GatePolicy) { p.Ecosystems[0].Warn = 2500 }, "ecosystems[0].warn"},
		{"duplicate override", func(p *GatePolicy) { p.Ecosystems[1].Ecosystem = "PyPI" }, "ecosystems[1].ecosystem"},
		{"unsorted overrides", func(p *GatePolicy) { p.Ecosystems[0], p.Ecosystems[1] = p.Ecosystems[1], p.Ecosystems[0] }, "ecosystems[1].ecosystem"},
		{"empty ecosystem", func(p *GatePolicy) { p.Ecosystems[0].Ecosystem = "" }, "ecosystems[0].ecosystem"},
		{"too many overrides", func(p *GatePolicy) { p.Ecosystems = make([]EcosystemThresholds, MaxEcosystemOverrides+1) }, "ecosystems"},
		{"duplicate exception id", func(p *GatePolicy) { p.Exceptions[2].ID = "e1" }, "exceptions[2].id"},
		{"empty exception id", func(p *GatePolicy) { p.Exceptions[0].ID = "" }, "exceptions[0].id"},
		{"empty target", func(p *GatePolicy) { p.Exceptions[1].Target = "" }, "exceptions[1].target"},
		{"target not purl or id", func(p *GatePolicy) { p.Exceptions[1].Target = "evil" }, "exceptions[1].target"},
		{"target with qualifiers", func(p *GatePolicy) { p.Exceptions[1].Target = npmPkgV1 + "?arch=x86" }, "exceptions[1].target"},
		{"target without name", func(p *GatePolicy) { p.Exceptions[1].Target = "pkg:npm/" }, "exceptions[1].target"},
		{"target empty version", func(p *GatePolicy) { p.Exceptions[1].Target = "pkg:npm/evil@" }, "exceptions[1].target"},
		{"bad indicator id", func(p *GatePolicy) { p.Exceptions[2].Target = "ind-XYZ" }, "exceptions[2].target"},
		{"no reason", func(p *GatePolicy) { p.Exceptions[0].Reason = " " }, "exceptions[0].reason"},
		{"no approver", func(p *GatePolicy) { p.Exceptions[0].Approver = "" }, "exceptions[0].approver"},
		{"no expiry", func(p *GatePolicy) { p.Exceptions[0].Expires = 0 }, "exceptions[0].expires"},
		{"negative expiry", func(p *GatePolicy) { p.Exceptions[0].Expires = -5 }, "exceptions[0].expires"},
		{"expiry too far", func(p *GatePolicy) { p.Exceptions[2].Expires = tNow + MaxExceptionSeconds + 1 }, "exceptions[2].expires"},
		{"bad max decision", func(p *GatePolicy) { p.Exceptions[0].MaxDecision = 4 }, "exceptions[0].max_decision"},
	} {
		p := good()
		c.mod(&p)
		err := p.Validate(tNow)
		if err == nil || !errors.Is(err, ErrInvalidPolicy) || !strings.Contains(err.Error(), ": "+c.field+": ") {
			t.Errorf("%s: Validate() = %v, want an ErrInvalidPolicy naming %s", c.name, err, c.field)
		}
	}
	// Canonical sorts overrides and exceptions into the form Validate wants.
	p := good()
	p.Ecosystems[0], p.Ecosystems[1] = p.Ecosystems[1], p.Ecosystems[0]
	p.Exceptions[0], p.Exceptions[3] = p.Exceptions[3], p.Exceptions[0]
	q := p.Canonical()
	if err := q.Validate(tNow); err != nil {
		t.Fatal(err)
	}
	if q.Ecosystems[0].Ecosystem != "PyPI" || q.Exceptions[0].ID != "e1" || p.Ecosystems[0].Ecosystem != "npm" {
		t.Fatalf("Canonical: %+v (input %+v)", q, p)
	}
	// Policies round-trip through JSON with decisions by name.
	b, err := json.Marshal(good())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"max_decision":"block"`) {
		t.Fatalf("JSON %s", b)
	}
	var back GatePolicy
	if err := json.Unmarshal(b, &back); err != nil || back.Validate(tNow) != nil || back.Exceptions[1].MaxDecision != DecisionBlock {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

// FuzzDecide: never panics, the verdict is the highest reason, one reason
// per non-nil match, reasons sorted, an excepted reason passes.
func FuzzDecide(f *testing.F) {
	f.Add(uint32(10000), uint32(6000), true, true, uint32(3000), uint32(6000), uint32(8000), int64(100), int64(50), uint8(0), uint8(0), "npm")
	f.Add(uint32(7000), uint32(0), false, false, uint32(0), uint32(0), uint32(0), int64(100), int64(100), uint8(2), uint8(3), "PyPI")
	f.Add(uint32(1<<31), uint32(5000), true, false, uint32(9000), uint32(100), uint32(10001), int64(-1), int64(0), uint8(1), uint8(7), "")
	f.Fuzz(func(t *testing.T, s1, s2 uint32, mal1, mal2 bool, w, h, b uint32, expires, now int64, max uint8, target uint8, eco string) {
		in1, in2 := indicatorN(1), indicatorN(2)
		if mal1 {
			in1.Labels = []string{LabelMalicious}
		}
		if mal2 {
			in2.Labels = []string{LabelMalicious}
		}
		targets := []string{npmPkg, npmPkgV1, in1.ID, in2.ID, "", "pkg:npm/other"}
		p := GatePolicy{
			Version:         7,
			Default:         Thresholds{w, h, b},
			Ecosystems:      []EcosystemThresholds{{"npm", Thresholds{h, b, w}}},
			MaliciousBlocks: mal2 != mal1,
			Exceptions: []Exception{
				{ID: "a", Target: targets[int(target)%len(targets)], Expires: expires, MaxDecision: Decision(int(max%6) - 1)},
				{ID: "b", Target: targets[int(target/8)%len(targets)], Expires: expires + 10, MaxDecision: Decision(max / 64)},
			},
		}
		ms := []Match{scored(in1, s1), scored(in2, s2), {}, scored(in1, s2)}
		v := p.Decide(eco, npmPkg, npmPkgV1, ms, now)
		if v.PolicyVersion != 7 || len(v.Reasons) != 3 {
			t.Fatalf("verdict %+v", v)
		}
		worst := DecisionPass
		for i, r := range v.Reasons {
			if !r.Decision.Valid() {
				t.Fatalf("invalid decision %v", r.Decision)
			}
			worst = max2(worst, r.Decision)
			if r.ExceptionID != "" && r.Decision != DecisionPass {
				t.Fatalf("excepted reason not pass: %+v", r)
			}
			if i > 0 {
				a := v.Reasons[i-1]
				if a.Decision < r.Decision || (a.Decision == r.Decision && a.Score < r.Score) {
					t.Fatalf("unsorted: %+v, %+v", a, r)
				}
			}
			if r.Why == "" {
				t.Fatal("empty why")
			}
		}
		if v.Decision != worst {
			t.Fatalf("verdict %v, worst reason %v", v.Decision, worst)
		}
		if WorstDecision([]Verdict{v, {Decision: DecisionPass}}) != v.Decision {
			t.Fatal("WorstDecision")
		}
		_ = p.Validate(now) // must not panic either
	})
}

func max2(a, b Decision) Decision {
	if a > b {
		return a
	}
	return b
}
