package gate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/manifest"
)

const lockV3 = `{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "version": "1.0.0"},
    "node_modules/evil": {"version": "1.0.0"},
    "node_modules/risky": {"version": "2.0.0"},
    "node_modules/meh": {"version": "3.0.0"},
    "node_modules/fine": {"version": "4.0.0"}
  }
}`

func inputs(t *testing.T) []Input {
	t.Helper()
	m, err := manifest.ParseAs(manifest.Format("package-lock.json"), "app/package-lock.json", []byte(lockV3))
	if err != nil {
		t.Fatal(err)
	}
	return []Input{{Manifest: m, Raw: []byte(lockV3)}}
}

// answers answers every package of lockV3: pass unless results say more.
func answers(results ...PackageResult) Answers {
	a := Answers{Source: "chain", ChainID: "adf-1", Height: 42, Time: 1767225600, PolicyVersion: 3, Results: map[string]PackageResult{}}
	for _, p := range []string{"pkg:npm/evil@1.0.0", "pkg:npm/risky@2.0.0", "pkg:npm/meh@3.0.0", "pkg:npm/fine@4.0.0"} {
		a.Results[p] = PackageResult{PURL: p, Decision: "pass"}
	}
	for _, r := range results {
		a.Results[r.PURL] = r
	}
	return a
}

func match(id, decision string, score uint32) Match {
	return Match{IndicatorID: cti.IDFor(id), SourceID: id, Publisher: "acme", Summary: "bad " + id, Score: score, Decision: decision,
		Why: "score " + decision, References: []string{"https://example.invalid/" + id}}
}

func TestBuildDecisionsAndExitCodes(t *testing.T) {
	cases := []struct {
		name    string
		results []PackageResult
		want    string
		exit    int
	}{
		{"all pass", nil, "pass", ExitPass},
		{"warn only", []PackageResult{{PURL: "pkg:npm/meh@3.0.0", Decision: "warn", Matches: []Match{match("W-1", "warn", 3500)}}}, "warn", ExitPass},
		{"hold", []PackageResult{{PURL: "pkg:npm/risky@2.0.0", Decision: "hold", Matches: []Match{match("H-1", "hold", 7000)}}}, "hold", ExitHold},
		{"block wins", []PackageResult{
			{PURL: "pkg:npm/risky@2.0.0", Decision: "hold", Matches: []Match{match("H-1", "hold", 7000)}},
			{PURL: "pkg:npm/evil@1.0.0", Decision: "block", Matches: []Match{match("MAL-1", "block", 10000)}},
		}, "block", ExitBlock},
		{"unknown decision is held, not passed", []PackageResult{{PURL: "pkg:npm/meh@3.0.0", Decision: "maybe"}}, "hold", ExitHold},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Build(inputs(t), answers(c.results...))
			if r.Decision != c.want || r.ExitCode != c.exit {
				t.Fatalf("decision %s exit %d, want %s %d", r.Decision, r.ExitCode, c.want, c.exit)
			}
			if got := r.Counts["pass"] + r.Counts["warn"] + r.Counts["hold"] + r.Counts["block"]; got != 4 {
				t.Fatalf("counts %v cover %d packages, want 4", r.Counts, got)
			}
			if len(r.Manifests) != 1 || len(r.Manifests[0].SHA256) != 64 || r.Manifests[0].Packages != 4 {
				t.Fatalf("manifest summary %+v", r.Manifests)
			}
		})
	}
}

func TestFindingsOrderAndText(t *testing.T) {
	r := Build(inputs(t), answers(
		PackageResult{PURL: "pkg:npm/meh@3.0.0", Decision: "warn", Matches: []Match{match("W-1", "warn", 3500)}},
		PackageResult{PURL: "pkg:npm/evil@1.0.0", Decision: "block", Matches: []Match{match("MAL-1", "block", 10000)}},
		PackageResult{PURL: "pkg:npm/risky@2.0.0", Decision: "hold", Matches: []Match{match("H-1", "hold", 7000)}},
	))
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.Decision)
		if f.Line == 0 {
			t.Errorf("%s has no line", f.PURL)
		}
	}
	if strings.Join(order, ",") != "block,hold,warn" {
		t.Fatalf("findings order %v", order)
	}
	if len(r.IndicatorIDs) != 3 {
		t.Fatalf("indicator ids %v", r.IndicatorIDs)
	}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"BLOCK (exit 1)", "policy v3", "height 42", "BLOCK (1)", "HOLD (1)", "WARN (1)", "MAL-1 [block] score 100.00, published by acme",
		"app/package-lock.json:", "→ remove or replace", "4 packages: 1 block, 1 hold, 1 warn, 1 pass"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "BLOCK (1)") > strings.Index(out, "HOLD (1)") {
		t.Error("block group not first")
	}
}

func TestSARIF(t *testing.T) {
	r := Build(inputs(t), answers(
		PackageResult{PURL: "pkg:npm/evil@1.0.0", Decision: "block", Matches: []Match{match("MAL-1", "block", 10000), match("GHSA-2", "hold", 7000)}},
		PackageResult{PURL: "pkg:npm/meh@3.0.0", Decision: "warn", Matches: []Match{match("W-1", "warn", 3500)}},
		PackageResult{PURL: "pkg:npm/fine@4.0.0", Decision: "warn", Error: "cannot compare the version"},
	))
	var b bytes.Buffer
	if err := WriteSARIF(&b, r, "v1.2.3", "app"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }     `json:"artifactLocation"`
						Region           *struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "adf-gate" {
		t.Fatalf("sarif header: %+v", log)
	}
	run := log.Runs[0]
	if len(run.Results) != 4 || len(run.Tool.Driver.Rules) != 4 {
		t.Fatalf("%d results, %d rules; want 4 and 4:\n%s", len(run.Results), len(run.Tool.Driver.Rules), b.String())
	}
	rules := map[string]bool{}
	for _, rule := range run.Tool.Driver.Rules {
		rules[rule.ID] = true
		if rule.Properties["security-severity"] == nil || rule.Help["text"] == "" {
			t.Errorf("rule %s lacks security-severity or help", rule.ID)
		}
	}
	levels := map[string]string{}
	for _, res := range run.Results {
		if !rules[res.RuleID] {
			t.Errorf("result refers to unknown rule %s", res.RuleID)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "package-lock.json" || loc.Region == nil || loc.Region.StartLine == 0 {
			t.Errorf("location %+v", loc)
		}
		if res.PartialFingerprints["adfPackageIndicator/v1"] == "" {
			t.Error("no fingerprint")
		}
		levels[res.RuleID] = res.Level
	}
	if levels[cti.IDFor("MAL-1")] != "error" || levels[cti.IDFor("GHSA-2")] != "error" || levels[cti.IDFor("W-1")] != "warning" || levels["ADF-GATE-UNEVALUATED"] != "warning" {
		t.Fatalf("levels %v", levels)
	}
}

func TestMissingAnswerIsHeld(t *testing.T) {
	a := answers()
	delete(a.Results, "pkg:npm/fine@4.0.0")
	r := Build(inputs(t), a)
	if r.Decision != "hold" || r.ExitCode != ExitHold || len(r.Findings) != 1 || r.Findings[0].Error == "" {
		t.Fatalf("missing answer: %+v", r)
	}
}

func TestSARIFListsNotChecked(t *testing.T) {
	m, err := manifest.ParseAs(manifest.Format("requirements.txt"), "requirements.txt", []byte("requests==2.31.0\nflask>=2\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := answers()
	a.Results["pkg:pypi/requests@2.31.0"] = PackageResult{PURL: "pkg:pypi/requests@2.31.0", Decision: "pass"}
	r := Build([]Input{{Manifest: m, Raw: []byte("x")}}, a)
	var b bytes.Buffer
	if err := WriteSARIF(&b, r, "", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"ruleId": "ADF-GATE-NOT-CHECKED"`) || !strings.Contains(b.String(), "flask") || !strings.Contains(b.String(), `"startLine": 2`) {
		t.Fatalf("the unpinned requirement is not in the SARIF:\n%s", b.String())
	}
}

func TestPURLsDistinctSorted(t *testing.T) {
	in := inputs(t)
	got := PURLs(append(in, in...))
	if len(got) != 4 || got[0] != "pkg:npm/evil@1.0.0" {
		t.Fatalf("purls %v", got)
	}
}
