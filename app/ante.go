package app

import (
	"context"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	txsigning "github.com/cosmos/cosmos-sdk/x/tx/signing"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// Decision is the answer of an Authorizer: whether a signer may perform an
// action on a scope, and why not when it may not.
type Decision struct {
	Allowed bool
	Reason  string
}

// Authorizer decides whether an account may sign a message asking for an
// action on a scope. x/identity implements it (principals, short-lived keys,
// policies, org admins); tests use fakes.
type Authorizer interface {
	Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (Decision, error)
}

// AnteOptions are the dependencies of the ADF ante chain.
type AnteOptions struct {
	AccountKeeper   ante.AccountKeeper
	Authorizer      Authorizer
	SignModeHandler *txsigning.HandlerMap
	// SigningContext finds the signers of each message (the interface
	// registry's SigningContext()).
	SigningContext *txsigning.Context
}

// NewAnteHandler composes the SDK's decorators in the SDK's order, minus fee
// deduction (there is no token), plus two ADF checks placed before any
// signature work so that outsiders cost the validators as little as possible:
// fees must be zero, and every signer of every message must be authorised
// for that message's action. Signature gas is priced by
// SigVerificationGasConsumer (all ADF account key types, per-byte cost).
func NewAnteHandler(opts AnteOptions) (sdk.AnteHandler, error) {
	switch {
	case opts.AccountKeeper == nil:
		return nil, errors.New("ante: account keeper is required")
	case opts.Authorizer == nil:
		return nil, errors.New("ante: authorizer is required")
	case opts.SignModeHandler == nil:
		return nil, errors.New("ante: sign mode handler is required")
	case opts.SigningContext == nil:
		return nil, errors.New("ante: signing context is required")
	}
	return sdk.ChainAnteDecorators(
		ante.NewSetUpContextDecorator(),
		ante.NewExtensionOptionsDecorator(nil),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(opts.AccountKeeper),
		NoFeeDecorator{},
		NewIdentityDecorator(opts.Authorizer, opts.SigningContext),
		ante.NewConsumeGasForTxSizeDecorator(opts.AccountKeeper),
		ante.NewSetPubKeyDecorator(opts.AccountKeeper),
		ante.NewValidateSigCountDecorator(opts.AccountKeeper),
		ante.NewSigGasConsumeDecorator(opts.AccountKeeper, SigVerificationGasConsumer),
		ante.NewSigVerificationDecorator(opts.AccountKeeper, opts.SignModeHandler),
		ante.NewIncrementSequenceDecorator(opts.AccountKeeper),
	), nil
}

// NoFeeDecorator rejects transactions that offer a fee. Nothing would collect
// it, and silently accepting a fee a user believes was paid is worse than a
// clear error.
type NoFeeDecorator struct{}

// AnteHandle implements sdk.AnteDecorator.
func (NoFeeDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	feeTx, ok := tx.(sdk.FeeTx)
	if !ok {
		return ctx, errorsmod.Wrap(sdkerrors.ErrTxDecode, "transaction is not a fee transaction")
	}
	if fee := feeTx.GetFee(); !fee.IsZero() {
		return ctx, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "ADF charges no fees: remove the fee %s", fee)
	}
	if granter := feeTx.FeeGranter(); len(granter) != 0 {
		return ctx, errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "ADF has no fee grants: remove the fee granter")
	}
	return next(ctx, tx, simulate)
}

// IdentityDecorator admits a transaction only if, for every message, every
// signer of that message is authorised for the message's action and scope
// (actionRules). It runs before signature verification, so an outsider costs
// a validator a few index lookups and no ML-DSA verification; the signatures
// are verified afterwards, so a decision about an address only counts once
// its key has signed. The ante chain runs in CheckTx and again in
// FinalizeBlock against the state of that block, so a key that expires or is
// revoked between the two is refused in the block.
type IdentityDecorator struct {
	auth    Authorizer
	signing *txsigning.Context
}

// NewIdentityDecorator returns the decorator.
func NewIdentityDecorator(auth Authorizer, signingCtx *txsigning.Context) IdentityDecorator {
	return IdentityDecorator{auth: auth, signing: signingCtx}
}

type authzKey struct {
	signer, action, scope string
}

// AnteHandle implements sdk.AnteDecorator.
func (d IdentityDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	msgs := tx.GetMsgs()
	msgsV2, err := tx.GetMsgsV2()
	if err != nil {
		return ctx, errorsmod.Wrap(sdkerrors.ErrTxDecode, err.Error())
	}
	if len(msgs) == 0 || len(msgs) != len(msgsV2) {
		return ctx, errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "transaction has no messages")
	}
	// One tx may repeat a (signer, action, scope); ask once.
	decided := make(map[authzKey]struct{}, len(msgs))
	for i, msg := range msgs {
		typeURL := sdk.MsgTypeURL(msg)
		rule, ok := ActionRuleFor(typeURL)
		if !ok {
			return ctx, errorsmod.Wrapf(sdkerrors.ErrUnauthorized, "message type %s has no authorisation rule", typeURL)
		}
		scope, err := rule.ScopeOf(msg)
		if err != nil {
			return ctx, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "scope of %s: %v", typeURL, err)
		}
		signers, err := d.signing.GetSigners(msgsV2[i])
		if err != nil {
			return ctx, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "signers of %s: %v", typeURL, err)
		}
		if len(signers) == 0 {
			return ctx, errorsmod.Wrapf(sdkerrors.ErrNoSignatures, "message %s has no signer", typeURL)
		}
		for _, s := range signers {
			signer := sdk.AccAddress(s)
			key := authzKey{signer: string(s), action: rule.Action, scope: scope}
			if _, ok := decided[key]; ok {
				continue
			}
			dec, err := d.auth.Authorize(ctx, signer, rule.Action, scope)
			if err != nil {
				return ctx, fmt.Errorf("authorising %s for %s on %q: %w", signer, rule.Action, scope, err)
			}
			if !dec.Allowed {
				return ctx, errorsmod.Wrapf(sdkerrors.ErrUnauthorized, "%s may not %s on %q: %s", signer, rule.Action, scope, dec.Reason)
			}
			decided[key] = struct{}{}
		}
	}
	return next(ctx, tx, simulate)
}

// IdentityKeeper is the part of x/identity's keeper the ante chain uses.
type IdentityKeeper interface {
	Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error)
}

// IdentityAuthorizer adapts x/identity's keeper to Authorizer: registered
// short-lived keys get what the policies give their principal's roles, org
// admins the admin actions, everyone else nothing.
type IdentityAuthorizer struct {
	Keeper IdentityKeeper
}

// Authorize implements Authorizer.
func (a IdentityAuthorizer) Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (Decision, error) {
	d, err := a.Keeper.Authorize(ctx, signer, action, scope)
	if err != nil {
		return Decision{}, err
	}
	return Decision{Allowed: d.Allowed, Reason: d.Reason}, nil
}
