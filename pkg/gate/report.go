// Package gate turns lockfiles and SBOMs plus the registry's answers into
// the dependency gate's verdict: a report grouped by decision, rendered as
// text for people, JSON for tools and SARIF 2.1.0 for code scanning, and the
// documented exit code. It is chain-agnostic: the answers come from a node
// (x/cti MatchPackages) or from an exported snapshot, evaluated alike.
package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/manifest"
)

// Exit codes of `adf gate`.
const (
	ExitPass  = 0 // pass, or warnings only
	ExitBlock = 1 // at least one package is blocked
	ExitHold  = 2 // at least one package is held for approval, none blocked
	ExitUsage = 3 // usage or input error: a manifest could not be read
)

// ExitCode maps the overall decision to the exit code.
func ExitCode(d cti.Decision) int {
	switch d {
	case cti.DecisionBlock:
		return ExitBlock
	case cti.DecisionHold:
		return ExitHold
	}
	return ExitPass
}

// Match is one indicator behind a package's decision.
type Match struct {
	IndicatorID string   `json:"indicator_id"`
	SourceID    string   `json:"source_id"`
	Publisher   string   `json:"publisher"`
	Summary     string   `json:"summary,omitempty"`
	Labels      []string `json:"labels,omitempty"`
	References  []string `json:"references,omitempty"`
	// Score is the effective score in basis points (10000 = 100.00).
	Score       uint32 `json:"score"`
	Decision    string `json:"decision"`
	Why         string `json:"why"`
	ExceptionID string `json:"exception_id,omitempty"`
}

// PackageResult is the registry's answer for one purl.
type PackageResult struct {
	PURL     string  `json:"purl"`
	Decision string  `json:"decision"`
	Matches  []Match `json:"matches,omitempty"`
	Error    string  `json:"error,omitempty"`
}

// Answers is what a registry said about a set of purls, at one height.
type Answers struct {
	Source        string // "chain" or "snapshot"
	ChainID       string
	Height        int64
	Time          int64
	PolicyVersion uint64
	Results       map[string]PackageResult // by purl
}

// Finding is a package of a manifest with its decision.
type Finding struct {
	Manifest  string  `json:"manifest"`
	Line      int     `json:"line,omitempty"`
	Ecosystem string  `json:"ecosystem"`
	Name      string  `json:"name"`
	Version   string  `json:"version"`
	PURL      string  `json:"purl"`
	Decision  string  `json:"decision"`
	Matches   []Match `json:"matches,omitempty"`
	Error     string  `json:"error,omitempty"`
	// Action tells the developer what to do.
	Action string `json:"action,omitempty"`
}

// ManifestSummary describes one manifest read.
type ManifestSummary struct {
	Path     string             `json:"path"`
	Format   string             `json:"format"`
	SHA256   string             `json:"sha256"`
	Packages int                `json:"packages"`
	Problems []manifest.Problem `json:"problems,omitempty"`
}

// Report is the gate's verdict on a set of manifests.
type Report struct {
	Decision      string            `json:"decision"`
	ExitCode      int               `json:"exit_code"`
	Source        string            `json:"source"`
	ChainID       string            `json:"chain_id,omitempty"`
	Height        int64             `json:"height"`
	Time          int64             `json:"time"`
	PolicyVersion uint64            `json:"policy_version"`
	Manifests     []ManifestSummary `json:"manifests"`
	Counts        map[string]int    `json:"counts"`
	// Findings lists every package that is not a plain pass, worst first.
	Findings []Finding `json:"findings"`
	// IndicatorIDs are the matched indicators, sorted (what --record anchors).
	IndicatorIDs []string `json:"indicator_ids,omitempty"`
}

// Input is one parsed manifest with its raw bytes (for the digest).
type Input struct {
	Manifest *manifest.Manifest
	Raw      []byte
}

// PURLs lists the distinct purls of the inputs, sorted.
func PURLs(ins []Input) []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range ins {
		for _, p := range in.Manifest.Packages {
			if !seen[p.PURL] {
				seen[p.PURL] = true
				out = append(out, p.PURL)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Build assembles the report from the manifests and the answers.
func Build(ins []Input, a Answers) Report {
	r := Report{
		Source: a.Source, ChainID: a.ChainID, Height: a.Height, Time: a.Time, PolicyVersion: a.PolicyVersion,
		Counts: map[string]int{}, Findings: []Finding{},
	}
	worst := cti.DecisionPass
	ids := map[string]bool{}
	for _, in := range ins {
		m := in.Manifest
		sum := sha256.Sum256(in.Raw)
		r.Manifests = append(r.Manifests, ManifestSummary{
			Path: m.Path, Format: string(m.Format), SHA256: hex.EncodeToString(sum[:]), Packages: len(m.Packages), Problems: m.Problems,
		})
		for _, p := range m.Packages {
			res, ok := a.Results[p.PURL]
			if !ok {
				// Never pass what was not evaluated.
				res = PackageResult{PURL: p.PURL, Decision: cti.DecisionHold.String(), Error: "no answer from the registry for this package"}
			}
			d, err := cti.ParseDecision(res.Decision)
			if err != nil {
				d = cti.DecisionHold
				res.Error = "registry answered an unknown decision " + res.Decision
			}
			r.Counts[d.String()]++
			if d > worst {
				worst = d
			}
			for _, mt := range res.Matches {
				ids[mt.IndicatorID] = true
			}
			if d == cti.DecisionPass && len(res.Matches) == 0 && res.Error == "" {
				continue
			}
			r.Findings = append(r.Findings, Finding{
				Manifest: m.Path, Line: p.Line, Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, PURL: p.PURL,
				Decision: d.String(), Matches: res.Matches, Error: res.Error, Action: action(d, res),
			})
		}
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		di, _ := cti.ParseDecision(r.Findings[i].Decision)
		dj, _ := cti.ParseDecision(r.Findings[j].Decision)
		if di != dj {
			return di > dj
		}
		if r.Findings[i].Manifest != r.Findings[j].Manifest {
			return r.Findings[i].Manifest < r.Findings[j].Manifest
		}
		return r.Findings[i].Line < r.Findings[j].Line
	})
	for id := range ids {
		r.IndicatorIDs = append(r.IndicatorIDs, id)
	}
	sort.Strings(r.IndicatorIDs)
	r.Decision = worst.String()
	r.ExitCode = ExitCode(worst)
	return r
}

func action(d cti.Decision, res PackageResult) string {
	switch d {
	case cti.DecisionBlock:
		return "remove or replace this dependency (pin a version no indicator covers); if you believe it is a false positive, report a false-positive sighting (adf cti sight --false-positive) and ask the publisher to revoke"
	case cti.DecisionHold:
		return "needs an approval: review the indicator, then either replace the dependency or have an approver set a time-boxed exception (adfd tx cti set-exception)"
	case cti.DecisionWarn:
		return "review the indicator; the build is not stopped"
	}
	if res.Error != "" {
		return "the registry could not evaluate this package: check the version"
	}
	return ""
}
