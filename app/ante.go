package app

import (
	"context"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	txsigning "github.com/cosmos/cosmos-sdk/x/tx/signing"
)

// MemberChecker answers whether an account may sign transactions. x/consortium
// implements it today; x/identity will narrow it to principals and keys.
type MemberChecker interface {
	IsActiveMember(ctx context.Context, addr sdk.AccAddress) (orgID string, ok bool, err error)
}

// AnteOptions are the dependencies of the ADF ante chain.
type AnteOptions struct {
	AccountKeeper   ante.AccountKeeper
	Members         MemberChecker
	SignModeHandler *txsigning.HandlerMap
}

// NewAnteHandler composes the SDK's decorators in the SDK's order, minus fee
// deduction (there is no token), plus two ADF checks placed before any
// signature work so that outsiders cost the validators as little as possible:
// fees must be zero, and every signer must be an active member.
func NewAnteHandler(opts AnteOptions) (sdk.AnteHandler, error) {
	switch {
	case opts.AccountKeeper == nil:
		return nil, errors.New("ante: account keeper is required")
	case opts.Members == nil:
		return nil, errors.New("ante: member checker is required")
	case opts.SignModeHandler == nil:
		return nil, errors.New("ante: sign mode handler is required")
	}
	return sdk.ChainAnteDecorators(
		ante.NewSetUpContextDecorator(),
		ante.NewExtensionOptionsDecorator(nil),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(opts.AccountKeeper),
		NoFeeDecorator{},
		MemberSignerDecorator{members: opts.Members},
		ante.NewConsumeGasForTxSizeDecorator(opts.AccountKeeper),
		ante.NewSetPubKeyDecorator(opts.AccountKeeper),
		ante.NewValidateSigCountDecorator(opts.AccountKeeper),
		ante.NewSigGasConsumeDecorator(opts.AccountKeeper, ante.DefaultSigVerificationGasConsumer),
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

// MemberSignerDecorator admits a transaction only if every signer is an
// admin of an active member organisation, checked against current state on
// every transaction (CheckTx and FinalizeBlock alike).
type MemberSignerDecorator struct {
	members MemberChecker
}

// AnteHandle implements sdk.AnteDecorator.
func (d MemberSignerDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	sigTx, ok := tx.(authsigning.SigVerifiableTx)
	if !ok {
		return ctx, errorsmod.Wrap(sdkerrors.ErrTxDecode, "transaction carries no signers")
	}
	signers, err := sigTx.GetSigners()
	if err != nil {
		return ctx, err
	}
	if len(signers) == 0 {
		return ctx, errorsmod.Wrap(sdkerrors.ErrNoSignatures, "transaction has no signer")
	}
	for _, signer := range signers {
		addr := sdk.AccAddress(signer)
		_, ok, err := d.members.IsActiveMember(ctx, addr)
		if err != nil {
			return ctx, fmt.Errorf("membership of %s: %w", addr, err)
		}
		if !ok {
			return ctx, errorsmod.Wrapf(sdkerrors.ErrUnauthorized, "signer %s is not an admin of an active consortium member", addr)
		}
	}
	return next(ctx, tx, simulate)
}
