package cti

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Decision is what a member's CI does about a package. Decisions are
// ordered: DecisionPass < DecisionWarn < DecisionHold < DecisionBlock.
//
//   - pass: nothing to report.
//   - warn: report and continue.
//   - hold: stop until a person decides (approve, or add an exception).
//   - block: fail the build.
type Decision int

// Decisions.
const (
	DecisionPass Decision = iota
	DecisionWarn
	DecisionHold
	DecisionBlock
)

var decisionNames = [...]string{"pass", "warn", "hold", "block"}

// Valid reports whether d is one of the four decisions.
func (d Decision) Valid() bool { return d >= DecisionPass && d <= DecisionBlock }

// String returns "pass", "warn", "hold", "block", or "decision(N)".
func (d Decision) String() string {
	if d.Valid() {
		return decisionNames[d]
	}
	return fmt.Sprintf("decision(%d)", int(d))
}

// ParseDecision reads the String form (case-insensitive, surrounding space
// ignored).
func ParseDecision(s string) (Decision, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, n := range decisionNames {
		if t == n {
			return Decision(i), nil
		}
	}
	return DecisionPass, fmt.Errorf("%w: unknown decision %q (want pass, warn, hold or block)", ErrInvalidPolicy, s)
}

// MarshalText encodes a decision by name, so JSON shows "block", not 3.
func (d Decision) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("%w: decision %d", ErrInvalidPolicy, int(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes a decision name.
func (d *Decision) UnmarshalText(b []byte) error {
	v, err := ParseDecision(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ErrInvalidPolicy wraps every gate policy error.
var ErrInvalidPolicy = errors.New("invalid gate policy")

func invalidPolicy(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidPolicy, field, fmt.Sprintf(format, args...))
}

// Thresholds are the scores, in basis points, at which a match becomes a
// warning, a hold and a block. A match reaches a stage when its score is
// at least the stage's threshold.
//
// A threshold of 0 disables its stage (a threshold of 0 would otherwise
// fire on every match, even a fully decayed one, which no one wants).
// The enabled thresholds must be ordered, Warn ≤ Hold ≤ Block, and at
// most ScoreScale; there is no "above the scale" value to disable a stage.
// So {Warn: 3000, Block: 8000} never holds, and {} never gates at all.
type Thresholds struct {
	Warn  uint32 `json:"warn"`
	Hold  uint32 `json:"hold"`
	Block uint32 `json:"block"`
}

// Validate checks each threshold ≤ ScoreScale and the enabled ones
// ordered. field prefixes the error ("default", "ecosystems[2]").
func (t Thresholds) validate(field string) error {
	for _, x := range []struct {
		name string
		v    uint32
	}{{"warn", t.Warn}, {"hold", t.Hold}, {"block", t.Block}} {
		if x.v > ScoreScale {
			return invalidPolicy(field+"."+x.name, "%d is above %d (100.00)", x.v, ScoreScale)
		}
	}
	if t.Warn != 0 && t.Hold != 0 && t.Warn > t.Hold {
		return invalidPolicy(field+".warn", "%d is above hold %d", t.Warn, t.Hold)
	}
	if t.Hold != 0 && t.Block != 0 && t.Hold > t.Block {
		return invalidPolicy(field+".hold", "%d is above block %d", t.Hold, t.Block)
	}
	if t.Warn != 0 && t.Block != 0 && t.Warn > t.Block {
		return invalidPolicy(field+".warn", "%d is above block %d", t.Warn, t.Block)
	}
	return nil
}

// Validate checks the thresholds (see Thresholds).
func (t Thresholds) Validate() error { return t.validate("thresholds") }

// Stage is the highest enabled stage whose threshold score reaches, and
// that threshold (0 for pass).
func (t Thresholds) Stage(score uint32) (Decision, uint32) {
	switch {
	case t.Block != 0 && score >= t.Block:
		return DecisionBlock, t.Block
	case t.Hold != 0 && score >= t.Hold:
		return DecisionHold, t.Hold
	case t.Warn != 0 && score >= t.Warn:
		return DecisionWarn, t.Warn
	}
	return DecisionPass, 0
}

// EcosystemThresholds overrides the default thresholds for one OSV
// ecosystem ("npm", "PyPI", ...), compared exactly.
type EcosystemThresholds struct {
	Ecosystem string `json:"ecosystem"`
	Thresholds
}

// Exception lets a package or an indicator through the gate until it
// expires.
//
// Target is one of:
//   - a purl without version, "pkg:npm/left-pad": every version;
//   - a purl with version, "pkg:npm/left-pad@1.3.0": that version;
//   - an indicator id, "ind-…": that indicator, wherever it matches.
//
// Purls are compared as strings with the purls Decide is given, so write
// them in pkg/purl's canonical form (no qualifiers or subpath).
//
// An exception is active while now < Expires; every exception expires
// (like osv-scanner's ignoreUntil), and Validate bounds how far ahead.
//
// MaxDecision is the highest decision it lowers to pass; unset (pass) means
// hold. So by default an exception waves through warnings and holds but
// not a block: overriding a block (an OSV MAL- advisory, say) takes an
// exception that says MaxDecision block, which an approver has to write
// out.
type Exception struct {
	ID          string   `json:"id"`
	Target      string   `json:"target"`
	Reason      string   `json:"reason"`
	Approver    string   `json:"approver"`
	Expires     int64    `json:"expires"`
	MaxDecision Decision `json:"max_decision,omitempty"`
}

// Active reports whether the exception is in force at now: now < Expires.
func (e Exception) Active(now int64) bool { return now < e.Expires }

// Ceiling is the highest decision the exception lowers: MaxDecision, or
// hold when unset.
func (e Exception) Ceiling() Decision {
	if e.MaxDecision == DecisionPass {
		return DecisionHold
	}
	return e.MaxDecision
}

// Covers reports whether the exception's target is the package (either
// purl) or the indicator.
func (e Exception) Covers(purlNoVersion, purlWithVersion, indicatorID string) bool {
	if e.Target == "" {
		return false
	}
	return e.Target == purlNoVersion || e.Target == purlWithVersion || e.Target == indicatorID
}

// Limits on a gate policy.
const (
	MaxEcosystemOverrides = 64
	MaxExceptions         = 1024
	MaxExceptionIDLen     = 128
	MaxExceptionTargetLen = 4096
	MaxExceptionReasonLen = 1024
	MaxApproverLen        = 256
	MaxEcosystemLen       = 64
	// MaxExceptionSeconds bounds how far past the validating block's time
	// an exception may expire: a year and a day.
	MaxExceptionSeconds = 366 * secondsPerDay
)

// GatePolicy is the consortium's staged warn / hold / block policy that
// every member's CI applies to the CTI matches of each package.
type GatePolicy struct {
	// Version is bumped by the registry on each change; verdicts carry it.
	Version uint64     `json:"version"`
	Default Thresholds `json:"default"`
	// Ecosystems override Default; unique and sorted by ecosystem (see
	// Canonical).
	Ecosystems []EcosystemThresholds `json:"ecosystems,omitempty"`
	// MaliciousBlocks makes a match labelled LabelMalicious whose score
	// reaches Hold a block (when Hold is enabled).
	MaliciousBlocks bool        `json:"malicious_blocks"`
	Exceptions      []Exception `json:"exceptions,omitempty"`
}

// DefaultGatePolicy is version 1: warn at 30.00, hold at 60.00, block at
// 80.00, malicious matches block from hold. An OSV MAL- advisory
// (confidence 100, label malicious) scores 100.00 and blocks; a
// confidence-70 vulnerability advisory holds.
func DefaultGatePolicy() GatePolicy {
	return GatePolicy{
		Version:         1,
		Default:         Thresholds{Warn: 3000, Hold: 6000, Block: 8000},
		MaliciousBlocks: true,
	}
}

// Canonical returns a copy with ecosystem overrides sorted by ecosystem
// and exceptions sorted by id, the form Validate expects and the registry
// stores.
func (p GatePolicy) Canonical() GatePolicy {
	q := p
	q.Ecosystems = append([]EcosystemThresholds(nil), p.Ecosystems...)
	sort.SliceStable(q.Ecosystems, func(i, j int) bool { return q.Ecosystems[i].Ecosystem < q.Ecosystems[j].Ecosystem })
	q.Exceptions = append([]Exception(nil), p.Exceptions...)
	sort.SliceStable(q.Exceptions, func(i, j int) bool { return q.Exceptions[i].ID < q.Exceptions[j].ID })
	return q
}

// Validate checks a policy at block time now. Errors wrap ErrInvalidPolicy
// and name the field ("ecosystems[1].ecosystem", "exceptions[0].target"):
//
//   - thresholds (default and each override) as Thresholds documents;
//   - at most MaxEcosystemOverrides overrides, each naming an ecosystem,
//     sorted by ecosystem without duplicates;
//   - at most MaxExceptions exceptions with unique non-empty ids, a target
//     that is a purl ("pkg:type/name[@version]", no qualifiers or
//     subpath) or an indicator id ("ind-" and 32 hex digits), a reason,
//     an approver, a valid MaxDecision, Expires > 0 and, when now > 0, no
//     later than now + MaxExceptionSeconds. Expired exceptions are valid:
//     they stay as history and no longer apply.
func (p GatePolicy) Validate(now int64) error {
	if err := p.Default.validate("default"); err != nil {
		return err
	}
	if len(p.Ecosystems) > MaxEcosystemOverrides {
		return invalidPolicy("ecosystems", "%d overrides, at most %d", len(p.Ecosystems), MaxEcosystemOverrides)
	}
	for i, e := range p.Ecosystems {
		f := fmt.Sprintf("ecosystems[%d]", i)
		if e.Ecosystem == "" || len(e.Ecosystem) > MaxEcosystemLen || !printable(e.Ecosystem) || strings.TrimSpace(e.Ecosystem) != e.Ecosystem {
			return invalidPolicy(f+".ecosystem", "%q is empty, longer than %d bytes, padded or not printable", e.Ecosystem, MaxEcosystemLen)
		}
		if i > 0 {
			prev := p.Ecosystems[i-1].Ecosystem
			if prev == e.Ecosystem {
				return invalidPolicy(f+".ecosystem", "duplicate override for %q", e.Ecosystem)
			}
			if prev > e.Ecosystem {
				return invalidPolicy(f+".ecosystem", "%q sorts before %q; overrides must be sorted by ecosystem (GatePolicy.Canonical)", e.Ecosystem, prev)
			}
		}
		if err := e.Thresholds.validate(f); err != nil {
			return err
		}
	}
	if len(p.Exceptions) > MaxExceptions {
		return invalidPolicy("exceptions", "%d exceptions, at most %d", len(p.Exceptions), MaxExceptions)
	}
	seen := make(map[string]int, len(p.Exceptions)) // membership only, never iterated
	for i, e := range p.Exceptions {
		f := fmt.Sprintf("exceptions[%d]", i)
		if e.ID == "" || len(e.ID) > MaxExceptionIDLen || !printable(e.ID) {
			return invalidPolicy(f+".id", "%q is empty, longer than %d bytes or not printable", e.ID, MaxExceptionIDLen)
		}
		if j, dup := seen[e.ID]; dup {
			return invalidPolicy(f+".id", "duplicate id %q (also exceptions[%d])", e.ID, j)
		}
		seen[e.ID] = i
		if err := validateTarget(e.Target); err != nil {
			return invalidPolicy(f+".target", "%v", err)
		}
		if strings.TrimSpace(e.Reason) == "" || len(e.Reason) > MaxExceptionReasonLen || !utf8.ValidString(e.Reason) {
			return invalidPolicy(f+".reason", "empty, longer than %d bytes or not UTF-8", MaxExceptionReasonLen)
		}
		if strings.TrimSpace(e.Approver) == "" || len(e.Approver) > MaxApproverLen || !printable(e.Approver) {
			return invalidPolicy(f+".approver", "%q is empty, longer than %d bytes or not printable", e.Approver, MaxApproverLen)
		}
		if e.Expires <= 0 {
			return invalidPolicy(f+".expires", "%d: every exception needs an expiry (unix seconds)", e.Expires)
		}
		if now > 0 && e.Expires-now > MaxExceptionSeconds {
			return invalidPolicy(f+".expires", "%d is more than %d days after now (%d)", e.Expires, MaxExceptionSeconds/secondsPerDay, now)
		}
		if !e.MaxDecision.Valid() {
			return invalidPolicy(f+".max_decision", "unknown decision %d", int(e.MaxDecision))
		}
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func validateTarget(t string) error {
	switch {
	case t == "":
		return errors.New("empty")
	case len(t) > MaxExceptionTargetLen:
		return fmt.Errorf("longer than %d bytes", MaxExceptionTargetLen)
	case strings.HasPrefix(t, "ind-"):
		h := t[len("ind-"):]
		if len(h) != 2*indicatorIDBytes || strings.Trim(h, "0123456789abcdef") != "" {
			return fmt.Errorf("%q is not an indicator id (ind- and %d lower-case hex digits)", t, 2*indicatorIDBytes)
		}
		return nil
	case strings.HasPrefix(t, "pkg:"):
		typ, name, ok := strings.Cut(t[len("pkg:"):], "/")
		if !ok || typ == "" || name == "" || strings.HasSuffix(name, "/") || strings.HasPrefix(name, "@") {
			return fmt.Errorf("%q is not a purl pkg:type/name[@version]", t)
		}
		if strings.ContainsAny(t, "?# \t\r\n") {
			return fmt.Errorf("%q has qualifiers, a subpath or spaces; exceptions name a package or a version", t)
		}
		if strings.HasSuffix(t, "@") {
			return fmt.Errorf("%q has an empty version", t)
		}
		return nil
	}
	return fmt.Errorf("%q is neither a purl (pkg:…) nor an indicator id (ind-…)", t)
}

// ThresholdsFor returns the ecosystem's override, or Default, and whether
// it was an override.
func (p GatePolicy) ThresholdsFor(ecosystem string) (Thresholds, bool) {
	for _, e := range p.Ecosystems {
		if e.Ecosystem == ecosystem {
			return e.Thresholds, true
		}
	}
	return p.Default, false
}

// Match is one indicator that matched a package, with its effective score.
type Match struct {
	Indicator *Indicator `json:"indicator"`
	Score     Score      `json:"score"`
}

// Reason explains the decision on one match.
type Reason struct {
	IndicatorID string   `json:"indicator_id"`
	SourceID    string   `json:"source_id"`
	Publisher   string   `json:"publisher,omitempty"`
	Score       uint32   `json:"score"`
	Decision    Decision `json:"decision"`
	Why         string   `json:"why"`
	// ExceptionID names the exception that lowered this match to pass.
	ExceptionID string `json:"exception_id,omitempty"`
}

// Verdict is the gate's decision on one package.
type Verdict struct {
	Decision      Decision `json:"decision"`
	Reasons       []Reason `json:"reasons"`
	PolicyVersion uint64   `json:"policy_version"`
}

// Decide applies the policy at now to the matches of one package
// (ecosystem as OSV names it, its purl without and with version):
//
//  1. Each match's stage is its Score.Total against the ecosystem's
//     thresholds (the override, else Default): the highest enabled stage
//     whose threshold the score reaches.
//  2. With MaliciousBlocks, a match whose indicator is labelled
//     LabelMalicious and whose score reaches Hold (if enabled) is a block.
//  3. An active exception (now < Expires) whose target is the package
//     (either purl) or the indicator lowers the match to pass if its stage
//     is at most the exception's Ceiling. Of several, the one with the
//     smallest id applies; the reason names it.
//
// The verdict is the highest decision over the matches (pass if none);
// Reasons hold one entry per match, sorted by decision (highest first),
// then score (highest first), indicator id, source id, exception id and
// text, so the same inputs give the same verdict in any order. Matches
// with a nil indicator are skipped. Decide does not validate the policy
// and never panics.
func (p GatePolicy) Decide(ecosystem, purlNoVersion, purlWithVersion string, matches []Match, now int64) Verdict {
	v := Verdict{PolicyVersion: p.Version}
	th, override := p.ThresholdsFor(ecosystem)
	scope := ""
	if override {
		scope = " (" + ecosystem + " thresholds)"
	}
	for _, m := range matches {
		in := m.Indicator
		if in == nil {
			continue
		}
		score := m.Score.Total
		stage, at := th.Stage(score)
		var why string
		if p.MaliciousBlocks && th.Hold != 0 && score >= th.Hold && in.HasLabel(LabelMalicious) {
			stage = DecisionBlock
			why = fmt.Sprintf("malicious %s (label %s), score %s ≥ hold %s%s → block", in.Kind, LabelMalicious, fmtBP(score), fmtBP(th.Hold), scope)
		} else if stage == DecisionPass {
			why = fmt.Sprintf("%s score %s below %s%s → pass", in.Kind, fmtBP(score), lowestEnabled(th), scope)
		} else {
			why = fmt.Sprintf("%s score %s ≥ %s %s%s → %s", in.Kind, fmtBP(score), stage, fmtBP(at), scope, stage)
		}
		r := Reason{IndicatorID: in.ID, SourceID: in.SourceID, Publisher: in.Publisher, Score: score, Decision: stage}
		if stage > DecisionPass {
			applied, blocked, expired := p.exceptionFor(purlNoVersion, purlWithVersion, in.ID, stage, now)
			switch {
			case applied != nil:
				r.Decision = DecisionPass
				r.ExceptionID = applied.ID
				why += fmt.Sprintf("; exception %s (approved by %s until %s: %s) → pass", applied.ID, applied.Approver, fmtTime(applied.Expires), applied.Reason)
			case blocked != nil:
				why += fmt.Sprintf("; exception %s covers at most %s, not %s", blocked.ID, blocked.Ceiling(), stage)
			case expired != nil:
				why += fmt.Sprintf("; exception %s expired at %s", expired.ID, fmtTime(expired.Expires))
			}
		}
		r.Why = why
		if r.Decision > v.Decision {
			v.Decision = r.Decision
		}
		v.Reasons = append(v.Reasons, r)
	}
	sort.SliceStable(v.Reasons, func(i, j int) bool {
		a, b := v.Reasons[i], v.Reasons[j]
		switch {
		case a.Decision != b.Decision:
			return a.Decision > b.Decision
		case a.Score != b.Score:
			return a.Score > b.Score
		case a.IndicatorID != b.IndicatorID:
			return a.IndicatorID < b.IndicatorID
		case a.SourceID != b.SourceID:
			return a.SourceID < b.SourceID
		case a.ExceptionID != b.ExceptionID:
			return a.ExceptionID < b.ExceptionID
		case a.Publisher != b.Publisher:
			return a.Publisher < b.Publisher
		}
		return a.Why < b.Why
	})
	return v
}

// exceptionFor finds, among exceptions covering the package or indicator,
// the smallest-id active one that lowers stage; else the smallest-id
// active one that does not (to explain), else the smallest-id expired one.
func (p GatePolicy) exceptionFor(purlNoVersion, purlWithVersion, indicatorID string, stage Decision, now int64) (applied, blocked, expired *Exception) {
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		if !e.Covers(purlNoVersion, purlWithVersion, indicatorID) {
			continue
		}
		switch {
		case e.Active(now) && stage <= e.Ceiling():
			if applied == nil || e.ID < applied.ID {
				applied = e
			}
		case e.Active(now):
			if blocked == nil || e.ID < blocked.ID {
				blocked = e
			}
		default:
			if expired == nil || e.ID < expired.ID {
				expired = e
			}
		}
	}
	return applied, blocked, expired
}

func lowestEnabled(t Thresholds) string {
	for _, x := range []struct {
		d Decision
		v uint32
	}{{DecisionWarn, t.Warn}, {DecisionHold, t.Hold}, {DecisionBlock, t.Block}} {
		if x.v != 0 {
			return fmt.Sprintf("%s %s", x.d, fmtBP(x.v))
		}
	}
	return "every threshold (all disabled)"
}

// fmtBP formats basis points as a score: 6000 → "60.00".
func fmtBP(v uint32) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }

// fmtTime formats unix seconds (from the policy, not a clock) in UTC.
func fmtTime(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

// WorstDecision is the highest decision among the verdicts, pass if none.
func WorstDecision(vs []Verdict) Decision {
	d := DecisionPass
	for _, v := range vs {
		if v.Decision > d {
			d = v.Decision
		}
	}
	return d
}
