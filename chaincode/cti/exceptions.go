package cti

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/chaincode/internal/wire"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/policy"
)

// State of the gate policy's exceptions.
const (
	keyException = "adf.cti.exception" // [id] → Exception
	keyVersion   = "adf.cti.version"   // [] → policy version
)

// Exception errors (x/cti's texts).
var (
	ErrInvalidException  = errors.New("invalid gate exception")
	ErrExceptionNotFound = errors.New("gate exception not found")
	ErrApprovalsRequired = errors.New("approvals required")
)

// Exception is a time-boxed gate exception with who set it.
type Exception struct {
	cti.Exception
	OrgID string `json:"org_id"`
	TxID  string `json:"tx_id"`
}

// exceptions returns every stored exception in id order.
func exceptions(tx *ledger.Tx) ([]Exception, error) {
	es, _, err := tx.Keys(0, keyException)
	if err != nil {
		return nil, err
	}
	out := make([]Exception, 0, len(es))
	for _, e := range es {
		var x Exception
		if err := json.Unmarshal(e.Value, &x); err != nil {
			return nil, fmt.Errorf("exception %q is corrupt: %w", e.Attrs, err)
		}
		out = append(out, x)
	}
	return out, nil
}

func policyVersion(tx *ledger.Tx) (uint64, error) {
	k, err := tx.Key(keyVersion)
	if err != nil {
		return 0, err
	}
	b, ok, err := tx.GetRaw(k)
	if err != nil || !ok {
		return 1, err // DefaultGatePolicy's version
	}
	return strconv.ParseUint(string(b), 10, 64)
}

func bumpVersion(tx *ledger.Tx) (uint64, error) {
	v, err := policyVersion(tx)
	if err != nil {
		return 0, err
	}
	v++
	return v, tx.PutRaw([]byte(strconv.FormatUint(v, 10)), keyVersion)
}

// gatePolicy is the params' policy with the stored exceptions and version.
func gatePolicy(tx *ledger.Tx, p Params) (cti.GatePolicy, error) {
	gp := p.Policy
	v, err := policyVersion(tx)
	if err != nil {
		return gp, err
	}
	xs, err := exceptions(tx)
	if err != nil {
		return gp, err
	}
	gp.Version = v
	gp.Exceptions = nil
	for _, x := range xs {
		gp.Exceptions = append(gp.Exceptions, x.Exception)
	}
	return gp, nil
}

// SetException adds or replaces a time-boxed exception (expires: unix
// seconds; max_decision: warn, hold (default) or block). The caller needs
// gate-exception on the target; if the allowing policy requires approvals,
// they must be recorded for the exception id first (identity:Approve).
// Replacing an exception on another target takes the right on that target
// too. The whole policy is checked with pkg/cti's rules.
func (c *Contract) SetException(ctx contractapi.TransactionContextInterface, id, target, reason string, expires int64, maxDecision string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	if id == "" || len(id) > cti.MaxExceptionIDLen {
		return "", fmt.Errorf("id %q: empty or longer than %d bytes: %w", id, cti.MaxExceptionIDLen, ErrInvalidException)
	}
	if err := cti.ValidateExceptionTarget(target); err != nil {
		return "", fmt.Errorf("target: %v: %w", err, ErrInvalidException)
	}
	md := cti.DecisionHold
	if maxDecision != "" {
		if md, err = cti.ParseDecision(maxDecision); err != nil || md == cti.DecisionPass {
			return "", fmt.Errorf("max_decision %q: want warn, hold or block: %w", maxDecision, ErrInvalidException)
		}
	}
	now := tx.Now().Unix()
	if expires <= now {
		return "", fmt.Errorf("expires %d is not after the transaction time %d: %w", expires, now, ErrInvalidException)
	}
	if expires-now > c.Params.MaxExceptionSeconds {
		return "", fmt.Errorf("expires in %d s, at most %d s (max_exception_seconds): %w", expires-now, c.Params.MaxExceptionSeconds, ErrInvalidException)
	}
	dec, err := identity.AuthorizeSubject(tx, caller, policy.ActionGateException, target, id)
	if err != nil {
		return "", err
	}
	if !dec.Allowed || dec.OrgID == "" || dec.PrincipalID == "" {
		return "", fmt.Errorf("%w: %s may not %s on %q: %s", identity.ErrUnauthorized, caller.ID, policy.ActionGateException, target, dec.Reason)
	}
	if dec.ApprovalsRequired > 0 && dec.ApprovalsHave < dec.ApprovalsRequired {
		return "", fmt.Errorf("policy %s needs %d approvals of %s on %q for %q, have %d: %w",
			dec.PolicyID, dec.ApprovalsRequired, policy.ActionGateException, target, id, dec.ApprovalsHave, ErrApprovalsRequired)
	}
	existing, err := exceptions(tx)
	if err != nil {
		return "", err
	}
	var kept []cti.Exception
	var expired []string
	for _, e := range existing {
		switch {
		case e.ID == id:
			if e.Target != target {
				if _, err := identity.Require(tx, caller, policy.ActionGateException, e.Target); err != nil {
					return "", fmt.Errorf("replacing exception %q on %q: %w", e.ID, e.Target, err)
				}
			}
		case !e.Active(now):
			expired = append(expired, e.ID)
		default:
			kept = append(kept, e.Exception)
		}
	}
	x := Exception{Exception: cti.Exception{ID: id, Target: target, Reason: reason, Approver: dec.PrincipalID, Expires: expires, MaxDecision: md},
		OrgID: dec.OrgID, TxID: tx.TxID()}
	gp := c.Params.Policy
	gp.Exceptions = append(kept, x.Exception)
	if err := gp.Canonical().Validate(now); err != nil {
		return "", fmt.Errorf("%s: %w", err, ErrInvalidException)
	}
	// Every check passed: write. Expired exceptions are pruned; they no
	// longer act and their history is in the ledger's blocks.
	for _, e := range expired {
		if err := tx.Delete(keyException, e); err != nil {
			return "", err
		}
	}
	if err := tx.Put(x, keyException, id); err != nil {
		return "", err
	}
	v, err := bumpVersion(tx)
	if err != nil {
		return "", err
	}
	if err := tx.Emit("adf.cti.ExceptionSet", map[string]any{"id": id, "target": target, "approver": dec.PrincipalID, "expires": expires, "policy_version": v}); err != nil {
		return "", err
	}
	return wire.JSON(map[string]uint64{"policy_version": v})
}

// RemoveException ends an exception before it expires; target must be the
// exception's, on which the caller needs gate-exception.
func (c *Contract) RemoveException(ctx contractapi.TransactionContextInterface, id, target string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	var x Exception
	found, err := tx.Get(&x, keyException, id)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("%q: %w", id, ErrExceptionNotFound)
	}
	if x.Target != target {
		return "", fmt.Errorf("exception %q has target %q, not %q: %w", id, x.Target, target, ErrInvalidException)
	}
	if _, err := identity.Require(tx, caller, policy.ActionGateException, target); err != nil {
		return "", err
	}
	if err := tx.Delete(keyException, id); err != nil {
		return "", err
	}
	v, err := bumpVersion(tx)
	if err != nil {
		return "", err
	}
	return wire.JSON(map[string]uint64{"policy_version": v})
}
