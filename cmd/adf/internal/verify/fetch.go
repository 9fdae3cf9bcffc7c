package verify

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
	query "github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// Fetcher reads what verification needs from one node: module queries as
// ABCI queries and CometBFT blocks, commits, validators and tx proofs.
type Fetcher struct {
	Chain *chain.Client
	RPC   *rpchttp.HTTP
	// BundleBatched makes BatchedEntries also gather and verify each
	// entry's bundle (the root's anchoring tx, block and commit), against
	// Trusted (nil: the node's validator set).
	BundleBatched bool
	Trusted       *cmttypes.ValidatorSet
	// Options are used when BatchedEntries verifies bundles.
	Options Options
}

// NewFetcher connects to a node's CometBFT RPC address.
func NewFetcher(cl *chain.Client) (*Fetcher, error) {
	rpc, err := rpchttp.New(cl.RPC, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("RPC %s: %w", cl.RPC, err)
	}
	return &Fetcher{Chain: cl, RPC: rpc}, nil
}

func (f *Fetcher) abci(ctx context.Context, path string, req interface{ Marshal() ([]byte, error) }, resp interface{ Unmarshal([]byte) error }) error {
	bz, err := req.Marshal()
	if err != nil {
		return err
	}
	val, err := f.Chain.ABCIQuery(ctx, path, bz)
	if err != nil {
		return err
	}
	return resp.Unmarshal(val)
}

// AttestationsBySubject lists every attestation the chain knows for a
// subject digest (64 hex digits).
func (f *Fetcher) AttestationsBySubject(ctx context.Context, subject string) ([]attestationtypes.Attestation, error) {
	var out []attestationtypes.Attestation
	var key []byte
	for range 1000 {
		req := &attestationtypes.QueryAttestationsBySubjectRequest{Subject: subject, Pagination: &query.PageRequest{Key: key, Limit: 100}}
		var resp attestationtypes.QueryAttestationsBySubjectResponse
		if err := f.abci(ctx, "/adf.attestation.v1.Query/AttestationsBySubject", req, &resp); err != nil {
			return nil, fmt.Errorf("attestations of %s: %w", subject, err)
		}
		out = append(out, resp.Attestations...)
		if resp.Pagination == nil || len(resp.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = resp.Pagination.NextKey
	}
	return nil, fmt.Errorf("attestations of %s: more than 100,000", subject)
}

// Attestation reads one attestation by envelope digest.
func (f *Fetcher) Attestation(ctx context.Context, digest []byte) (*attestationtypes.Attestation, error) {
	var resp attestationtypes.QueryAttestationResponse
	if err := f.abci(ctx, "/adf.attestation.v1.Query/Attestation", &attestationtypes.QueryAttestationRequest{Digest: hex.EncodeToString(digest)}, &resp); err != nil {
		return nil, fmt.Errorf("attestation %x: %w", digest, err)
	}
	return &resp.Attestation, nil
}

// Provenance is the chain's provenance walk of a subject.
func (f *Fetcher) Provenance(ctx context.Context, subject string) (*attestationtypes.QueryProvenanceResponse, error) {
	var resp attestationtypes.QueryProvenanceResponse
	if err := f.abci(ctx, "/adf.attestation.v1.Query/Provenance", &attestationtypes.QueryProvenanceRequest{Subject: subject}, &resp); err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", subject, err)
	}
	return &resp, nil
}

// Bundle gathers an offline bundle for a directly anchored attestation.
// It checks nothing cryptographic; VerifyBundle does.
func (f *Fetcher) Bundle(ctx context.Context, att attestationtypes.Attestation) (*Bundle, error) {
	digest := hex.EncodeToString(att.EnvelopeDigest)
	st, err := f.Chain.Status(ctx)
	if err != nil {
		return nil, err
	}
	h := att.Height
	b := &Bundle{
		Version: BundleVersion, ChainID: st.NodeInfo.Network, EnvelopeDigest: digest, Signer: att.Signer,
		Algorithm: att.Algorithm, RiskClass: att.RiskClass, Scope: att.Scope, AnchorHeight: h, AnchorTime: att.Time.UTC(),
	}
	// The anchoring transaction: the chain keeps only the digest, the
	// block keeps the envelope.
	blk, err := f.RPC.Block(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", h, err)
	}
	var txBytes []byte
	for _, tx := range blk.Block.Txs {
		if env, ok := anchoredEnvelope(tx, att.EnvelopeDigest); ok {
			txBytes, b.Envelope = tx, env
			break
		}
	}
	if txBytes == nil {
		return nil, fmt.Errorf("attestation %s: block %d has no transaction anchoring it (a batched entry? batcher proofs are not supported yet)", digest, h)
	}
	if err := f.blockEvidence(ctx, b, h, txBytes); err != nil {
		return nil, err
	}
	// The signer's key record, proven in the state block h executed
	// against (VerifyBundle checks its validity at the anchor).
	if err := f.keyRecord(ctx, b, att.Signer, h, att.Time); err != nil {
		return nil, err
	}
	if b.Algorithm != att.Algorithm {
		return nil, fmt.Errorf("key %s is %s on chain, the attestation says %s", att.Signer, b.Algorithm, att.Algorithm)
	}
	return b, nil
}

// blockEvidence fills b with the anchoring tx of block h, its proof in
// the block, its result proven in block h+1, and both blocks' headers,
// commits and validator sets.
func (f *Fetcher) blockEvidence(ctx context.Context, b *Bundle, h int64, txBytes []byte) error {
	var err error
	b.Tx = txBytes
	b.TxHash = fmt.Sprintf("%X", cmttypes.Tx(txBytes).Hash())
	rtx, err := f.RPC.Tx(ctx, cmttypes.Tx(txBytes).Hash(), true)
	if err != nil {
		return fmt.Errorf("tx %s with proof: %w", b.TxHash, err)
	}
	if rtx.TxResult.Code != 0 {
		return fmt.Errorf("tx %s in block %d failed (code %d): %s", b.TxHash, h, rtx.TxResult.Code, rtx.TxResult.Log)
	}
	proof := rtx.Proof
	proof.Data = nil // it is b.Tx
	if b.TxProof, err = EncodeTxProof(proof); err != nil {
		return err
	}
	if b.Header, b.ValSet, err = f.signedHeader(ctx, h); err != nil {
		return err
	}
	// The tx's result, proven in block H+1's last_results_hash.
	br, err := f.RPC.BlockResults(ctx, &h)
	if err != nil {
		return fmt.Errorf("results of block %d: %w", h, err)
	}
	results := cmttypes.NewResults(br.TxsResults)
	idx := int(rtx.Index)
	if idx >= len(results) {
		return fmt.Errorf("block %d has %d results, the tx is number %d", h, len(results), idx)
	}
	if b.TxResult, err = results[idx].Marshal(); err != nil {
		return err
	}
	rp := results.ProveResult(idx)
	if b.ResultProof, err = EncodeProof(&rp); err != nil {
		return err
	}
	if b.NextHeader, b.NextValSet, err = f.signedHeader(ctx, h+1); err != nil {
		return err
	}
	if bytes.Equal(b.NextValSet, b.ValSet) {
		b.NextValSet = nil
	}
	return nil
}

// keyRecord fills b's signer key with its proof (KeyProof); when the node
// cannot prove it (pruned state, a node without proofs), it falls back to
// x/identity's KeyValidity answer, which VerifyBundle accepts only with a
// warning (or not at all, with Options.RequireKeyProof).
func (f *Fetcher) keyRecord(ctx context.Context, b *Bundle, signer string, h int64, at time.Time) error {
	perr := f.keyRecordProof(ctx, b, signer, h)
	if perr == nil {
		return nil
	}
	b.KeyProof = nil
	if err := f.keyValidity(ctx, b, signer, h, at); err != nil {
		return fmt.Errorf("%w (and no provable key record: %v)", err, perr)
	}
	b.KeyProofMissing = perr.Error()
	return nil
}

// keyValidity fills b's signer key and x/identity's validity answer.
func (f *Fetcher) keyValidity(ctx context.Context, b *Bundle, signer string, h int64, at time.Time) error {
	var kv identitytypes.QueryKeyValidityResponse
	req := &identitytypes.QueryKeyValidityRequest{Address: signer, Height: h, Time: at.UTC().Format(time.RFC3339Nano)}
	if err := f.abci(ctx, "/adf.identity.v1.Query/KeyValidity", req, &kv); err != nil {
		return fmt.Errorf("key validity of %s at height %d: %w", signer, h, err)
	}
	b.KeyValidity = KeyValidity{Valid: kv.Valid, Reason: kv.Reason, Key: kv.Key}
	b.PublicKey = kv.Key.PublicKey
	b.Algorithm = kv.Key.Algorithm
	b.Signer = signer
	return nil
}

// BatchedBundle gathers an offline bundle for a verified batcher entry:
// the entry and its inclusion proof, and the block evidence of the
// MsgAnchorRoot that anchored the root.
func (f *Fetcher) BatchedBundle(ctx context.Context, r BatchedResult, e *batcherEntry, p *batcherProof, chainID string) (*Bundle, error) {
	h := r.AnchorHeight
	root, _ := hex.DecodeString(p.RootHash)
	salt, _ := hex.DecodeString(e.Salt)
	be := &BatchEntry{LogID: e.LogID, Index: e.Index, Salt: salt, Received: e.Received.UTC(), TreeSize: p.TreeSize, RootHash: root}
	for _, s := range p.Proof {
		hb, _ := hex.DecodeString(s)
		be.InclusionProof = append(be.InclusionProof, hb)
	}
	b := &Bundle{
		Version: BundleVersion, ChainID: chainID, Envelope: []byte(e.Envelope), EnvelopeDigest: strings.ToLower(e.EnvelopeDigest),
		AnchorHeight: h, AnchorTime: r.AnchorTime.UTC(), Batch: be,
	}
	blk, err := f.RPC.Block(ctx, &h)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", h, err)
	}
	enc, err := chain.MakeEncoding()
	if err != nil {
		return nil, err
	}
	var txBytes []byte
	for _, tx := range blk.Block.Txs {
		t, err := enc.TxConfig.TxDecoder()(tx)
		if err != nil {
			continue
		}
		for _, m := range t.GetMsgs() {
			if a, ok := m.(*attestationtypes.MsgAnchorRoot); ok && a.LogId == be.LogID && a.TreeSize == be.TreeSize && bytes.Equal(a.RootHash, root) {
				txBytes = tx
			}
		}
		if txBytes != nil {
			break
		}
	}
	if txBytes == nil {
		return nil, fmt.Errorf("block %d has no MsgAnchorRoot of log %s at size %d", h, be.LogID, be.TreeSize)
	}
	if err := f.blockEvidence(ctx, b, h, txBytes); err != nil {
		return nil, err
	}
	if err := f.keyRecord(ctx, b, r.Signer, h, e.Received); err != nil {
		return nil, err
	}
	return b, nil
}

// signedHeader returns block h's header with its canonical commit and
// the validator set at h, in CometBFT JSON. It waits up to ~10 s for the
// commit to be canonical (block h+1 committed).
func (f *Fetcher) signedHeader(ctx context.Context, h int64) (header, vals []byte, err error) {
	var com *ctypes.ResultCommit
	for i := 0; ; i++ {
		com, err = f.RPC.Commit(ctx, &h)
		if err == nil && com.CanonicalCommit {
			break
		}
		if i >= 30 {
			if err == nil {
				err = errors.New("no canonical commit yet (is the chain producing blocks?)")
			}
			return nil, nil, fmt.Errorf("commit of block %d: %w", h, err)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(350 * time.Millisecond):
		}
	}
	if header, err = EncodeSignedHeader(&com.SignedHeader); err != nil {
		return nil, nil, err
	}
	var list []*cmttypes.Validator
	for page := 1; page <= 100; page++ {
		pg, per := page, 100
		rv, err := f.RPC.Validators(ctx, &h, &pg, &per)
		if err != nil {
			return nil, nil, fmt.Errorf("validators at height %d: %w", h, err)
		}
		list = append(list, rv.Validators...)
		if len(list) >= rv.Total || len(rv.Validators) == 0 {
			break
		}
	}
	if vals, err = EncodeValidators(list); err != nil {
		return nil, nil, err
	}
	return header, vals, nil
}

// anchoredEnvelope returns the envelope of tx's MsgAnchorAttestation whose
// digest is digest.
func anchoredEnvelope(tx []byte, digest []byte) ([]byte, bool) {
	enc, err := chain.MakeEncoding()
	if err != nil {
		return nil, false
	}
	t, err := enc.TxConfig.TxDecoder()(tx)
	if err != nil {
		return nil, false
	}
	for _, m := range t.GetMsgs() {
		a, ok := m.(*attestationtypes.MsgAnchorAttestation)
		if !ok {
			continue
		}
		env, err := dsse.Parse(a.Envelope, dsse.Limits{MaxEnvelopeBytes: 4 << 20, MaxSignatures: 16})
		if err != nil {
			continue
		}
		d := env.Digest()
		if string(d[:]) == string(digest) {
			return a.Envelope, true
		}
	}
	return nil, false
}
