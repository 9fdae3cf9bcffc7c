package types

import (
	"context"

	"cosmossdk.io/core/address"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// AccountKeeper is the subset of x/auth the identity module uses: it creates
// the account of every registered key so that the key can sign
// transactions (there is no bank module to do it).
type AccountKeeper interface {
	NewAccountWithAddress(ctx context.Context, addr sdk.AccAddress) sdk.AccountI
	SetAccount(ctx context.Context, acc sdk.AccountI)
	HasAccount(ctx context.Context, addr sdk.AccAddress) bool
	AddressCodec() address.Codec
}

// ConsortiumKeeper is the subset of x/consortium the identity module uses:
// who administers which active organisation, and whether an organisation
// is active.
type ConsortiumKeeper interface {
	// IsActiveMember tells whether addr administers an ACTIVE organisation and which.
	IsActiveMember(ctx context.Context, addr sdk.AccAddress) (orgID string, ok bool, err error)
	// IsActiveOrg tells whether the organisation exists and is ACTIVE.
	IsActiveOrg(ctx context.Context, orgID string) (bool, error)
}
