package app

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	identitykeeper "github.com/adf-consortium/adf/x/identity/keeper"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	telemetrytypes "github.com/adf-consortium/adf/x/telemetry/types"
)

// telemetryIdentity gives x/telemetry the authorisation decision and the
// principal record (whose kind tells detectors apart) of x/identity.
type telemetryIdentity struct{ k identitykeeper.Keeper }

var _ telemetrytypes.IdentityKeeper = telemetryIdentity{}

func (t telemetryIdentity) Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error) {
	return t.k.Authorize(ctx, signer, action, scope)
}

func (t telemetryIdentity) GetPrincipal(ctx context.Context, id string) (identitytypes.Principal, bool, error) {
	p, err := t.k.Principals.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return identitytypes.Principal{}, false, nil
	}
	return p, err == nil, err
}
