package keeper_test

import (
	"time"

	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/x/consortium/types"
)

type collPair = collections.Pair[time.Time, uint64]

func collJoin(p types.Proposal) collPair { return collections.Join(p.VotingEndTime, p.Id) }

// dumpStore returns every key/value of the consortium store.
func dumpStore(f *fixture) map[string]string {
	out := map[string]string{}
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}
