// Package addrutil parses account addresses the same way in every ADF
// module's genesis validation, handlers and queries.
package addrutil

import (
	"fmt"
	"strings"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/types/bech32"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Parse decodes a bech32 account address and returns its bytes and canonical
// string. With a nil codec any bech32 prefix is accepted: genesis validation
// runs where no codec is at hand; keepers always pass the chain's codec.
func Parse(ac address.Codec, s string) (sdk.AccAddress, string, error) {
	if s == "" {
		return nil, "", fmt.Errorf("empty address")
	}
	if ac == nil {
		_, bz, err := bech32.DecodeAndConvert(s)
		if err != nil {
			return nil, "", fmt.Errorf("%q: %w", s, err)
		}
		if err := sdk.VerifyAddressFormat(bz); err != nil {
			return nil, "", fmt.Errorf("%q: %w", s, err)
		}
		return bz, strings.ToLower(s), nil
	}
	bz, err := ac.StringToBytes(s)
	if err != nil {
		return nil, "", fmt.Errorf("%q: %w", s, err)
	}
	if err := sdk.VerifyAddressFormat(bz); err != nil {
		return nil, "", fmt.Errorf("%q: %w", s, err)
	}
	canon, err := ac.BytesToString(bz)
	if err != nil {
		return nil, "", fmt.Errorf("%q: %w", s, err)
	}
	return bz, canon, nil
}
