package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/x/identity/types"
)

func TestKeyValidity(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.nextBlock(10 * time.Second) // height 2
	t0 := f.ctx.BlockTime()
	addr := f.registerKey("acme/ci-1", "v", time.Hour) // registered at height 2, valid [t0, t0+1h)
	never := f.registerKey("acme/ci-1", "never", 2*time.Hour)
	for i := 0; i < 8; i++ {
		f.nextBlock(time.Minute)
	} // height 10, t0+8m
	_, err := f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: addr, Address: addr, Reason: "rotated"})
	require.NoError(t, err)
	tr := f.ctx.BlockTime()
	f.nextBlock(time.Minute) // height 11

	ts := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	cases := []struct {
		name   string
		addr   string
		height int64
		time   string
		valid  bool
		reason string
	}{
		{"before registration", addr, 1, "", false, "was registered at height 2, after height 1"},
		{"at registration", addr, 2, "", true, "no time given"},
		{"during", addr, 5, ts(t0.Add(3 * time.Minute)), true, "was valid at height 5"},
		{"at revocation height", addr, 10, "", true, ""},
		{"after revocation", addr, 11, "", false, "was revoked at height 10, before height 11"},
		{"time before not_before", addr, 5, ts(t0.Add(-time.Second)), false, "is not valid before"},
		{"time at revocation", addr, 10, ts(tr), false, "was revoked at " + ts(tr)},
		{"time just before revocation", addr, 10, ts(tr.Add(-time.Nanosecond)), true, ""},
		{"never revoked, after not_after", never, 11, ts(t0.Add(2 * time.Hour)), false, "expired at"},
		{"never revoked, just before not_after", never, 11, ts(t0.Add(2*time.Hour - time.Nanosecond)), true, ""},
		{"default height is now", never, 0, "", true, "at height 11"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.query.KeyValidity(f.ctx, &types.QueryKeyValidityRequest{Address: c.addr, Height: c.height, Time: c.time})
			require.NoError(t, err)
			require.Equal(t, c.valid, res.Valid, res.Reason)
			require.Contains(t, res.Reason, c.reason)
		})
	}
	_, err = f.query.KeyValidity(f.ctx, &types.QueryKeyValidityRequest{Address: addr, Time: "yesterday"})
	require.ErrorContains(t, err, "RFC 3339")
	_, err = f.query.KeyValidity(f.ctx, &types.QueryKeyValidityRequest{Address: addr, Height: -1})
	require.ErrorContains(t, err, "height")
	_, err = f.query.KeyValidity(f.ctx, &types.QueryKeyValidityRequest{Address: acct("nobody")})
	require.ErrorContains(t, err, "not found")
}
