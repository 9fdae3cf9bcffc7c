package main

import "github.com/spf13/cobra"

// sentinelSubcommands are added to `adf sentinel` by the files that define
// them (eval and train in sentinel_eval.go, serve and demo in
// sentinel_serve.go), so each stays self-contained.
var sentinelSubcommands []func() *cobra.Command

func sentinelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sentinel",
		Short: "Telemetry anomaly detection: evaluate and train detectors, serve a streaming sentinel that reports to the chain",
	}
	for _, sub := range sentinelSubcommands {
		cmd.AddCommand(sub())
	}
	return cmd
}
