package types

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"cosmossdk.io/core/address"

	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/adf-consortium/adf/x/internal/addrutil"
)

// Limits on user-provided strings.
const (
	MaxOrgNameLength  = 64
	MaxTitleLength    = 256
	MaxSummaryLength  = 4096
	MaxAdminsPerOrg   = 32
	KeyTypeEd25519    = ed25519.KeyType
	KeyTypeMLDSA65    = "ml_dsa_65"
	maxValidatorName  = 64
	maxFailureReasonB = 1024
)

var (
	orgIDRegexp         = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)
	validatorNameRegexp = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`)
)

// ValidateOrgID checks an organisation id slug: ^[a-z0-9][a-z0-9-]{1,31}$.
func ValidateOrgID(id string) error {
	if !orgIDRegexp.MatchString(id) {
		return fmt.Errorf("%q does not match ^[a-z0-9][a-z0-9-]{1,31}$", id)
	}
	return nil
}

// ValidateOrgName checks a human organisation name: 1..64 characters of
// valid UTF-8, printable, without leading or trailing white space.
func ValidateOrgName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("%q is not valid UTF-8", name)
	}
	n := utf8.RuneCountInString(name)
	if n < 1 || n > MaxOrgNameLength {
		return fmt.Errorf("length %d is not in 1..%d", n, MaxOrgNameLength)
	}
	if strings.TrimSpace(name) != name {
		return fmt.Errorf("%q has leading or trailing white space", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%q contains a non-printable character", name)
		}
	}
	return nil
}

// OrgNameKey is the case-insensitive key of an organisation name in the
// name index.
func OrgNameKey(name string) string {
	return strings.ToLower(name)
}

// ValidateValidatorName checks a validator moniker: ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$.
func ValidateValidatorName(name string) error {
	if !validatorNameRegexp.MatchString(name) {
		return fmt.Errorf("%q does not match ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$", name)
	}
	return nil
}

// ParseAddress decodes a bech32 account address (see addrutil.Parse).
func ParseAddress(ac address.Codec, s string) (sdk.AccAddress, string, error) {
	return addrutil.Parse(ac, s)
}

// ValidateAdmins checks an admin list: 1..MaxAdminsPerOrg valid, distinct
// addresses, none equal to authority (when given). It returns the address
// bytes and canonical strings in input order.
func ValidateAdmins(ac address.Codec, admins []string, authority string) ([]sdk.AccAddress, []string, error) {
	if len(admins) < 1 || len(admins) > MaxAdminsPerOrg {
		return nil, nil, fmt.Errorf("admins: count %d is not in 1..%d", len(admins), MaxAdminsPerOrg)
	}
	seen := make(map[string]struct{}, len(admins))
	bzs := make([]sdk.AccAddress, 0, len(admins))
	canon := make([]string, 0, len(admins))
	for i, a := range admins {
		bz, c, err := ParseAddress(ac, a)
		if err != nil {
			return nil, nil, fmt.Errorf("admins[%d]: %w", i, err)
		}
		if _, dup := seen[string(bz)]; dup {
			return nil, nil, fmt.Errorf("admins[%d]: %s is listed twice", i, c)
		}
		if authority != "" && c == authority {
			return nil, nil, fmt.Errorf("admins[%d]: the module authority cannot be an organization admin", i)
		}
		seen[string(bz)] = struct{}{}
		bzs = append(bzs, bz)
		canon = append(canon, c)
	}
	return bzs, canon, nil
}

// ValidateConsensusPubKey checks that pk is an Ed25519 or ML-DSA-65 key that
// CometBFT accepts, and returns its key type ("ed25519" or "ml_dsa_65").
func ValidateConsensusPubKey(pk cryptotypes.PubKey) (string, error) {
	switch pk := pk.(type) {
	case *ed25519.PubKey:
		if pk == nil || len(pk.Key) != ed25519.PubKeySize {
			return "", fmt.Errorf("%w: ed25519 key must be %d bytes", ErrInvalidPubKey, ed25519.PubKeySize)
		}
	case *mldsa65.PubKey:
		if pk == nil {
			return "", fmt.Errorf("%w: nil ml_dsa_65 key", ErrInvalidPubKey)
		}
	case nil:
		return "", fmt.Errorf("%w: missing key", ErrInvalidPubKey)
	default:
		return "", fmt.Errorf("%w: %T; use ed25519 or ml_dsa_65", ErrUnsupportedPubKey, pk)
	}
	// The CometBFT conversion checks the key length and, for ML-DSA-65, that
	// the packed key parses.
	if _, err := cryptocodec.ToCmtPubKeyInterface(pk); err != nil {
		return "", fmt.Errorf("%w: %s", ErrInvalidPubKey, err.Error())
	}
	return pk.Type(), nil
}

// ConsAddress returns the CometBFT address of a (validated) key as
// upper-case hex, the way CometBFT prints it.
func ConsAddress(pk cryptotypes.PubKey) string {
	return fmt.Sprintf("%X", []byte(pk.Address()))
}

// PubKeyFromAny returns the unpacked public key held in an Any.
func PubKeyFromAny(a *codectypes.Any) (cryptotypes.PubKey, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: missing key", ErrInvalidPubKey)
	}
	pk, ok := a.GetCachedValue().(cryptotypes.PubKey)
	if !ok || pk == nil {
		return nil, fmt.Errorf("%w: %q is not an unpacked cosmos.crypto.PubKey", ErrInvalidPubKey, a.TypeUrl)
	}
	return pk, nil
}

// ConsensusPubKeyFromAny unpacks and validates a consensus key, returning
// the key, its type and its upper-case hex CometBFT address.
func ConsensusPubKeyFromAny(a *codectypes.Any) (cryptotypes.PubKey, string, string, error) {
	pk, err := PubKeyFromAny(a)
	if err != nil {
		return nil, "", "", err
	}
	kt, err := ValidateConsensusPubKey(pk)
	if err != nil {
		return nil, "", "", err
	}
	return pk, kt, ConsAddress(pk), nil
}

// TruncateReason bounds a failure reason kept in state.
func TruncateReason(s string) string {
	if len(s) <= maxFailureReasonB {
		return s
	}
	// cut on a rune boundary
	cut := maxFailureReasonB
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
