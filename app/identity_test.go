package app_test

import (
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/app"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// tx signs msgs with priv at the account's current number and sequence.
func (c *testChain) tx(priv cryptotypes.PrivKey, msgs ...sdk.Msg) []byte {
	c.t.Helper()
	addr := sdk.AccAddress(priv.PubKey().Address())
	var num, seq uint64
	if acc := c.app.AccountKeeper.GetAccount(c.app.NewContext(true), addr); acc != nil {
		num, seq = acc.GetAccountNumber(), acc.GetSequence()
	}
	return c.signedTx(priv, num, seq, nil, msgs...)
}

// deliver puts one tx signed by priv in a block and returns its result.
func (c *testChain) deliver(priv cryptotypes.PrivKey, msgs ...sdk.Msg) *abci.ExecTxResult {
	c.t.Helper()
	return c.block(c.tx(priv, msgs...))[0]
}

func (c *testChain) mustDeliver(priv cryptotypes.PrivKey, msgs ...sdk.Msg) *abci.ExecTxResult {
	c.t.Helper()
	res := c.deliver(priv, msgs...)
	require.Equal(c.t, uint32(0), res.Code, res.Log)
	return res
}

func (c *testChain) mustRefuse(priv cryptotypes.PrivKey, wantLog string, msgs ...sdk.Msg) {
	c.t.Helper()
	res := c.deliver(priv, msgs...)
	require.NotEqual(c.t, uint32(0), res.Code, "tx must be refused")
	require.Contains(c.t, res.Log, wantLog)
}

// passProposal has the first admin propose msgs and the admins vote YES
// until the proposal passes.
func (c *testChain) passProposal(msgs ...sdk.Msg) {
	c.t.Helper()
	proposer := c.members[0]
	c.mustDeliver(proposer.priv, proposal(c.t, proposer.addr, msgs...))
	ctx := c.app.NewContext(true)
	var id uint64
	require.NoError(c.t, c.app.ConsortiumKeeper.Proposals.Walk(ctx, nil, func(k uint64, _ consortiumtypes.Proposal) (bool, error) {
		id = max(id, k)
		return false, nil
	}))
	for _, m := range c.members {
		c.mustDeliver(m.priv, &consortiumtypes.MsgVote{Voter: m.addr.String(), ProposalId: id, Option: consortiumtypes.VOTE_OPTION_YES})
		p, err := c.app.ConsortiumKeeper.Proposals.Get(c.app.NewContext(true), id)
		require.NoError(c.t, err)
		if p.Status != consortiumtypes.PROPOSAL_STATUS_VOTING {
			require.Equal(c.t, consortiumtypes.PROPOSAL_STATUS_PASSED, p.Status, p.FailureReason)
			return
		}
	}
	c.t.Fatalf("proposal %d did not pass", id)
}

// registerKey has admin register priv's public key for principal, valid for
// ttl from the next block, and checks the key's address is the one the SDK
// key type derives.
func (c *testChain) registerKey(admin member, principal, algorithm string, priv cryptotypes.PrivKey, ttl time.Duration) sdk.AccAddress {
	c.t.Helper()
	next := timeAt(c.height + 1).Add(c.skew)
	c.mustDeliver(admin.priv, &identitytypes.MsgRegisterKey{
		Signer: admin.addr.String(), PrincipalId: principal, Algorithm: algorithm,
		PublicKey: priv.PubKey().Bytes(), NotAfter: next.Add(ttl),
	})
	addr := sdk.AccAddress(priv.PubKey().Address())
	info, found, err := c.app.IdentityKeeper.KeyInfo(c.app.NewContext(true), addr)
	require.NoError(c.t, err)
	require.True(c.t, found, "x/identity must know the key under the SDK key type's address")
	require.Equal(c.t, principal, info.PrincipalId)
	return addr
}

func approve(signer sdk.AccAddress, scope, subject string) *identitytypes.MsgApprove {
	return &identitytypes.MsgApprove{Signer: signer.String(), Action: identitytypes.ActionApproveRelease, Scope: scope, Subject: subject}
}

// identityChain: orgs acme and globex (validators) and initech (no
// validator, so it can be suspended); principals acme/ci-1 (role ci),
// acme/ops-1 (role ops), initech/ci-1 (role ci); policies: ci may approve
// on repo/*, ops may approve on ops/*.
func identityChain(t testing.TB) *testChain {
	t.Helper()
	acmeKey, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	c := startChainWith(t, []member{
		{org: "acme", priv: &acmeKey},
		{org: "globex", priv: secp256k1.GenPrivKey()},
		{org: "initech", priv: ed25519.GenPrivKey()},
	})
	auth := app.Authority()
	c.passProposal(
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "ci-approve", Role: "ci", Action: identitytypes.ActionApprove, ScopePattern: "repo/*"}},
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "ops-approve", Role: "ops", Action: identitytypes.ActionApprove, ScopePattern: "ops/*"}},
	)
	acme, initech := c.members[0], c.members[2]
	c.mustDeliver(acme.priv,
		&identitytypes.MsgRegisterPrincipal{Admin: acme.addr.String(), Id: "acme/ci-1", Kind: identitytypes.PRINCIPAL_KIND_CI_RUNNER, Roles: []string{"ci"}},
		&identitytypes.MsgRegisterPrincipal{Admin: acme.addr.String(), Id: "acme/ops-1", Kind: identitytypes.PRINCIPAL_KIND_OPERATOR, Roles: []string{"ops"}},
	)
	c.mustDeliver(initech.priv,
		&identitytypes.MsgRegisterPrincipal{Admin: initech.addr.String(), Id: "initech/ci-1", Kind: identitytypes.PRINCIPAL_KIND_CI_RUNNER, Roles: []string{"ci"}},
	)
	return c
}

// Admins keep their admin actions under x/identity.
func TestIdentityAdminsGovernAndManage(t *testing.T) {
	c := identityChain(t)
	acme := c.members[0]
	// Admins may not approve: that needs a principal's key and a policy.
	c.mustRefuse(acme.priv, "org admin of acme may perform only", approve(acme.addr, "repo/x", "sha256:aa"))
}

// A registered ML-DSA-65, Ed25519 and composite key each sign a tx that
// passes the whole ante chain and the handler.
func TestIdentityKeysOfEveryAlgorithmSign(t *testing.T) {
	c := identityChain(t)
	acme := c.members[0]
	ml, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	keys := []struct {
		alg  string
		priv cryptotypes.PrivKey
	}{
		{"ml_dsa_65", &ml},
		{"ed25519", ed25519.GenPrivKey()},
		{"composite", newCompositePrivKey()},
	}
	for i, k := range keys {
		addr := c.registerKey(acme, "acme/ci-1", k.alg, k.priv, time.Hour)
		res := c.mustDeliver(k.priv, approve(addr, "repo/x", fmt.Sprintf("sha256:%02x", i)))
		t.Logf("%s key: approve tx used %d gas", k.alg, res.GasUsed)
		// Second tx: the account's public key is now stored and reused.
		c.mustDeliver(k.priv, approve(addr, "repo/y", fmt.Sprintf("sha256:%02x", i)))
		// Keys get only what policies give: no governance.
		c.mustRefuse(k.priv, "may not governance", &consortiumtypes.MsgVote{Voter: addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES})
	}
}

// A key that is valid at CheckTx but expired by the block that includes the
// tx is refused in FinalizeBlock.
func TestIdentityExpiredKeyRefusedInBlock(t *testing.T) {
	c := identityChain(t)
	acme := c.members[0]
	priv := newCompositePrivKey()
	addr := c.registerKey(acme, "acme/ci-1", "composite", priv, time.Minute)
	c.mustDeliver(priv, approve(addr, "repo/x", "sha256:01"))

	txBytes := c.tx(priv, approve(addr, "repo/x", "sha256:02"))
	check, err := c.app.CheckTx(&abci.RequestCheckTx{Tx: txBytes, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.Equal(t, uint32(0), check.Code, "still valid at CheckTx: %s", check.Log)

	c.skew += 2 * time.Minute // the next block is past not_after
	res := c.block(txBytes)[0]
	require.NotEqual(t, uint32(0), res.Code)
	// Refused by the ante chain (quoted scope), not only by the handler.
	require.Contains(t, res.Log, fmt.Sprintf("%s may not approve on \"repo/x\": key %s expired at", addr, addr))
}

// A key revoked in one block is refused in the next.
func TestIdentityRevokedKeyRefusedNextBlock(t *testing.T) {
	c := identityChain(t)
	acme := c.members[0]
	priv := ed25519.GenPrivKey()
	addr := c.registerKey(acme, "acme/ci-1", "ed25519", priv, time.Hour)
	c.mustDeliver(priv, approve(addr, "repo/x", "sha256:01"))

	c.mustDeliver(acme.priv, &identitytypes.MsgRevokeKey{Signer: acme.addr.String(), Address: addr.String(), Reason: "rotated"})
	c.mustRefuse(priv, fmt.Sprintf("may not approve on \"repo/x\": key %s was revoked at height", addr), approve(addr, "repo/x", "sha256:02"))
}

// Keys of a suspended organisation are refused.
func TestIdentitySuspendedOrgKeyRefused(t *testing.T) {
	c := identityChain(t)
	initech := c.members[2]
	ml, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	addr := c.registerKey(initech, "initech/ci-1", "ml_dsa_65", &ml, time.Hour)
	c.mustDeliver(&ml, approve(addr, "repo/x", "sha256:01"))

	c.passProposal(&consortiumtypes.MsgSetOrganizationStatus{Authority: app.Authority(), OrgId: "initech", Status: consortiumtypes.ORG_STATUS_SUSPENDED})
	c.mustRefuse(&ml, "may not approve on \"repo/x\": organization initech is not active", approve(addr, "repo/x", "sha256:02"))
	// Its admin lost governance too.
	c.mustRefuse(initech.priv, "neither a registered key nor an admin",
		&consortiumtypes.MsgVote{Voter: initech.addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES})
}

// A principal without the role is refused the action while allowed its own.
func TestIdentityRoleGatesAction(t *testing.T) {
	c := identityChain(t)
	acme := c.members[0]
	ci, ops := ed25519.GenPrivKey(), ed25519.GenPrivKey()
	ciAddr := c.registerKey(acme, "acme/ci-1", "ed25519", ci, time.Hour)
	opsAddr := c.registerKey(acme, "acme/ops-1", "ed25519", ops, time.Hour)

	c.mustDeliver(ops, approve(opsAddr, "ops/deploy", "sha256:01"))
	c.mustRefuse(ops, fmt.Sprintf("%s may not approve on \"repo/x\"", opsAddr), approve(opsAddr, "repo/x", "sha256:01"))
	c.mustDeliver(ci, approve(ciAddr, "repo/x", "sha256:01"))
	c.mustRefuse(ci, fmt.Sprintf("%s may not approve on \"ops/deploy\"", ciAddr), approve(ciAddr, "ops/deploy", "sha256:01"))
	// A tx mixing an allowed and a refused message is refused as a whole.
	c.mustRefuse(ci, "may not approve on \"ops/deploy\"", approve(ciAddr, "repo/z", "sha256:02"), approve(ciAddr, "ops/deploy", "sha256:02"))
}
