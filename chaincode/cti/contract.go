// Package cti is the chaincode's threat-intelligence registry: indicators
// (published and updated by their publisher organisation only, revoked,
// with every revision kept), sightings, publisher reputation, and the gate
// decision on purls by pkg/cti's Evaluator at the transaction time: the
// same code x/cti's queries and the offline gate run.
package cti

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/chaincode/internal/wire"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/gate"
	"github.com/adf-consortium/adf/pkg/policy"
)

// State object types.
const (
	keyIndicator = "adf.cti.ind"   // [id] → Record
	keyIndex     = "adf.cti.idx"   // [index key, id] → mark (active only)
	keyHistory   = "adf.cti.hist"  // [id, revision as 10 digits] → HistoryEntry
	keySighting  = "adf.cti.sight" // [id, org] → Sighting
	keyRep       = "adf.cti.rep"   // [org] → Reputation
)

// Registry errors (x/cti's texts).
var (
	ErrEmptyBatch        = errors.New("empty batch")
	ErrBatchTooLarge     = errors.New("batch too large")
	ErrNotPublisher      = errors.New("not the publisher of the indicator")
	ErrIndicatorNotFound = errors.New("indicator not found")
	ErrIndicatorRevoked  = errors.New("indicator revoked")
	ErrOwnIndicator      = errors.New("cannot sight own indicator")
	ErrInvalidSighting   = errors.New("invalid sighting")
	ErrInvalidReason     = errors.New("invalid reason")
)

// Status words of indicators.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
)

// Verdicts of sightings.
const (
	TruePositive  = "true-positive"
	FalsePositive = "false-positive"
)

// Params are x/cti's default params: pkg/cti's score params and gate
// policy, and the work bounds.
type Params struct {
	Score         cti.ScoreParams
	Policy        cti.GatePolicy
	MaxPerTx      int
	MaxQueryItems int
	MaxReasonLen  int
	// MaxExceptionSeconds bounds how far ahead an exception may expire.
	MaxExceptionSeconds int64
}

// DefaultParams are x/cti's default params.
func DefaultParams() Params {
	return Params{
		Score: cti.DefaultScoreParams(), Policy: cti.DefaultGatePolicy(),
		MaxPerTx: 500, MaxQueryItems: 10000, MaxReasonLen: cti.MaxExceptionReasonLen, MaxExceptionSeconds: 90 * 24 * 3600,
	}
}

// Record is an indicator with its registry state.
type Record struct {
	Indicator      cti.Indicator `json:"indicator"`
	Status         string        `json:"status"`
	Revision       uint32        `json:"revision"`
	PublishedAt    int64         `json:"published_at"`
	UpdatedAt      int64         `json:"updated_at"`
	PrincipalID    string        `json:"principal_id"`
	TruePositives  uint32        `json:"true_positives"`
	FalsePositives uint32        `json:"false_positives"`
	RevokeReason   string        `json:"revoke_reason,omitempty"`
	TxID           string        `json:"tx_id"`
}

// HistoryEntry is one revision.
type HistoryEntry struct {
	Revision  uint32        `json:"revision"`
	Action    string        `json:"action"`
	Time      int64         `json:"time"`
	Actor     string        `json:"actor"`
	Indicator cti.Indicator `json:"indicator"`
	Reason    string        `json:"reason,omitempty"`
	TxID      string        `json:"tx_id"`
}

// Sighting is one organisation's latest verdict on an indicator.
type Sighting struct {
	IndicatorID string `json:"indicator_id"`
	OrgID       string `json:"org_id"`
	Verdict     string `json:"verdict"`
	PrincipalID string `json:"principal_id"`
	Time        int64  `json:"time"`
	Note        string `json:"note,omitempty"`
}

// Reputation is a publisher's counters.
type Reputation struct {
	cti.Reputation
	Published uint64 `json:"published"`
	Revoked   uint64 `json:"revoked"`
}

// Contract is the CTI contract ("cti:…").
type Contract struct {
	contractapi.Contract
	Params Params
}

// NewContract returns the CTI contract with x/cti's defaults.
func NewContract() *Contract {
	c := &Contract{Params: DefaultParams()}
	c.Name = "cti"
	c.Info.Title = "ADF threat-intelligence registry"
	c.Info.Version = "1.0.0"
	return c
}

func rev(n uint32) string { return fmt.Sprintf("%010d", n) }

// authorize requires a principal of an organisation allowed action.
func authorize(tx *ledger.Tx, caller identity.Caller, action string) (identity.Decision, error) {
	d, err := identity.Require(tx, caller, action, "")
	if err != nil {
		return d, err
	}
	if d.PrincipalID == "" {
		return d, fmt.Errorf("%w: %s may %s but is not a principal of an organisation", identity.ErrUnauthorized, caller.ID, action)
	}
	return d, nil
}

func getRecord(tx *ledger.Tx, id string) (Record, bool, error) {
	var r Record
	ok, err := tx.Get(&r, keyIndicator, id)
	return r, ok, err
}

func getReputation(tx *ledger.Tx, org string) (Reputation, error) {
	var r Reputation
	_, err := tx.Get(&r, keyRep, org)
	return r, err
}

// PublishResult counts what a publication did.
type PublishResult struct {
	Published uint32 `json:"published"`
	Updated   uint32 `json:"updated"`
	Unchanged uint32 `json:"unchanged"`
}

// PublishIndicators publishes new indicators and new revisions of the
// caller organisation's own indicators (a JSON list of pkg/cti
// indicators; the publisher is set to the caller's org). A batch is all
// or nothing: every item is checked before anything is written.
func (c *Contract) PublishIndicators(ctx contractapi.TransactionContextInterface, indicators string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	var ins []cti.Indicator
	if err := wire.Decode(indicators, &ins); err != nil {
		return "", fmt.Errorf("indicators: %w", err)
	}
	if len(ins) == 0 {
		return "", ErrEmptyBatch
	}
	if len(ins) > c.Params.MaxPerTx {
		return "", fmt.Errorf("%d indicators, at most %d per transaction: %w", len(ins), c.Params.MaxPerTx, ErrBatchTooLarge)
	}
	dec, err := authorize(tx, caller, policy.ActionPublishIndicator)
	if err != nil {
		return "", err
	}
	type item struct {
		in      cti.Indicator
		old     Record
		exists  bool
		changed bool
	}
	items := make([]item, len(ins))
	seen := map[string]int{}
	for i, in := range ins {
		in.Publisher = dec.OrgID
		if err := in.Validate(); err != nil {
			return "", fmt.Errorf("indicators[%d] (%s): %w", i, in.SourceID, err)
		}
		if j, dup := seen[in.SourceID]; dup {
			return "", fmt.Errorf("indicators[%d] and [%d] both have source id %q: duplicate source id", j, i, in.SourceID)
		}
		seen[in.SourceID] = i
		old, exists, err := getRecord(tx, in.ID)
		if err != nil {
			return "", err
		}
		if exists && old.Indicator.Publisher != dec.OrgID {
			return "", fmt.Errorf("indicators[%d]: %s (source %s) was published by %s: %w", i, in.ID, in.SourceID, old.Indicator.Publisher, ErrNotPublisher)
		}
		changed := !exists || old.Status != StatusActive || !cti.SameContent(old.Indicator, in)
		items[i] = item{in: in, old: old, exists: exists, changed: changed}
	}
	now := tx.Now().Unix()
	var res PublishResult
	rep, err := getReputation(tx, dec.OrgID)
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if !it.changed {
			res.Unchanged++
			continue
		}
		rec := Record{Indicator: it.in, Status: StatusActive, Revision: 1, PublishedAt: now, UpdatedAt: now, PrincipalID: dec.PrincipalID, TxID: tx.TxID()}
		action := "published"
		if it.exists {
			action = "updated"
			rec.Revision = it.old.Revision + 1
			rec.PublishedAt = it.old.PublishedAt
			rec.TruePositives, rec.FalsePositives = it.old.TruePositives, it.old.FalsePositives
			if oldKey := it.old.Indicator.IndexKey(); oldKey != it.in.IndexKey() {
				if err := tx.Delete(keyIndex, oldKey, it.in.ID); err != nil {
					return "", err
				}
			}
			res.Updated++
		} else {
			res.Published++
			rep.Published++
		}
		if err := tx.Put(rec, keyIndicator, it.in.ID); err != nil {
			return "", err
		}
		if err := tx.Mark(keyIndex, it.in.IndexKey(), it.in.ID); err != nil {
			return "", err
		}
		if err := tx.Put(HistoryEntry{Revision: rec.Revision, Action: action, Time: now, Actor: dec.PrincipalID, Indicator: it.in, TxID: tx.TxID()},
			keyHistory, it.in.ID, rev(rec.Revision)); err != nil {
			return "", err
		}
	}
	if res.Published > 0 {
		if err := tx.Put(rep, keyRep, dec.OrgID); err != nil {
			return "", err
		}
	}
	if err := tx.Emit("adf.cti.IndicatorsPublished", res); err != nil {
		return "", err
	}
	return wire.JSON(res)
}

// RevokeIndicators revokes indicators of the caller's organisation (a JSON
// list of ids). A revoked indicator stops matching at once; its record and
// history stay.
func (c *Contract) RevokeIndicators(ctx contractapi.TransactionContextInterface, ids, reason string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	var list []string
	if err := wire.Decode(ids, &list); err != nil {
		return "", fmt.Errorf("ids: %w", err)
	}
	if len(list) == 0 {
		return "", ErrEmptyBatch
	}
	if len(list) > c.Params.MaxPerTx {
		return "", fmt.Errorf("%d ids, at most %d per transaction: %w", len(list), c.Params.MaxPerTx, ErrBatchTooLarge)
	}
	if reason == "" || len(reason) > c.Params.MaxReasonLen {
		return "", fmt.Errorf("reason: empty or longer than %d bytes: %w", c.Params.MaxReasonLen, ErrInvalidReason)
	}
	dec, err := authorize(tx, caller, policy.ActionRevokeIndicator)
	if err != nil {
		return "", err
	}
	recs := make([]Record, len(list))
	seen := map[string]bool{}
	for i, id := range list {
		if seen[id] {
			return "", fmt.Errorf("ids[%d]: %s listed twice: %w", i, id, cti.ErrInvalid)
		}
		seen[id] = true
		rec, found, err := getRecord(tx, id)
		if err != nil {
			return "", err
		}
		if !found {
			return "", fmt.Errorf("ids[%d]: %s: %w", i, id, ErrIndicatorNotFound)
		}
		if rec.Status == StatusRevoked {
			return "", fmt.Errorf("ids[%d]: %s was revoked in transaction %s: %w", i, id, rec.TxID, ErrIndicatorRevoked)
		}
		if rec.Indicator.Publisher != dec.OrgID {
			return "", fmt.Errorf("ids[%d]: %s was published by %s, not %s: %w", i, id, rec.Indicator.Publisher, dec.OrgID, ErrNotPublisher)
		}
		recs[i] = rec
	}
	now := tx.Now().Unix()
	rep, err := getReputation(tx, dec.OrgID)
	if err != nil {
		return "", err
	}
	for _, rec := range recs {
		id := rec.Indicator.ID
		rec.Status, rec.Revision, rec.RevokeReason, rec.UpdatedAt, rec.TxID = StatusRevoked, rec.Revision+1, reason, now, tx.TxID()
		if err := tx.Put(rec, keyIndicator, id); err != nil {
			return "", err
		}
		if err := tx.Delete(keyIndex, rec.Indicator.IndexKey(), id); err != nil {
			return "", err
		}
		if err := tx.Put(HistoryEntry{Revision: rec.Revision, Action: "revoked", Time: now, Actor: dec.PrincipalID, Indicator: rec.Indicator, Reason: reason, TxID: tx.TxID()},
			keyHistory, id, rev(rec.Revision)); err != nil {
			return "", err
		}
		rep.Revoked++
	}
	if err := tx.Put(rep, keyRep, dec.OrgID); err != nil {
		return "", err
	}
	return wire.JSON(map[string]int{"revoked": len(recs)})
}

// SightingInput is one sighting of SubmitSightings.
type SightingInput struct {
	IndicatorID string `json:"indicator_id"`
	Verdict     string `json:"verdict"` // true-positive | false-positive
	Note        string `json:"note,omitempty"`
}

// SubmitSightings records the caller organisation's latest verdict on each
// indicator (a JSON list). A changed verdict moves the counters of the
// indicator and its publisher's reputation from the old verdict to the
// new one (pkg/cti.MoveSighting), so each organisation counts once.
func (c *Contract) SubmitSightings(ctx contractapi.TransactionContextInterface, sightings string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	var list []SightingInput
	if err := wire.Decode(sightings, &list); err != nil {
		return "", fmt.Errorf("sightings: %w", err)
	}
	if len(list) == 0 {
		return "", ErrEmptyBatch
	}
	if len(list) > c.Params.MaxPerTx {
		return "", fmt.Errorf("%d sightings, at most %d per transaction: %w", len(list), c.Params.MaxPerTx, ErrBatchTooLarge)
	}
	dec, err := authorize(tx, caller, policy.ActionSight)
	if err != nil {
		return "", err
	}
	recs := make([]Record, len(list))
	seen := map[string]bool{}
	for i, s := range list {
		if s.Verdict != TruePositive && s.Verdict != FalsePositive {
			return "", fmt.Errorf("sightings[%d]: verdict must be %s or %s: %w", i, TruePositive, FalsePositive, ErrInvalidSighting)
		}
		if len(s.Note) > c.Params.MaxReasonLen {
			return "", fmt.Errorf("sightings[%d]: note longer than %d bytes: %w", i, c.Params.MaxReasonLen, ErrInvalidSighting)
		}
		if seen[s.IndicatorID] {
			return "", fmt.Errorf("sightings[%d]: %s listed twice: %w", i, s.IndicatorID, ErrInvalidSighting)
		}
		seen[s.IndicatorID] = true
		rec, found, err := getRecord(tx, s.IndicatorID)
		if err != nil {
			return "", err
		}
		if !found {
			return "", fmt.Errorf("sightings[%d]: %s: %w", i, s.IndicatorID, ErrIndicatorNotFound)
		}
		if rec.Status != StatusActive {
			return "", fmt.Errorf("sightings[%d]: %s: %w", i, s.IndicatorID, ErrIndicatorRevoked)
		}
		if rec.Indicator.Publisher == dec.OrgID {
			return "", fmt.Errorf("sightings[%d]: %s was published by %s: %w", i, s.IndicatorID, dec.OrgID, ErrOwnIndicator)
		}
		recs[i] = rec
	}
	now := tx.Now().Unix()
	for i, s := range list {
		var prev Sighting
		hadPrev, err := tx.Get(&prev, keySighting, s.IndicatorID, dec.OrgID)
		if err != nil {
			return "", err
		}
		rec := recs[i]
		rep, err := getReputation(tx, rec.Indicator.Publisher)
		if err != nil {
			return "", err
		}
		counts := cti.Sightings{TruePositive: rec.TruePositives, FalsePositive: rec.FalsePositives}
		if hadPrev {
			cti.MoveSighting(&counts, &rep.Reputation, prev.Verdict == TruePositive, -1)
		}
		cti.MoveSighting(&counts, &rep.Reputation, s.Verdict == TruePositive, +1)
		rec.TruePositives, rec.FalsePositives = counts.TruePositive, counts.FalsePositive
		if err := tx.Put(rec, keyIndicator, s.IndicatorID); err != nil {
			return "", err
		}
		if err := tx.Put(rep, keyRep, rec.Indicator.Publisher); err != nil {
			return "", err
		}
		if err := tx.Put(Sighting{IndicatorID: s.IndicatorID, OrgID: dec.OrgID, Verdict: s.Verdict, PrincipalID: dec.PrincipalID, Time: now, Note: s.Note},
			keySighting, s.IndicatorID, dec.OrgID); err != nil {
			return "", err
		}
	}
	return wire.JSON(map[string]int{"recorded": len(list)})
}

// GetIndicator returns an indicator's record.
func (c *Contract) GetIndicator(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	r, found, err := getRecord(tx, id)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("%s: %w", id, ErrIndicatorNotFound)
	}
	return wire.JSON(r)
}

// GetReputation returns a publisher's counters and reputation factor.
func (c *Contract) GetReputation(ctx contractapi.TransactionContextInterface, org string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	r, err := getReputation(tx, org)
	if err != nil {
		return "", err
	}
	return wire.JSON(map[string]any{"org_id": org, "reputation": r, "factor_bp": cti.ReputationFactor(r.Reputation, c.Params.Score)})
}

// PackageResult is the gate's answer on one purl.
type PackageResult struct {
	Purl      string       `json:"purl"`
	Ecosystem string       `json:"ecosystem,omitempty"`
	Name      string       `json:"name,omitempty"`
	Version   string       `json:"version,omitempty"`
	Decision  string       `json:"decision"`
	Reasons   []cti.Reason `json:"reasons,omitempty"`
	Error     string       `json:"error,omitempty"`
}

// GateAnswer is MatchPackages' answer.
type GateAnswer struct {
	Time          int64           `json:"time"`
	PolicyVersion uint64          `json:"policy_version"`
	Decision      string          `json:"decision"`
	Results       []PackageResult `json:"results"`
}

// MatchPackages decides a JSON list of purls at the transaction time with
// pkg/cti's Evaluator over the active indicators indexed under each
// package. A bad purl is reported in its result, not as an error, so one
// bad line of a manifest does not hide the verdict on the others.
func (c *Contract) MatchPackages(ctx contractapi.TransactionContextInterface, purls string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	var list []string
	if err := wire.Decode(purls, &list); err != nil {
		return "", fmt.Errorf("purls: %w", err)
	}
	if len(list) > c.Params.MaxQueryItems {
		return "", fmt.Errorf("%d purls, at most %d per query: %w", len(list), c.Params.MaxQueryItems, ErrBatchTooLarge)
	}
	ans, err := Decide(tx, c.Params, list)
	if err != nil {
		return "", err
	}
	return wire.JSON(ans)
}

// Decide is the gate decision on purls at the transaction time: what
// MatchPackages answers, and what the telemetry contract asks about a
// device's dependencies.
func Decide(tx *ledger.Tx, p Params, purls []string) (GateAnswer, error) {
	ev, err := evaluator(tx, p)
	if err != nil {
		return GateAnswer{}, err
	}
	ans := GateAnswer{Time: ev.Now, PolicyVersion: ev.Policy.Version, Results: make([]PackageResult, 0, len(purls))}
	var verdicts []cti.Verdict
	for _, s := range purls {
		res := PackageResult{Purl: s, Decision: cti.DecisionPass.String()}
		t, err := gate.ParseTarget(s)
		if err != nil {
			res.Error = err.Error()
			ans.Results = append(ans.Results, res)
			continue
		}
		res.Ecosystem, res.Name, res.Version = t.Ecosystem, t.Name, t.Version
		cands, err := candidates(tx, cti.PackageKey(t.Ecosystem, t.Name))
		if err != nil {
			return ans, err
		}
		evd, err := ev.EvaluatePackage(t.Ecosystem, t.Version, t.NoVersion, t.WithVersion, cands)
		if err != nil {
			return ans, err
		}
		if len(evd.Problems) > 0 {
			res.Error = "cannot compare the version with: " + strings.Join(evd.Problems, "; ")
		}
		res.Decision, res.Reasons = evd.Verdict.Decision.String(), evd.Verdict.Reasons
		verdicts = append(verdicts, evd.Verdict)
		ans.Results = append(ans.Results, res)
	}
	ans.Decision = cti.WorstDecision(verdicts).String()
	return ans, nil
}

// ValueResult is the gate's answer on one observable.
type ValueResult struct {
	Value    string       `json:"value"`
	Decision string       `json:"decision"`
	Reasons  []cti.Reason `json:"reasons,omitempty"`
	Error    string       `json:"error,omitempty"`
}

// MatchValues decides observables of one kind (file-sha256, domain, ip,
// url, attack-technique; a JSON list) at the transaction time: a domain
// matches indicators on its parent domains, an address those on its
// covering prefixes (pkg/cti.ValueKeys). Scores decay with the indicators'
// age, so the same state answers differently later.
func (c *Contract) MatchValues(ctx contractapi.TransactionContextInterface, kind, values string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	k := cti.Kind(kind)
	if !k.Valid() || k == cti.KindPackage {
		return "", fmt.Errorf("kind %q: want file-sha256, domain, ip, url or attack-technique (packages: MatchPackages)", kind)
	}
	var list []string
	if err := wire.Decode(values, &list); err != nil {
		return "", fmt.Errorf("values: %w", err)
	}
	if len(list) > c.Params.MaxQueryItems {
		return "", fmt.Errorf("%d values, at most %d per query: %w", len(list), c.Params.MaxQueryItems, ErrBatchTooLarge)
	}
	ev, err := evaluator(tx, c.Params)
	if err != nil {
		return "", err
	}
	out := struct {
		Time     int64         `json:"time"`
		Decision string        `json:"decision"`
		Results  []ValueResult `json:"results"`
	}{Time: ev.Now, Results: make([]ValueResult, 0, len(list))}
	var verdicts []cti.Verdict
	for _, v := range list {
		res := ValueResult{Value: v, Decision: cti.DecisionPass.String()}
		keys, norm, err := cti.ValueKeys(k, v)
		if err != nil {
			res.Error = err.Error()
			out.Results = append(out.Results, res)
			continue
		}
		res.Value = norm
		var cands []cti.Candidate
		for _, key := range keys {
			cs, err := candidates(tx, key)
			if err != nil {
				return "", err
			}
			cands = append(cands, cs...)
		}
		evd, err := ev.EvaluateValue(cands)
		if err != nil {
			return "", err
		}
		res.Decision, res.Reasons = evd.Verdict.Decision.String(), evd.Verdict.Reasons
		verdicts = append(verdicts, evd.Verdict)
		out.Results = append(out.Results, res)
	}
	out.Decision = cti.WorstDecision(verdicts).String()
	return wire.JSON(out)
}

// evaluator is pkg/cti's Evaluator at the transaction time, with the
// publishers' reputations read once per transaction.
func evaluator(tx *ledger.Tx, p Params) (cti.Evaluator, error) {
	gp, err := gatePolicy(tx, p)
	if err != nil {
		return cti.Evaluator{}, err
	}
	reps := map[string]cti.Reputation{}
	return cti.Evaluator{Now: tx.Now().Unix(), Params: p.Score, Policy: gp, Reputation: func(org string) (cti.Reputation, error) {
		if r, ok := reps[org]; ok {
			return r, nil
		}
		r, err := getReputation(tx, org)
		if err != nil {
			return cti.Reputation{}, err
		}
		reps[org] = r.Reputation
		return r.Reputation, nil
	}}, nil
}

// candidates returns the active indicators indexed under key, in id order.
func candidates(tx *ledger.Tx, key string) ([]cti.Candidate, error) {
	es, _, err := tx.Keys(0, keyIndex, key)
	if err != nil {
		return nil, err
	}
	var out []cti.Candidate
	for _, e := range es {
		if len(e.Attrs) != 2 {
			return nil, fmt.Errorf("index entry %q is corrupt", e.Attrs)
		}
		rec, found, err := getRecord(tx, e.Attrs[1])
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("index entry %q → %s: record missing", key, e.Attrs[1])
		}
		if rec.Status != StatusActive {
			continue
		}
		in := rec.Indicator
		out = append(out, cti.Candidate{Indicator: &in, PublishedAt: rec.PublishedAt,
			Sightings: cti.Sightings{TruePositive: rec.TruePositives, FalsePositive: rec.FalsePositives}})
	}
	return out, nil
}
