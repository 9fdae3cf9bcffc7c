package ctifeed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/purl"
)

// osvAdvisory is the part of an OSV 1.x record the translation reads.
type osvAdvisory struct {
	ID               string          `json:"id"`
	Published        string          `json:"published"`
	Modified         string          `json:"modified"`
	Withdrawn        string          `json:"withdrawn"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []osvSeverity   `json:"severity"`
	Affected         []osvAffected   `json:"affected"`
	References       []osvReference  `json:"references"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type osvReference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type osvAffected struct {
	Package *struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		PURL      string `json:"purl"`
	} `json:"package"`
	Severity          []osvSeverity   `json:"severity"`
	Ranges            []osvRange      `json:"ranges"`
	Versions          []string        `json:"versions"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific"`
	DatabaseSpecific  json.RawMessage `json:"database_specific"`
}

type osvRange struct {
	Type   string `json:"type"`
	Repo   string `json:"repo"`
	Events []struct {
		Introduced   *string `json:"introduced"`
		Fixed        *string `json:"fixed"`
		LastAffected *string `json:"last_affected"`
		Limit        *string `json:"limit"`
	} `json:"events"`
}

// Confidence of OSV indicators: a MAL- report is a curated statement that
// the package is malicious; a vulnerability advisory is reliable about the
// affected versions but says nothing about intent. 70 puts a fresh advisory
// between the default gate's hold (60.00) and block (80.00): a vulnerable
// dependency needs a decision (fix or time-boxed exception), a malicious
// one is stopped.
const (
	osvMaliciousConfidence = 100
	osvAdvisoryConfidence  = 70
)

// LabelVulnerability marks indicators from OSV advisories that are not
// MAL- reports: affected versions of a vulnerable, not malicious, package.
const LabelVulnerability = "vulnerability"

// ParseOSV translates OSV advisories: one record per file, a JSON array of
// records, or an osv.dev query answer {"vulns": [...]}.
func ParseOSV(path string, data []byte) (*Result, error) {
	if err := wrongFormat(path, FormatOSV, data); err != nil {
		return nil, err
	}
	raws, err := osvRecords(path, data)
	if err != nil {
		return nil, err
	}
	c := newCollector(path)
	ids := map[string]int{}
	for i, raw := range raws {
		var adv osvAdvisory
		ref := fmt.Sprintf("record %d", i)
		if err := json.Unmarshal(raw, &adv); err != nil {
			return nil, jsonErr(path, ref, err)
		}
		if adv.ID == "" {
			return nil, feedErr(path, ref, "OSV record has no id")
		}
		if j, dup := ids[adv.ID]; dup {
			return nil, feedErr(path, adv.ID, "duplicate OSV id (records %d and %d)", j, i)
		}
		ids[adv.ID] = i
		if err := osvAdd(c, &adv); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

func osvRecords(path string, data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(data, &arr); err != nil {
			return nil, jsonErr(path, "", err)
		}
		return arr, nil
	}
	var probe struct {
		Vulns []json.RawMessage `json:"vulns"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonErr(path, "", err)
	}
	if probe.Vulns != nil {
		return probe.Vulns, nil
	}
	return []json.RawMessage{data}, nil
}

// osvGroup is the affected entries of one package (ecosystem as written
// plus name): OSV may list a package twice for disjoint ranges, and those
// entries together are one indicator.
type osvGroup struct {
	key     string // ecosystem as written + "/" + name
	entries []int
}

func osvAdd(c *collector, adv *osvAdvisory) error {
	path := c.path
	malicious := strings.HasPrefix(adv.ID, "MAL-")
	published, err := parseTime(adv.Published)
	if err != nil {
		return feedErr(path, adv.ID, "published: %v", err)
	}
	if _, err := parseTime(adv.Modified); err != nil {
		return feedErr(path, adv.ID, "modified: %v", err)
	}
	if _, err := parseTime(adv.Withdrawn); err != nil {
		return feedErr(path, adv.ID, "withdrawn: %v", err)
	}

	// Group entries by package; entries without a package cannot be an
	// indicator (the registry matches packages, not repositories).
	var groups []*osvGroup
	byKey := map[string]*osvGroup{}
	var noPackage []int
	for i, a := range adv.Affected {
		if a.Package == nil || a.Package.Ecosystem == "" || a.Package.Name == "" {
			noPackage = append(noPackage, i)
			continue
		}
		if a.Package.PURL != "" {
			if _, err := purl.Parse(a.Package.PURL); err != nil {
				return feedErr(path, adv.ID, "affected[%d].package.purl: %v", i, err)
			}
		}
		key := a.Package.Ecosystem + "/" + a.Package.Name
		g := byKey[key]
		if g == nil {
			g = &osvGroup{key: key}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.entries = append(g.entries, i)
	}
	sourceID := func(g *osvGroup) string {
		if len(groups) == 1 {
			return adv.ID
		}
		return adv.ID + "#" + g.key
	}

	if adv.Withdrawn != "" {
		// A withdrawn advisory revokes whatever an earlier import made of
		// it, under either naming (the entry count may have changed).
		if err := c.revoke(adv.ID); err != nil {
			return err
		}
		if len(groups) > 1 {
			for _, g := range groups {
				if err := c.revoke(sourceID(g)); err != nil {
					return err
				}
			}
		}
		return nil
	}

	for _, i := range noPackage {
		c.skip(fmt.Sprintf("%s#affected[%d]", adv.ID, i),
			"affected entry names no package ecosystem and name (e.g. a git repository only); the registry matches packages")
	}
	if len(adv.Affected) == 0 {
		c.skip(adv.ID, "advisory has no affected entries")
	}

	summary := adv.Summary
	if summary == "" {
		summary = firstLine(adv.Details)
	}
	var refs []string
	for _, r := range adv.References {
		refs = append(refs, r.URL)
	}
	topSeverity := osvSeverityOf(adv.DatabaseSpecific, adv.Severity)

	for _, g := range groups {
		sid := sourceID(g)
		first := adv.Affected[g.entries[0]]
		eco, _, _ := strings.Cut(first.Package.Ecosystem, ":")
		pm := &cti.PackageMatch{Ecosystem: eco, Name: first.Package.Name}
		severity := topSeverity
		skipReason := ""
		for _, i := range g.entries {
			a := adv.Affected[i]
			for _, v := range a.Versions {
				pm.Versions = appendUnique(pm.Versions, v)
			}
			for j, r := range a.Ranges {
				cr, all, err := osvRangeOf(r)
				if err != nil {
					return feedErr(path, adv.ID, "affected[%d].ranges[%d]: %v", i, j, err)
				}
				if cr.Type == "" {
					skipReason = fmt.Sprintf("affected[%d].ranges[%d] has range type %q; only SEMVER, ECOSYSTEM and GIT are understood", i, j, r.Type)
				}
				pm.Ranges = append(pm.Ranges, cr)
				pm.AllVersions = pm.AllVersions || all
			}
			if len(a.Versions) == 0 && len(a.Ranges) == 0 {
				if !malicious {
					skipReason = fmt.Sprintf("affected[%d] lists neither versions nor ranges; for a vulnerability advisory that does not say which versions are affected", i)
				}
				// ossf/malicious-packages leaves both out when every
				// version of the package is malicious.
				pm.AllVersions = true
			}
			if severity == cti.SeverityUnknown {
				severity = osvSeverityOf(a.DatabaseSpecific, a.Severity)
			}
			if severity == cti.SeverityUnknown {
				severity = osvSeverityOf(a.EcosystemSpecific, nil)
			}
		}
		if skipReason != "" {
			c.skip(sid, skipReason)
			continue
		}
		in := cti.Indicator{
			SourceID:   sid,
			Kind:       cti.KindPackage,
			Package:    pm,
			ValidFrom:  published,
			References: refs,
			Summary:    summary,
		}
		if malicious {
			in.Confidence = osvMaliciousConfidence
			in.Severity = cti.SeverityCritical
			in.Labels = []string{cti.LabelMalicious}
		} else {
			in.Confidence = osvAdvisoryConfidence
			in.Severity = severity
			in.Labels = []string{LabelVulnerability}
		}
		if err := c.add(in); err != nil {
			return err
		}
	}
	return nil
}

// osvRangeOf converts one range. all reports a range that is only
// introduced "0" events: every version is affected. An unknown range type
// comes back with an empty Type so the caller can skip the package with a
// reason; a malformed event is an error.
func osvRangeOf(r osvRange) (cr cti.Range, all bool, err error) {
	switch r.Type {
	case cti.RangeSemver, cti.RangeEcosystem, cti.RangeGit:
		cr.Type = r.Type
	}
	if len(r.Events) == 0 {
		return cr, false, fmt.Errorf("no events")
	}
	onlyIntroduced, zero := true, false
	for k, e := range r.Events {
		var ev cti.Event
		n := 0
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
				n++
			}
		}
		set(&ev.Introduced, e.Introduced)
		set(&ev.Fixed, e.Fixed)
		set(&ev.LastAffected, e.LastAffected)
		set(&ev.Limit, e.Limit)
		if n != 1 {
			return cr, false, fmt.Errorf("events[%d] sets %d of introduced, fixed, last_affected, limit; OSV wants exactly one", k, n)
		}
		if ev.Introduced == "" && ev.Fixed == "" && ev.LastAffected == "" && ev.Limit == "" {
			return cr, false, fmt.Errorf("events[%d] has an empty version", k)
		}
		if e.Introduced == nil {
			onlyIntroduced = false
		} else if ev.Introduced == "0" {
			zero = true
		}
		cr.Events = append(cr.Events, ev)
	}
	return cr, onlyIntroduced && zero, nil
}

// osvSeverityOf reads a severity from a database_specific or
// ecosystem_specific object ({"severity": "HIGH"}) or, failing that, from
// the first CVSS v3 vector in sev.
func osvSeverityOf(specific json.RawMessage, sev []osvSeverity) cti.Severity {
	if len(specific) > 0 {
		var ds struct {
			Severity json.RawMessage `json:"severity"`
		}
		var s string
		if json.Unmarshal(specific, &ds) == nil && json.Unmarshal(ds.Severity, &s) == nil {
			if out := severityWord(s); out != cti.SeverityUnknown {
				return out
			}
		}
	}
	for _, s := range sev {
		if score, ok := cvssScore(s.Type, s.Score); ok {
			return severityOfScore(score)
		}
	}
	return cti.SeverityUnknown
}

// severityWord maps the words advisories use (GHSA says MODERATE) to a
// severity.
func severityWord(s string) cti.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "low", "negligible", "unimportant":
		return cti.SeverityLow
	case "medium", "moderate":
		return cti.SeverityMedium
	case "high", "important":
		return cti.SeverityHigh
	case "critical":
		return cti.SeverityCritical
	}
	return cti.SeverityUnknown
}

// severityOfScore buckets a CVSS base score as CVSS v3 names its ranges.
func severityOfScore(score float64) cti.Severity {
	switch {
	case score >= 9:
		return cti.SeverityCritical
	case score >= 7:
		return cti.SeverityHigh
	case score >= 4:
		return cti.SeverityMedium
	case score > 0:
		return cti.SeverityLow
	}
	return cti.SeverityUnknown
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// firstLine is the first line of s that has a letter or digit in it
// (details often open with a markdown rule).
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if strings.IndexFunc(l, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			return l
		}
	}
	return ""
}
