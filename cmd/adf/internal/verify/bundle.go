// Package verify checks directly anchored attestations end to end: the DSSE
// signature with the signer's registered key, the key's validity at the
// anchoring block, the anchoring transaction in that block (CometBFT tx
// proof against the header's data hash), and the header committed by more
// than 2/3 of the validator set (CometBFT light-client commit
// verification, Ed25519 and ML-DSA-65 validators alike). Since bundle
// version 2 the signer's x/identity key record is proven too (KeyProof:
// ICS23 proofs against the app hash of a header the bundle verifies). A
// Bundle carries all of it so that VerifyBundle needs no network.
package verify

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/merkle"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	mhash "github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"

	"github.com/adf-consortium/adf/pkg/batchlog"
)

// BundleVersion is the format version of Bundle this adf writes. Version
// 2 added KeyProof; version 1 bundles (key record from a query answer,
// unproven) are still read, with a warning.
const BundleVersion = 2

// minBundleVersion is the oldest version VerifyBundle reads.
const minBundleVersion = 1

// Bundle is an offline verification bundle for one directly anchored
// attestation. CometBFT structures are in CometBFT's JSON (as its RPC
// returns them).
type Bundle struct {
	Version int    `json:"version"`
	ChainID string `json:"chain_id"`
	// Envelope is the DSSE envelope exactly as the anchoring transaction
	// carries it.
	Envelope       []byte `json:"envelope"`
	EnvelopeDigest string `json:"envelope_digest"`
	Signer         string `json:"signer"`
	Algorithm      string `json:"algorithm"`
	PublicKey      []byte `json:"public_key"`
	// KeyProof is the signer's key record proven against the app hash
	// (version 2). PublicKey and Algorithm must be the proven record's.
	KeyProof *KeyProof `json:"key_proof,omitempty"`
	// KeyValidity is x/identity's KeyValidity answer at the anchor height
	// and block time, with the key record: a node's word, not proven. Only
	// version 1 bundles, and version 2 bundles whose exporter could not get
	// a proof (KeyProofMissing says why), carry it; VerifyBundle then
	// warns that the key record is unproven.
	KeyValidity KeyValidity `json:"key_validity,omitzero"`
	// KeyProofMissing is why the exporter fell back to KeyValidity
	// (e.g. the node pruned the state at the anchor height).
	KeyProofMissing string    `json:"key_proof_missing,omitempty"`
	RiskClass       string    `json:"risk_class"`
	Scope           string    `json:"scope"`
	AnchorHeight    int64     `json:"anchor_height"`
	AnchorTime      time.Time `json:"anchor_time"`
	// Tx is the anchoring transaction; TxProof proves it in the block's
	// data hash. CometBFT structures are in CometBFT's protobuf encoding
	// (base64 in JSON): compact, and decoded without reflection.
	Tx      []byte `json:"tx"`
	TxHash  string `json:"tx_hash"`
	TxProof []byte `json:"tx_proof"`      // tendermint.types.TxProof; data may be left out (it is Tx)
	Header  []byte `json:"signed_header"` // tendermint.types.SignedHeader at AnchorHeight: header + commit
	ValSet  []byte `json:"validators"`    // tendermint.types.ValidatorSet at AnchorHeight (validators only)
	// TxResult is the anchoring tx's deterministic ExecTxResult
	// (protobuf), proven by ResultProof in NextHeader's
	// last_results_hash: the tx was not only included but succeeded.
	TxResult    []byte `json:"tx_result"`
	ResultProof []byte `json:"tx_result_proof"`    // tendermint.crypto.Proof
	NextHeader  []byte `json:"next_signed_header"` // tendermint.types.SignedHeader at AnchorHeight+1
	// NextValSet is the validator set at AnchorHeight+1; omitted when it
	// is the same as ValSet.
	NextValSet []byte `json:"next_validators,omitempty"`
	// Batch is set for an entry of a batcher's log: Tx then anchors the
	// log's root (MsgAnchorRoot), and the entry is proven in that root.
	Batch *BatchEntry `json:"batch,omitempty"`

	parsed *parsedCometBFTData
}

// BatchEntry is a batcher log entry with its inclusion proof to an
// anchored root. The leaf is merkle.LeafHash(SHA-256(salt || envelope)).
type BatchEntry struct {
	LogID          string    `json:"log_id"`
	Index          uint64    `json:"index"`
	Salt           []byte    `json:"salt"`
	Received       time.Time `json:"received"`
	TreeSize       uint64    `json:"tree_size"`
	RootHash       []byte    `json:"root_hash"`
	InclusionProof [][]byte  `json:"inclusion_proof"`
}

// KeyValidity is the x/identity answer kept in a bundle.
type KeyValidity struct {
	Valid  bool              `json:"valid"`
	Reason string            `json:"reason"`
	Key    identitytypes.Key `json:"key"`
}

type parsedCometBFTData struct {
	sh       *cmttypes.SignedHeader
	vals     *cmttypes.ValidatorSet
	proof    cmttypes.TxProof
	next     *cmttypes.SignedHeader
	nextVals *cmttypes.ValidatorSet
	resProof merkle.Proof
}

// Result is what a successful verification established.
type Result struct {
	EnvelopeDigest string    `json:"envelope_digest"`
	PredicateType  string    `json:"predicate_type"`
	Subjects       []string  `json:"subjects"`
	Signer         string    `json:"signer"`
	Algorithm      string    `json:"algorithm"`
	KeyPrincipal   string    `json:"principal_id"`
	KeyOrg         string    `json:"org_id"`
	RiskClass      string    `json:"risk_class"`
	Scope          string    `json:"scope"`
	Height         int64     `json:"height"`
	Time           time.Time `json:"time"`
	TxHash         string    `json:"tx_hash"`
	BlockHash      string    `json:"block_hash"`
	Validators     int       `json:"validators"`
	SignedPower    int64     `json:"signed_power"`
	TotalPower     int64     `json:"total_power"`
	TrustedBy      string    `json:"trusted_by"`
	// KeyRecord says where the key record checked came from: proven
	// against an app hash, or UNPROVEN (a node's query answer).
	KeyRecord string `json:"key_record"`
	// KeyRecordProven is true when KeyRecord is proven.
	KeyRecordProven bool `json:"key_record_proven"`
	// Warnings are weaknesses of a bundle that verified.
	Warnings []string `json:"warnings,omitempty"`
}

// Options tune VerifyBundleWith.
type Options struct {
	// RequireKeyProof fails bundles whose key record is not proven
	// (version 1 bundles, or exports that fell back to the query answer).
	RequireKeyProof bool
}

// Error is a verification failure; Step names the check that failed.
type Error struct {
	Step string
	Err  error
}

func (e *Error) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(step string, format string, args ...any) error {
	return &Error{Step: step, Err: fmt.Errorf(format, args...)}
}

// parseCometBFT decodes the CometBFT parts once.
func (b *Bundle) parseCometBFT() (*parsedCometBFTData, error) {
	if b.parsed != nil {
		return b.parsed, nil
	}
	var (
		p   parsedCometBFTData
		err error
	)
	if p.sh, err = DecodeSignedHeader(b.Header); err != nil {
		return nil, fail("bundle", "signed_header: %v", err)
	}
	if p.vals, err = DecodeValidators(b.ValSet); err != nil {
		return nil, fail("bundle", "validators: %v", err)
	}
	var tp cmtproto.TxProof
	if err := tp.Unmarshal(b.TxProof); err != nil {
		return nil, fail("bundle", "tx_proof: %v", err)
	}
	if tp.Proof == nil {
		return nil, fail("bundle", "tx_proof: no proof")
	}
	if len(tp.Data) == 0 {
		// Exported proofs leave the tx out (it is Tx); the proof's path
		// still binds its hash.
		tp.Data = b.Tx
	}
	if p.proof, err = cmttypes.TxProofFromProto(tp); err != nil {
		return nil, fail("bundle", "tx_proof: %v", err)
	}
	if p.next, err = DecodeSignedHeader(b.NextHeader); err != nil {
		return nil, fail("bundle", "next_signed_header: %v", err)
	}
	if len(b.NextValSet) == 0 || bytes.Equal(b.NextValSet, b.ValSet) {
		p.nextVals = p.vals
	} else if p.nextVals, err = DecodeValidators(b.NextValSet); err != nil {
		return nil, fail("bundle", "next_validators: %v", err)
	}
	var rp cmtcrypto.Proof
	if err := rp.Unmarshal(b.ResultProof); err != nil {
		return nil, fail("bundle", "tx_result_proof: %v", err)
	}
	mp, err := merkle.ProofFromProto(&rp)
	if err != nil {
		return nil, fail("bundle", "tx_result_proof: %v", err)
	}
	p.resProof = *mp
	b.parsed = &p
	return b.parsed, nil
}

// EncodeSignedHeader, EncodeValidators, EncodeTxProof and EncodeProof give
// the protobuf encodings a Bundle carries.
func EncodeSignedHeader(sh *cmttypes.SignedHeader) ([]byte, error) { return sh.ToProto().Marshal() }

func EncodeValidators(vals []*cmttypes.Validator) ([]byte, error) {
	pb := cmtproto.ValidatorSet{Validators: make([]*cmtproto.Validator, len(vals))}
	for i, v := range vals {
		vp, err := v.ToProto()
		if err != nil {
			return nil, err
		}
		pb.Validators[i] = vp
	}
	return pb.Marshal()
}

func EncodeTxProof(tp cmttypes.TxProof) ([]byte, error) {
	pb := tp.ToProto()
	return pb.Marshal()
}

func EncodeProof(p *merkle.Proof) ([]byte, error) { return p.ToProto().Marshal() }

// DecodeSignedHeader decodes a protobuf SignedHeader.
func DecodeSignedHeader(bz []byte) (*cmttypes.SignedHeader, error) {
	var pb cmtproto.SignedHeader
	if err := pb.Unmarshal(bz); err != nil {
		return nil, err
	}
	return cmttypes.SignedHeaderFromProto(&pb)
}

// DecodeValidators decodes a protobuf ValidatorSet's validators into a set.
func DecodeValidators(bz []byte) (*cmttypes.ValidatorSet, error) {
	var pb cmtproto.ValidatorSet
	if err := pb.Unmarshal(bz); err != nil {
		return nil, err
	}
	if len(pb.Validators) == 0 {
		return nil, errors.New("empty")
	}
	vals := make([]*cmttypes.Validator, len(pb.Validators))
	for i, vp := range pb.Validators {
		v, err := cmttypes.ValidatorFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("validator %d: %w", i, err)
		}
		vals[i] = v
	}
	return NewValidatorSet(vals)
}

// NewValidatorSet builds a validator set from validators as the RPC lists
// them (the set's hash depends on addresses, keys and powers only).
func NewValidatorSet(vals []*cmttypes.Validator) (*cmttypes.ValidatorSet, error) {
	cp := make([]*cmttypes.Validator, len(vals))
	for i, v := range vals {
		if v == nil || v.PubKey == nil {
			return nil, fmt.Errorf("validator %d has no public key", i)
		}
		if !bytes.Equal(v.Address, v.PubKey.Address()) {
			return nil, fmt.Errorf("validator %d: address %X is not its key's (%X)", i, v.Address, v.PubKey.Address())
		}
		cp[i] = cmttypes.NewValidator(v.PubKey, v.VotingPower)
	}
	vs := cmttypes.NewValidatorSet(cp)
	if err := vs.ValidateBasic(); err != nil {
		return nil, err
	}
	return vs, nil
}

// VerifyBundle checks b with no network. trusted is the validator set the
// verifier trusts (from genesis or an earlier verified header); nil means
// "the bundle's own set" and is only right when the caller fetched that set
// itself from a node it trusts (online verification).
func VerifyBundle(b *Bundle, trusted *cmttypes.ValidatorSet) (*Result, error) {
	return VerifyBundleWith(b, trusted, Options{})
}

// VerifyBundleWith is VerifyBundle with options.
func VerifyBundleWith(b *Bundle, trusted *cmttypes.ValidatorSet, opts Options) (*Result, error) {
	if b.Version < minBundleVersion || b.Version > BundleVersion {
		return nil, fail("bundle", "version %d, this adf reads versions %d to %d", b.Version, minBundleVersion, BundleVersion)
	}
	if b.ChainID == "" {
		return nil, fail("bundle", "chain_id is empty")
	}
	p, err := b.parseCometBFT()
	if err != nil {
		return nil, err
	}
	sh := p.sh
	// 1. The header and its commit belong together and to this chain.
	if err := sh.ValidateBasic(b.ChainID); err != nil {
		return nil, fail("block header", "height %d: %v", b.AnchorHeight, err)
	}
	if sh.Height != b.AnchorHeight {
		return nil, fail("block header", "is for height %d, the attestation was anchored at %d", sh.Height, b.AnchorHeight)
	}
	if !b.AnchorTime.IsZero() && !sh.Time.Equal(b.AnchorTime) {
		return nil, fail("block header", "time %s, the attestation's anchor time is %s", sh.Time.UTC().Format(time.RFC3339Nano), b.AnchorTime.UTC().Format(time.RFC3339Nano))
	}
	// 2. The validator set is the header's.
	vs := p.vals
	if !bytes.Equal(vs.Hash(), sh.ValidatorsHash) {
		return nil, fail("validator set", "hash %X does not match the header's validators_hash %X", vs.Hash(), sh.ValidatorsHash)
	}
	// 3. It is trusted: the same set, or > 2/3 of a trusted set signed.
	trustedBy := "the node's validator set (online; hash matches the header)"
	if trusted != nil {
		if bytes.Equal(trusted.Hash(), vs.Hash()) {
			trustedBy = fmt.Sprintf("trusted validator set %X (%d validators)", trusted.Hash(), trusted.Size())
		} else {
			if err := trusted.VerifyCommitLightTrusting(b.ChainID, sh.Commit, cmtmath.Fraction{Numerator: 2, Denominator: 3}); err != nil {
				return nil, fail("validator set", "the block's set %X is not the trusted set %X and the trusted validators did not sign more than 2/3 of it: %v", vs.Hash(), trusted.Hash(), err)
			}
			trustedBy = fmt.Sprintf("more than 2/3 of trusted validator set %X signed the commit", trusted.Hash())
		}
	}
	// 4. The commit: more than 2/3 of the set's power signed this block.
	if err := vs.VerifyCommitLight(b.ChainID, sh.Commit.BlockID, sh.Height, sh.Commit); err != nil {
		return nil, fail("commit", "block %d: %v", sh.Height, err)
	}
	signed := int64(0)
	for i, cs := range sh.Commit.Signatures {
		if cs.BlockIDFlag == cmttypes.BlockIDFlagCommit && i < vs.Size() {
			signed += vs.Validators[i].VotingPower
		}
	}
	// 5. The transaction is in the block.
	// (TxProof.Validate, with the tx hashed once.)
	if !bytes.Equal(p.proof.Data, b.Tx) {
		return nil, fail("tx proof", "proves another transaction than the bundle's tx")
	}
	leaf := cmttypes.Tx(b.Tx).Hash()
	switch {
	case !bytes.Equal(sh.DataHash, p.proof.RootHash):
		return nil, fail("tx proof", "tx %s in block %d: proof matches different data hash", b.TxHash, sh.Height)
	case p.proof.Proof.Index < 0 || p.proof.Proof.Total <= 0:
		return nil, fail("tx proof", "tx %s: proof index %d of %d", b.TxHash, p.proof.Proof.Index, p.proof.Proof.Total)
	}
	if err := p.proof.Proof.Verify(sh.DataHash, leaf); err != nil {
		return nil, fail("tx proof", "tx %s in block %d: %v", b.TxHash, sh.Height, err)
	}
	txHash := fmt.Sprintf("%X", leaf)
	if b.TxHash != "" && !equalHex(b.TxHash, txHash) {
		return nil, fail("tx proof", "tx hash %s, the bundle says %s", txHash, b.TxHash)
	}
	// 5b. It succeeded: its result is in the next block's
	// last_results_hash, and the next block follows this one and is
	// committed by the validators this block named.
	sh1 := p.next
	if err := sh1.ValidateBasic(b.ChainID); err != nil {
		return nil, fail("tx result", "next block: %v", err)
	}
	if sh1.Height != sh.Height+1 || !sh1.LastBlockID.Equals(sh.Commit.BlockID) {
		return nil, fail("tx result", "block %d does not follow block %d", sh1.Height, sh.Height)
	}
	if nh := p.nextVals.Hash(); !bytes.Equal(nh, sh.NextValidatorsHash) || !bytes.Equal(nh, sh1.ValidatorsHash) {
		return nil, fail("tx result", "next validator set %X is not block %d's next_validators_hash %X", nh, sh.Height, sh.NextValidatorsHash)
	}
	if err := p.nextVals.VerifyCommitLight(b.ChainID, sh1.Commit.BlockID, sh1.Height, sh1.Commit); err != nil {
		return nil, fail("tx result", "commit of block %d: %v", sh1.Height, err)
	}
	if p.resProof.Index != p.proof.Proof.Index || p.resProof.Total != p.proof.Proof.Total {
		return nil, fail("tx result", "result proof is for result %d of %d, the tx is %d of %d", p.resProof.Index, p.resProof.Total, p.proof.Proof.Index, p.proof.Proof.Total)
	}
	if err := p.resProof.Verify(sh1.LastResultsHash, b.TxResult); err != nil {
		return nil, fail("tx result", "not in block %d's last_results_hash: %v", sh1.Height, err)
	}
	var txRes abci.ExecTxResult
	if err := txRes.Unmarshal(b.TxResult); err != nil {
		return nil, fail("tx result", "%v", err)
	}
	if txRes.Code != 0 {
		return nil, fail("tx result", "the anchoring transaction failed with code %d: the chain did not anchor it", txRes.Code)
	}
	// 6. The transaction anchors this envelope, signed by this signer
	// (direct), or anchors a log root the envelope's entry is in (batched).
	riskClass, scope := "", ""
	keyTime := sh.Time
	if b.Batch == nil {
		msg, err := findAnchor(b.Tx, b.Envelope)
		if err != nil {
			return nil, err
		}
		if msg.Signer != b.Signer {
			return nil, fail("anchor tx", "the message's signer is %s, the bundle's %s", msg.Signer, b.Signer)
		}
		riskClass, scope = msg.RiskClass, msg.Scope
	} else {
		if err := verifyBatchEntry(b); err != nil {
			return nil, err
		}
		// The batcher's receive time and the block time come from
		// different clocks (the block's is its proposer's), so an entry
		// received a moment before the anchor was sent may carry a time
		// just after the block's. Within BatchClockSkew that is skew, not a
		// claim to check the key at a later time: the key is then checked
		// at the block time, the latest it can have signed.
		if b.Batch.Received.IsZero() || b.Batch.Received.After(sh.Time.Add(BatchClockSkew)) {
			return nil, fail("batch entry", "received %s, after the root's anchoring block (%s) by more than the allowed clock skew %s",
				b.Batch.Received.UTC().Format(time.RFC3339Nano), sh.Time.UTC().Format(time.RFC3339Nano), BatchClockSkew)
		}
		// The signature was made before the batcher received it.
		keyTime = b.Batch.Received
		if keyTime.After(sh.Time) {
			keyTime = sh.Time
		}
	}
	// 7. The DSSE signature with the signer's key.
	env, err := dsse.Parse(b.Envelope, dsse.Limits{MaxEnvelopeBytes: 4 << 20, MaxSignatures: 16})
	if err != nil {
		return nil, fail("envelope", "%v", err)
	}
	digest := env.Digest()
	digestHex := hex.EncodeToString(digest[:])
	if b.EnvelopeDigest != "" && !equalHex(b.EnvelopeDigest, digestHex) {
		return nil, fail("envelope", "digest %s, the bundle says %s", digestHex, b.EnvelopeDigest)
	}
	alg, err := sigscheme.ParseAlgorithm(b.Algorithm)
	if err != nil {
		return nil, fail("signer key", "%v", err)
	}
	pk, err := sigscheme.ParsePublicKey(alg, b.PublicKey)
	if err != nil {
		return nil, fail("signer key", "%v", err)
	}
	addr, err := chain.KeyAddress(pk)
	if err != nil {
		return nil, fail("signer key", "%v", err)
	}
	if addr.String() != b.Signer {
		return nil, fail("signer key", "the public key's address is %s, the signer is %s", addr, b.Signer)
	}
	if err := dsse.Verify(env, b.Signer, pk, b.ChainID); err != nil {
		return nil, fail("dsse signature", "%v", err)
	}
	// 8. The key record: proven against the app hash of block
	// KeyProof.Height+1 (the anchoring block's header, or the next one),
	// else (old bundles) the node's answer, with a warning.
	var (
		k        identitytypes.Key
		keyFrom  string
		proven   bool
		warnings []string
	)
	if b.KeyProof != nil {
		if !isZeroKeyValidity(b.KeyValidity) {
			return nil, fail("bundle", "it carries both key_proof and an unproven key_validity; a bundle has one or the other")
		}
		if k, keyFrom, err = verifyKeyProof(b, sh, sh1); err != nil {
			return nil, err
		}
		proven = true
	} else {
		why := fmt.Sprintf("bundle version %d has no key_proof", b.Version)
		if b.KeyProofMissing != "" {
			why += " (exporter: " + b.KeyProofMissing + ")"
		}
		if opts.RequireKeyProof {
			return nil, fail("key proof", "the signer's key record is not proven: %s", why)
		}
		k = b.KeyValidity.Key
		keyFrom = "UNPROVEN: a node's KeyValidity answer stored in the bundle (" + why + ")"
		warnings = append(warnings, "the signer's key record (public key, algorithm, status, validity window, principal) is not proven against the app hash: "+why+"; it is only what the exporting node answered")
	}
	if k.Address != b.Signer || k.Algorithm != b.Algorithm || !bytes.Equal(k.PublicKey, b.PublicKey) {
		return nil, fail("key record", "the key record (%s, %s) is not the signer's key that verified the signature (%s, %s)", k.Address, k.Algorithm, b.Signer, b.Algorithm)
	}
	// The key was valid at the anchor height and block time (batched:
	// receipt time).
	if proven {
		switch k.Status {
		case identitytypes.KEY_STATUS_ACTIVE:
		case identitytypes.KEY_STATUS_REVOKED:
			// KeyValidAt checks the revocation's height and time.
			if !k.IsRevoked() {
				return nil, fail("key validity", "key %s is REVOKED with no revocation height", k.Address)
			}
		case identitytypes.KEY_STATUS_EXPIRED:
			// Expired by the state's EndBlock: the window check decides
			// (a batched entry may have been received before not_after).
		default:
			return nil, fail("key validity", "key %s has status %s", k.Address, k.Status)
		}
	}
	if ok, reason := KeyValidAt(k, sh.Height, keyTime); !ok {
		return nil, fail("key validity", "%s", reason)
	}
	if !proven && !b.KeyValidity.Valid {
		return nil, fail("key validity", "the chain said: %s", b.KeyValidity.Reason)
	}
	// 9. The statement.
	st, err := intoto.StatementFromEnvelope(env, 0)
	if err != nil {
		return nil, fail("statement", "%v", err)
	}
	subs, err := st.SubjectSHA256()
	if err != nil {
		return nil, fail("statement", "%v", err)
	}
	res := &Result{
		EnvelopeDigest: digestHex, PredicateType: st.PredicateType, Signer: b.Signer, Algorithm: b.Algorithm,
		KeyPrincipal: k.PrincipalId, KeyOrg: k.OrgId, RiskClass: riskClass, Scope: scope,
		Height: sh.Height, Time: sh.Time, TxHash: txHash, BlockHash: fmt.Sprintf("%X", sh.Commit.BlockID.Hash),
		Validators: vs.Size(), SignedPower: signed, TotalPower: vs.TotalVotingPower(), TrustedBy: trustedBy,
		KeyRecord: keyFrom, KeyRecordProven: proven, Warnings: warnings,
	}
	for _, s := range subs {
		res.Subjects = append(res.Subjects, hex.EncodeToString(s[:]))
	}
	return res, nil
}

func isZeroKeyValidity(kv KeyValidity) bool {
	return !kv.Valid && kv.Reason == "" && kv.Key.Address == "" && len(kv.Key.PublicKey) == 0 && kv.Key.Algorithm == ""
}

func equalHex(a, b string) bool {
	return bytes.EqualFold([]byte(a), []byte(b))
}

// findAnchor decodes tx and returns its MsgAnchorAttestation carrying
// exactly envelope.
func findAnchor(tx, envelope []byte) (*attestationtypes.MsgAnchorAttestation, error) {
	enc, err := chain.MakeEncoding()
	if err != nil {
		return nil, err
	}
	t, err := enc.TxConfig.TxDecoder()(tx)
	if err != nil {
		return nil, fail("anchor tx", "undecodable transaction: %v", err)
	}
	n := 0
	for _, m := range t.GetMsgs() {
		if a, ok := m.(*attestationtypes.MsgAnchorAttestation); ok {
			n++
			if bytes.Equal(a.Envelope, envelope) {
				return a, nil
			}
		}
	}
	return nil, fail("anchor tx", "the transaction's %d MsgAnchorAttestation do not carry this envelope (tampered envelope?)", n)
}

// verifyBatchEntry checks that b.Tx anchors the batch's root and that the
// envelope's leaf is in it.
// BatchClockSkew is how far a batcher's receive time may run ahead of the
// block time of the root's anchoring block.
const BatchClockSkew = 30 * time.Second

func verifyBatchEntry(b *Bundle) error {
	be := b.Batch
	enc, err := chain.MakeEncoding()
	if err != nil {
		return err
	}
	t, err := enc.TxConfig.TxDecoder()(b.Tx)
	if err != nil {
		return fail("anchor tx", "undecodable transaction: %v", err)
	}
	found := false
	for _, m := range t.GetMsgs() {
		if a, ok := m.(*attestationtypes.MsgAnchorRoot); ok && a.LogId == be.LogID && a.TreeSize == be.TreeSize && bytes.Equal(a.RootHash, be.RootHash) {
			found = true
			break
		}
	}
	if !found {
		return fail("anchor tx", "the transaction does not anchor root %x of log %s at size %d", be.RootHash, be.LogID, be.TreeSize)
	}
	var root mhash.Hash
	if len(be.RootHash) != len(root) {
		return fail("batch entry", "root hash is %d bytes", len(be.RootHash))
	}
	copy(root[:], be.RootHash)
	proof := make([]mhash.Hash, len(be.InclusionProof))
	for i, h := range be.InclusionProof {
		if len(h) != len(root) {
			return fail("batch entry", "inclusion_proof[%d] is %d bytes", i, len(h))
		}
		copy(proof[i][:], h)
	}
	leaf := batchlog.LeafHash(be.Salt, b.Envelope)
	if err := mhash.VerifyInclusion(be.Index, be.TreeSize, leaf, proof, root); err != nil {
		return fail("batch entry", "entry %d (leaf %x) is not in root %x of size %d: %v", be.Index, leaf, root, be.TreeSize, err)
	}
	return nil
}

// KeyValidAt is x/identity's rule (keeper.KeyValidAt): registered at or
// before height, not revoked before it, and not_before <= t < not_after,
// t before the revocation time.
func KeyValidAt(key identitytypes.Key, height int64, t time.Time) (bool, string) {
	if height < key.RegisteredHeight {
		return false, fmt.Sprintf("key %s was registered at height %d, after height %d", key.Address, key.RegisteredHeight, height)
	}
	if key.IsRevoked() && height > key.RevokedHeight {
		return false, fmt.Sprintf("key %s was revoked at height %d, before height %d", key.Address, key.RevokedHeight, height)
	}
	if t.Before(key.NotBefore) {
		return false, fmt.Sprintf("key %s is not valid before %s; the block is of %s", key.Address, key.NotBefore.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	if !t.Before(key.NotAfter) {
		return false, fmt.Sprintf("key %s expired at %s; the block is of %s", key.Address, key.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	if key.IsRevoked() && key.RevokedTime != nil && !t.Before(*key.RevokedTime) {
		return false, fmt.Sprintf("key %s was revoked at %s; the block is of %s", key.Address, key.RevokedTime.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	return true, ""
}

// ParseTrustedValidators reads a trusted validator set: CometBFT JSON of
// a validator list ([…] or {"validators": […]}, e.g. the RPC's
// /validators result) or a genesis.json with validators.
func ParseTrustedValidators(data []byte) (*cmttypes.ValidatorSet, error) {
	var list []*cmttypes.Validator
	if err := cmtjson.Unmarshal(data, &list); err == nil && len(list) > 0 {
		return NewValidatorSet(list)
	}
	var wrapped struct {
		Validators []*cmttypes.Validator `json:"validators"`
		Result     struct {
			Validators []*cmttypes.Validator `json:"validators"`
		} `json:"result"`
	}
	if err := cmtjson.Unmarshal(data, &wrapped); err == nil {
		if len(wrapped.Validators) > 0 {
			return NewValidatorSet(wrapped.Validators)
		}
		if len(wrapped.Result.Validators) > 0 {
			return NewValidatorSet(wrapped.Result.Validators)
		}
	}
	// An ADF genesis.json: x/consortium's validators (it sets the
	// CometBFT validator set in InitChain).
	var gen struct {
		AppState struct {
			Consortium json.RawMessage `json:"consortium"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal(data, &gen); err != nil || len(gen.AppState.Consortium) == 0 {
		return nil, errors.New("not a validator list nor an ADF genesis.json (no app_state.consortium)")
	}
	enc, err := chain.MakeEncoding()
	if err != nil {
		return nil, err
	}
	var gs consortiumtypes.GenesisState
	if err := enc.Codec.UnmarshalJSON(gen.AppState.Consortium, &gs); err != nil {
		return nil, fmt.Errorf("genesis app_state.consortium: %w", err)
	}
	var vals []*cmttypes.Validator
	for i, v := range gs.Validators {
		if v.Status != consortiumtypes.VALIDATOR_STATUS_ACTIVE || v.Power <= 0 {
			continue
		}
		var pk cryptotypes.PubKey
		if err := enc.InterfaceRegistry.UnpackAny(v.PubKey, &pk); err != nil {
			return nil, fmt.Errorf("genesis validators[%d] (%s): %w", i, v.Name, err)
		}
		cpk, err := cryptocodec.ToCmtPubKeyInterface(pk)
		if err != nil {
			return nil, fmt.Errorf("genesis validators[%d] (%s): %w", i, v.Name, err)
		}
		vals = append(vals, cmttypes.NewValidator(cpk, v.Power))
	}
	if len(vals) == 0 {
		return nil, errors.New("genesis has no active validators")
	}
	return NewValidatorSet(vals)
}
