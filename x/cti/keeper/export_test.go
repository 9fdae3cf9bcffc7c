package keeper

import (
	"context"

	"github.com/adf-consortium/adf/x/cti/types"
)

// IndexAdd files an indicator id under an index key, for benchmarks that
// build large states without going through the message handler.
func IndexAdd(k Keeper, ctx context.Context, key, id string, pm *types.PackageMatch) error {
	return k.indexAdd(ctx, key, id, pm)
}
