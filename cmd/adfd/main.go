// Command adfd is the ADF node: a CometBFT validator or full node plus the
// chain CLI (keys, queries, transactions, genesis and network set-up).
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/adf-consortium/adf/app"
	"github.com/adf-consortium/adf/cmd/adfd/cmd"
)

func main() {
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "ADFD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.ErrOrStderr(), err)
		os.Exit(1)
	}
}
