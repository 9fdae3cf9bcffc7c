package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	cmttypes "github.com/cometbft/cometbft/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	ics23 "github.com/cosmos/ics23/go"

	"cosmossdk.io/collections"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// KeyProof proves the signer's x/identity key record in the chain state:
// Value is the record exactly as the identity store holds it (protobuf
// identity.v1.Key) under Key (the Keys collection's key: prefix 3 and the
// signer's address bytes), and Proof is the store's proof of it (a
// tendermint.crypto.ProofOps, protobuf): an ICS23 IAVL existence proof of
// Key → Value in the identity store, then an ICS23 simple-merkle proof of
// the identity store's root under the name "identity" in the multistore's
// commit hash, the app hash.
//
// Height is the state version the record was read at. Normally it is
// AnchorHeight-1: with H = AnchorHeight (for a batched entry, the block
// whose MsgAnchorRoot anchored the entry's root), the state after block
// H-1 is the one block H's transactions (the anchoring one) executed
// against, and header H (the bundle's signed_header) carries its app
// hash. The record then shows every registration, revocation and expiry
// up to block H-1; a revocation in block H itself or later is not in it
// (the anchoring tx succeeded, so the chain accepted the key when it ran). When that state cannot
// prove the record (the key was registered in block H itself, or H-1 is
// below 2, where the SDK serves no proofs) it is AnchorHeight, proven
// against header H+1's app hash (next_signed_header). Both headers are
// verified by the bundle's commit checks, so either way the record is
// bound to a block the validators signed.
type KeyProof struct {
	Height int64  `json:"height"`
	Key    []byte `json:"key"`
	Value  []byte `json:"value"`
	Proof  []byte `json:"proof"`
}

// IdentityStoreName is the name of x/identity's store in the multistore
// (the key of the multistore proof).
const IdentityStoreName = identitytypes.StoreKey

// KeyRecordStoreKey is the identity store key of signer's key record: the
// Keys collection's prefix and the address bytes (sdk.AccAddressKey).
func KeyRecordStoreKey(signer string) ([]byte, error) {
	addr, err := sdk.AccAddressFromBech32(signer)
	if err != nil {
		return nil, fmt.Errorf("signer %q: %w", signer, err)
	}
	return collections.EncodeKeyWithPrefix(identitytypes.KeysKey.Bytes(), sdk.AccAddressKey, addr)
}

// verifyKeyProof checks b.KeyProof against the app hash of the header of
// block KeyProof.Height+1 (sh is block AnchorHeight, sh1 block
// AnchorHeight+1, both already verified) and returns the proven key
// record and a description of what proved it.
func verifyKeyProof(b *Bundle, sh, sh1 *cmttypes.SignedHeader) (identitytypes.Key, string, error) {
	var k identitytypes.Key
	kp := b.KeyProof
	var appHash []byte
	var block int64
	switch kp.Height {
	case sh.Height - 1:
		appHash, block = sh.AppHash, sh.Height
	case sh.Height:
		appHash, block = sh1.AppHash, sh1.Height
	default:
		return k, "", fail("key proof", "the record is for the state at height %d; only %d (before the anchoring block) or %d (after it) can be proven with this bundle's headers", kp.Height, sh.Height-1, sh.Height)
	}
	want, err := KeyRecordStoreKey(b.Signer)
	if err != nil {
		return k, "", fail("key proof", "%v", err)
	}
	if !bytes.Equal(kp.Key, want) {
		return k, "", fail("key proof", "the proven store key %X is not the signer's key record key %X", kp.Key, want)
	}
	if len(kp.Value) == 0 {
		return k, "", fail("key proof", "no key record value")
	}
	var ops cmtcrypto.ProofOps
	if err := ops.Unmarshal(kp.Proof); err != nil {
		return k, "", fail("key proof", "undecodable proof: %v", err)
	}
	if len(ops.Ops) != 2 {
		return k, "", fail("key proof", "%d proof ops, want 2 (IAVL existence in the identity store, then the store in the app hash)", len(ops.Ops))
	}
	storeOp, rootOp := ops.Ops[0], ops.Ops[1]
	if storeOp.Type != storetypes.ProofOpIAVLCommitment || !bytes.Equal(storeOp.Key, want) {
		return k, "", fail("key proof", "first proof op is %s of key %X, want %s of %X", storeOp.Type, storeOp.Key, storetypes.ProofOpIAVLCommitment, want)
	}
	if rootOp.Type != storetypes.ProofOpSimpleMerkleCommitment || string(rootOp.Key) != IdentityStoreName {
		return k, "", fail("key proof", "second proof op is %s of key %q, want %s of %q", rootOp.Type, rootOp.Key, storetypes.ProofOpSimpleMerkleCommitment, IdentityStoreName)
	}
	// 1. The record in the identity store: an IAVL existence proof of
	// exactly this key and value; its root is the store's root.
	var sp ics23.CommitmentProof
	if err := sp.Unmarshal(storeOp.Data); err != nil {
		return k, "", fail("key proof", "identity store proof: %v", err)
	}
	if sp.GetExist() == nil {
		return k, "", fail("key proof", "the identity store proof is not an existence proof (the key record is absent at height %d?)", kp.Height)
	}
	storeRoot, err := sp.Calculate()
	if err != nil {
		return k, "", fail("key proof", "identity store proof: %v", err)
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, storeRoot, &sp, want, kp.Value) {
		return k, "", fail("key proof", "the identity store proof does not prove this key record value (altered record or proof)")
	}
	// 2. The identity store's root in the multistore's commit hash.
	var rp ics23.CommitmentProof
	if err := rp.Unmarshal(rootOp.Data); err != nil {
		return k, "", fail("key proof", "multistore proof: %v", err)
	}
	if rp.GetExist() == nil {
		return k, "", fail("key proof", "the multistore proof is not an existence proof")
	}
	root, err := rp.Calculate()
	if err != nil {
		return k, "", fail("key proof", "multistore proof: %v", err)
	}
	if !bytes.Equal(root, appHash) {
		return k, "", fail("key proof", "the proof leads to app hash %X, block %d's header has app hash %X (altered record, proof or app hash)", []byte(root), block, appHash)
	}
	if !ics23.VerifyMembership(ics23.TendermintSpec, appHash, &rp, []byte(IdentityStoreName), storeRoot) {
		return k, "", fail("key proof", "the multistore proof does not prove the identity store root %X in app hash %X", []byte(storeRoot), appHash)
	}
	// 3. The record.
	if err := k.Unmarshal(kp.Value); err != nil {
		return k, "", fail("key proof", "the proven value is not an identity key record: %v", err)
	}
	how := fmt.Sprintf("proven: x/identity record in the state at height %d, app hash %X of block %d", kp.Height, appHash, block)
	return k, how, nil
}

// keyRecordProof fills b.KeyProof and the signer fields from the key
// record at height h-1 (else h, see KeyProof) with its proof.
func (f *Fetcher) keyRecordProof(ctx context.Context, b *Bundle, signer string, h int64) error {
	key, err := KeyRecordStoreKey(signer)
	if err != nil {
		return err
	}
	var lastErr error
	for _, qh := range []int64{h - 1, h} {
		if qh < 2 {
			continue // baseapp proves nothing at height <= 1
		}
		res, err := f.RPC.ABCIQueryWithOptions(ctx, "/store/"+IdentityStoreName+"/key", key, rpcclient.ABCIQueryOptions{Height: qh, Prove: true})
		if err != nil {
			return fmt.Errorf("key record of %s at height %d with proof: %w", signer, qh, err)
		}
		r := res.Response
		if r.Code != 0 {
			lastErr = fmt.Errorf("key record of %s at height %d with proof: code %d: %s", signer, qh, r.Code, r.Log)
			continue
		}
		if len(r.Value) == 0 {
			lastErr = fmt.Errorf("no key record of %s at height %d", signer, qh)
			continue // registered in block h?
		}
		if r.ProofOps == nil || len(r.ProofOps.Ops) == 0 {
			lastErr = fmt.Errorf("key record of %s at height %d: the node sent no proof", signer, qh)
			continue
		}
		if r.Height != qh {
			return fmt.Errorf("key record of %s: asked for height %d, the node answered for %d", signer, qh, r.Height)
		}
		pb := cmtcrypto.ProofOps{Ops: r.ProofOps.Ops}
		proof, err := pb.Marshal()
		if err != nil {
			return err
		}
		var k identitytypes.Key
		if err := k.Unmarshal(r.Value); err != nil {
			return fmt.Errorf("key record of %s at height %d: %w", signer, qh, err)
		}
		b.KeyProof = &KeyProof{Height: qh, Key: key, Value: r.Value, Proof: proof}
		b.PublicKey, b.Algorithm, b.Signer = k.PublicKey, k.Algorithm, signer
		return nil
	}
	if lastErr == nil {
		lastErr = errors.New("no provable height")
	}
	return lastErr
}
