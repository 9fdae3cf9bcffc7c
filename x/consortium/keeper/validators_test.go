package keeper_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

func TestAuthorityMessagesRequireAuthority(t *testing.T) {
	f := newFixture(t)
	wrong := f.admin("org-a")
	pk := edKey("new").PubKey()
	msgAdd, err := types.NewMsgAddValidator(wrong, "val-new", "org-a", pk, 1)
	require.NoError(t, err)
	msgRot, err := types.NewMsgRotateConsensusKey(wrong, "val-a", pk)
	require.NoError(t, err)
	calls := map[string]func() error{
		"AddOrganization": func() error {
			_, err := f.msgs.AddOrganization(f.ctx, &types.MsgAddOrganization{Authority: wrong, OrgId: "org-e", Name: "E", Admins: []string{addr("e")}})
			return err
		},
		"SetOrganizationStatus": func() error {
			_, err := f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: wrong, OrgId: "org-d", Status: types.ORG_STATUS_SUSPENDED})
			return err
		},
		"AddValidator": func() error { _, err := f.msgs.AddValidator(f.ctx, msgAdd); return err },
		"RemoveValidator": func() error {
			_, err := f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: wrong, Name: "val-d"})
			return err
		},
		"SetValidatorPower": func() error {
			_, err := f.msgs.SetValidatorPower(f.ctx, &types.MsgSetValidatorPower{Authority: wrong, Name: "val-d", Power: 5})
			return err
		},
		"RotateConsensusKey": func() error { _, err := f.msgs.RotateConsensusKey(f.ctx, msgRot); return err },
		"UpdateParams": func() error {
			_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: wrong, Params: types.DefaultParams()})
			return err
		},
	}
	before := dumpStore(f)
	for name, call := range calls {
		err := call()
		require.ErrorIs(t, err, types.ErrUnauthorized, name)
		require.Contains(t, err.Error(), "expected "+f.authority, name)
	}
	require.Equal(t, before, dumpStore(f))
}

func TestAddOrganization(t *testing.T) {
	f := newFixture(t)
	add := func(id, name string, admins ...string) error {
		_, err := f.msgs.AddOrganization(f.ctx, &types.MsgAddOrganization{Authority: f.authority, OrgId: id, Name: name, Admins: admins})
		return err
	}
	require.ErrorIs(t, add("org-a", "Fresh", addr("x")), types.ErrDuplicateOrg)
	require.ErrorIs(t, add("org-e", "org a", addr("x")), types.ErrDuplicateOrgName, "names are case-insensitive")
	require.ErrorIs(t, add("org-e", "ORG B", addr("x")), types.ErrDuplicateOrgName)
	require.ErrorIs(t, add("Org-E", "E", addr("x")), types.ErrInvalidOrgID)
	require.ErrorIs(t, add("e", "E", addr("x")), types.ErrInvalidOrgID)
	require.ErrorIs(t, add("org-e", "", addr("x")), types.ErrInvalidOrgName)
	require.ErrorIs(t, add("org-e", "E"), types.ErrInvalidAdmin)
	require.ErrorIs(t, add("org-e", "E", "cosmos1notanaddress"), types.ErrInvalidAdmin)
	require.ErrorIs(t, add("org-e", "E", addr("x"), addr("x")), types.ErrInvalidAdmin)
	require.ErrorIs(t, add("org-e", "E", f.authority), types.ErrInvalidAdmin)
	require.ErrorIs(t, add("org-e", "E", f.admins["org-a"][1]), types.ErrAdminTaken)

	newAdmin := addr("e1")
	bz, _ := ac.StringToBytes(newAdmin)
	require.False(t, f.ak.HasAccount(f.ctx, bz))
	require.NoError(t, add("org-e", "Org E", newAdmin))
	require.True(t, f.ak.HasAccount(f.ctx, bz), "an admin account is created")
	org, _, err := f.k.IsActiveMember(f.ctx, bz)
	require.NoError(t, err)
	require.Equal(t, "org-e", org)
	require.NotNil(t, findEvent(f.ctx, "adf.consortium.v1.EventOrganizationAdded"))
}

func TestSetOrganizationStatus(t *testing.T) {
	f := newFixture(t)
	set := func(id string, st types.OrgStatus) error {
		_, err := f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: id, Status: st})
		return err
	}
	require.ErrorIs(t, set("org-zz", types.ORG_STATUS_SUSPENDED), types.ErrOrgNotFound)
	require.ErrorIs(t, set("org-a", types.ORG_STATUS_UNSPECIFIED), types.ErrInvalidStatus)
	require.ErrorIs(t, set("org-a", types.ORG_STATUS_ACTIVE), types.ErrInvalidStatus, "already active")

	// 30 of 40 stays above 2/3
	require.NoError(t, set("org-d", types.ORG_STATUS_SUSPENDED))
	bz, _ := ac.StringToBytes(f.admin("org-d"))
	_, ok, _ := f.k.IsActiveMember(f.ctx, bz)
	require.False(t, ok)
	active, err := f.k.IsActiveOrg(f.ctx, "org-d")
	require.NoError(t, err)
	require.False(t, active, "a suspended org is not active")
	active, err = f.k.IsActiveOrg(f.ctx, "org-a")
	require.NoError(t, err)
	require.True(t, active)
	active, err = f.k.IsActiveOrg(f.ctx, "org-zz")
	require.NoError(t, err)
	require.False(t, active, "an unknown org is not active")
	// 20 of 40 breaks it
	require.ErrorIs(t, set("org-c", types.ORG_STATUS_SUSPENDED), types.ErrActivePowerTooLow)
	// raising the suspended org's validator breaks it too: 30*3 = 90 <= 2*45
	_, err = f.msgs.SetValidatorPower(f.ctx, &types.MsgSetValidatorPower{Authority: f.authority, Name: "val-d", Power: 15})
	require.ErrorIs(t, err, types.ErrActivePowerTooLow)
	// reactivation restores membership
	require.NoError(t, set("org-d", types.ORG_STATUS_ACTIVE))
	_, ok, _ = f.k.IsActiveMember(f.ctx, bz)
	require.True(t, ok)

	// removal removes the org's validators and is final
	require.NoError(t, set("org-d", types.ORG_STATUS_REMOVED))
	_, err = f.k.Validators.Get(f.ctx, "val-d")
	require.Error(t, err)
	require.NotNil(t, findEvent(f.ctx, "adf.consortium.v1.EventValidatorRemoved"))
	require.ErrorIs(t, set("org-d", types.ORG_STATUS_ACTIVE), types.ErrOrgRemoved)
	_, ok, _ = f.k.IsActiveMember(f.ctx, bz)
	require.False(t, ok)
	updates := f.endBlock()
	require.Len(t, updates, 1)
	require.Equal(t, f.privs["val-d"].PubKey().Bytes(), updates[0].PubKey.GetEd25519())
	require.Zero(t, updates[0].Power)
	// the removed org's admin may join another org
	_, err = f.msgs.AddOrganization(f.ctx, &types.MsgAddOrganization{Authority: f.authority, OrgId: "org-e", Name: "E", Admins: []string{f.admin("org-d")}})
	require.NoError(t, err)
	// the removed org's id and name stay reserved
	_, err = f.msgs.AddOrganization(f.ctx, &types.MsgAddOrganization{Authority: f.authority, OrgId: "org-f", Name: "Org D", Admins: []string{addr("f")}})
	require.ErrorIs(t, err, types.ErrDuplicateOrgName)
}

func TestRemovalThatEmptiesTheSet(t *testing.T) {
	f := newBareFixture(t)
	gs := types.DefaultGenesis()
	gs.Organizations = []types.Organization{{Id: "solo", Name: "Solo", Admins: []string{addr("solo")}, Status: types.ORG_STATUS_ACTIVE}}
	v, err := types.NewValidator("only", "solo", edKey("only").PubKey(), 10)
	require.NoError(t, err)
	gs.Validators = []types.Validator{v}
	_, err = f.k.InitGenesis(f.ctx, gs)
	require.NoError(t, err)

	_, err = f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Name: "only"})
	require.ErrorIs(t, err, types.ErrEmptyValidatorSet)
	_, err = f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "solo", Status: types.ORG_STATUS_REMOVED})
	require.ErrorIs(t, err, types.ErrEmptyValidatorSet)
	_, err = f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "solo", Status: types.ORG_STATUS_SUSPENDED})
	require.ErrorIs(t, err, types.ErrActivePowerTooLow)
	f.validator("only")

	// evidence against the only validator: event, but no jailing
	f.ctx = f.ctx.WithCometInfo(baseapp.NewBlockInfo([]abci.Misbehavior{{
		Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: edKey("only").PubKey().Address(), Power: 10}, Height: 1,
	}}, nil, nil, abci.CommitInfo{}))
	require.NoError(t, f.k.BeginBlocker(f.ctx))
	require.Equal(t, types.VALIDATOR_STATUS_ACTIVE, f.validator("only").Status)
	ev := findEvent(f.ctx, "adf.consortium.v1.EventValidatorMisbehaviour")
	require.NotNil(t, ev)
	require.Equal(t, `"0"`, eventAttr(ev, "removed_power"))
	require.Nil(t, f.endBlock())
}

func TestRemoveValidatorsDownToOne(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"val-a", "val-b", "val-c"} {
		_, err := f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Name: n})
		require.NoError(t, err)
	}
	_, err := f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})
	require.ErrorIs(t, err, types.ErrEmptyValidatorSet)
	_, err = f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Name: "val-zz"})
	require.ErrorIs(t, err, types.ErrValidatorNotFound)
	updates := f.endBlock()
	require.Len(t, updates, 3)
	for i, n := range []string{"val-a", "val-b", "val-c"} { // name order
		require.Equal(t, f.privs[n].PubKey().Bytes(), updates[i].PubKey.GetEd25519())
		require.Zero(t, updates[i].Power)
	}
}

func TestAddValidatorRejections(t *testing.T) {
	f := newFixture(t)
	add := func(name, org string, pk *codectypes.Any, power int64) error {
		_, err := f.msgs.AddValidator(f.ctx, &types.MsgAddValidator{Authority: f.authority, Name: name, OrgId: org, PubKey: pk, Power: power})
		return err
	}
	pack := func(pk cryptotypes.PubKey) *codectypes.Any {
		a, err := codectypes.NewAnyWithValue(pk)
		require.NoError(t, err)
		return a
	}
	fresh := pack(edKey("fresh").PubKey())
	require.ErrorIs(t, add("val-new", "org-zz", fresh, 5), types.ErrOrgNotFound)
	require.ErrorIs(t, add("val-a", "org-a", fresh, 5), types.ErrDuplicateValidator)
	require.ErrorIs(t, add("bad name!", "org-a", fresh, 5), types.ErrInvalidValidatorName)
	require.ErrorIs(t, add("val-new", "org-a", fresh, 0), types.ErrInvalidPower)
	require.ErrorIs(t, add("val-new", "org-a", fresh, 1001), types.ErrInvalidPower)
	require.ErrorIs(t, add("val-new", "org-a", pack(secp256k1.GenPrivKey().PubKey()), 5), types.ErrUnsupportedPubKey)
	require.ErrorIs(t, add("val-new", "org-a", pack(&ed25519.PubKey{Key: make([]byte, 31)}), 5), types.ErrInvalidPubKey)
	require.ErrorIs(t, add("val-new", "org-a", pack(&mldsa65.PubKey{Key: make([]byte, 100)}), 5), types.ErrInvalidPubKey)
	require.ErrorIs(t, add("val-new", "org-a", nil, 5), types.ErrInvalidPubKey)
	require.ErrorIs(t, add("val-new", "org-a", pack(f.privs["val-b"].PubKey()), 5), types.ErrConsKeyInUse)

	_, err := f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "org-d", Status: types.ORG_STATUS_SUSPENDED})
	require.NoError(t, err)
	require.ErrorIs(t, add("val-new", "org-d", fresh, 5), types.ErrOrgNotActive)

	// consensus params that only accept ed25519 reject an ML-DSA-65 key
	f.ctx = f.ctx.WithConsensusParams(cmtproto.ConsensusParams{Validator: &cmtproto.ValidatorParams{PubKeyTypes: []string{"ed25519"}}})
	require.ErrorIs(t, add("val-pq", "org-a", pack(mldsaKey(t, 1).PubKey()), 5), types.ErrUnsupportedPubKey)
	require.NoError(t, add("val-new", "org-a", fresh, 1000))
}

func TestSetValidatorPower(t *testing.T) {
	f := newFixture(t)
	set := func(name string, p int64) error {
		_, err := f.msgs.SetValidatorPower(f.ctx, &types.MsgSetValidatorPower{Authority: f.authority, Name: name, Power: p})
		return err
	}
	require.ErrorIs(t, set("val-a", 0), types.ErrInvalidPower)
	require.ErrorIs(t, set("val-a", 1001), types.ErrInvalidPower)
	require.ErrorIs(t, set("val-zz", 5), types.ErrValidatorNotFound)
	require.NoError(t, set("val-a", 1000))
	updates := f.endBlock()
	require.Len(t, updates, 1)
	require.EqualValues(t, 1000, updates[0].Power)
	// a lower cap keeps existing powers but bounds new ones
	p := types.DefaultParams()
	p.MaxValidatorPower = 50
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	require.ErrorIs(t, set("val-b", 51), types.ErrInvalidPower)
}

func TestEvidenceJailsAndProposalRestores(t *testing.T) {
	f := newFixture(t)
	valB := f.privs["val-b"].PubKey()
	f.ctx = f.ctx.WithCometInfo(baseapp.NewBlockInfo([]abci.Misbehavior{
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: valB.Address(), Power: 10}, Height: 7},
		{Type: abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, Validator: abci.Validator{Address: make([]byte, 20), Power: 10}, Height: 7}, // unknown: ignored
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: valB.Address(), Power: 10}, Height: 7},        // twice: once
	}, nil, nil, abci.CommitInfo{}))
	require.NoError(t, f.k.BeginBlocker(f.ctx))
	v := f.validator("val-b")
	require.Equal(t, types.VALIDATOR_STATUS_JAILED, v.Status)
	require.EqualValues(t, 10, v.Power, "configured power is kept")
	n := 0
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type == "adf.consortium.v1.EventValidatorMisbehaviour" {
			n++
			require.Equal(t, `"val-b"`, eventAttr(&e, "name"))
			require.Equal(t, `"DUPLICATE_VOTE"`, eventAttr(&e, "misbehavior_type"))
			require.Equal(t, `"10"`, eventAttr(&e, "removed_power"))
		}
	}
	require.Equal(t, 1, n)
	updates := f.endBlock()
	require.Len(t, updates, 1)
	require.Equal(t, valB.Bytes(), updates[0].PubKey.GetEd25519())
	require.Zero(t, updates[0].Power)
	res, err := f.query.Validators(f.ctx, &types.QueryValidatorsRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 30, res.TotalPower)

	// a proposal setting the power reinstates the validator
	f.nextBlock(0)
	f.ctx = f.ctx.WithCometInfo(nil)
	p := f.pass(&types.MsgSetValidatorPower{Authority: f.authority, Name: "val-b", Power: 20})
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, p.Status, p.FailureReason)
	require.Equal(t, types.VALIDATOR_STATUS_ACTIVE, f.validator("val-b").Status)
	updates = f.endBlock()
	require.Len(t, updates, 1)
	require.Equal(t, valB.Bytes(), updates[0].PubKey.GetEd25519())
	require.EqualValues(t, 20, updates[0].Power)
}

func TestRotateConsensusKey(t *testing.T) {
	f := newFixture(t)
	oldPk := f.privs["val-c"].PubKey()
	newPk := mldsaKey(t, 9).PubKey()
	rot, err := types.NewMsgRotateConsensusKey(f.authority, "val-c", newPk)
	require.NoError(t, err)

	bad, _ := types.NewMsgRotateConsensusKey(f.authority, "val-c", f.privs["val-a"].PubKey())
	_, err = f.msgs.RotateConsensusKey(f.ctx, bad)
	require.ErrorIs(t, err, types.ErrConsKeyInUse)
	same, _ := types.NewMsgRotateConsensusKey(f.authority, "val-c", oldPk)
	_, err = f.msgs.RotateConsensusKey(f.ctx, same)
	require.ErrorIs(t, err, types.ErrConsKeyInUse)
	secp, _ := types.NewMsgRotateConsensusKey(f.authority, "val-c", secp256k1.GenPrivKey().PubKey())
	_, err = f.msgs.RotateConsensusKey(f.ctx, secp)
	require.ErrorIs(t, err, types.ErrUnsupportedPubKey)
	unknown, _ := types.NewMsgRotateConsensusKey(f.authority, "val-zz", edKey("zz").PubKey())
	_, err = f.msgs.RotateConsensusKey(f.ctx, unknown)
	require.ErrorIs(t, err, types.ErrValidatorNotFound)

	p := f.pass(rot)
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, p.Status, p.FailureReason)
	v := f.validator("val-c")
	require.Equal(t, types.ConsAddress(newPk), v.ConsAddress)
	name, err := f.k.ConsAddresses.Get(f.ctx, newPk.Address())
	require.NoError(t, err)
	require.Equal(t, "val-c", name)
	_, err = f.k.ConsAddresses.Get(f.ctx, oldPk.Address())
	require.Error(t, err)

	updates := f.endBlock()
	require.Len(t, updates, 2)
	old := updateFor(t, updates, oldPk)
	require.NotNil(t, old)
	require.Zero(t, old.Power)
	nw := updateFor(t, updates, newPk)
	require.NotNil(t, nw)
	require.EqualValues(t, 10, nw.Power)
	require.Nil(t, f.endBlock())

	// the old key is free again for another validator
	_, err = f.msgs.AddValidator(f.ctx, f.addValidatorMsg("val-c2", "org-c", oldPk, 3))
	require.NoError(t, err)
	updates = f.endBlock()
	require.Len(t, updates, 1)
	require.EqualValues(t, 3, updates[0].Power)
}

func TestKeyMovedBetweenValidatorsInOneBlockIsSentOnce(t *testing.T) {
	f := newFixture(t)
	pkD := f.privs["val-d"].PubKey()
	_, err := f.msgs.RemoveValidator(f.ctx, &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})
	require.NoError(t, err)
	_, err = f.msgs.AddValidator(f.ctx, f.addValidatorMsg("val-e", "org-d", pkD, 7))
	require.NoError(t, err)
	updates := f.endBlock()
	require.Len(t, updates, 1, "CometBFT rejects duplicate keys in one update")
	require.EqualValues(t, 7, updates[0].Power)
	require.Nil(t, f.endBlock())
}

func TestUpdateOrgAdmins(t *testing.T) {
	f := newFixture(t)
	upd := func(signer, org string, admins ...string) error {
		_, err := f.msgs.UpdateOrgAdmins(f.ctx, &types.MsgUpdateOrgAdmins{Admin: signer, OrgId: org, Admins: admins})
		return err
	}
	require.ErrorIs(t, upd(f.admin("org-b"), "org-a", addr("n")), types.ErrUnauthorized)
	require.ErrorIs(t, upd(addr("stranger"), "org-a", addr("n")), types.ErrUnauthorized)
	require.ErrorIs(t, upd(f.admin("org-a"), "org-zz", addr("n")), types.ErrOrgNotFound)
	require.ErrorIs(t, upd(f.admin("org-a"), "org-a"), types.ErrInvalidAdmin)
	require.ErrorIs(t, upd(f.admin("org-a"), "org-a", f.admin("org-b")), types.ErrAdminTaken)
	require.ErrorIs(t, upd(f.admin("org-a"), "org-a", "bogus"), types.ErrInvalidAdmin)

	newAdmin := addr("a3")
	require.NoError(t, upd(f.admins["org-a"][1], "org-a", f.admins["org-a"][1], newAdmin))
	bzOld, _ := ac.StringToBytes(f.admin("org-a"))
	bzNew, _ := ac.StringToBytes(newAdmin)
	_, ok, _ := f.k.IsActiveMember(f.ctx, bzOld)
	require.False(t, ok, "dropped admin is no longer a member")
	org, ok, _ := f.k.IsActiveMember(f.ctx, bzNew)
	require.True(t, ok)
	require.Equal(t, "org-a", org)
	require.True(t, f.ak.HasAccount(f.ctx, bzNew))
	// the dropped admin is free to be used elsewhere
	_, err := f.msgs.AddOrganization(f.ctx, &types.MsgAddOrganization{Authority: f.authority, OrgId: "org-e", Name: "E", Admins: []string{f.admin("org-a")}})
	require.NoError(t, err)

	_, err = f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "org-d", Status: types.ORG_STATUS_SUSPENDED})
	require.NoError(t, err)
	require.ErrorIs(t, upd(f.admin("org-d"), "org-d", addr("d9")), types.ErrOrgNotActive)
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	up := func(mut func(*types.Params)) error {
		p := types.DefaultParams()
		mut(&p)
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
		return err
	}
	for name, mut := range map[string]func(*types.Params){
		"num 0":       func(p *types.Params) { p.ThresholdNumerator = 0 },
		"num > den":   func(p *types.Params) { p.ThresholdNumerator = 4 },
		"den 0":       func(p *types.Params) { p.ThresholdDenominator = 0 },
		"period 0":    func(p *types.Params) { p.VotingPeriod = 0 },
		"period long": func(p *types.Params) { p.VotingPeriod = types.MaxVotingPeriod + 1 },
		"max power 0": func(p *types.Params) { p.MaxValidatorPower = 0 },
		"msgs 0":      func(p *types.Params) { p.MaxProposalMessages = 0 },
		"msgs 101":    func(p *types.Params) { p.MaxProposalMessages = 101 },
		"expiries 0":  func(p *types.Params) { p.MaxExpirationsPerBlock = 0 },
	} {
		require.ErrorIs(t, up(mut), types.ErrInvalidParams, name)
	}
	require.NoError(t, up(func(p *types.Params) { p.ThresholdNumerator, p.ThresholdDenominator = 1, 1 }))
	got, err := f.query.Params(f.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 1, got.Params.ThresholdDenominator)
	require.Equal(t, f.authority, got.Authority, "params query must tell proposers the authority address")
	// unanimity now: 3 of 4 no longer passes
	id := f.mustSubmit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})
	for _, o := range []string{"org-a", "org-b", "org-c"} {
		require.Equal(t, types.PROPOSAL_STATUS_VOTING, f.mustVote(f.admin(o), id, types.VOTE_OPTION_YES))
	}
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, f.mustVote(f.admin("org-d"), id, types.VOTE_OPTION_YES))
}
