// Package batcher is the ADF batcher's chain-agnostic service: the HTTP API
// in front of a pkg/batchlog log (strict DSSE/in-toto checks, signatures
// verified with the signer's on-chain key, authorisation re-checked every
// block), and the anchoring loop that puts the log's root on chain every
// epoch with a consistency proof from the last anchored root. Chain access
// goes through the Chain interface (cmd/adf implements it over REST/RPC), so
// this package imports no Cosmos SDK.
package batcher

import (
	"context"
	"errors"
	"time"

	"github.com/adf-consortium/adf/pkg/merkle"
)

// KeyInfo is a signing key as x/identity registers it.
type KeyInfo struct {
	Address   string
	Algorithm string // "ed25519", "ml_dsa_65" or "composite"
	PublicKey []byte
	// Status is "active", "revoked", "expired" (or the chain's enum name).
	Status    string
	NotAfter  time.Time
	Principal string
}

// Decision is x/identity's Authorize answer.
type Decision struct {
	Allowed bool
	Reason  string
}

// Root is an anchored root of a log.
type Root struct {
	TreeSize uint64
	RootHash merkle.Hash
	Height   int64
	Time     time.Time
}

// Errors a Chain returns (wrapped).
var (
	// ErrUnknownKey: no key with that address is registered.
	ErrUnknownKey = errors.New("key not registered on chain")
	// ErrRootAlreadyAnchored: the chain has exactly this root at this size
	// (an idempotent retry); the anchor counts as done.
	ErrRootAlreadyAnchored = errors.New("root already anchored")
	// ErrStaleAnchorBase: the chain refused the consistency proof. Either an
	// earlier anchor of ours landed after we read the chain's latest root
	// (a timed-out transaction, or one sent just before a restart), or the
	// log really was rewritten; AnchorOnce tells the two apart.
	ErrStaleAnchorBase = errors.New("consistency proof refused")
)

// Chain is what the batcher needs from the chain.
type Chain interface {
	// KeyInfo returns the key registered at address (ErrUnknownKey if none).
	KeyInfo(ctx context.Context, address string) (*KeyInfo, error)
	// Authorize asks whether signer may perform action on scope now.
	Authorize(ctx context.Context, signer, action, scope string) (Decision, error)
	// Height returns the latest block height.
	Height(ctx context.Context) (int64, error)
	// RiskClassDirect tells whether attestations of a risk class must be
	// anchored directly (x/attestation RiskClass); the batcher refuses them.
	RiskClassDirect(ctx context.Context, riskClass string) (bool, error)
	// LatestRoot returns the log's latest anchored root, nil if none.
	LatestRoot(ctx context.Context, logID string) (*Root, error)
	// AnchorRoot signs and broadcasts MsgAnchorRoot and returns the height of
	// the block that included it.
	AnchorRoot(ctx context.Context, logID string, treeSize uint64, root merkle.Hash, proof []merkle.Hash) (int64, error)
}
