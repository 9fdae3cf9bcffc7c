package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// IdentityKeeper is the subset of x/identity the CTI module uses: the
// authorisation decision (the same the ante chain takes, at block time),
// which also names the signer's principal and organisation, and approvals
// for exceptions whose policy requires them.
type IdentityKeeper interface {
	Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error)
	AuthorizeSubject(ctx context.Context, signer sdk.AccAddress, action, scope, subject string) (identitytypes.Decision, error)
}
