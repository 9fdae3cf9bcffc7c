package types

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/x/internal/addrutil"
)

// Limits on user-provided values that are not params.
const (
	// HashSize is the size of a SHA-256 digest and of an RFC 6962 hash.
	HashSize = 32
	// MaxConsistencyProofHashes bounds a consistency proof: an RFC 6962
	// proof between trees of fewer than 2^64 leaves has at most 2·64 hashes.
	MaxConsistencyProofHashes = 128
	// MaxEnvelopeSignatures bounds the signatures of a directly anchored
	// DSSE envelope (only the signer's is verified on chain).
	MaxEnvelopeSignatures = 16
	// MaxLogIDLength bounds a log id, in bytes (x/identity's scope limit).
	MaxLogIDLength = policy.MaxScopeLength
	// DigestPrefix is accepted (and stripped) in front of hex digests.
	DigestPrefix = "sha256:"
)

var (
	logIDRegexp     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$`)
	riskClassRegexp = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// ValidateLogID checks a log id: it is the scope of the "anchor" action, so
// a valid x/identity scope, and a REST path tail, so ASCII letters, digits
// and . _ : / @ + - only, starting with a letter or digit, without "//" or
// a trailing '/'. E.g. "acme/batcher-1" or "github.com/acme/log".
func ValidateLogID(id string) error {
	if id == "" {
		return errorsmod.Wrap(ErrInvalidLogID, "log_id: empty")
	}
	if len(id) > MaxLogIDLength {
		return errorsmod.Wrapf(ErrInvalidLogID, "log_id: %d bytes exceeds %d", len(id), MaxLogIDLength)
	}
	if !logIDRegexp.MatchString(id) || strings.Contains(id, "//") || strings.HasSuffix(id, "/") {
		return errorsmod.Wrapf(ErrInvalidLogID, "log_id: %q must match ^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$ without \"//\" or a trailing '/'", id)
	}
	if err := policy.ValidateScope(id); err != nil {
		return errorsmod.Wrapf(ErrInvalidLogID, "log_id: %s", err)
	}
	return nil
}

// ValidateRiskClass checks a risk class name: ^[a-z0-9][a-z0-9._-]{0,63}$,
// e.g. "release", "production-deploy", "build".
func ValidateRiskClass(c string) error {
	if !riskClassRegexp.MatchString(c) {
		return errorsmod.Wrapf(ErrInvalidRiskClass, "risk_class: %q does not match ^[a-z0-9][a-z0-9._-]{0,63}$", c)
	}
	return nil
}

// ValidateScope checks the scope of a direct anchor: a non-empty
// x/identity scope (no white space, no '*', at most 256 bytes).
func ValidateScope(s string) error {
	if s == "" {
		return errorsmod.Wrap(ErrInvalidScope, "scope: empty")
	}
	if err := policy.ValidateScope(s); err != nil {
		return errorsmod.Wrapf(ErrInvalidScope, "scope: %s", err)
	}
	return nil
}

// ValidateHash checks that b is a 32-byte hash; field names it in the error.
func ValidateHash(field string, b []byte) error {
	if len(b) != HashSize {
		return fmt.Errorf("%s: %d bytes, want %d", field, len(b), HashSize)
	}
	return nil
}

// ValidateConsistencyProof checks the shape of a consistency proof: at most
// MaxConsistencyProofHashes hashes of 32 bytes each.
func ValidateConsistencyProof(proof [][]byte) error {
	if len(proof) > MaxConsistencyProofHashes {
		return errorsmod.Wrapf(ErrInvalidConsistencyProof, "consistency_proof: %d hashes exceeds %d", len(proof), MaxConsistencyProofHashes)
	}
	for i, h := range proof {
		if err := ValidateHash(fmt.Sprintf("consistency_proof[%d]", i), h); err != nil {
			return errorsmod.Wrap(ErrInvalidConsistencyProof, err.Error())
		}
	}
	return nil
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
