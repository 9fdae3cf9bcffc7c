package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/adf-consortium/adf/cmd/adf/internal/keystore"
	"github.com/adf-consortium/adf/internal/chain"
)

// netFlags are the endpoints every chain command takes.
type netFlags struct {
	node    string
	api     string
	chainID string
	output  string
}

func (f *netFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.node, "node", "http://127.0.0.1:26657", "CometBFT RPC address of an ADF node")
	cmd.Flags().StringVar(&f.api, "api", "http://127.0.0.1:1317", "REST (API server) address of an ADF node")
	cmd.Flags().StringVar(&f.chainID, "chain-id", "", "chain id (default: the node's, from /status)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
}

func (f *netFlags) client() *chain.Client { return chain.NewClient(f.node, f.api) }

func (f *netFlags) json() (bool, error) {
	switch f.output {
	case "text", "":
		return false, nil
	case "json":
		return true, nil
	}
	return false, fmt.Errorf("--output %q: want text or json", f.output)
}

// signFlags select who signs a transaction: a keyring key (org admin) or a
// key of the adf key store.
type signFlags struct {
	from    string
	home    string
	backend string
	key     string
	gas     uint64
	wait    time.Duration
}

// register adds the flags; keyFlag is the name of the key-store flag
// (--key, or --issuer for key registration).
func (f *signFlags) register(cmd *cobra.Command, keyFlag, keyUsage string) {
	cmd.Flags().StringVar(&f.from, "from", "", "sign with this key of the adfd keyring (an org admin): name or address")
	cmd.Flags().StringVar(&f.home, "home", "", "adfd home directory holding the keyring (with --from)")
	cmd.Flags().StringVar(&f.backend, "keyring-backend", "test", "keyring backend (with --from): test, file or os")
	cmd.Flags().StringVar(&f.key, keyFlag, "", keyUsage)
	cmd.Flags().Uint64Var(&f.gas, "gas", chain.DefaultGas, "gas limit (gas is metered, never paid: ADF has no fees)")
	cmd.Flags().DurationVar(&f.wait, "wait", 30*time.Second, "how long to wait for the transaction to be in a block")
}

// signer resolves the flags to a chain.Signer. keyFlag names the key-store
// flag in messages. fallback, when not nil, is used when neither flag is set.
func (f *signFlags) signer(enc chain.Encoding, store *keystore.Store, keyFlag string, fallback *keystore.Entry) (chain.Signer, string, error) {
	switch {
	case f.from != "" && f.key != "":
		return nil, "", fmt.Errorf("give either --from (keyring) or --%s (adf key store), not both", keyFlag)
	case f.from != "":
		s, err := chain.NewKeyringSigner(enc, f.home, f.backend, f.from)
		if err != nil {
			return nil, "", err
		}
		return s, "keyring key " + f.from, nil
	case f.key != "":
		e, err := store.Find(f.key)
		if err != nil {
			return nil, "", fmt.Errorf("--%s: %w", keyFlag, err)
		}
		s, err := entrySigner(e)
		return s, "key " + e.Name, err
	case fallback != nil:
		s, err := entrySigner(fallback)
		return s, "key " + fallback.Name, err
	}
	return nil, "", fmt.Errorf("who signs? give --from <adfd keyring key> --home <adfd home>, or --%s <adf key name>", keyFlag)
}

func entrySigner(e *keystore.Entry) (chain.Signer, error) {
	sk, err := e.Key()
	if err != nil {
		return nil, err
	}
	if !e.NotAfter.IsZero() && time.Now().After(e.NotAfter) {
		// Say so, but let the chain have the final word (clocks differ).
		fmt.Fprintf(stderr, "adf: warning: key %s expired at %s (local clock)\n", e.Name, e.NotAfter.Format(time.RFC3339))
	}
	return chain.NewSchemeSigner(sk)
}

// stderr receives warnings; tests may replace it.
var stderr io.Writer = os.Stderr

func (f *signFlags) sendOptions(n *netFlags) chain.SendOptions {
	return chain.SendOptions{ChainID: n.chainID, Gas: f.gas, Wait: f.wait}
}

// txError turns a send error into one line a CI log makes sense of.
func txError(what string, err error) error {
	var ce *chain.CheckTxError
	var de *chain.DeliverError
	switch {
	case errors.As(err, &ce):
		return fmt.Errorf("%s: the node refused the transaction (code %d, %s): %s", what, ce.Code, ce.Codespace, ce.Log)
	case errors.As(err, &de):
		return fmt.Errorf("%s: transaction %s failed in block %d (code %d, %s): %s", what, de.Result.Hash, de.Result.Height, de.Result.Code, de.Result.Codespace, de.Result.Log)
	case errors.Is(err, chain.ErrUnreachable):
		return fmt.Errorf("%s: cannot reach the node: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func printJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// keysDirFlag adds --keys-dir.
func keysDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "keys-dir", "", "directory of adf's key files (default ~/.adf/keys; env ADF_KEYS_DIR)")
}

// openStore opens the key store: --keys-dir, else $ADF_KEYS_DIR, else ~/.adf/keys.
func openStore(dir string) *keystore.Store {
	if dir == "" {
		dir = os.Getenv("ADF_KEYS_DIR")
	}
	return keystore.New(dir)
}

// workerSigner is what a long-running worker (batcher, sentinel) signs its
// chain transactions with.
type workerSigner struct {
	enc     chain.Encoding
	signer  chain.Signer
	cl      *chain.Client
	chainID string
}

// openWorkerSigner loads the worker's key from the key store and connects
// to the chain, asking the node for its chain id unless --chain-id gave it.
func openWorkerSigner(ctx context.Context, nf *netFlags, keysDir, keyName string) (workerSigner, error) {
	enc, err := chain.MakeEncoding()
	if err != nil {
		return workerSigner{}, err
	}
	entry, err := openStore(keysDir).Find(keyName)
	if err != nil {
		return workerSigner{}, fmt.Errorf("--key: %w", err)
	}
	signer, err := entrySigner(entry)
	if err != nil {
		return workerSigner{}, err
	}
	w := workerSigner{enc: enc, signer: signer, cl: nf.client(), chainID: nf.chainID}
	if w.chainID == "" {
		if w.chainID, err = w.cl.ChainID(ctx); err != nil {
			return workerSigner{}, err
		}
	}
	return w, nil
}
