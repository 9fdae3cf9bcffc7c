package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	ctitypes "github.com/adf-consortium/adf/x/cti/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// IdentityKeeper is the subset of x/identity the telemetry module uses: the
// authorisation decision (the same the ante chain takes, at block time),
// which names the signer's principal and organisation, and the principal
// record, whose kind tells detectors from other principals.
type IdentityKeeper interface {
	Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error)
	GetPrincipal(ctx context.Context, id string) (identitytypes.Principal, bool, error)
}

// AttestationKeeper answers the provenance signal: whether the deployed
// artifact's digest is the subject of an attestation anchored on chain.
// Only direct anchors are visible to the chain (batched entries are in the
// batchers' logs), so devices' artifacts must be anchored directly.
type AttestationKeeper interface {
	HasSubject(ctx context.Context, subject []byte) (bool, error)
}

// CTIKeeper answers the CTI signal: x/cti's gate decision on each of the
// device's dependency purls at block time (pkg/cti's Evaluator, as the
// MatchPackages query).
type CTIKeeper interface {
	MatchDevicePackages(ctx context.Context, purls []string) ([]ctitypes.PackageResult, error)
}
