package app

import (
	"encoding/json"
	"fmt"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
)

// ExportAppStateAndValidators exports the state and the validator set that
// CometBFT must start from, so the exported genesis starts a chain with the
// same state. forZeroHeight needs no special handling: ADF holds no
// height-indexed rewards or unbonding queues to reset.
func (app *App) ExportAppStateAndValidators(_ bool, _ []string, modulesToExport []string) (servertypes.ExportedApp, error) {
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})
	height := app.LastBlockHeight() + 1

	genState, err := app.ModuleManager.ExportGenesisForModules(ctx, app.appCodec, modulesToExport)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	appState, err := json.MarshalIndent(genState, "", "  ")
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	validators, err := app.exportValidators(ctx)
	if err != nil {
		return servertypes.ExportedApp{}, err
	}
	return servertypes.ExportedApp{
		AppState:        appState,
		Validators:      validators,
		Height:          height,
		ConsensusParams: app.GetConsensusParams(ctx),
	}, nil
}

// exportValidators lists the validators CometBFT currently has, in the
// module's deterministic order.
func (app *App) exportValidators(ctx sdk.Context) ([]cmttypes.GenesisValidator, error) {
	gs, err := app.ConsortiumKeeper.ExportGenesis(ctx)
	if err != nil {
		return nil, err
	}
	var out []cmttypes.GenesisValidator
	for _, v := range gs.Validators {
		if v.Status != consortiumtypes.VALIDATOR_STATUS_ACTIVE || v.Power <= 0 {
			continue
		}
		var pk cryptotypes.PubKey
		if err := app.interfaceRegistry.UnpackAny(v.PubKey, &pk); err != nil {
			return nil, fmt.Errorf("validator %s: %w", v.Name, err)
		}
		cmtPk, err := cryptocodec.ToCmtPubKeyInterface(pk)
		if err != nil {
			return nil, fmt.Errorf("validator %s: %w", v.Name, err)
		}
		out = append(out, cmttypes.GenesisValidator{
			Address: cmtPk.Address(),
			PubKey:  cmtPk,
			Power:   v.Power,
			Name:    v.Name,
		})
	}
	return out, nil
}
