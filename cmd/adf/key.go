package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/cmd/adf/internal/keystore"
	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

func keyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Short-lived signing keys: create and register, revoke, show, list",
		Long: `Short-lived keys are generated on this machine and kept in the adf key store
(~/.adf/keys, or --keys-dir / $ADF_KEYS_DIR): one 0600 file per key in a 0700
directory. Only the public key goes on chain, registered for a principal with a
validity window and scopes; the chain refuses the key after not_after, after
revocation (from the next block on), and whenever its principal or organisation
is not active.`,
	}
	cmd.AddCommand(keyNewCmd(), keyRevokeCmd(), keyShowCmd(), keyListCmd(), keyAuthorizeCmd())
	return cmd
}

// keyView is a key file without its private key.
type keyView struct {
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Algorithm string    `json:"algorithm"`
	PublicKey string    `json:"public_key"`
	Principal string    `json:"principal,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	ChainID   string    `json:"chain_id,omitempty"`
	File      string    `json:"file,omitempty"`
	TxHash    string    `json:"txhash,omitempty"`
	Height    int64     `json:"height,omitempty"`
}

func viewOf(e *keystore.Entry) keyView {
	return keyView{Name: e.Name, Address: e.Address, Algorithm: e.Algorithm, PublicKey: e.PublicKey,
		Principal: e.Principal, Scopes: e.Scopes, NotAfter: e.NotAfter, ChainID: e.ChainID}
}

func keyNewCmd() *cobra.Command {
	var (
		nf       netFlags
		sf       signFlags
		keysDir  string
		algo     string
		ttl      time.Duration
		backdate time.Duration
		prin     string
		scopes   []string
		name     string
	)
	cmd := &cobra.Command{
		Use:   "new --name NAME --principal ORG/NAME --ttl 1h [--scope S]... (--issuer KEY | --from ADMIN --home DIR)",
		Short: "Generate a short-lived key locally and register its public key on chain",
		Long: `Generates a key (composite ML-DSA-65+Ed25519 by default) on this machine, saves it
to the key store and registers its public key for a principal with MsgRegisterKey,
signed by an org admin (--from, adfd keyring) or an issuer key from the adf key
store (--issuer). The private key never leaves this machine.

The key is valid for exactly --ttl, from --backdate before now (so that block
times a little behind this clock do not find it "not yet valid").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			if err := keystore.ValidName(name); err != nil {
				return fmt.Errorf("--name: %w", err)
			}
			if prin == "" {
				return errors.New("--principal ORG/NAME is required: the principal the key acts for")
			}
			if _, _, err := identitytypes.SplitPrincipalID(prin); err != nil {
				return fmt.Errorf("--principal %q: %w", prin, err)
			}
			if ttl <= 0 {
				return fmt.Errorf("--ttl %s: must be positive", ttl)
			}
			if backdate < 0 || backdate >= ttl {
				return fmt.Errorf("--backdate %s: must be in [0, --ttl)", backdate)
			}
			alg, err := sigscheme.ParseAlgorithm(algo)
			if err != nil {
				return fmt.Errorf("--algo: %w", err)
			}
			if _, err := identitytypes.NormalizeKeyScopes(scopes); err != nil {
				return fmt.Errorf("--scope: %w", err)
			}
			store := openStore(keysDir)
			if _, err := store.Load(name); err == nil {
				return fmt.Errorf("%w: %s already holds a key named %q (choose another --name)", keystore.ErrExists, store.Dir, name)
			} else if !errors.Is(err, keystore.ErrNotFound) {
				return err
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, signerDesc, err := sf.signer(enc, store, "issuer", nil)
			if err != nil {
				return err
			}
			ctx := cmdContext(cmd)
			cl := nf.client()
			chainID := nf.chainID
			if chainID == "" {
				if chainID, err = cl.ChainID(ctx); err != nil {
					return err
				}
			}

			sk, err := sigscheme.GenerateKey(alg, nil)
			if err != nil {
				return err
			}
			addr, err := chain.KeyAddress(sk.Public())
			if err != nil {
				return err
			}
			notBefore := time.Now().UTC().Add(-backdate).Truncate(time.Second)
			notAfter := notBefore.Add(ttl)
			entry := &keystore.Entry{
				Name: name, Algorithm: string(alg), PrivateKey: sk.Bytes(), PublicKey: sigscheme.FormatPublicKey(sk.Public()),
				Address: addr.String(), Principal: prin, Scopes: scopes, NotAfter: notAfter, ChainID: chainID,
				Created: time.Now().UTC(),
			}
			// Save first: a key registered on chain is never without its
			// private key here. A failed registration removes the file.
			if err := store.Save(entry); err != nil {
				return err
			}
			msg := &identitytypes.MsgRegisterKey{
				Signer: signer.Address().String(), PrincipalId: prin, Algorithm: string(alg),
				PublicKey: sk.Public().Bytes(), NotBefore: notBefore, NotAfter: notAfter, Scopes: scopes,
			}
			opts := sf.sendOptions(&nf)
			opts.ChainID = chainID
			res, err := cl.Send(ctx, enc, signer, []sdk.Msg{msg}, opts)
			if err != nil {
				var de *chain.DeliverError
				var ce *chain.CheckTxError
				if errors.As(err, &de) || errors.As(err, &ce) || errors.Is(err, chain.ErrAccountNotFound) {
					_ = store.Delete(name)
				} else {
					fmt.Fprintf(stderr, "adf: the key file %s is kept: the registration's outcome is unknown; check with `adf key show %s`\n", name, name)
				}
				return txError(fmt.Sprintf("registering key %s for %s (signed by %s)", addr, prin, signerDesc), err)
			}
			v := viewOf(entry)
			v.NotBefore = notBefore
			v.TxHash, v.Height = res.Hash, res.Height
			if asJSON {
				return printJSON(cmd, v)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "name\t%s\naddress\t%s\nalgorithm\t%s\nprincipal\t%s\nscopes\t%s\nnot_before\t%s\nnot_after\t%s\ntx\t%s (block %d)\n",
				v.Name, v.Address, v.Algorithm, v.Principal, strings.Join(v.Scopes, ","),
				notBefore.Format(time.RFC3339), notAfter.Format(time.RFC3339), res.Hash, res.Height)
			return w.Flush()
		},
	}
	nf.register(cmd)
	sf.register(cmd, "issuer", "sign the registration with this issuer key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	cmd.Flags().StringVar(&algo, "algo", string(sigscheme.Composite), "key algorithm: composite (ML-DSA-65+Ed25519), ml_dsa_65 or ed25519")
	cmd.Flags().DurationVar(&ttl, "ttl", time.Hour, "validity of the key (the chain caps it: max_key_ttl, issuer_max_ttl for issuer-signed keys)")
	cmd.Flags().DurationVar(&backdate, "backdate", 5*time.Second, "start the validity window this long before now")
	cmd.Flags().StringVar(&prin, "principal", "", "principal the key acts for, ORG/NAME")
	cmd.Flags().StringArrayVar(&scopes, "scope", nil, "restrict the key to this scope pattern (repeatable), e.g. github.com/acme/app")
	cmd.Flags().StringVar(&name, "name", "", "name of the key in the key store")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("principal")
	_ = cmd.Flags().MarkHidden("backdate")
	return cmd
}

// resolveKey finds a key by name or address: the local entry (nil when the
// key is not in the store) and its address.
func resolveKey(store *keystore.Store, arg string) (*keystore.Entry, sdk.AccAddress, error) {
	e, err := store.Find(arg)
	if err == nil {
		addr, err := sdk.AccAddressFromBech32(e.Address)
		return e, addr, err
	}
	if !errors.Is(err, keystore.ErrNotFound) {
		return nil, nil, err
	}
	addr, aerr := sdk.AccAddressFromBech32(arg)
	if aerr != nil {
		return nil, nil, fmt.Errorf("%q is neither a key in %s nor an address: %w", arg, store.Dir, err)
	}
	return nil, addr, nil
}

func keyRevokeCmd() *cobra.Command {
	var (
		nf      netFlags
		sf      signFlags
		keysDir string
		reason  string
		del     bool
	)
	cmd := &cobra.Command{
		Use:   "revoke NAME|ADDRESS [--from ADMIN | --key NAME]",
		Short: "Revoke a key on chain; it is refused from the next block on",
		Long: `Revokes a key with MsgRevokeKey. Without --from or --key a key of the local
store revokes itself. An admin of the key's organisation (--from) or another
active key of the same principal (--key) may revoke it too.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			store := openStore(keysDir)
			entry, addr, err := resolveKey(store, args[0])
			if err != nil {
				return err
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, signerDesc, err := sf.signer(enc, store, "key", entry)
			if err != nil {
				return err
			}
			msg := &identitytypes.MsgRevokeKey{Signer: signer.Address().String(), Address: addr.String(), Reason: reason}
			res, err := nf.client().Send(cmdContext(cmd), enc, signer, []sdk.Msg{msg}, sf.sendOptions(&nf))
			if err != nil {
				return txError(fmt.Sprintf("revoking key %s (signed by %s)", addr, signerDesc), err)
			}
			deleted := false
			if del && entry != nil {
				if err := store.Delete(entry.Name); err != nil {
					return fmt.Errorf("key %s is revoked, but deleting its file failed: %w", addr, err)
				}
				deleted = true
			}
			if asJSON {
				return printJSON(cmd, map[string]any{"address": addr.String(), "revoked": true, "txhash": res.Hash, "height": res.Height, "file_deleted": deleted})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "key %s revoked in block %d (tx %s); refused from block %d on\n", addr, res.Height, res.Hash, res.Height+1)
			return nil
		},
	}
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store (default: the revoked key itself)")
	keysDirFlag(cmd, &keysDir)
	cmd.Flags().StringVar(&reason, "reason", "", "why the key is revoked (recorded on chain)")
	cmd.Flags().BoolVar(&del, "delete", false, "delete the local key file after revocation")
	return cmd
}

// chainKey is the part of a Key (REST JSON) the client prints.
type chainKey struct {
	Address          string   `json:"address"`
	PrincipalID      string   `json:"principal_id"`
	OrgID            string   `json:"org_id"`
	Algorithm        string   `json:"algorithm"`
	NotBefore        string   `json:"not_before"`
	NotAfter         string   `json:"not_after"`
	Scopes           []string `json:"scopes"`
	Status           string   `json:"status"`
	RegisteredHeight string   `json:"registered_height"`
	RegisteredBy     string   `json:"registered_by"`
	RevokedHeight    string   `json:"revoked_height"`
	RevokedBy        string   `json:"revoked_by"`
	RevocationReason string   `json:"revocation_reason"`
}

func keyShowCmd() *cobra.Command {
	var (
		nf      netFlags
		keysDir string
		local   bool
	)
	cmd := &cobra.Command{
		Use:   "show NAME|ADDRESS",
		Short: "Show a key: the local file (never the private key) and its state on chain",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			store := openStore(keysDir)
			entry, addr, err := resolveKey(store, args[0])
			if err != nil {
				return err
			}
			out := map[string]any{"address": addr.String()}
			if entry != nil {
				v := viewOf(entry)
				v.File = store.Dir + "/" + entry.Name + ".json"
				out["local"] = v
			}
			var key, validity json.RawMessage
			if !local {
				ctx := cmdContext(cmd)
				cl := nf.client()
				bz, err := cl.GetREST(ctx, "/adf/identity/v1/keys/"+addr.String(), nil)
				var re *chain.RESTError
				switch {
				case errors.As(err, &re) && re.NotFound():
					out["chain"] = nil
					out["chain_error"] = "not registered on chain"
				case err != nil:
					return fmt.Errorf("key %s on chain: %w", addr, err)
				default:
					var r struct {
						Key json.RawMessage `json:"key"`
					}
					if err := json.Unmarshal(bz, &r); err != nil {
						return fmt.Errorf("key %s: undecodable REST answer: %w", addr, err)
					}
					key = r.Key
					out["chain"] = key
					if vb, err := cl.GetREST(ctx, "/adf/identity/v1/keys/"+addr.String()+"/validity",
						url.Values{"time": {time.Now().UTC().Format(time.RFC3339)}}); err == nil {
						var vr struct {
							Valid  bool   `json:"valid"`
							Reason string `json:"reason"`
						}
						if json.Unmarshal(vb, &vr) == nil {
							validity, _ = json.Marshal(map[string]any{"valid": vr.Valid, "reason": vr.Reason})
							out["validity"] = json.RawMessage(validity)
						}
					}
				}
			}
			if asJSON {
				return printJSON(cmd, out)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "address\t%s\n", addr)
			if entry != nil {
				fmt.Fprintf(w, "local file\t%s/%s.json\nname\t%s\nalgorithm\t%s\nprincipal\t%s\nnot_after\t%s\n",
					store.Dir, entry.Name, entry.Name, entry.Algorithm, entry.Principal, entry.NotAfter.Format(time.RFC3339))
			} else {
				fmt.Fprintf(w, "local file\t(none in %s)\n", store.Dir)
			}
			switch {
			case local:
			case key == nil:
				fmt.Fprintf(w, "on chain\tnot registered\n")
			default:
				var k chainKey
				_ = json.Unmarshal(key, &k)
				fmt.Fprintf(w, "on chain\t%s\nprincipal\t%s (org %s)\nvalidity\t%s .. %s\nscopes\t%s\nregistered\tblock %s by %s\n",
					k.Status, k.PrincipalID, k.OrgID, k.NotBefore, k.NotAfter, strings.Join(k.Scopes, ","), k.RegisteredHeight, k.RegisteredBy)
				if k.RevokedHeight != "" && k.RevokedHeight != "0" {
					fmt.Fprintf(w, "revoked\tblock %s by %s: %s\n", k.RevokedHeight, k.RevokedBy, k.RevocationReason)
				}
				if validity != nil {
					var vr struct {
						Valid  bool   `json:"valid"`
						Reason string `json:"reason"`
					}
					_ = json.Unmarshal(validity, &vr)
					fmt.Fprintf(w, "valid now\t%v (%s)\n", vr.Valid, vr.Reason)
				}
			}
			return w.Flush()
		},
	}
	nf.register(cmd)
	keysDirFlag(cmd, &keysDir)
	cmd.Flags().BoolVar(&local, "local", false, "show only the local file; do not ask the chain")
	return cmd
}

func keyListCmd() *cobra.Command {
	var (
		nf      netFlags
		keysDir string
		prin    string
	)
	cmd := &cobra.Command{
		Use:   "list [--principal ORG/NAME]",
		Short: "List the keys of the local store, or (with --principal) a principal's keys on chain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			if prin != "" {
				bz, err := nf.client().GetREST(cmdContext(cmd), "/adf/identity/v1/keys", url.Values{"principal_id": {prin}, "pagination.limit": {"1000"}})
				if err != nil {
					return fmt.Errorf("keys of %s on chain: %w", prin, err)
				}
				var r struct {
					Keys []chainKey `json:"keys"`
				}
				if err := json.Unmarshal(bz, &r); err != nil {
					return fmt.Errorf("undecodable REST answer: %w", err)
				}
				if asJSON {
					var raw map[string]json.RawMessage
					_ = json.Unmarshal(bz, &raw)
					return printJSON(cmd, raw["keys"])
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
				fmt.Fprintln(w, "ADDRESS\tALGORITHM\tSTATUS\tNOT_AFTER\tSCOPES")
				for _, k := range r.Keys {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.Address, k.Algorithm, k.Status, k.NotAfter, strings.Join(k.Scopes, ","))
				}
				return w.Flush()
			}
			store := openStore(keysDir)
			entries, err := store.List()
			if err != nil {
				return err
			}
			for file, err := range store.ListErrors() {
				fmt.Fprintf(stderr, "adf: skipping %s: %v\n", file, err)
			}
			views := make([]keyView, 0, len(entries))
			for _, e := range entries {
				views = append(views, viewOf(e))
			}
			if asJSON {
				return printJSON(cmd, views)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tADDRESS\tALGORITHM\tPRINCIPAL\tNOT_AFTER")
			for _, v := range views {
				exp := v.NotAfter.Format(time.RFC3339)
				if !v.NotAfter.IsZero() && time.Now().After(v.NotAfter) {
					exp += " (expired)"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", v.Name, v.Address, v.Algorithm, v.Principal, exp)
			}
			return w.Flush()
		},
	}
	nf.register(cmd)
	keysDirFlag(cmd, &keysDir)
	cmd.Flags().StringVar(&prin, "principal", "", "list this principal's keys as the chain has them")
	return cmd
}

// errDenied makes adf exit with code 2: the question was answered "no".
type errDenied struct{ reason string }

func (e errDenied) Error() string { return "denied: " + e.reason }

func keyAuthorizeCmd() *cobra.Command {
	var (
		nf      netFlags
		keysDir string
		action  string
		scope   string
		subject string
	)
	cmd := &cobra.Command{
		Use:   "authorize NAME|ADDRESS --action ACTION --scope SCOPE [--subject S]",
		Short: "Ask the chain whether a key (or admin) may perform an action on a scope now",
		Long: `Runs the chain's Authorize query: the decision the chain would take for a
transaction of this signer in the current state. Exit status 0 when allowed,
2 when denied.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			_, addr, err := resolveKey(openStore(keysDir), args[0])
			if err != nil {
				return err
			}
			q := url.Values{"action": {action}, "scope": {scope}}
			if subject != "" {
				q.Set("subject", subject)
			}
			bz, err := nf.client().GetREST(cmdContext(cmd), "/adf/identity/v1/authorize/"+addr.String(), q)
			if err != nil {
				return fmt.Errorf("authorize %s %s on %s: %w", addr, action, scope, err)
			}
			var r struct {
				Decision struct {
					Allowed           bool   `json:"allowed"`
					Reason            string `json:"reason"`
					PrincipalID       string `json:"principal_id"`
					PolicyID          string `json:"policy_id"`
					ApprovalsRequired any    `json:"approvals_required"`
					ApprovalsHave     any    `json:"approvals_have"`
				} `json:"decision"`
			}
			if err := json.Unmarshal(bz, &r); err != nil {
				return fmt.Errorf("undecodable REST answer: %w", err)
			}
			d := r.Decision
			if asJSON {
				var raw map[string]json.RawMessage
				_ = json.Unmarshal(bz, &raw)
				if err := printJSON(cmd, raw["decision"]); err != nil {
					return err
				}
			} else {
				verdict := "DENIED"
				if d.Allowed {
					verdict = "ALLOWED"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s %s on %s: %s\n", verdict, addr, action, scope, d.Reason)
			}
			if !d.Allowed {
				return errDenied{reason: d.Reason}
			}
			return nil
		},
	}
	nf.register(cmd)
	keysDirFlag(cmd, &keysDir)
	cmd.Flags().StringVar(&action, "action", "", "action, e.g. anchor, approve, revoke-key")
	cmd.Flags().StringVar(&scope, "scope", "", "scope, e.g. github.com/acme/app")
	cmd.Flags().StringVar(&subject, "subject", "", "subject whose approvals to count, e.g. sha256:…")
	_ = cmd.MarkFlagRequired("action")
	_ = cmd.MarkFlagRequired("scope")
	return cmd
}
