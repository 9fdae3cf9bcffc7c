package app

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/std"
	"github.com/cosmos/cosmos-sdk/testutil/testdata"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	txsigning "github.com/cosmos/cosmos-sdk/x/tx/signing"

	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// fakeAuthorizer allows exactly the (signer, action, scope) triples it holds
// and records every question.
type fakeAuthorizer struct {
	allow map[string]bool
	err   error
	calls []string
}

func triple(signer sdk.AccAddress, action, scope string) string {
	return fmt.Sprintf("%s|%s|%s", signer, action, scope)
}

func (f *fakeAuthorizer) Authorize(_ context.Context, signer sdk.AccAddress, action, scope string) (Decision, error) {
	k := triple(signer, action, scope)
	f.calls = append(f.calls, k)
	if f.err != nil {
		return Decision{}, f.err
	}
	if f.allow[k] {
		return Decision{Allowed: true}, nil
	}
	return Decision{Reason: "fake says no"}, nil
}

func newAnteTestCodec(t testing.TB) (func(msgs ...sdk.Msg) sdk.Tx, *txsigning.Context) {
	t.Helper()
	registry, err := NewInterfaceRegistry()
	require.NoError(t, err)
	std.RegisterInterfaces(registry)
	consortiumtypes.RegisterInterfaces(registry)
	identitytypes.RegisterInterfaces(registry)
	testdata.RegisterInterfaces(registry)
	cdc := codec.NewProtoCodec(registry)
	txCfg := authtx.NewTxConfig(cdc, authtx.DefaultSignModes)
	build := func(msgs ...sdk.Msg) sdk.Tx {
		b := txCfg.NewTxBuilder()
		require.NoError(t, b.SetMsgs(msgs...))
		// Round-trip through the encoder as the chain would see it.
		bz, err := txCfg.TxEncoder()(b.GetTx())
		require.NoError(t, err)
		tx, err := txCfg.TxDecoder()(bz)
		require.NoError(t, err)
		return tx
	}
	return build, registry.SigningContext()
}

func addr() sdk.AccAddress { return sdk.AccAddress(secp256k1.GenPrivKey().PubKey().Address()) }

// runDecorator runs the decorator and reports whether next was reached.
func runDecorator(auth Authorizer, signingCtx *txsigning.Context, tx sdk.Tx) (bool, error) {
	reached := false
	next := func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { reached = true; return ctx, nil }
	_, err := NewIdentityDecorator(auth, signingCtx).AnteHandle(sdk.Context{}, tx, false, next)
	return reached, err
}

func TestIdentityDecoratorTable(t *testing.T) {
	ConfigureSDK()
	build, sctx := newAnteTestCodec(t)
	a, b := addr(), addr()
	vote := func(voter sdk.AccAddress) sdk.Msg {
		return &consortiumtypes.MsgVote{Voter: voter.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES}
	}
	approve := func(signer sdk.AccAddress, scope string) sdk.Msg {
		return &identitytypes.MsgApprove{Signer: signer.String(), Action: "approve-release", Scope: scope, Subject: "sha256:00"}
	}
	revoke := func(signer sdk.AccAddress) sdk.Msg {
		return &identitytypes.MsgRevokeKey{Signer: signer.String(), Address: b.String()}
	}

	cases := []struct {
		name      string
		allow     []string
		msgs      []sdk.Msg
		wantErr   string
		wantCalls []string
	}{
		{
			name: "allowed governance", allow: []string{triple(a, ActionGovernance, "")},
			msgs: []sdk.Msg{vote(a)}, wantCalls: []string{triple(a, ActionGovernance, "")},
		},
		{
			name: "denied governance", msgs: []sdk.Msg{vote(a)},
			wantErr:   fmt.Sprintf("%s may not governance on \"\": fake says no", a),
			wantCalls: []string{triple(a, ActionGovernance, "")},
		},
		{
			name: "approve uses the message scope", allow: []string{triple(a, ActionApprove, "repo/x")},
			msgs: []sdk.Msg{approve(a, "repo/x")}, wantCalls: []string{triple(a, ActionApprove, "repo/x")},
		},
		{
			name: "approve on another scope is denied", allow: []string{triple(a, ActionApprove, "repo/x")},
			msgs:    []sdk.Msg{approve(a, "repo/y")},
			wantErr: fmt.Sprintf("%s may not approve on \"repo/y\": fake says no", a),
		},
		{
			// the scope of a revocation is the revoked key's address
			name: "revoke-key", allow: []string{triple(a, ActionRevokeKey, b.String())},
			msgs: []sdk.Msg{revoke(a)},
		},
		{
			name:  "multi-message, multi-signer: all allowed",
			allow: []string{triple(a, ActionGovernance, ""), triple(b, ActionApprove, "s")},
			msgs:  []sdk.Msg{vote(a), approve(b, "s")},
			wantCalls: []string{
				triple(a, ActionGovernance, ""), triple(b, ActionApprove, "s"),
			},
		},
		{
			name:    "multi-message: second signer denied",
			allow:   []string{triple(a, ActionGovernance, "")},
			msgs:    []sdk.Msg{vote(a), approve(b, "s")},
			wantErr: fmt.Sprintf("%s may not approve on \"s\"", b),
		},
		{
			name:    "multi-message: one signer allowed one action only",
			allow:   []string{triple(a, ActionGovernance, "")},
			msgs:    []sdk.Msg{vote(a), revoke(a)},
			wantErr: fmt.Sprintf("%s may not revoke-key", a),
		},
		{
			name:      "a repeated (signer, action, scope) is asked once",
			allow:     []string{triple(a, ActionGovernance, "")},
			msgs:      []sdk.Msg{vote(a), vote(a), vote(a)},
			wantCalls: []string{triple(a, ActionGovernance, "")},
		},
		{
			name:    "message type without a rule",
			allow:   []string{triple(a, ActionGovernance, "")},
			msgs:    []sdk.Msg{vote(a), &testdata.TestMsg{Signers: []string{a.String()}}},
			wantErr: "message type /testpb.TestMsg has no authorisation rule",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeAuthorizer{allow: map[string]bool{}}
			for _, k := range tc.allow {
				fake.allow[k] = true
			}
			reached, err := runDecorator(fake, sctx, build(tc.msgs...))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)
				require.False(t, reached)
			} else {
				require.NoError(t, err)
				require.True(t, reached)
			}
			if tc.wantCalls != nil {
				require.Equal(t, tc.wantCalls, fake.calls)
			}
		})
	}
}

// Every signer of a message with several signers is asked; one refusal
// refuses the tx. TestMsg has a repeated signer field; it gets a rule here
// only for the test.
func TestIdentityDecoratorEverySignerOfAMessage(t *testing.T) {
	ConfigureSDK()
	build, sctx := newAnteTestCodec(t)
	typeURL := sdk.MsgTypeURL(&testdata.TestMsg{})
	actionRules[typeURL] = ActionRule{Action: "test", Scope: scopeField(func(*testdata.TestMsg) string { return "scope" })}
	t.Cleanup(func() { delete(actionRules, typeURL) })

	a, b, c := addr(), addr(), addr()
	tx := build(&testdata.TestMsg{Signers: []string{a.String(), b.String(), c.String()}})
	fake := &fakeAuthorizer{allow: map[string]bool{triple(a, "test", "scope"): true, triple(b, "test", "scope"): true}}
	reached, err := runDecorator(fake, sctx, tx)
	require.ErrorContains(t, err, fmt.Sprintf("%s may not test on \"scope\"", c))
	require.False(t, reached)
	require.Equal(t, []string{triple(a, "test", "scope"), triple(b, "test", "scope"), triple(c, "test", "scope")}, fake.calls)

	fake.allow[triple(c, "test", "scope")] = true
	fake.calls = nil
	reached, err = runDecorator(fake, sctx, tx)
	require.NoError(t, err)
	require.True(t, reached)
}

func TestIdentityDecoratorAuthorizerError(t *testing.T) {
	ConfigureSDK()
	build, sctx := newAnteTestCodec(t)
	a := addr()
	boom := errors.New("store is on fire")
	reached, err := runDecorator(&fakeAuthorizer{err: boom}, sctx, build(&consortiumtypes.MsgVote{Voter: a.String(), ProposalId: 1}))
	require.ErrorIs(t, err, boom)
	require.False(t, reached)
}

// BenchmarkIdentityDecoratorFakeAuthorizer measures the decorator alone:
// rule lookup, per-message signers, one map-backed decision.
func BenchmarkIdentityDecoratorFakeAuthorizer(b *testing.B) {
	ConfigureSDK()
	build, sctx := newAnteTestCodec(b)
	a := addr()
	tx := build(&identitytypes.MsgApprove{Signer: a.String(), Action: "approve-release", Scope: "repo/x", Subject: "sha256:00"})
	fake := &fakeAuthorizer{allow: map[string]bool{triple(a, ActionApprove, "repo/x"): true}}
	dec := NewIdentityDecorator(fake, sctx)
	next := func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fake.calls = fake.calls[:0]
		if _, err := dec.AnteHandle(sdk.Context{}, tx, false, next); err != nil {
			b.Fatal(err)
		}
	}
}
