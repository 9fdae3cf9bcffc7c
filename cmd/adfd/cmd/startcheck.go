package cmd

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/server"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/adf-consortium/adf/app"
)

// guardStart makes `adfd start` check genesis.json before CometBFT starts,
// so a malformed genesis stops the node with one line naming the bad field
// instead of a panic deep inside InitChain.
func guardStart(rootCmd *cobra.Command, a *app.App) {
	for _, c := range rootCmd.Commands() {
		if c.Name() != "start" {
			continue
		}
		inner := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			path := server.GetServerContextFromCmd(cmd).Config.GenesisFile()
			if err := CheckGenesisFile(a, path); err != nil {
				cmd.SilenceUsage = true
				return err
			}
			return inner(cmd, args)
		}
	}
}

// CheckGenesisFile validates a genesis file's structure and every module's
// state, returning an error that names the file and the field at fault.
func CheckGenesisFile(a *app.App, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	g, err := genutiltypes.AppGenesisFromFile(path)
	if err != nil {
		return fmt.Errorf("genesis %s: %w", path, err)
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(g.AppState, &state); err != nil {
		return fmt.Errorf("genesis %s: app_state: %w", path, err)
	}
	if err := a.BasicModuleManager.ValidateGenesis(a.AppCodec(), a.TxConfig(), state); err != nil {
		return fmt.Errorf("genesis %s is invalid: %w", path, err)
	}
	return nil
}
