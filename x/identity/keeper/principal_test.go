package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/x/identity/types"
)

func TestRegisterPrincipal(t *testing.T) {
	f := newFixture(t)
	f.nextBlock(time.Second)
	_, err := f.msgs.RegisterPrincipal(f.ctx, &types.MsgRegisterPrincipal{
		Admin: f.admins["acme"], Id: "acme/ci-1", Kind: types.PRINCIPAL_KIND_CI_RUNNER,
		Roles: []string{"issuer", "ci"},
		Attributes: []types.Attribute{
			{Key: "repository_owner_id", Value: "42"},
			{Key: "job_workflow_ref", Value: "acme/app/.github/workflows/release.yml@refs/heads/main"},
			{Key: "repository_id", Value: "1234"},
		},
	})
	require.NoError(t, err)
	p, err := f.k.Principals.Get(f.ctx, "acme/ci-1")
	require.NoError(t, err)
	require.Equal(t, "acme", p.OrgId)
	require.Equal(t, []string{"ci", "issuer"}, p.Roles, "roles are stored sorted")
	require.Equal(t, []string{"job_workflow_ref", "repository_id", "repository_owner_id"},
		[]string{p.Attributes[0].Key, p.Attributes[1].Key, p.Attributes[2].Key}, "attributes are stored sorted by key")
	require.Equal(t, types.PRINCIPAL_STATUS_ACTIVE, p.Status)
	require.Equal(t, int64(2), p.CreatedHeight)
	require.NotNil(t, findEvent(f.ctx, "adf.identity.v1.EventPrincipalRegistered"))

	res, err := f.query.Principal(f.ctx, &types.QueryPrincipalRequest{Id: "acme/ci-1"})
	require.NoError(t, err)
	require.Equal(t, p, res.Principal)
}

func TestRegisterPrincipalRejections(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/taken")
	p := f.k.GetParams
	params, err := p(f.ctx)
	require.NoError(t, err)

	manyRoles := make([]string, params.MaxRoles+1)
	for i := range manyRoles {
		manyRoles[i] = "r" + string(rune('a'+i))
	}
	manyAttrs := make([]types.Attribute, params.MaxAttributes+1)
	for i := range manyAttrs {
		manyAttrs[i] = types.Attribute{Key: "k" + strings.Repeat("x", i), Value: "v"}
	}
	cases := []struct {
		name string
		msg  types.MsgRegisterPrincipal
		want string
	}{
		{"not an admin", types.MsgRegisterPrincipal{Admin: acct("nobody"), Id: "acme/x", Kind: 1}, "is not an admin of an active organization"},
		{"bad admin address", types.MsgRegisterPrincipal{Admin: "cosmos1bad", Id: "acme/x", Kind: 1}, "admin:"},
		{"into another org", types.MsgRegisterPrincipal{Admin: f.admins["globex"], Id: "acme/x", Kind: 1}, `cannot register principal "acme/x" into organization "acme"`},
		{"duplicate", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/taken", Kind: 1}, "principal already exists"},
		{"id without org", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "ci-1", Kind: 1}, "not of the form <org_id>/<name>"},
		{"id with bad name", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/CI", Kind: 1}, "does not match"},
		{"id with two slashes", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/a/b", Kind: 1}, "does not match"},
		{"kind unspecified", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x"}, "invalid principal kind"},
		{"kind unknown", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 99}, "invalid principal kind"},
		{"too many roles", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1, Roles: manyRoles}, "exceeds max_roles 16"},
		{"duplicate role", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1, Roles: []string{"ci", "ci"}}, `"ci" is listed twice`},
		{"bad role", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1, Roles: []string{"CI"}}, "invalid roles"},
		{"too many attributes", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1, Attributes: manyAttrs}, "exceeds max_attributes 32"},
		{"oversized attribute", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1,
			Attributes: []types.Attribute{{Key: "ref", Value: strings.Repeat("x", 254)}}}, "max_attribute_bytes is 256"},
		{"duplicate attribute", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1,
			Attributes: []types.Attribute{{Key: "ref", Value: "a"}, {Key: "ref", Value: "b"}}}, `"ref" is listed twice`},
		{"bad attribute key", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1,
			Attributes: []types.Attribute{{Key: "a b", Value: "x"}}}, "does not match"},
		{"control char in value", types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1,
			Attributes: []types.Attribute{{Key: "ref", Value: "a\nb"}}}, "non-printable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			msg := c.msg
			f.requireRejected(c.want, func() error {
				_, err := f.msgs.RegisterPrincipal(f.ctx, &msg)
				return err
			})
		})
	}
	// the largest attribute that fits is accepted
	_, err = f.msgs.RegisterPrincipal(f.ctx, &types.MsgRegisterPrincipal{Admin: f.admins["acme"], Id: "acme/x", Kind: 1,
		Attributes: []types.Attribute{{Key: "ref", Value: strings.Repeat("x", 253)}}})
	require.NoError(t, err)
}

func TestRegisterPrincipalInSuspendedOrg(t *testing.T) {
	f := newFixture(t)
	f.cons.orgs["globex"] = false
	f.requireRejected("is not an admin of an active organization", func() error {
		_, err := f.msgs.RegisterPrincipal(f.ctx, &types.MsgRegisterPrincipal{Admin: f.admins["globex"], Id: "globex/x", Kind: 1})
		return err
	})
}

func TestUpdatePrincipal(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	k1 := f.registerKey("acme/ci-1", "k1", time.Hour)
	k2 := f.registerKey("acme/ci-1", "k2", time.Hour)
	f.nextBlock(time.Second)

	upd := types.MsgUpdatePrincipal{
		Admin: f.admins["acme"], Id: "acme/ci-1", Kind: types.PRINCIPAL_KIND_BUILD_AGENT,
		Roles: []string{"build"}, Attributes: []types.Attribute{{Key: "environment", Value: "prod"}},
		Status: types.PRINCIPAL_STATUS_SUSPENDED,
	}
	f.requireRejected(`principal "acme/ci-1" belongs to organization "acme"`, func() error {
		m := upd
		m.Admin = f.admins["globex"]
		_, err := f.msgs.UpdatePrincipal(f.ctx, &m)
		return err
	})
	f.requireRejected("principal not found", func() error {
		m := upd
		m.Id = "acme/nope"
		_, err := f.msgs.UpdatePrincipal(f.ctx, &m)
		return err
	})
	f.requireRejected("invalid status", func() error {
		m := upd
		m.Status = types.PRINCIPAL_STATUS_UNSPECIFIED
		_, err := f.msgs.UpdatePrincipal(f.ctx, &m)
		return err
	})

	_, err := f.msgs.UpdatePrincipal(f.ctx, &upd)
	require.NoError(t, err)
	p, err := f.k.Principals.Get(f.ctx, "acme/ci-1")
	require.NoError(t, err)
	require.Equal(t, types.PRINCIPAL_KIND_BUILD_AGENT, p.Kind)
	require.Equal(t, []string{"build"}, p.Roles)
	require.Equal(t, types.PRINCIPAL_STATUS_SUSPENDED, p.Status)
	require.Equal(t, int64(2), p.UpdatedHeight)
	// suspension keeps the keys but Authorize refuses them
	require.Equal(t, types.KEY_STATUS_ACTIVE, f.getKey(k1).Status)
	require.Equal(t, "principal acme/ci-1 is suspended", f.authorize(k1, types.ActionAnchor, "x").Reason)

	// revocation is final and revokes every active key
	f.nextBlock(time.Second)
	upd.Status = types.PRINCIPAL_STATUS_REVOKED
	_, err = f.msgs.UpdatePrincipal(f.ctx, &upd)
	require.NoError(t, err)
	for _, a := range []string{k1, k2} {
		k := f.getKey(a)
		require.Equal(t, types.KEY_STATUS_REVOKED, k.Status)
		require.Equal(t, int64(3), k.RevokedHeight)
		require.Equal(t, "principal revoked", k.RevocationReason)
	}
	ev := findEvent(f.ctx, "adf.identity.v1.EventPrincipalUpdated")
	require.NotNil(t, ev)
	f.requireRejected("revocation is final", func() error {
		m := upd
		m.Status = types.PRINCIPAL_STATUS_ACTIVE
		_, err := f.msgs.UpdatePrincipal(f.ctx, &m)
		return err
	})
}

func TestPrincipalsQuery(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"acme/a", "acme/b", "acme/c"} {
		f.registerPrincipal("acme", id)
	}
	f.registerPrincipal("globex", "globex/a")
	all, err := f.query.Principals(f.ctx, &types.QueryPrincipalsRequest{})
	require.NoError(t, err)
	require.Len(t, all.Principals, 4)
	acme, err := f.query.Principals(f.ctx, &types.QueryPrincipalsRequest{OrgId: "acme"})
	require.NoError(t, err)
	require.Len(t, acme.Principals, 3)
	require.Equal(t, "acme/a", acme.Principals[0].Id)
	glob, err := f.query.Principals(f.ctx, &types.QueryPrincipalsRequest{OrgId: "globex"})
	require.NoError(t, err)
	require.Len(t, glob.Principals, 1)
	_, err = f.query.Principals(f.ctx, &types.QueryPrincipalsRequest{OrgId: "Bad Org"})
	require.ErrorContains(t, err, "org_id")
	_, err = f.query.Principal(f.ctx, &types.QueryPrincipalRequest{Id: "acme/zzz"})
	require.ErrorContains(t, err, "not found")
}
