package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the attestation Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// Every handler checks everything before it writes anything, so a rejected
// message changes no state even outside a cached context.

// authorize asks x/identity whether signer may perform action on scope now
// (the ante chain asks the same; this is defence in depth) and requires the
// signer to act for an organisation.
func (k Keeper) authorize(ctx context.Context, signer sdk.AccAddress, signerStr, action, scope string) (identitytypes.Decision, error) {
	dec, err := k.ik.Authorize(ctx, signer, action, scope)
	if err != nil {
		return dec, err
	}
	if !dec.Allowed {
		return dec, errorsmod.Wrapf(types.ErrUnauthorized, "%s may not %s on %q: %s", signerStr, action, scope, dec.Reason)
	}
	if dec.OrgId == "" {
		return dec, errorsmod.Wrapf(types.ErrUnauthorized, "%s may %s on %q but acts for no organization", signerStr, action, scope)
	}
	return dec, nil
}

// AnchorRoot anchors a root of a batcher log. The first root registers the
// log for the signer's organisation; every later root must extend the last
// anchored one, proven by an RFC 6962 consistency proof, so a rewritten or
// forked log can never be anchored.
func (m msgServer) AnchorRoot(ctx context.Context, msg *types.MsgAnchorRoot) (*types.MsgAnchorRootResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	signer, signerStr, err := types.ParseAddress(m.ac, msg.Signer)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	if err := types.ValidateAnchorRoot(msg); err != nil {
		return nil, err
	}
	dec, err := m.authorize(ctx, signer, signerStr, types.ActionAnchor, msg.LogId)
	if err != nil {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	sdkCtx.GasMeter().ConsumeGas(types.GasPerProofHash*uint64(len(msg.ConsistencyProof)), "attestation: consistency proof")

	lg, found, err := m.GetLog(ctx, msg.LogId)
	if err != nil {
		return nil, err
	}
	var head *anchor.Head
	if found {
		if lg.OwnerOrg != dec.OrgId {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized,
				"log %q belongs to organization %q; %s acts for %q", msg.LogId, lg.OwnerOrg, signerStr, dec.OrgId)
		}
		head = &anchor.Head{TreeSize: lg.TreeSize, RootHash: lg.RootHash, AnchoredAt: fmt.Sprintf("height %d", lg.LatestHeight)}
	}
	prevSize, err := anchor.CheckExtension(head, types.RootUpdate(msg), dec.OrgId, params.MaxEntriesPerEpochPerOrg)
	if err != nil {
		return nil, types.Wrap(err)
	}

	now := sdkCtx.BlockTime()
	height := sdkCtx.BlockHeight()
	root := types.AnchoredRoot{
		LogId: msg.LogId, TreeSize: msg.TreeSize, RootHash: msg.RootHash,
		Height: height, Time: now, Signer: signerStr, PrincipalId: dec.PrincipalId,
	}
	if !found {
		lg = types.Log{LogId: msg.LogId, OwnerOrg: dec.OrgId, RegisteredBy: signerStr, RegisteredHeight: height}
	}
	lg.TreeSize, lg.RootHash, lg.LatestHeight, lg.LatestTime = msg.TreeSize, msg.RootHash, height, now
	lg.Anchors++
	if err := m.Roots.Set(ctx, collections.Join(msg.LogId, msg.TreeSize), root); err != nil {
		return nil, err
	}
	if err := m.Logs.Set(ctx, msg.LogId, lg); err != nil {
		return nil, err
	}
	if !found {
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventLogRegistered{
			LogId: msg.LogId, OwnerOrg: dec.OrgId, Signer: signerStr,
		}); err != nil {
			return nil, err
		}
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventRootAnchored{
		LogId: msg.LogId, OwnerOrg: lg.OwnerOrg, TreeSize: msg.TreeSize, PreviousTreeSize: prevSize,
		RootHash: types.FormatDigest(msg.RootHash), Signer: signerStr, PrincipalId: dec.PrincipalId,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAnchorRootResponse{PreviousTreeSize: prevSize}, nil
}

// AnchorAttestation anchors one DSSE-enveloped in-toto statement. The
// signer must be authorised for anchor-direct on the scope and must have
// signed the envelope (keyid = its address) with its registered key.
func (m msgServer) AnchorAttestation(ctx context.Context, msg *types.MsgAnchorAttestation) (*types.MsgAnchorAttestationResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	signer, signerStr, err := types.ParseAddress(m.ac, msg.Signer)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	if err := types.ValidateAnchorAttestation(msg); err != nil {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	// The bytes are paid for before anything looks at them.
	sdkCtx.GasMeter().ConsumeGas(types.GasPerEnvelopeByte*uint64(len(msg.Envelope)), "attestation: envelope bytes")
	if uint64(len(msg.Envelope)) > params.MaxEnvelopeBytes {
		return nil, errorsmod.Wrapf(types.ErrEnvelopeTooLarge, "envelope: %d bytes exceeds max_envelope_bytes %d", len(msg.Envelope), params.MaxEnvelopeBytes)
	}
	dec, err := m.authorize(ctx, signer, signerStr, types.ActionAnchorDirect, msg.Scope)
	if err != nil {
		return nil, err
	}

	a, env, err := parseEnvelope(params, msg.Envelope)
	if err != nil {
		return nil, err
	}
	if prev, dup, err := m.GetAttestation(ctx, a.EnvelopeDigest); err != nil {
		return nil, err
	} else if dup {
		return nil, errorsmod.Wrapf(types.ErrDuplicateAttestation,
			"envelope %s was anchored at height %d by %s", types.FormatDigest(a.EnvelopeDigest), prev.Height, prev.Signer)
	}

	key, found, err := m.ik.KeyInfo(ctx, signer)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errorsmod.Wrapf(types.ErrUnknownKey,
			"%s is not a registered key: a direct anchor must be signed by a principal's registered key", signerStr)
	}
	alg, err := sigscheme.ParseAlgorithm(key.Algorithm)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrUnknownKey, "key %s: %s", signerStr, err)
	}
	pk, err := sigscheme.ParsePublicKey(alg, key.PublicKey)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrUnknownKey, "key %s: %s", signerStr, err)
	}
	verifyGas, _ := types.VerifyGas(alg)
	sdkCtx.GasMeter().ConsumeGas(verifyGas, "attestation: verify "+alg.String()+" envelope signature")
	if err := dsse.Verify(env, signerStr, pk, sdkCtx.ChainID()); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidSignature,
			"envelope must carry a valid %s signature with keyid %s for chain %q: %s", alg, signerStr, sdkCtx.ChainID(), err)
	}

	now := sdkCtx.BlockTime()
	prevUsage, err := m.DirectUsage.Get(ctx, dec.OrgId)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		prevUsage = types.DirectAnchorUsage{OrgId: dec.OrgId}
	case err != nil:
		return nil, err
	}
	next, err := anchor.NextUsage(anchor.Usage{Day: prevUsage.Day, Count: prevUsage.Count}, dec.OrgId, now.Unix(), params.MaxDirectAnchorsPerDayPerOrg)
	if err != nil {
		return nil, types.Wrap(err)
	}
	usage := types.DirectAnchorUsage{OrgId: dec.OrgId, Day: next.Day, Count: next.Count}
	last, err := m.LastSequence.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}

	// Every check passed: write.
	a.Sequence = last + 1
	a.Signer, a.PrincipalId, a.OrgId = signerStr, dec.PrincipalId, dec.OrgId
	a.RiskClass, a.Scope, a.Algorithm = msg.RiskClass, msg.Scope, alg.String()
	a.Height, a.Time = sdkCtx.BlockHeight(), now
	linked, err := m.storeAttestation(ctx, a)
	if err != nil {
		return nil, err
	}
	if err := m.LastSequence.Set(ctx, a.Sequence); err != nil {
		return nil, err
	}
	if err := m.DirectUsage.Set(ctx, dec.OrgId, usage); err != nil {
		return nil, err
	}
	digest := types.FormatDigest(a.EnvelopeDigest)
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventAttestationAnchored{
		EnvelopeDigest: digest, Sequence: a.Sequence, SubjectDigests: types.FormatDigests(a.SubjectDigests),
		PredicateType: a.PredicateType, Signer: signerStr, PrincipalId: a.PrincipalId, OrgId: a.OrgId,
		RiskClass: a.RiskClass, Scope: a.Scope, LinkedMaterials: types.FormatDigests(linked),
	}); err != nil {
		return nil, err
	}
	return &types.MsgAnchorAttestationResponse{EnvelopeDigest: digest, Sequence: a.Sequence}, nil
}

// parseEnvelope reads a DSSE envelope of an in-toto statement with
// pkg/anchor's rules within the params' limits and returns what the chain
// keeps of it and the envelope for signature verification.
func parseEnvelope(params types.Params, data []byte) (types.Attestation, *dsse.Envelope, error) {
	st, env, err := anchor.ParseEnvelope(anchor.EnvelopeLimits{MaxEnvelopeBytes: params.MaxEnvelopeBytes, MaxSubjects: params.MaxSubjects}, data)
	if err != nil {
		return types.Attestation{}, nil, types.Wrap(err)
	}
	return types.Attestation{
		EnvelopeDigest:  st.EnvelopeDigest[:],
		SubjectDigests:  hashes(st.Subjects),
		MaterialDigests: hashes(st.Materials),
		PredicateType:   st.PredicateType,
	}, env, nil
}

func hashes(in [][32]byte) [][]byte {
	if len(in) == 0 {
		return nil
	}
	out := make([][]byte, len(in))
	for i := range in {
		out[i] = append([]byte(nil), in[i][:]...)
	}
	return out
}

// UpdateParams replaces the params (authority only).
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidParams, "params.%s", err)
	}
	if err := m.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Params: msg.Params}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
