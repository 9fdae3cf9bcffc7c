package gate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/adf-consortium/adf/pkg/cti"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func pct(bp uint32) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

// WriteText writes the report for people: findings grouped by decision,
// worst first, each with why, the indicator, who published it, and what to
// do; then the manifests' problems and the totals.
func WriteText(w io.Writer, r Report) error {
	b := &strings.Builder{}
	at := time.Unix(r.Time, 0).UTC().Format(time.RFC3339)
	fmt.Fprintf(b, "adf gate: %s (exit %d) — policy v%d, %s at height %d (%s)\n", strings.ToUpper(r.Decision), r.ExitCode, r.PolicyVersion, r.Source, r.Height, at)
	for _, d := range []cti.Decision{cti.DecisionBlock, cti.DecisionHold, cti.DecisionWarn, cti.DecisionPass} {
		var group []Finding
		for _, f := range r.Findings {
			if f.Decision == d.String() {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s (%d)\n", strings.ToUpper(d.String()), len(group))
		for _, f := range group {
			loc := f.Manifest
			if f.Line > 0 {
				loc = fmt.Sprintf("%s:%d", f.Manifest, f.Line)
			}
			fmt.Fprintf(b, "  %s  (%s)\n", f.PURL, loc)
			for _, m := range f.Matches {
				fmt.Fprintf(b, "    - %s [%s] score %s, published by %s: %s\n", m.SourceID, m.Decision, pct(m.Score), m.Publisher, m.Why)
				if m.Summary != "" {
					fmt.Fprintf(b, "      %s\n", m.Summary)
				}
				if len(m.References) > 0 {
					fmt.Fprintf(b, "      see %s\n", m.References[0])
				}
				fmt.Fprintf(b, "      indicator %s\n", m.IndicatorID)
			}
			if f.Error != "" {
				fmt.Fprintf(b, "    ! %s\n", f.Error)
			}
			if f.Action != "" {
				fmt.Fprintf(b, "    → %s\n", f.Action)
			}
		}
	}
	problems := 0
	for _, m := range r.Manifests {
		problems += len(m.Problems)
	}
	if problems > 0 {
		fmt.Fprintf(b, "\nNOT CHECKED (%d lines the gate could not turn into a pinned package)\n", problems)
		for _, m := range r.Manifests {
			for _, p := range m.Problems {
				fmt.Fprintf(b, "  %s:%d: %s — %s\n", m.Path, p.Line, p.Text, p.Reason)
			}
		}
	}
	fmt.Fprintf(b, "\n%d manifests, %d packages: %d block, %d hold, %d warn, %d pass\n", len(r.Manifests), total(r),
		r.Counts["block"], r.Counts["hold"], r.Counts["warn"], r.Counts["pass"])
	_, err := io.WriteString(w, b.String())
	return err
}

func total(r Report) int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}
