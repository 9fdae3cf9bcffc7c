package gate

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// SARIF 2.1.0 as GitHub code scanning reads it: one rule per matched
// indicator, one result per (package, indicator), located at the manifest
// line, with a security-severity so the alert is ranked.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// AutomationDetails lets code scanning tell gate runs from other tools.
	AutomationDetails *struct {
		ID string `json:"id"`
	} `json:"automationDetails,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine int `json:"startLine"`
		} `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

func sarifLevel(decision string) string {
	switch decision {
	case "block", "hold":
		return "error"
	case "warn":
		return "warning"
	}
	return "note"
}

// securitySeverity maps a decision to GitHub's 0.0-10.0 scale.
func securitySeverity(decision string) string {
	switch decision {
	case "block":
		return "9.8"
	case "hold":
		return "7.5"
	case "warn":
		return "4.0"
	}
	return "0.0"
}

// WriteSARIF writes the report as SARIF 2.1.0. root, when not empty, makes
// manifest paths relative to it (code scanning wants repository paths).
func WriteSARIF(w io.Writer, r Report, toolVersion, root string) error {
	rules := map[string]sarifRule{}
	var results []sarifResult
	for _, f := range r.Findings {
		uri := filepath.ToSlash(f.Manifest)
		if root != "" {
			if rel, err := filepath.Rel(root, f.Manifest); err == nil && !strings.HasPrefix(rel, "..") {
				uri = filepath.ToSlash(rel)
			}
		}
		loc := sarifLocation{}
		loc.PhysicalLocation.ArtifactLocation.URI = uri
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &struct {
				StartLine int `json:"startLine"`
			}{f.Line}
		}
		matches := f.Matches
		if len(matches) == 0 {
			// An evaluation problem without a match still gets a result.
			matches = []Match{{IndicatorID: "ADF-GATE-UNEVALUATED", SourceID: "ADF-GATE-UNEVALUATED", Decision: f.Decision, Why: f.Error}}
		}
		for _, m := range matches {
			if _, ok := rules[m.IndicatorID]; !ok {
				desc := m.Summary
				if desc == "" {
					desc = m.SourceID
				}
				rule := sarifRule{
					ID:               m.IndicatorID,
					Name:             m.SourceID,
					ShortDescription: sarifText{Text: fmt.Sprintf("%s: %s", m.SourceID, desc)},
					FullDescription:  sarifText{Text: fmt.Sprintf("Threat-intelligence indicator %s (source %s) published by %s to the ADF registry. %s", m.IndicatorID, m.SourceID, m.Publisher, desc)},
					Help:             sarifText{Text: f.Action},
					Properties: map[string]any{
						"tags":              append([]string{"security", "supply-chain"}, m.Labels...),
						"security-severity": securitySeverity(m.Decision),
					},
				}
				if len(m.References) > 0 {
					rule.HelpURI = m.References[0]
				}
				rules[m.IndicatorID] = rule
			}
			results = append(results, sarifResult{
				RuleID:    m.IndicatorID,
				Level:     sarifLevel(m.Decision),
				Message:   sarifText{Text: fmt.Sprintf("%s %s: %s (%s).", strings.ToUpper(m.Decision), f.PURL, m.Why, f.Action)},
				Locations: []sarifLocation{loc},
				PartialFingerprints: map[string]string{
					"adfPackageIndicator/v1": f.PURL + "|" + m.IndicatorID,
				},
				Properties: map[string]any{"purl": f.PURL, "decision": m.Decision, "score": m.Score, "publisher": m.Publisher},
			})
		}
	}
	// Lines the gate could not turn into a pinned package are results too:
	// code scanning is where a reviewer looks, and "not checked" must not
	// read as "clean".
	for _, m := range r.Manifests {
		for _, p := range m.Problems {
			const id = "ADF-GATE-NOT-CHECKED"
			if _, ok := rules[id]; !ok {
				rules[id] = sarifRule{
					ID:               id,
					Name:             "not-checked",
					ShortDescription: sarifText{Text: "A dependency the gate could not check"},
					FullDescription:  sarifText{Text: "The manifest names a dependency without an exact registry version (unpinned requirement, git/URL/path dependency, include, SBOM entry without a usable purl), so the registry was not asked about it."},
					Help:             sarifText{Text: "Pin the dependency to an exact version from a registry (e.g. name==1.2.3), or review it by hand."},
					Properties:       map[string]any{"tags": []string{"supply-chain"}, "security-severity": "4.0"},
				}
			}
			uri := filepath.ToSlash(m.Path)
			if root != "" {
				if rel, err := filepath.Rel(root, m.Path); err == nil && !strings.HasPrefix(rel, "..") {
					uri = filepath.ToSlash(rel)
				}
			}
			loc := sarifLocation{}
			loc.PhysicalLocation.ArtifactLocation.URI = uri
			if p.Line > 0 {
				loc.PhysicalLocation.Region = &struct {
					StartLine int `json:"startLine"`
				}{p.Line}
			}
			results = append(results, sarifResult{
				RuleID:              id,
				Level:               "warning",
				Message:             sarifText{Text: fmt.Sprintf("Not checked: %s (%s).", p.Text, p.Reason)},
				Locations:           []sarifLocation{loc},
				PartialFingerprints: map[string]string{"adfNotChecked/v1": uri + "|" + p.Text},
			})
		}
	}
	ruleList := make([]sarifRule, 0, len(rules))
	for _, r := range rules {
		ruleList = append(ruleList, r)
	}
	sort.Slice(ruleList, func(i, j int) bool { return ruleList[i].ID < ruleList[j].ID })
	if results == nil {
		results = []sarifResult{}
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: "adf-gate", InformationURI: "https://github.com/adf-consortium/adf", Version: toolVersion, Rules: ruleList,
			}},
			Results: results,
			AutomationDetails: &struct {
				ID string `json:"id"`
			}{ID: "adf-gate/"},
			Properties: map[string]any{
				"decision": r.Decision, "policyVersion": r.PolicyVersion, "height": r.Height, "source": r.Source,
			},
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}
