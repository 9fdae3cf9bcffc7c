package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
)

// decodeMsgs reads messages from JSON: one object with "@type", or an array
// of them, in the chain's proto JSON.
func decodeMsgs(enc chain.Encoding, bz []byte) ([]sdk.Msg, error) {
	trimmed := strings.TrimSpace(string(bz))
	var raws []json.RawMessage
	if strings.HasPrefix(trimmed, "[") {
		if err := json.Unmarshal(bz, &raws); err != nil {
			return nil, err
		}
	} else {
		raws = []json.RawMessage{json.RawMessage(trimmed)}
	}
	out := make([]sdk.Msg, 0, len(raws))
	for i, raw := range raws {
		var msg sdk.Msg
		if err := enc.Codec.UnmarshalInterfaceJSON(raw, &msg); err != nil {
			return nil, fmt.Errorf("message %d: %w (each message is proto JSON with an \"@type\" this chain knows)", i, err)
		}
		out = append(out, msg)
	}
	return out, nil
}

func txCmd() *cobra.Command {
	var (
		nf      netFlags
		sf      signFlags
		keysDir string
	)
	cmd := &cobra.Command{
		Use:   "tx FILE.json... (--key NAME | --from ADMIN --home DIR)",
		Short: "Sign and broadcast messages (proto JSON with @type) with a stored key or a keyring key",
		Long: `Reads messages from each file ("-" for stdin): one JSON object with "@type", or an
array of them, e.g. {"@type":"/adf.identity.v1.MsgApprove","signer":"adf1…",…}.
All messages go into one transaction, signed by --key (adf key store) or --from
(adfd keyring), broadcast, and waited for.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			var msgs []sdk.Msg
			for _, a := range args {
				var bz []byte
				if a == "-" {
					bz, err = readAllStdin()
				} else {
					bz, err = os.ReadFile(a)
				}
				if err != nil {
					return err
				}
				m, err := decodeMsgs(enc, bz)
				if err != nil {
					return fmt.Errorf("%s: %w", a, err)
				}
				msgs = append(msgs, m...)
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			res, err := nf.client().Send(cmdContext(cmd), enc, signer, msgs, sf.sendOptions(&nf))
			if err != nil {
				var de *chain.DeliverError
				if asJSON && errors.As(err, &de) {
					_ = printJSON(cmd, de.Result)
				}
				return txError(fmt.Sprintf("transaction signed by %s", desc), err)
			}
			if asJSON {
				return printJSON(cmd, res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "tx %s included in block %d (code 0, gas %d/%d)\n", res.Hash, res.Height, res.GasUsed, res.GasWanted)
			return nil
		},
	}
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

func readAllStdin() ([]byte, error) { return io.ReadAll(os.Stdin) }
