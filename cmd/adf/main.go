// Command adf is ADF's client and worker binary: CI pipelines, auditors and
// analysts use it against a node's RPC and REST endpoints: `adf key` for
// short-lived signing keys, `adf principal` for the principals they act for,
// `adf tx` to sign any message with such a key. Later commands (attest, gate,
// verify, report, batcher, sentinel, cti) join this tree.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/adf-consortium/adf/app"
)

// version is set by the Makefile's -ldflags.
var version = "dev"

func main() {
	if err := newRootCmd().Execute(); err != nil {
		var exit exitError
		if errors.As(err, &exit) {
			if exit.err != nil {
				fmt.Fprintln(os.Stderr, "adf:", exit.err)
			}
			os.Exit(exit.code)
		}
		fmt.Fprintln(os.Stderr, "adf:", err)
		var denied errDenied
		if errors.As(err, &denied) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// exitError makes adf exit with code, printing err (if any) first: commands
// whose exit code is part of their interface (adf gate) return it.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e exitError) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	// Bech32 prefixes (adf1…) for every address the client parses or prints.
	app.ConfigureSDK()
	root := &cobra.Command{
		Use:           "adf",
		Short:         "ADF client: attest, gate and verify software delivery against the consortium chain",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		&cobra.Command{
			Use:   "version",
			Short: "Print the adf version",
			Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), version) },
		},
		statusCmd(),
		keyCmd(),
		principalCmd(),
		txCmd(),
		attestCmd(),
		verifyCmd(),
		batcherCmd(),
		ctiCmd(),
		telemetryCmd(),
		gateCmd(),
		sentinelCmd(),
	)
	return root
}

// chainStatus is what `adf status` reports.
type chainStatus struct {
	ChainID        string    `json:"chain_id"`
	Moniker        string    `json:"node_moniker"`
	LatestHeight   int64     `json:"latest_height,string"`
	LatestTime     time.Time `json:"latest_time"`
	CatchingUp     bool      `json:"catching_up"`
	ValidatorCount int       `json:"validator_count"`
	TotalPower     int64     `json:"total_power"`
}

func statusCmd() *cobra.Command {
	var node string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the chain's height, time and validator set as seen by a node",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := fetchStatus(strings.TrimRight(node, "/"))
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "chain %s  node %s  height %d  time %s  catching-up %v\nvalidators %d  total power %d\n",
				st.ChainID, st.Moniker, st.LatestHeight, st.LatestTime.Format(time.RFC3339), st.CatchingUp, st.ValidatorCount, st.TotalPower)
			return nil
		},
	}
	cmd.Flags().StringVar(&node, "node", "http://127.0.0.1:26657", "CometBFT RPC address of an ADF node")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func fetchStatus(node string) (*chainStatus, error) {
	node = strings.Replace(node, "tcp://", "http://", 1)
	var status struct {
		Result struct {
			NodeInfo struct {
				Network string `json:"network"`
				Moniker string `json:"moniker"`
			} `json:"node_info"`
			SyncInfo struct {
				Height     int64     `json:"latest_block_height,string"`
				Time       time.Time `json:"latest_block_time"`
				CatchingUp bool      `json:"catching_up"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := getJSON(node+"/status", &status); err != nil {
		return nil, err
	}
	var vals struct {
		Result struct {
			Validators []struct {
				Power int64 `json:"voting_power,string"`
			} `json:"validators"`
			Total int `json:"total,string"`
		} `json:"result"`
	}
	if err := getJSON(node+"/validators?per_page=100", &vals); err != nil {
		return nil, err
	}
	st := &chainStatus{
		ChainID:        status.Result.NodeInfo.Network,
		Moniker:        status.Result.NodeInfo.Moniker,
		LatestHeight:   status.Result.SyncInfo.Height,
		LatestTime:     status.Result.SyncInfo.Time,
		CatchingUp:     status.Result.SyncInfo.CatchingUp,
		ValidatorCount: vals.Result.Total,
	}
	for _, v := range vals.Result.Validators {
		st.TotalPower += v.Power
	}
	return st, nil
}

func getJSON(url string, into any) error {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("cannot reach node: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, into); err != nil {
		return errors.New(url + ": response is not CometBFT RPC JSON: " + err.Error())
	}
	return nil
}
