package types

import (
	"fmt"
	"regexp"
	"sort"
	"unicode"
	"unicode/utf8"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/principal"
	"github.com/adf-consortium/adf/pkg/sigscheme"

	"github.com/adf-consortium/adf/x/internal/addrutil"
)

// Limits on user-provided values that are not params.
const (
	// MaxKeyScopes bounds the scope patterns of one key.
	MaxKeyScopes = principal.MaxKeyScopes
	// MaxSubjectLength bounds an approval subject, in bytes.
	MaxSubjectLength = principal.MaxSubjectLength
	// MaxReasonLength bounds a revocation reason, in bytes.
	MaxReasonLength = 256
	// MaxApprovalsRequired bounds a policy's approvals_required.
	MaxApprovalsRequired = 64
	// KeyAddressLength is the length of a key address: sha256(pubkey)[:20].
	KeyAddressLength = principal.KeyAddressLength
)

var (
	// orgIDRegexp is x/consortium's organisation id rule.
	attrKeyRegexp = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$`)
)

// KeyAddress is the account address of a key: the first 20 bytes of
// SHA-256 of the raw public key, for every algorithm. For ed25519 and
// ml_dsa_65 this is exactly the Cosmos SDK's PubKey.Address() (and
// CometBFT's), so a key registered here is the account its SDK key signs
// as. The composite key's raw bytes are ML-DSA-65 pk || Ed25519 pk.
func KeyAddress(alg sigscheme.Algorithm, pubKey []byte) sdk.AccAddress {
	_ = alg // every algorithm hashes the raw encoding alike
	return sdk.AccAddress(principal.KeyAddress(pubKey))
}

// ParsePublicKey checks a key's algorithm and public key against params:
// a known algorithm listed in allowed_algorithms, at most max_key_bytes,
// and a well-formed key of exactly the algorithm's size.
func ParsePublicKey(p Params, algorithm string, pubKey []byte) (sigscheme.Algorithm, sigscheme.PublicKey, error) {
	alg, err := sigscheme.ParseAlgorithm(algorithm)
	if err != nil {
		return "", nil, errorsmod.Wrapf(ErrInvalidAlgorithm, "algorithm: %s", err)
	}
	if !p.AlgorithmAllowed(algorithm) {
		return "", nil, errorsmod.Wrapf(ErrAlgorithmNotAllowed, "algorithm: %q is not in allowed_algorithms %v", algorithm, p.AllowedAlgorithms)
	}
	if uint32(len(pubKey)) > p.MaxKeyBytes {
		return "", nil, errorsmod.Wrapf(ErrInvalidPubKey, "public_key: %d bytes exceeds max_key_bytes %d", len(pubKey), p.MaxKeyBytes)
	}
	pk, err := sigscheme.ParsePublicKey(alg, pubKey)
	if err != nil {
		return "", nil, errorsmod.Wrapf(ErrInvalidPubKey, "public_key: %s", err)
	}
	return alg, pk, nil
}

// ValidateOrgID checks an organisation id slug: ^[a-z0-9][a-z0-9-]{1,31}$
// (x/consortium's rule).
func ValidateOrgID(id string) error { return principal.ValidateOrgID(id) }

// SplitPrincipalID checks a principal id "<org_id>/<name>" and returns its
// parts. name matches ^[a-z0-9][a-z0-9._-]{0,63}$.
func SplitPrincipalID(id string) (orgID, name string, err error) {
	return principal.SplitID(id)
}

// ValidatePrincipalKind accepts every kind but UNSPECIFIED.
func ValidatePrincipalKind(k PrincipalKind) error {
	if _, ok := PrincipalKind_name[int32(k)]; !ok || k == PRINCIPAL_KIND_UNSPECIFIED {
		return errorsmod.Wrapf(ErrInvalidKind, "kind: %s", k)
	}
	return nil
}

// ValidatePrincipalStatus accepts ACTIVE, SUSPENDED and REVOKED.
func ValidatePrincipalStatus(s PrincipalStatus) error {
	switch s {
	case PRINCIPAL_STATUS_ACTIVE, PRINCIPAL_STATUS_SUSPENDED, PRINCIPAL_STATUS_REVOKED:
		return nil
	default:
		return errorsmod.Wrapf(ErrInvalidStatus, "status: %s", s)
	}
}

// NormalizeRoles checks roles (each a valid name, no duplicates, at most
// maxRoles) and returns them sorted.
func NormalizeRoles(roles []string, maxRoles uint32) ([]string, error) {
	out, err := principal.NormalizeRoles(roles, maxRoles)
	if err != nil {
		return nil, errorsmod.Wrap(ErrInvalidRoles, err.Error())
	}
	return out, nil
}

// NormalizeAttributes checks attributes (keys ^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$,
// unique; values printable UTF-8; len(key)+len(value) <= maxBytes; at most
// maxCount) and returns them sorted by key.
func NormalizeAttributes(attrs []Attribute, maxCount, maxBytes uint32) ([]Attribute, error) {
	if uint32(len(attrs)) > maxCount {
		return nil, errorsmod.Wrapf(ErrInvalidAttributes, "attributes: count %d exceeds max_attributes %d", len(attrs), maxCount)
	}
	out := append([]Attribute(nil), attrs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	for i, a := range out {
		if !attrKeyRegexp.MatchString(a.Key) {
			return nil, errorsmod.Wrapf(ErrInvalidAttributes, "attributes: key %q does not match ^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$", a.Key)
		}
		if i > 0 && out[i-1].Key == a.Key {
			return nil, errorsmod.Wrapf(ErrInvalidAttributes, "attributes: key %q is listed twice", a.Key)
		}
		if n := len(a.Key) + len(a.Value); uint32(n) > maxBytes {
			return nil, errorsmod.Wrapf(ErrInvalidAttributes, "attributes: %q is %d bytes (key + value); max_attribute_bytes is %d", a.Key, n, maxBytes)
		}
		if err := checkPrintable(a.Value); err != nil {
			return nil, errorsmod.Wrapf(ErrInvalidAttributes, "attributes: value of %q %s", a.Key, err)
		}
	}
	return out, nil
}

// NormalizeKeyScopes checks a key's scope patterns (at most MaxKeyScopes,
// each valid, no duplicates) and returns them sorted.
func NormalizeKeyScopes(scopes []string) ([]string, error) {
	out, err := principal.NormalizeKeyScopes(scopes)
	if err != nil {
		return nil, errorsmod.Wrap(ErrInvalidScope, err.Error())
	}
	return out, nil
}

// ValidatePolicy checks a policy's fields.
func ValidatePolicy(p Policy) error {
	if err := policy.ValidateRule(p.Rule()); err != nil {
		return errorsmod.Wrap(ErrInvalidPolicy, err.Error())
	}
	if p.ApprovalsRequired > MaxApprovalsRequired {
		return errorsmod.Wrapf(ErrInvalidPolicy, "approvals_required: %d exceeds %d", p.ApprovalsRequired, MaxApprovalsRequired)
	}
	return nil
}

// Rule converts a policy to pkg/policy's form.
func (p Policy) Rule() policy.Rule {
	return policy.Rule{
		ID:                p.Id,
		Role:              p.Role,
		Action:            p.Action,
		ScopePattern:      p.ScopePattern,
		ApprovalsRequired: p.ApprovalsRequired,
	}
}

// ValidateApprovalTarget checks the (action, scope, subject) of an approval:
// a valid action name, a non-empty valid scope and a non-empty subject of at
// most MaxSubjectLength bytes without white space or control characters.
func ValidateApprovalTarget(action, scope, subject string) error {
	if err := principal.ValidateApprovalTarget(action, scope, subject); err != nil {
		return errorsmod.Wrap(ErrInvalidApproval, err.Error())
	}
	return nil
}

// ValidateReason checks a revocation reason: at most MaxReasonLength bytes
// of printable UTF-8.
func ValidateReason(r string) error {
	if len(r) > MaxReasonLength {
		return errorsmod.Wrapf(ErrInvalidReason, "reason: %d bytes exceeds %d", len(r), MaxReasonLength)
	}
	if err := checkPrintable(r); err != nil {
		return errorsmod.Wrapf(ErrInvalidReason, "reason: %s", err)
	}
	return nil
}

func checkPrintable(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("is not valid UTF-8")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("contains a non-printable character %U", r)
		}
	}
	return nil
}

// ParseAddress decodes a bech32 account address (see addrutil.Parse).
func ParseAddress(ac address.Codec, s string) (sdk.AccAddress, string, error) {
	return addrutil.Parse(ac, s)
}
