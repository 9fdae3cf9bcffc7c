package types_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/identity/types"
)

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	p := types.DefaultParams()
	require.Equal(t, 24*time.Hour, p.MaxKeyTtl)
	require.Equal(t, time.Hour, p.IssuerMaxTtl)
	require.Equal(t, []string{"ed25519", "ml_dsa_65", "composite"}, p.AllowedAlgorithms)
	require.Equal(t, uint32(1984), p.MaxKeyBytes)
	require.Equal(t, uint32(200), p.MaxExpirationsPerBlock)
	for want, edit := range map[string]func(p *types.Params){
		"max_key_ttl":         func(p *types.Params) { p.MaxKeyTtl = -1 },
		"issuer_max_ttl":      func(p *types.Params) { p.IssuerMaxTtl = p.MaxKeyTtl + 1 },
		"allowed_algorithms:": func(p *types.Params) { p.AllowedAlgorithms = nil },
		"allowed_algorithms[1]: \"ed25519\" is listed twice":  func(p *types.Params) { p.AllowedAlgorithms = []string{"ed25519", "ed25519"} },
		"allowed_algorithms[0]: sigscheme: unknown algorithm": func(p *types.Params) { p.AllowedAlgorithms = []string{"rsa"} },
		"max_key_bytes":             func(p *types.Params) { p.MaxKeyBytes = 0 },
		"max_attributes":            func(p *types.Params) { p.MaxAttributes = 10000 },
		"max_attribute_bytes":       func(p *types.Params) { p.MaxAttributeBytes = 1 },
		"max_roles":                 func(p *types.Params) { p.MaxRoles = 0 },
		"max_expirations_per_block": func(p *types.Params) { p.MaxExpirationsPerBlock = 0 },
	} {
		p := types.DefaultParams()
		edit(&p)
		err := p.Validate()
		require.Error(t, err, want)
		require.True(t, strings.HasPrefix(err.Error(), want), "%q does not start with %q", err, want)
	}
}

func TestValidateBasic(t *testing.T) {
	pk := make([]byte, 32)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good := types.MsgRegisterKey{PrincipalId: "acme/ci-1", Algorithm: "ed25519", PublicKey: pk, NotBefore: now, NotAfter: now.Add(time.Hour)}
	require.NoError(t, good.ValidateBasic())
	bad := good
	bad.Algorithm = "rsa"
	require.ErrorIs(t, bad.ValidateBasic(), types.ErrInvalidAlgorithm)
	bad = good
	bad.PublicKey = pk[:5]
	require.ErrorIs(t, bad.ValidateBasic(), types.ErrInvalidPubKey)
	bad = good
	bad.NotAfter = now
	require.ErrorIs(t, bad.ValidateBasic(), types.ErrInvalidValidity)
	bad = good
	bad.Scopes = []string{"x*"}
	require.ErrorIs(t, bad.ValidateBasic(), types.ErrInvalidScope)

	require.NoError(t, (&types.MsgRegisterPrincipal{Id: "acme/x", Kind: types.PRINCIPAL_KIND_DEVICE}).ValidateBasic())
	require.ErrorIs(t, (&types.MsgRegisterPrincipal{Id: "acme", Kind: 1}).ValidateBasic(), types.ErrInvalidPrincipalID)
	require.ErrorIs(t, (&types.MsgUpdatePrincipal{Id: "acme/x", Kind: 1}).ValidateBasic(), types.ErrInvalidStatus)
	require.ErrorIs(t, (&types.MsgApprove{Action: "anchor", Scope: "a", Subject: ""}).ValidateBasic(), types.ErrInvalidApproval)
	require.NoError(t, (&types.MsgApprove{Action: "anchor", Scope: "a", Subject: "sha256:x"}).ValidateBasic())
	require.ErrorIs(t, (&types.MsgSetPolicy{Policy: types.Policy{Id: "p"}}).ValidateBasic(), types.ErrInvalidPolicy)
	require.ErrorIs(t, (&types.MsgRemovePolicy{Id: ""}).ValidateBasic(), types.ErrInvalidPolicy)
	require.ErrorIs(t, (&types.MsgRevokeKey{Address: "x", Reason: strings.Repeat("r", 257)}).ValidateBasic(), types.ErrInvalidReason)
	require.ErrorIs(t, (&types.MsgUpdateParams{}).ValidateBasic(), types.ErrInvalidParams)
}

func TestKeyAddressIsSHA256Prefix(t *testing.T) {
	// sha256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 27ae41e4 …
	a := types.KeyAddress(sigscheme.Ed25519, nil)
	require.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", hex.EncodeToString(a))
}

func TestSplitPrincipalID(t *testing.T) {
	org, name, err := types.SplitPrincipalID("acme/ci-runner.1")
	require.NoError(t, err)
	require.Equal(t, "acme", org)
	require.Equal(t, "ci-runner.1", name)
	for _, id := range []string{"", "acme", "/x", "acme/", "a/x", "ACME/x", "acme/X", "acme/x/y", "acme/-x"} {
		_, _, err := types.SplitPrincipalID(id)
		require.Error(t, err, id)
	}
}

// FuzzGenesisValidate: Validate never panics on arbitrary JSON.
func FuzzGenesisValidate(f *testing.F) {
	f.Add(`{"params":{"max_key_ttl":"86400s","issuer_max_ttl":"3600s","allowed_algorithms":["ed25519"],"max_key_bytes":1984,"max_attributes":32,"max_attribute_bytes":256,"max_roles":16,"max_expirations_per_block":200}}`)
	f.Add(`{"principals":[{"id":"acme/x","org_id":"acme","kind":1,"status":1}],"keys":[{"address":"cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du","principal_id":"acme/x","algorithm":"ed25519"}]}`)
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	f.Fuzz(func(t *testing.T, s string) {
		var gs types.GenesisState
		if err := cdc.UnmarshalJSON([]byte(s), &gs); err == nil {
			_ = gs.Validate()
		}
		var bin types.GenesisState
		if err := bin.Unmarshal([]byte(s)); err == nil {
			_ = bin.Validate()
		}
	})
}
