package keeper

import (
	"context"

	"github.com/adf-consortium/adf/x/cti/types"
)

// MatchDevicePackages answers, for x/telemetry's CTI signal, each purl with
// the gate decision and matches at block time: the MatchPackages query's
// answer (pkg/cti's Evaluator over the state of this height), computed
// inside a transaction. It reads only; the caller charges gas per purl and
// bounds how many it passes.
func (k Keeper) MatchDevicePackages(ctx context.Context, purls []string) ([]types.PackageResult, error) {
	m, err := k.newMatcher(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]types.PackageResult, 0, len(purls))
	for _, s := range purls {
		r, err := m.matchPackage(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
