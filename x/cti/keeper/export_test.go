package keeper

import "context"

// IndexAdd files an indicator id under an index key, for benchmarks that
// build large states without going through the message handler.
func IndexAdd(k Keeper, ctx context.Context, key, id string) error { return k.indexAdd(ctx, key, id) }
