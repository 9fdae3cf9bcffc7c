package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/x/identity/types"
)

func TestExpiryQueueWithPerBlockCap(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.MaxExpirationsPerBlock = 2
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	var addrs []string
	for i := 0; i < 5; i++ {
		addrs = append(addrs, f.registerKey("acme/ci-1", fmt.Sprintf("e%d", i), time.Hour))
	}
	long := f.registerKey("acme/ci-1", "long", 3*time.Hour)
	revoked := f.registerKey("acme/ci-1", "revoked", time.Hour)
	_, err = f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: f.admins["acme"], Address: revoked})
	require.NoError(t, err)

	countStatus := func(s types.KeyStatus) int {
		n := 0
		for _, a := range addrs {
			if f.getKey(a).Status == s {
				n++
			}
		}
		return n
	}
	endBlock := func() {
		require.NotPanics(t, func() { require.NoError(t, f.k.EndBlocker(f.ctx)) })
	}

	// nothing is due before not_after
	f.nextBlock(time.Hour - time.Nanosecond)
	endBlock()
	require.Equal(t, 5, countStatus(types.KEY_STATUS_ACTIVE))

	// at not_after the keys are invalid at once; the queue marks 2 per block
	f.nextBlock(time.Nanosecond)
	for _, a := range addrs {
		require.Contains(t, f.authorize(a, types.ActionAnchor, "x").Reason, "expired at")
	}
	endBlock()
	require.Equal(t, 2, countStatus(types.KEY_STATUS_EXPIRED))
	require.Len(t, eventsOf(f, "adf.identity.v1.EventKeyExpired"), 2)
	f.nextBlock(time.Second)
	endBlock()
	require.Equal(t, 4, countStatus(types.KEY_STATUS_EXPIRED))
	f.nextBlock(time.Second)
	endBlock()
	require.Equal(t, 5, countStatus(types.KEY_STATUS_EXPIRED))
	require.Len(t, eventsOf(f, "adf.identity.v1.EventKeyExpired"), 1)
	require.Equal(t, types.KEY_STATUS_ACTIVE, f.getKey(long).Status)
	require.Equal(t, types.KEY_STATUS_REVOKED, f.getKey(revoked).Status, "a revoked key stays revoked")

	// the queue now holds only the long key
	n := 0
	require.NoError(t, f.k.ExpiryQueue.Walk(f.ctx, nil, func(_ expiryKey) (bool, error) { n++; return false, nil }))
	require.Equal(t, 1, n)

	// an expired key cannot be revoked and says why
	f.requireRejected("is KEY_STATUS_EXPIRED", func() error {
		_, err := f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: f.admins["acme"], Address: addrs[0]})
		return err
	})
	d := f.authorize(addrs[0], types.ActionAnchor, "x")
	require.Contains(t, d.Reason, "expired at")
}

func eventsOf(f *fixture, name string) []string {
	var out []string
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type == name {
			out = append(out, e.Type)
		}
	}
	return out
}
