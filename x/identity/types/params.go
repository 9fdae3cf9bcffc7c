package types

import (
	"fmt"
	"time"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// Default parameter values.
const (
	DefaultMaxKeyTTL             = 24 * time.Hour
	DefaultIssuerMaxTTL          = time.Hour
	DefaultMaxKeyBytes    uint32 = 1984
	DefaultMaxAttributes  uint32 = 32
	DefaultMaxAttributeB  uint32 = 256
	DefaultMaxRoles       uint32 = 16
	DefaultMaxExpirations uint32 = 200

	// MaxKeyTTLLimit bounds max_key_ttl: keys are short-lived by design.
	MaxKeyTTLLimit = 90 * 24 * time.Hour
	// MaxAttributesLimit, MaxAttributeBytesLimit and MaxRolesLimit bound
	// the corresponding params so one principal stays small.
	MaxAttributesLimit     uint32 = 256
	MaxAttributeBytesLimit uint32 = 4096
	MaxRolesLimit          uint32 = 64
	// MaxKeyBytesLimit bounds max_key_bytes.
	MaxKeyBytesLimit uint32 = 8192
)

// DefaultAllowedAlgorithms are the algorithms keys may use by default.
func DefaultAllowedAlgorithms() []string {
	return []string{string(sigscheme.Ed25519), string(sigscheme.MLDSA65), string(sigscheme.Composite)}
}

// DefaultParams returns the default identity parameters: keys live at most
// 24 h (1 h when an issuer key registers them), all three algorithms, keys
// up to 1984 bytes, 32 attributes of 256 bytes, 16 roles, 200 expirations
// per block.
func DefaultParams() Params {
	return Params{
		MaxKeyTtl:              DefaultMaxKeyTTL,
		IssuerMaxTtl:           DefaultIssuerMaxTTL,
		AllowedAlgorithms:      DefaultAllowedAlgorithms(),
		MaxKeyBytes:            DefaultMaxKeyBytes,
		MaxAttributes:          DefaultMaxAttributes,
		MaxAttributeBytes:      DefaultMaxAttributeB,
		MaxRoles:               DefaultMaxRoles,
		MaxExpirationsPerBlock: DefaultMaxExpirations,
	}
}

// Validate checks the parameters; the error names the offending field.
func (p Params) Validate() error {
	if p.MaxKeyTtl <= 0 || p.MaxKeyTtl > MaxKeyTTLLimit {
		return fmt.Errorf("max_key_ttl: %s is not in (0, %s]", p.MaxKeyTtl, MaxKeyTTLLimit)
	}
	if p.IssuerMaxTtl <= 0 || p.IssuerMaxTtl > p.MaxKeyTtl {
		return fmt.Errorf("issuer_max_ttl: %s is not in (0, max_key_ttl %s]", p.IssuerMaxTtl, p.MaxKeyTtl)
	}
	if len(p.AllowedAlgorithms) == 0 {
		return fmt.Errorf("allowed_algorithms: at least one algorithm is required")
	}
	seen := make(map[string]struct{}, len(p.AllowedAlgorithms))
	for i, a := range p.AllowedAlgorithms {
		if _, err := sigscheme.ParseAlgorithm(a); err != nil {
			return fmt.Errorf("allowed_algorithms[%d]: %w", i, err)
		}
		if _, dup := seen[a]; dup {
			return fmt.Errorf("allowed_algorithms[%d]: %q is listed twice", i, a)
		}
		seen[a] = struct{}{}
	}
	if p.MaxKeyBytes < 32 || p.MaxKeyBytes > MaxKeyBytesLimit {
		return fmt.Errorf("max_key_bytes: %d is not in 32..%d", p.MaxKeyBytes, MaxKeyBytesLimit)
	}
	if p.MaxAttributes > MaxAttributesLimit {
		return fmt.Errorf("max_attributes: %d is not in 0..%d", p.MaxAttributes, MaxAttributesLimit)
	}
	if p.MaxAttributeBytes < 2 || p.MaxAttributeBytes > MaxAttributeBytesLimit {
		return fmt.Errorf("max_attribute_bytes: %d is not in 2..%d", p.MaxAttributeBytes, MaxAttributeBytesLimit)
	}
	if p.MaxRoles < 1 || p.MaxRoles > MaxRolesLimit {
		return fmt.Errorf("max_roles: %d is not in 1..%d", p.MaxRoles, MaxRolesLimit)
	}
	if p.MaxExpirationsPerBlock < 1 {
		return fmt.Errorf("max_expirations_per_block: %d must be >= 1", p.MaxExpirationsPerBlock)
	}
	return nil
}

// AlgorithmAllowed reports whether alg is in allowed_algorithms.
func (p Params) AlgorithmAllowed(alg string) bool {
	for _, a := range p.AllowedAlgorithms {
		if a == alg {
			return true
		}
	}
	return false
}
