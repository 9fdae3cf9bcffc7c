// Package attestation is the chaincode's attestation registry: epoch roots
// of batcher logs (append-only, proven by RFC 6962 consistency proofs from
// the last anchored root), direct anchors of DSSE-enveloped in-toto
// statements verified against the caller principal's registered key at the
// transaction time, the subject index and provenance links. The rules are
// pkg/anchor's, pkg/dsse's and pkg/merkle's, as in x/attestation.
package attestation

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/chaincode/internal/wire"
	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// State object types.
const (
	keyLog     = "adf.att.log"     // [log id] → Log
	keyRoot    = "adf.att.root"    // [log id, size as 20 digits] → Root
	keyEnv     = "adf.att.env"     // [envelope digest hex] → Attestation
	keySubject = "adf.att.subject" // [subject hex, sequence as 20 digits, envelope hex] → mark
	keyLink    = "adf.att.link"    // [material hex, envelope hex] → mark
	keyUsage   = "adf.att.usage"   // [org id] → anchor.Usage
	keySeq     = "adf.att.seq"     // [] → last sequence
)

// Errors of the registry that are not pkg/anchor's; the texts are
// x/attestation's registered errors, so both deployments say the same.
var (
	ErrUnknownKey           = errors.New("unknown signing key")
	ErrInvalidSignature     = errors.New("invalid envelope signature")
	ErrDuplicateAttestation = errors.New("attestation already anchored")
)

// Params are the registry's limits: x/attestation's defaults.
type Params struct {
	MaxEnvelopeBytes             uint64
	MaxEntriesPerEpochPerOrg     uint64
	MaxDirectAnchorsPerDayPerOrg uint64
	MaxSubjects                  uint32
	MaxProvenanceDepth           int
	MaxProvenanceFanOut          int
}

// DefaultParams are x/attestation's default params.
func DefaultParams() Params {
	return Params{
		MaxEnvelopeBytes: 256 << 10, MaxEntriesPerEpochPerOrg: 100_000, MaxDirectAnchorsPerDayPerOrg: 10_000,
		MaxSubjects: 256, MaxProvenanceDepth: 16, MaxProvenanceFanOut: 8,
	}
}

// Log is a batcher log and its latest anchored root.
type Log struct {
	LogID        string    `json:"log_id"`
	OwnerOrg     string    `json:"owner_org"`
	RegisteredBy string    `json:"registered_by"`
	TreeSize     uint64    `json:"tree_size"`
	RootHash     string    `json:"root_hash"`
	LatestTxID   string    `json:"latest_tx_id"`
	LatestTime   time.Time `json:"latest_time"`
	Anchors      uint64    `json:"anchors"`
}

// Root is one anchored root.
type Root struct {
	LogID       string    `json:"log_id"`
	TreeSize    uint64    `json:"tree_size"`
	RootHash    string    `json:"root_hash"`
	TxID        string    `json:"tx_id"`
	Time        time.Time `json:"time"`
	Caller      string    `json:"caller"`
	PrincipalID string    `json:"principal_id"`
}

// Attestation is a directly anchored envelope.
type Attestation struct {
	EnvelopeDigest  string    `json:"envelope_digest"`
	Sequence        uint64    `json:"sequence"`
	SubjectDigests  []string  `json:"subject_digests"`
	MaterialDigests []string  `json:"material_digests,omitempty"`
	LinkedMaterials []string  `json:"linked_materials,omitempty"`
	PredicateType   string    `json:"predicate_type"`
	KeyAddress      string    `json:"key_address"`
	Algorithm       string    `json:"algorithm"`
	PrincipalID     string    `json:"principal_id"`
	OrgID           string    `json:"org_id"`
	RiskClass       string    `json:"risk_class"`
	Scope           string    `json:"scope"`
	TxID            string    `json:"tx_id"`
	Time            time.Time `json:"time"`
	Envelope        string    `json:"envelope"`
}

// Contract is the attestation contract ("attestation:…").
type Contract struct {
	contractapi.Contract
	Params Params
}

// NewContract returns the attestation contract with x/attestation's
// defaults.
func NewContract() *Contract {
	c := &Contract{Params: DefaultParams()}
	c.Name = "attestation"
	c.Info.Title = "ADF attestation registry"
	c.Info.Version = "1.0.0"
	return c
}

func pad(n uint64) string { return fmt.Sprintf("%020d", n) }

// ruleError prefixes a pkg/anchor error with its rule, as x/attestation's
// registered errors do ("<message>: <rule>"), so clients and the
// conformance test recognise the rule in either deployment.
func ruleError(err error) error {
	for _, r := range []error{
		anchor.ErrInvalidLogID, anchor.ErrInvalidTreeSize, anchor.ErrInvalidRootHash, anchor.ErrInvalidConsistencyProof,
		anchor.ErrLogForked, anchor.ErrLogShrunk, anchor.ErrRootAlreadyAnchored, anchor.ErrQuotaExceeded,
		anchor.ErrInvalidRiskClass, anchor.ErrInvalidScope, anchor.ErrInvalidEnvelope, anchor.ErrEnvelopeTooLarge,
		anchor.ErrInvalidStatement,
	} {
		if errors.Is(err, r) {
			return fmt.Errorf("%s: %w", err.Error(), r)
		}
	}
	return err
}

// AnchorRoot anchors a root of a batcher log: the first registers the log
// for the caller's organisation; every later one must extend the last,
// proven by the consistency proof (a JSON list of hex hashes).
func (c *Contract) AnchorRoot(ctx contractapi.TransactionContextInterface, logID string, treeSize uint64, rootHash, consistencyProof string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	u := anchor.RootUpdate{LogID: logID, TreeSize: treeSize}
	if u.RootHash, err = hex.DecodeString(rootHash); err != nil {
		return "", fmt.Errorf("root_hash: %v: %w", err, anchor.ErrInvalidRootHash)
	}
	var proofHex []string
	if consistencyProof != "" {
		if err := wire.Decode(consistencyProof, &proofHex); err != nil {
			return "", fmt.Errorf("consistency_proof: %v: %w", err, anchor.ErrInvalidConsistencyProof)
		}
	}
	if len(proofHex) > anchor.MaxConsistencyProofHashes {
		return "", ruleError(anchor.ValidateConsistencyProof(make([][]byte, len(proofHex))))
	}
	for i, h := range proofHex {
		b, err := hex.DecodeString(h)
		if err != nil {
			return "", fmt.Errorf("consistency_proof[%d]: %v: %w", i, err, anchor.ErrInvalidConsistencyProof)
		}
		u.ConsistencyProof = append(u.ConsistencyProof, b)
	}
	if err := anchor.ValidateRootUpdate(u); err != nil {
		return "", ruleError(err)
	}
	dec, err := identity.Require(tx, caller, policy.ActionAnchor, logID)
	if err != nil {
		return "", err
	}
	if dec.PrincipalID == "" {
		return "", fmt.Errorf("%w: %s may %s on %q but is no principal", identity.ErrUnauthorized, caller.ID, policy.ActionAnchor, logID)
	}
	var lg Log
	found, err := tx.Get(&lg, keyLog, logID)
	if err != nil {
		return "", err
	}
	var head *anchor.Head
	if found {
		if lg.OwnerOrg != dec.OrgID {
			return "", fmt.Errorf("%w: log %q belongs to organization %q; %s acts for %q", identity.ErrUnauthorized, logID, lg.OwnerOrg, caller.ID, dec.OrgID)
		}
		root, _ := hex.DecodeString(lg.RootHash)
		head = &anchor.Head{TreeSize: lg.TreeSize, RootHash: root, AnchoredAt: "transaction " + lg.LatestTxID}
	}
	prev, err := anchor.CheckExtension(head, u, dec.OrgID, c.Params.MaxEntriesPerEpochPerOrg)
	if err != nil {
		return "", ruleError(err)
	}
	if !found {
		lg = Log{LogID: logID, OwnerOrg: dec.OrgID, RegisteredBy: caller.ID}
	}
	lg.TreeSize, lg.RootHash, lg.LatestTxID, lg.LatestTime = treeSize, hex.EncodeToString(u.RootHash), tx.TxID(), tx.Now()
	lg.Anchors++
	r := Root{LogID: logID, TreeSize: treeSize, RootHash: lg.RootHash, TxID: tx.TxID(), Time: tx.Now(), Caller: caller.ID, PrincipalID: dec.PrincipalID}
	if err := tx.Put(r, keyRoot, logID, pad(treeSize)); err != nil {
		return "", err
	}
	if err := tx.Put(lg, keyLog, logID); err != nil {
		return "", err
	}
	if err := tx.Emit("adf.attestation.RootAnchored", map[string]any{"log_id": logID, "tree_size": treeSize, "previous_tree_size": prev, "root_hash": lg.RootHash}); err != nil {
		return "", err
	}
	return wire.JSON(map[string]uint64{"previous_tree_size": prev})
}

// AnchorAttestation anchors one DSSE envelope of an in-toto statement. The
// caller must be allowed anchor-direct on scope and the envelope must carry
// a valid signature (keyid = key address, domain = the channel id) by a key
// registered to the caller's principal and valid at the transaction time.
func (c *Contract) AnchorAttestation(ctx contractapi.TransactionContextInterface, envelope, riskClass, scope string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	if len(envelope) == 0 {
		return "", fmt.Errorf("envelope: empty: %w", anchor.ErrInvalidEnvelope)
	}
	if err := anchor.ValidateRiskClass(riskClass); err != nil {
		return "", ruleError(err)
	}
	if err := anchor.ValidateScope(scope); err != nil {
		return "", ruleError(err)
	}
	if uint64(len(envelope)) > c.Params.MaxEnvelopeBytes {
		return "", fmt.Errorf("envelope: %d bytes exceeds max_envelope_bytes %d: %w", len(envelope), c.Params.MaxEnvelopeBytes, anchor.ErrEnvelopeTooLarge)
	}
	dec, err := identity.Require(tx, caller, policy.ActionAnchorDirect, scope)
	if err != nil {
		return "", err
	}
	if dec.PrincipalID == "" {
		return "", fmt.Errorf("%w: %s may %s but is no principal with keys", identity.ErrUnauthorized, caller.ID, policy.ActionAnchorDirect)
	}
	st, env, err := anchor.ParseEnvelope(anchor.EnvelopeLimits{MaxEnvelopeBytes: c.Params.MaxEnvelopeBytes, MaxSubjects: c.Params.MaxSubjects}, []byte(envelope))
	if err != nil {
		return "", ruleError(err)
	}
	digest := hex.EncodeToString(st.EnvelopeDigest[:])
	var prev Attestation
	if dup, err := tx.Get(&prev, keyEnv, digest); err != nil {
		return "", err
	} else if dup {
		return "", fmt.Errorf("envelope %s was anchored in transaction %s by %s: %w", digest, prev.TxID, prev.PrincipalID, ErrDuplicateAttestation)
	}
	key, pk, err := signerKey(tx, env, dec.PrincipalID, scope)
	if err != nil {
		return "", err
	}
	if err := dsse.Verify(env, key.Address, pk, tx.ChannelID()); err != nil {
		return "", fmt.Errorf("envelope must carry a valid %s signature with keyid %s for chain %q: %s: %w", key.Algorithm, key.Address, tx.ChannelID(), err, ErrInvalidSignature)
	}
	var usage anchor.Usage
	if _, err := tx.Get(&usage, keyUsage, dec.OrgID); err != nil {
		return "", err
	}
	usage, err = anchor.NextUsage(usage, dec.OrgID, tx.Now().Unix(), c.Params.MaxDirectAnchorsPerDayPerOrg)
	if err != nil {
		return "", ruleError(err)
	}
	var last uint64
	seqKey, err := tx.Key(keySeq)
	if err != nil {
		return "", err
	}
	if b, ok, err := tx.GetRaw(seqKey); err != nil {
		return "", err
	} else if ok {
		if last, err = strconv.ParseUint(string(b), 10, 64); err != nil {
			return "", fmt.Errorf("sequence state is corrupt: %w", err)
		}
	}

	// Every check passed: write.
	a := Attestation{
		EnvelopeDigest: digest, Sequence: last + 1, SubjectDigests: hexes(st.Subjects), MaterialDigests: hexes(st.Materials),
		PredicateType: st.PredicateType, KeyAddress: key.Address, Algorithm: key.Algorithm, PrincipalID: dec.PrincipalID,
		OrgID: dec.OrgID, RiskClass: riskClass, Scope: scope, TxID: tx.TxID(), Time: tx.Now(), Envelope: envelope,
	}
	// Provenance links first (materials that are already the subject of a
	// committed attestation), then a's own subjects: a statement never links
	// to itself, as on the Cosmos chain.
	seen := map[string]bool{}
	for _, m := range a.MaterialDigests {
		if seen[m] {
			continue
		}
		seen[m] = true
		es, _, err := tx.Keys(1, keySubject, m)
		if err != nil {
			return "", err
		}
		if len(es) == 0 {
			continue
		}
		if err := tx.Mark(keyLink, m, digest); err != nil {
			return "", err
		}
		a.LinkedMaterials = append(a.LinkedMaterials, m)
	}
	for _, s := range a.SubjectDigests {
		if err := tx.Mark(keySubject, s, pad(a.Sequence), digest); err != nil {
			return "", err
		}
	}
	if err := tx.Put(a, keyEnv, digest); err != nil {
		return "", err
	}
	if err := tx.PutRaw([]byte(strconv.FormatUint(a.Sequence, 10)), keySeq); err != nil {
		return "", err
	}
	if err := tx.Put(usage, keyUsage, dec.OrgID); err != nil {
		return "", err
	}
	if err := tx.Emit("adf.attestation.AttestationAnchored", map[string]any{
		"envelope_digest": digest, "sequence": a.Sequence, "subject_digests": a.SubjectDigests, "principal_id": a.PrincipalID,
	}); err != nil {
		return "", err
	}
	return wire.JSON(map[string]any{"envelope_digest": digest, "sequence": a.Sequence})
}

// signerKey finds the envelope's signature by a key of principal pid.
func signerKey(tx *ledger.Tx, env *dsse.Envelope, pid, scope string) (identity.Key, sigscheme.PublicKey, error) {
	var firstErr error
	for _, s := range env.Signatures {
		k, pk, err := identity.SigningKey(tx, s.KeyID, pid, scope)
		if err == nil {
			return k, pk, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = errors.New("the envelope has no signature")
	}
	return identity.Key{}, nil, fmt.Errorf("%s: %w", firstErr, ErrUnknownKey)
}

func hexes(in [][32]byte) []string {
	out := make([]string, len(in))
	for i := range in {
		out[i] = hex.EncodeToString(in[i][:])
	}
	return out
}
