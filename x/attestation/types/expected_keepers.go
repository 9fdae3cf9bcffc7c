package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// IdentityKeeper is the subset of x/identity the attestation module uses:
// the authorisation decision (the same one the ante chain takes; it checks
// the key's validity at block time) and the registered key of a signer,
// whose public key verifies the DSSE signature of a direct anchor.
type IdentityKeeper interface {
	Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error)
	KeyInfo(ctx context.Context, addr sdk.AccAddress) (identitytypes.Key, bool, error)
}
