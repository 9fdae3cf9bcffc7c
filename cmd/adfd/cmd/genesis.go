package cmd

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/codec"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/server"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/adf-consortium/adf/app"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
)

// ConsensusKeyTypes are the validator key types every ADF genesis accepts.
var ConsensusKeyTypes = []string{"ed25519", "ml_dsa_65"}

// BlockMaxBytes bounds a block (2 MiB). CometBFT's default, ~53 MiB (21 MiB
// of transactions plus room for the largest commit), let an overloaded chain
// pack its whole backlog into one block that took the validators many
// seconds to execute; 2 MiB still holds eight
// envelopes of the largest default size (x/attestation's max_envelope_bytes,
// 256 KiB). A consortium that raises max_envelope_bytes past ~2 MiB must raise
// this too, through an x/consensus MsgUpdateParams proposal.
const BlockMaxBytes int64 = 2 << 20

// applyConsensusDefaults sets what every ADF genesis needs in CometBFT's
// consensus parameters.
func applyConsensusDefaults(p *cmttypes.ConsensusParams) {
	p.Validator.PubKeyTypes = ConsensusKeyTypes
	p.Block.MaxBytes = BlockMaxBytes
}

// InitCmd wraps the SDK's init: same files, but the genesis accepts both
// Ed25519 and ML-DSA-65 validator keys whatever key this node generated, so
// a consortium can mix them.
func InitCmd(mbm module.BasicManager, defaultNodeHome string) *cobra.Command {
	cmd := genutilcli.InitCmd(mbm, defaultNodeHome)
	inner := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := inner(cmd, args); err != nil {
			return err
		}
		serverCtx := server.GetServerContextFromCmd(cmd)
		return updateGenesis(serverCtx.Config.GenesisFile(), func(g *genutiltypes.AppGenesis, _ map[string]json.RawMessage) error {
			applyConsensusDefaults(g.Consensus.Params)
			return nil
		})
	}
	return cmd
}

// GenesisCmd groups the genesis commands that make sense without x/staking:
// organisations and validators are written straight into x/consortium.
func GenesisCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "genesis",
		Short:                      "Build and check the genesis file",
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		genutilcli.ValidateGenesisCmd(a.BasicModuleManager),
		addOrgCmd(a.AppCodec()),
		addValidatorCmd(a.AppCodec()),
	)
	return cmd
}

func addOrgCmd(cdc codec.Codec) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-org [org-id] [name] [admin-address]...",
		Short: "Add a member organisation and its admin accounts to genesis.json",
		Args:  cobra.MinimumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			serverCtx := server.GetServerContextFromCmd(cmd)
			org := consortiumtypes.Organization{Id: args[0], Name: args[1], Admins: args[2:], Status: consortiumtypes.ORG_STATUS_ACTIVE}
			return updateGenesis(serverCtx.Config.GenesisFile(), func(_ *genutiltypes.AppGenesis, state map[string]json.RawMessage) error {
				return AddOrganization(cdc, state, org)
			})
		},
	}
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node's home directory")
	return cmd
}

func addValidatorCmd(cdc codec.Codec) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-validator [name] [org-id] [pubkey-json]",
		Short: "Add a validator to genesis.json; pubkey-json is what `adfd comet show-validator` prints",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			serverCtx := server.GetServerContextFromCmd(cmd)
			power, err := cmd.Flags().GetInt64("power")
			if err != nil {
				return err
			}
			var pk cryptotypes.PubKey
			if err := cdc.UnmarshalInterfaceJSON([]byte(args[2]), &pk); err != nil {
				return fmt.Errorf("pubkey-json: %w", err)
			}
			v, err := consortiumtypes.NewValidator(args[0], args[1], pk, power)
			if err != nil {
				return err
			}
			return updateGenesis(serverCtx.Config.GenesisFile(), func(_ *genutiltypes.AppGenesis, state map[string]json.RawMessage) error {
				return AddValidator(cdc, state, v)
			})
		},
	}
	cmd.Flags().Int64("power", 10, "voting power")
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node's home directory")
	return cmd
}

// AddOrganization appends an organisation to the consortium genesis and
// gives each admin an auth account, since without x/bank nothing else would
// create one and the admins could not sign.
func AddOrganization(cdc codec.Codec, state map[string]json.RawMessage, org consortiumtypes.Organization) error {
	gs, err := consortiumGenesis(cdc, state)
	if err != nil {
		return err
	}
	gs.Organizations = append(gs.Organizations, org)
	if err := setConsortiumGenesis(cdc, state, gs); err != nil {
		return err
	}
	for _, admin := range org.Admins {
		addr, err := sdk.AccAddressFromBech32(admin)
		if err != nil {
			return fmt.Errorf("admin %q: %w", admin, err)
		}
		if err := addAccount(cdc, state, addr); err != nil {
			return err
		}
	}
	return nil
}

// AddValidator appends a validator to the consortium genesis.
func AddValidator(cdc codec.Codec, state map[string]json.RawMessage, v consortiumtypes.Validator) error {
	gs, err := consortiumGenesis(cdc, state)
	if err != nil {
		return err
	}
	gs.Validators = append(gs.Validators, v)
	return setConsortiumGenesis(cdc, state, gs)
}

func consortiumGenesis(cdc codec.Codec, state map[string]json.RawMessage) (*consortiumtypes.GenesisState, error) {
	gs := consortiumtypes.DefaultGenesis()
	if raw, ok := state[consortiumtypes.ModuleName]; ok {
		if err := cdc.UnmarshalJSON(raw, gs); err != nil {
			return nil, fmt.Errorf("consortium genesis: %w", err)
		}
	}
	return gs, nil
}

func setConsortiumGenesis(cdc codec.Codec, state map[string]json.RawMessage, gs *consortiumtypes.GenesisState) error {
	bz, err := cdc.MarshalJSON(gs)
	if err != nil {
		return err
	}
	state[consortiumtypes.ModuleName] = bz
	return nil
}

func addAccount(cdc codec.Codec, state map[string]json.RawMessage, addr sdk.AccAddress) error {
	authGen := authtypes.GetGenesisStateFromAppState(cdc, state)
	accs, err := authtypes.UnpackAccounts(authGen.Accounts)
	if err != nil {
		return fmt.Errorf("auth genesis accounts: %w", err)
	}
	if accs.Contains(addr) {
		return nil
	}
	acc := authtypes.NewBaseAccount(addr, nil, uint64(len(accs)), 0)
	accs = append(accs, acc)
	packed, err := authtypes.PackAccounts(authtypes.SanitizeGenesisAccounts(accs))
	if err != nil {
		return err
	}
	authGen.Accounts = packed
	bz, err := cdc.MarshalJSON(&authGen)
	if err != nil {
		return err
	}
	state[authtypes.ModuleName] = bz
	return nil
}

// updateGenesis reads genesis.json, lets fn change it, validates the result's
// structure and writes it back; on any error the file is left as it was.
func updateGenesis(path string, fn func(*genutiltypes.AppGenesis, map[string]json.RawMessage) error) error {
	g, err := genutiltypes.AppGenesisFromFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	state := map[string]json.RawMessage{}
	if len(g.AppState) > 0 {
		if err := json.Unmarshal(g.AppState, &state); err != nil {
			return fmt.Errorf("%s: app_state: %w", path, err)
		}
	}
	if err := fn(g, state); err != nil {
		return err
	}
	g.AppState, err = json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := g.SaveAs(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
