package types

import (
	"encoding/hex"
	"errors"
	"strings"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/x/internal/addrutil"
)

// Limits on user-provided values that are not params (pkg/anchor's).
const (
	// HashSize is the size of a SHA-256 digest and of an RFC 6962 hash.
	HashSize = anchor.HashSize
	// MaxConsistencyProofHashes bounds a consistency proof.
	MaxConsistencyProofHashes = anchor.MaxConsistencyProofHashes
	// MaxEnvelopeSignatures bounds the signatures of a directly anchored
	// DSSE envelope (only the signer's is verified on chain).
	MaxEnvelopeSignatures = anchor.MaxEnvelopeSignatures
	// MaxLogIDLength bounds a log id, in bytes (x/identity's scope limit).
	MaxLogIDLength = anchor.MaxLogIDLength
	// DigestPrefix is accepted (and stripped) in front of hex digests.
	DigestPrefix = "sha256:"
)

// The rules live in pkg/anchor (shared with the Fabric chaincode); these
// wrap its errors in the module's registered errors with the same message.

// ValidateLogID checks a log id (anchor.ValidateLogID).
func ValidateLogID(id string) error { return Wrap(anchor.ValidateLogID(id)) }

// ValidateRiskClass checks a risk class name (anchor.ValidateRiskClass).
func ValidateRiskClass(c string) error { return Wrap(anchor.ValidateRiskClass(c)) }

// ValidateScope checks the scope of a direct anchor (anchor.ValidateScope).
func ValidateScope(s string) error { return Wrap(anchor.ValidateScope(s)) }

// ValidateHash checks that b is a 32-byte hash; field names it in the error.
func ValidateHash(field string, b []byte) error { return anchor.ValidateHash(field, b) }

// ValidateConsistencyProof checks the shape of a consistency proof
// (anchor.ValidateConsistencyProof).
func ValidateConsistencyProof(proof [][]byte) error {
	return Wrap(anchor.ValidateConsistencyProof(proof))
}

// anchorErrors maps pkg/anchor's rules to the module's registered errors.
var anchorErrors = []struct{ rule, registered error }{
	{anchor.ErrInvalidLogID, ErrInvalidLogID},
	{anchor.ErrInvalidTreeSize, ErrInvalidTreeSize},
	{anchor.ErrInvalidRootHash, ErrInvalidRootHash},
	{anchor.ErrInvalidConsistencyProof, ErrInvalidConsistencyProof},
	{anchor.ErrLogForked, ErrLogForked},
	{anchor.ErrLogShrunk, ErrLogShrunk},
	{anchor.ErrRootAlreadyAnchored, ErrRootAlreadyAnchored},
	{anchor.ErrQuotaExceeded, ErrQuotaExceeded},
	{anchor.ErrInvalidRiskClass, ErrInvalidRiskClass},
	{anchor.ErrInvalidScope, ErrInvalidScope},
	{anchor.ErrInvalidEnvelope, ErrInvalidEnvelope},
	{anchor.ErrEnvelopeTooLarge, ErrEnvelopeTooLarge},
	{anchor.ErrInvalidStatement, ErrInvalidStatement},
}

// Wrap turns an error of pkg/anchor into the module's registered error of
// the same rule, keeping the message; other errors (and nil) pass through.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	for _, m := range anchorErrors {
		if errors.Is(err, m.rule) {
			return errorsmod.Wrap(m.registered, err.Error())
		}
	}
	return err
}

// ParseDigest decodes a hex SHA-256 digest (64 hex digits, either case, an
// optional "sha256:" prefix).
func ParseDigest(s string) ([]byte, error) {
	h := strings.TrimPrefix(s, DigestPrefix)
	if len(h) != 2*HashSize {
		return nil, errorsmod.Wrapf(ErrInvalidDigest, "%q: want %d hex digits (optionally prefixed %q)", s, 2*HashSize, DigestPrefix)
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, errorsmod.Wrapf(ErrInvalidDigest, "%q: %s", s, err)
	}
	return b, nil
}

// FormatDigest renders a digest as lowercase hex.
func FormatDigest(b []byte) string { return hex.EncodeToString(b) }

// FormatDigests renders digests as lowercase hex.
func FormatDigests(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = FormatDigest(b)
	}
	return out
}

// ParseAddress decodes a bech32 account address (see addrutil.Parse).
func ParseAddress(ac address.Codec, s string) (sdk.AccAddress, string, error) {
	return addrutil.Parse(ac, s)
}
