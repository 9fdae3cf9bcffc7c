package types

import (
	"fmt"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
)

var (
	_ codectypes.UnpackInterfacesMessage = (*Validator)(nil)
	_ codectypes.UnpackInterfacesMessage = (*LastValidatorPower)(nil)
)

// NewValidator builds an ACTIVE validator: it checks the name and key, packs
// the key into an Any and sets cons_address (upper-case hex of pk.Address()).
// The power is not checked against the params here; the keeper and
// GenesisState.Validate do that.
func NewValidator(name, orgID string, pk cryptotypes.PubKey, power int64) (Validator, error) {
	if err := ValidateValidatorName(name); err != nil {
		return Validator{}, fmt.Errorf("%w: %s", ErrInvalidValidatorName, err.Error())
	}
	if err := ValidateOrgID(orgID); err != nil {
		return Validator{}, fmt.Errorf("%w: %s", ErrInvalidOrgID, err.Error())
	}
	if _, err := ValidateConsensusPubKey(pk); err != nil {
		return Validator{}, err
	}
	if power < 1 {
		return Validator{}, fmt.Errorf("%w: %d must be >= 1", ErrInvalidPower, power)
	}
	a, err := codectypes.NewAnyWithValue(pk)
	if err != nil {
		return Validator{}, fmt.Errorf("%w: %s", ErrInvalidPubKey, err.Error())
	}
	return Validator{
		Name:        name,
		OrgId:       orgID,
		PubKey:      a,
		Power:       power,
		Status:      VALIDATOR_STATUS_ACTIVE,
		ConsAddress: ConsAddress(pk),
	}, nil
}

// ConsPubKey returns the unpacked consensus key.
func (v Validator) ConsPubKey() (cryptotypes.PubKey, error) {
	return PubKeyFromAny(v.PubKey)
}

// EffectivePower is the power CometBFT should see: the configured power for
// an ACTIVE validator, 0 otherwise (jailed).
func (v Validator) EffectivePower() int64 {
	if v.Status == VALIDATOR_STATUS_ACTIVE && v.Power > 0 {
		return v.Power
	}
	return 0
}

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (v *Validator) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	var pk cryptotypes.PubKey
	return unpacker.UnpackAny(v.PubKey, &pk)
}

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (l *LastValidatorPower) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	var pk cryptotypes.PubKey
	return unpacker.UnpackAny(l.PubKey, &pk)
}
