package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"

	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/identity/types"
)

// TestKeyAddressMatchesSDK proves that a registered key's address is the
// account its SDK public key signs as: sha256(pubkey)[:20], like the SDK's
// ed25519 and ml_dsa_65 PubKey.Address().
func TestKeyAddressMatchesSDK(t *testing.T) {
	ed := genKey(t, sigscheme.Ed25519, "ed").Public().Bytes()
	require.Equal(t, []byte((&ed25519.PubKey{Key: ed}).Address()), []byte(types.KeyAddress(sigscheme.Ed25519, ed)))

	ml := genKey(t, sigscheme.MLDSA65, "ml").Public().Bytes()
	require.Equal(t, []byte(mldsa65.PubKey{Key: ml}.Address()), []byte(types.KeyAddress(sigscheme.MLDSA65, ml)))

	comp := genKey(t, sigscheme.Composite, "c").Public().Bytes()
	require.Len(t, comp, 1984)
	require.Len(t, types.KeyAddress(sigscheme.Composite, comp), 20)
}

func TestRegisterKeyAllAlgorithms(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.nextBlock(time.Second)
	for _, alg := range sigscheme.Algorithms() {
		t.Run(alg.String(), func(t *testing.T) {
			msg := f.keyMsg("acme/ci-1", alg, "reg-"+alg.String(), 2*time.Hour, "github.com/acme/*")
			res, err := f.msgs.RegisterKey(f.ctx, msg)
			require.NoError(t, err)
			addr := types.KeyAddress(alg, msg.PublicKey)
			require.Equal(t, f.k.AddressCodec(), f.k.AddressCodec())
			want, err := ac.BytesToString(addr)
			require.NoError(t, err)
			require.Equal(t, want, res.Address)

			k := f.getKey(res.Address)
			require.Equal(t, "acme/ci-1", k.PrincipalId)
			require.Equal(t, "acme", k.OrgId)
			require.Equal(t, alg.String(), k.Algorithm)
			require.Equal(t, msg.PublicKey, k.PublicKey)
			require.Equal(t, types.KEY_STATUS_ACTIVE, k.Status)
			require.Equal(t, []string{"github.com/acme/*"}, k.Scopes)
			require.Equal(t, int64(2), k.RegisteredHeight)
			require.Equal(t, f.ctx.BlockTime(), k.RegisteredTime)
			require.Equal(t, f.admins["acme"], k.RegisteredBy)
			require.True(t, f.k.IsRegisteredKey(f.ctx, addr))
			// the key is a chain account
			require.True(t, f.ak.HasAccount(f.ctx, addr))
			// and is queued for expiry
			has, err := f.k.ExpiryQueue.Has(f.ctx, joinExpiry(k.NotAfter, addr))
			require.NoError(t, err)
			require.True(t, has)
			require.NotNil(t, findEvent(f.ctx, "adf.identity.v1.EventKeyRegistered"))
		})
	}
	keys, err := f.query.Keys(f.ctx, &types.QueryKeysRequest{PrincipalId: "acme/ci-1"})
	require.NoError(t, err)
	require.Len(t, keys.Keys, 3)
}

func TestRegisterKeyDefaultsNotBeforeToBlockTime(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1")
	msg := f.keyMsg("acme/ci-1", sigscheme.Ed25519, "nb", time.Hour)
	msg.NotBefore = time.Time{}
	res, err := f.msgs.RegisterKey(f.ctx, msg)
	require.NoError(t, err)
	require.Equal(t, f.ctx.BlockTime(), f.getKey(res.Address).NotBefore)
}

func TestRegisterKeyRejections(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.registerPrincipal("acme", "acme/sus", "ci")
	f.registerPrincipal("globex", "globex/ci-1", "ci")
	_, err := f.msgs.UpdatePrincipal(f.ctx, &types.MsgUpdatePrincipal{Admin: f.admins["acme"], Id: "acme/sus", Kind: 1, Status: types.PRINCIPAL_STATUS_SUSPENDED})
	require.NoError(t, err)
	f.registerKey("acme/ci-1", "taken", time.Hour)
	now := f.ctx.BlockTime()
	adminAsKey := f.keyMsg("acme/ci-1", sigscheme.Ed25519, "x", time.Hour)
	adminAsKey.PublicKey = ed25519.GenPrivKeyFromSecret([]byte("acct-admin-globex")).PubKey().Bytes()

	base := func() *types.MsgRegisterKey { return f.keyMsg("acme/ci-1", sigscheme.Ed25519, "fresh", time.Hour) }
	with := func(fn func(m *types.MsgRegisterKey)) *types.MsgRegisterKey { m := base(); fn(m); return m }
	cases := []struct {
		name string
		msg  *types.MsgRegisterKey
		want string
	}{
		{"unknown algorithm", with(func(m *types.MsgRegisterKey) { m.Algorithm = "rsa" }), "invalid key algorithm"},
		{"ed25519 key too short", with(func(m *types.MsgRegisterKey) { m.PublicKey = m.PublicKey[:31] }), "ed25519 public key is 31 bytes, want 32"},
		{"ed25519 key too long", with(func(m *types.MsgRegisterKey) { m.PublicKey = append(m.PublicKey, 0) }), "is 33 bytes"},
		{"ml_dsa_65 with ed25519 bytes", with(func(m *types.MsgRegisterKey) { m.Algorithm = "ml_dsa_65" }), "ml_dsa_65 public key is 32 bytes, want 1952"},
		{"composite with ml_dsa bytes", with(func(m *types.MsgRegisterKey) {
			m.Algorithm = "composite"
			m.PublicKey = genKey(f.t, sigscheme.MLDSA65, "m").Public().Bytes()
		}), "composite public key is 1952 bytes, want 1984"},
		{"oversized key", with(func(m *types.MsgRegisterKey) { m.PublicKey = make([]byte, 5000) }), "exceeds max_key_bytes 1984"},
		{"empty key", with(func(m *types.MsgRegisterKey) { m.PublicKey = nil }), "invalid public key"},
		{"ttl above cap", with(func(m *types.MsgRegisterKey) { m.NotAfter = now.Add(24*time.Hour + time.Second) }), "exceeds the maximum TTL 24h0m0s"},
		{"not_after before not_before", with(func(m *types.MsgRegisterKey) { m.NotAfter = now.Add(-time.Minute) }), "must be after not_before"},
		{"not_after equal to not_before", with(func(m *types.MsgRegisterKey) { m.NotAfter = m.NotBefore }), "must be after not_before"},
		{"already expired", with(func(m *types.MsgRegisterKey) {
			m.NotBefore = now.Add(-2 * time.Hour)
			m.NotAfter = now
		}), "must be after the block time"},
		{"not_before too far ahead", with(func(m *types.MsgRegisterKey) {
			m.NotBefore = now.Add(48 * time.Hour)
			m.NotAfter = now.Add(49 * time.Hour)
		}), "more than max_key_ttl"},
		{"duplicate key", f.keyMsg("acme/ci-1", sigscheme.Ed25519, "taken", time.Hour), "key already registered"},
		{"admin account as key", adminAsKey, "is an admin account of organization"},
		{"unknown principal", with(func(m *types.MsgRegisterKey) { m.PrincipalId = "acme/nope" }), "principal not found"},
		{"bad principal id", with(func(m *types.MsgRegisterKey) { m.PrincipalId = "nope" }), "invalid principal id"},
		{"principal of another org", with(func(m *types.MsgRegisterKey) { m.PrincipalId = "globex/ci-1" }),
			`principal "globex/ci-1" belongs to organization "globex"`},
		{"suspended principal", with(func(m *types.MsgRegisterKey) { m.PrincipalId = "acme/sus" }), `principal "acme/sus" is suspended`},
		{"not an admin or issuer", with(func(m *types.MsgRegisterKey) { m.Signer = acct("nobody") }), "is neither an admin"},
		{"bad scope pattern", with(func(m *types.MsgRegisterKey) { m.Scopes = []string{"github.com/*/x"} }), "invalid scope"},
		{"duplicate scope", with(func(m *types.MsgRegisterKey) { m.Scopes = []string{"a", "a"} }), `"a" is listed twice`},
		{"too many scopes", with(func(m *types.MsgRegisterKey) {
			m.Scopes = nil
			for i := 0; i < types.MaxKeyScopes+1; i++ {
				m.Scopes = append(m.Scopes, "s"+string(rune('a'+i)))
			}
		}), "exceeds 16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			f.requireRejected(c.want, func() error {
				_, err := f.msgs.RegisterKey(f.ctx, c.msg)
				return err
			})
		})
	}

	t.Run("algorithm not allowed by params", func(t *testing.T) {
		f.t = t
		p := types.DefaultParams()
		p.AllowedAlgorithms = []string{"ml_dsa_65", "composite"}
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
		require.NoError(t, err)
		f.requireRejected(`"ed25519" is not in allowed_algorithms`, func() error {
			_, err := f.msgs.RegisterKey(f.ctx, base())
			return err
		})
		_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: types.DefaultParams()})
		require.NoError(t, err)
	})

	t.Run("organization suspended", func(t *testing.T) {
		f.t = t
		// an admin of a suspended org is no longer an active member
		f.cons.orgs["acme"] = false
		f.requireRejected("is neither an admin", func() error {
			_, err := f.msgs.RegisterKey(f.ctx, base())
			return err
		})
		f.cons.orgs["acme"] = true
	})

	t.Run("malformed ed25519 point", func(t *testing.T) {
		f.t = t
		m := base()
		// y = 2^255-1 (non-canonical), not a valid encoding
		m.PublicKey = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
		f.requireRejected("invalid public key", func() error {
			_, err := f.msgs.RegisterKey(f.ctx, m)
			return err
		})
	})
}

func TestIssuerRegistersKeys(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/issuer", "issuer")
	f.registerPrincipal("acme", "acme/issuer-2", "issuer")
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.registerPrincipal("acme", "acme/ci-2", "ci")
	f.registerPrincipal("globex", "globex/ci-1", "ci")
	issuer := f.registerKey("acme/issuer", "issuer-key", 12*time.Hour)
	scoped := f.registerKey("acme/issuer", "issuer-scoped", 12*time.Hour, "github.com/acme/*")
	ciKey := f.registerKey("acme/ci-2", "ci2", time.Hour)
	f.nextBlock(time.Second)
	now := f.ctx.BlockTime()

	msg := func(signer, principal, seed string, ttl time.Duration, scopes ...string) *types.MsgRegisterKey {
		m := f.keyMsg(principal, sigscheme.Ed25519, seed, ttl, scopes...)
		m.Signer = signer
		return m
	}

	res, err := f.msgs.RegisterKey(f.ctx, msg(issuer, "acme/ci-1", "i1", time.Hour))
	require.NoError(t, err)
	k := f.getKey(res.Address)
	require.Equal(t, issuer, k.RegisteredBy)
	require.Equal(t, now.Add(time.Hour), k.NotAfter)

	f.requireRejected("exceeds the maximum TTL 1h0m0s", func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(issuer, "acme/ci-1", "i2", time.Hour+time.Second))
		return err
	})
	f.requireRejected(`which holds the "issuer" role`, func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(issuer, "acme/issuer-2", "i3", time.Minute))
		return err
	})
	f.requireRejected(`issuer "acme/issuer" of organization "acme" cannot register keys for "globex/ci-1"`, func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(issuer, "globex/ci-1", "i4", time.Minute))
		return err
	})
	f.requireRejected(`lacks the "issuer" role`, func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(ciKey, "acme/ci-1", "i5", time.Minute))
		return err
	})

	// a scoped issuer key hands out keys within its scopes only
	res, err = f.msgs.RegisterKey(f.ctx, msg(scoped, "acme/ci-1", "i6", time.Minute))
	require.NoError(t, err)
	require.Equal(t, []string{"github.com/acme/*"}, f.getKey(res.Address).Scopes, "inherits the issuer key's scopes")
	res, err = f.msgs.RegisterKey(f.ctx, msg(scoped, "acme/ci-1", "i7", time.Minute, "github.com/acme/app"))
	require.NoError(t, err)
	require.Equal(t, []string{"github.com/acme/app"}, f.getKey(res.Address).Scopes)
	f.requireRejected("are not all within the issuer key's scopes", func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(scoped, "acme/ci-1", "i8", time.Minute, "*"))
		return err
	})

	// an issuer key that expired, was revoked, or whose principal lost the
	// role can no longer issue
	_, err = f.msgs.UpdatePrincipal(f.ctx, &types.MsgUpdatePrincipal{Admin: f.admins["acme"], Id: "acme/issuer", Kind: 1, Roles: []string{"ci"}, Status: types.PRINCIPAL_STATUS_ACTIVE})
	require.NoError(t, err)
	f.requireRejected(`lacks the "issuer" role`, func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(issuer, "acme/ci-1", "i9", time.Minute))
		return err
	})
	_, err = f.msgs.UpdatePrincipal(f.ctx, &types.MsgUpdatePrincipal{Admin: f.admins["acme"], Id: "acme/issuer", Kind: 1, Roles: []string{"issuer"}, Status: types.PRINCIPAL_STATUS_ACTIVE})
	require.NoError(t, err)
	f.nextBlock(12 * time.Hour)
	f.requireRejected("expired at", func() error {
		_, err := f.msgs.RegisterKey(f.ctx, msg(issuer, "acme/ci-1", "i10", time.Minute))
		return err
	})
}

func TestRevokeKey(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.registerPrincipal("acme", "acme/ci-2", "ci")
	f.registerPrincipal("globex", "globex/ci-1", "ci")
	f.setPolicy("anchor", "ci", types.ActionAnchor, "*", 0)
	self := f.registerKey("acme/ci-1", "self", time.Hour)
	sibling := f.registerKey("acme/ci-1", "sibling", time.Hour)
	byAdmin := f.registerKey("acme/ci-1", "by-admin", time.Hour)
	byAuthority := f.registerKey("acme/ci-1", "by-authority", time.Hour)
	other := f.registerKey("acme/ci-2", "other", time.Hour)
	globex := f.registerKey("globex/ci-1", "globex", time.Hour)
	f.nextBlock(time.Minute)

	revoke := func(signer, addr string) error {
		_, err := f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: signer, Address: addr, Reason: "test"})
		return err
	}
	// refusals
	f.requireRejected(`key `+self+` belongs to organization "acme"; `+f.admins["globex"]+` administers "globex"`, func() error { return revoke(f.admins["globex"], self) })
	f.requireRejected(`belongs to organization "acme"; `+globex+` is a key of "globex"`, func() error { return revoke(globex, self) })
	f.requireRejected(`belongs to principal "acme/ci-1"; `+other+` is a key of "acme/ci-2"`, func() error { return revoke(other, self) })
	f.requireRejected("is neither a key of principal", func() error { return revoke(acct("nobody"), self) })
	f.requireRejected("key not found", func() error { return revoke(f.admins["acme"], acct("nobody")) })
	f.requireRejected("invalid reason", func() error {
		_, err := f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: self, Address: self, Reason: "a\x00b"})
		return err
	})

	require.True(t, f.authorize(self, types.ActionAnchor, "x").Allowed)
	require.NoError(t, revoke(self, self))
	k := f.getKey(self)
	require.Equal(t, types.KEY_STATUS_REVOKED, k.Status)
	require.Equal(t, int64(2), k.RevokedHeight)
	require.Equal(t, f.ctx.BlockTime(), *k.RevokedTime)
	require.Equal(t, self, k.RevokedBy)
	require.Equal(t, "test", k.RevocationReason)
	require.NotNil(t, findEvent(f.ctx, "adf.identity.v1.EventKeyRevoked"))
	// effective at once, in the same block
	d := f.authorize(self, types.ActionAnchor, "x")
	require.False(t, d.Allowed)
	require.Equal(t, "key "+self+" was revoked at height 2", d.Reason)
	has, err := f.k.ExpiryQueue.Has(f.ctx, joinExpiry(k.NotAfter, mustAddr(self)))
	require.NoError(t, err)
	require.False(t, has, "a revoked key leaves the expiry queue")

	require.NoError(t, revoke(sibling, byAdmin))
	require.NoError(t, revoke(f.admins["acme"], sibling))
	require.NoError(t, revoke(f.authority, byAuthority))
	require.Equal(t, f.authority, f.getKey(byAuthority).RevokedBy)

	// a revoked key can revoke nothing, not even a sibling
	sib2 := f.registerKey("acme/ci-1", "sib2", time.Hour)
	f.requireRejected("was revoked at height", func() error { return revoke(self, sib2) })
	require.NoError(t, revoke(other, other))
	f.requireRejected("already revoked at height 2", func() error { return revoke(f.admins["acme"], self) })
	// nor can it be registered again
	f.requireRejected("key already registered", func() error {
		_, err := f.msgs.RegisterKey(f.ctx, f.keyMsg("acme/ci-1", sigscheme.Ed25519, "self", time.Hour))
		return err
	})
}
