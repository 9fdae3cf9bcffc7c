// Package cli holds the consortium commands AutoCLI cannot generate.
package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// ProposalFile is the JSON a proposer writes: the messages to run with the
// consortium authority, in order, plus a title and summary for the voters.
type ProposalFile struct {
	Title    string            `json:"title"`
	Summary  string            `json:"summary"`
	Messages []json.RawMessage `json:"messages"`
}

// NewTxCmd is the `adfd tx consortium` root; AutoCLI adds vote and
// update-org-admins to it.
func NewTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Consortium transactions: proposals, votes, org admins",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(NewSubmitProposalCmd())
	return cmd
}

// NewSubmitProposalCmd reads a proposal file and submits it. The messages are
// decoded with the app's interface registry, which knows every message type
// the chain can execute; AutoCLI's generic JSON flags resolve only types in
// the global protobuf registry and so cannot take ADF messages.
func NewSubmitProposalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit-proposal [proposal.json]",
		Short: "Submit a proposal whose messages run with the consortium authority once approved",
		Long: `Submit a proposal from a JSON file:

  {
    "title": "Add a validator for acme",
    "summary": "acme-val-2 replaces acme-val during hardware migration",
    "messages": [
      {"@type": "/adf.consortium.v1.MsgAddValidator", "authority": "<authority>", "name": "acme-val-2",
       "org_id": "acme", "pub_key": <output of adfd comet show-validator>, "power": "10"}
    ]
  }

Every message must be signed by the consortium authority (the module address of "consortium").
Messages run in order and atomically when the YES votes of active organisations reach the threshold.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			msg, err := ParseProposalFile(clientCtx.Codec, raw, clientCtx.GetFromAddress().String())
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// ParseProposalFile turns a proposal file into a MsgSubmitProposal from
// proposer, rejecting unknown fields and messages that do not decode, and
// running the message's own stateless checks.
func ParseProposalFile(cdc codec.Codec, raw []byte, proposer string) (*types.MsgSubmitProposal, error) {
	var pf ProposalFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pf); err != nil {
		return nil, err
	}
	if len(pf.Messages) == 0 {
		return nil, errors.New("messages is empty: a proposal must carry at least one message")
	}
	msgs := make([]sdk.Msg, 0, len(pf.Messages))
	for i, m := range pf.Messages {
		var msg sdk.Msg
		if err := cdc.UnmarshalInterfaceJSON(m, &msg); err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", i, err)
		}
		msgs = append(msgs, msg)
	}
	out, err := types.NewMsgSubmitProposal(proposer, msgs, pf.Title, pf.Summary)
	if err != nil {
		return nil, err
	}
	if err := out.ValidateBasic(); err != nil {
		return nil, err
	}
	return out, nil
}
