package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

func principalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "principal",
		Short: "Principals: the CI runners, build agents, devices and people an organisation's keys act for",
	}
	cmd.AddCommand(principalRegisterCmd(), principalShowCmd(), principalListCmd())
	return cmd
}

// parseKind accepts "ci-runner", "ci_runner", "CI_RUNNER" or
// "PRINCIPAL_KIND_CI_RUNNER".
func parseKind(s string) (identitytypes.PrincipalKind, error) {
	n := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	if !strings.HasPrefix(n, "PRINCIPAL_KIND_") {
		n = "PRINCIPAL_KIND_" + n
	}
	v, ok := identitytypes.PrincipalKind_value[n]
	if !ok || v == 0 {
		var names []string
		for name, v := range identitytypes.PrincipalKind_value {
			if v != 0 {
				names = append(names, strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(name, "PRINCIPAL_KIND_")), "_", "-"))
			}
		}
		sort.Strings(names)
		return 0, fmt.Errorf("kind %q: want one of %s", s, strings.Join(names, ", "))
	}
	return identitytypes.PrincipalKind(v), nil
}

// parseAttrs turns key=value flags into attributes.
func parseAttrs(kvs []string) ([]identitytypes.Attribute, error) {
	out := make([]identitytypes.Attribute, 0, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--attr %q: want key=value", kv)
		}
		out = append(out, identitytypes.Attribute{Key: k, Value: v})
	}
	return out, nil
}

func principalRegisterCmd() *cobra.Command {
	var (
		nf      netFlags
		sf      signFlags
		keysDir string
		id      string
		kind    string
		roles   []string
		attrs   []string
	)
	cmd := &cobra.Command{
		Use:   "register --id ORG/NAME --kind KIND [--role R]... [--attr k=v]... --from ADMIN --home DIR",
		Short: "Register a principal of the signer's organisation (org admins)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			k, err := parseKind(kind)
			if err != nil {
				return fmt.Errorf("--kind: %w", err)
			}
			as, err := parseAttrs(attrs)
			if err != nil {
				return err
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			msg := &identitytypes.MsgRegisterPrincipal{Admin: signer.Address().String(), Id: id, Kind: k, Roles: roles, Attributes: as}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			res, err := nf.client().Send(cmdContext(cmd), enc, signer, []sdk.Msg{msg}, sf.sendOptions(&nf))
			if err != nil {
				return txError(fmt.Sprintf("registering principal %s (signed by %s)", id, desc), err)
			}
			if asJSON {
				return printJSON(cmd, map[string]any{"id": id, "txhash": res.Hash, "height": res.Height})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "principal %s registered in block %d (tx %s)\n", id, res.Height, res.Hash)
			return nil
		},
	}
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	cmd.Flags().StringVar(&id, "id", "", "principal id ORG/NAME; ORG must be the admin's organisation")
	cmd.Flags().StringVar(&kind, "kind", "", "ci-runner, build-agent, operator, device, detector, cti-publisher, auditor or batcher")
	cmd.Flags().StringArrayVar(&roles, "role", nil, "role (repeatable), e.g. ci, issuer")
	cmd.Flags().StringArrayVar(&attrs, "attr", nil, "attribute key=value (repeatable), e.g. repository=acme/app")
	_ = cmd.MarkFlagRequired("id")
	_ = cmd.MarkFlagRequired("kind")
	return cmd
}

// chainPrincipal is the part of a Principal (REST JSON) the client prints.
type chainPrincipal struct {
	ID         string   `json:"id"`
	OrgID      string   `json:"org_id"`
	Kind       string   `json:"kind"`
	Roles      []string `json:"roles"`
	Status     string   `json:"status"`
	Attributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"attributes"`
}

func (p chainPrincipal) attrs() string {
	var parts []string
	for _, a := range p.Attributes {
		parts = append(parts, a.Key+"="+a.Value)
	}
	return strings.Join(parts, ",")
}

func principalShowCmd() *cobra.Command {
	var nf netFlags
	cmd := &cobra.Command{
		Use:   "show ORG/NAME",
		Short: "Show a principal as the chain has it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			org, name, err := identitytypes.SplitPrincipalID(args[0])
			if err != nil {
				return fmt.Errorf("principal id %q: %w", args[0], err)
			}
			bz, err := nf.client().GetREST(cmdContext(cmd), "/adf/identity/v1/principals/"+url.PathEscape(org)+"/"+url.PathEscape(name), nil)
			var re *chain.RESTError
			if errors.As(err, &re) && re.NotFound() {
				return fmt.Errorf("principal %s is not registered", args[0])
			}
			if err != nil {
				return err
			}
			var r struct {
				Principal json.RawMessage `json:"principal"`
			}
			if err := json.Unmarshal(bz, &r); err != nil {
				return fmt.Errorf("undecodable REST answer: %w", err)
			}
			if asJSON {
				return printJSON(cmd, r.Principal)
			}
			var p chainPrincipal
			_ = json.Unmarshal(r.Principal, &p)
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "id\t%s\norg\t%s\nkind\t%s\nstatus\t%s\nroles\t%s\nattributes\t%s\n", p.ID, p.OrgID, p.Kind, p.Status, strings.Join(p.Roles, ","), p.attrs())
			return w.Flush()
		},
	}
	nf.register(cmd)
	return cmd
}

func principalListCmd() *cobra.Command {
	var (
		nf  netFlags
		org string
	)
	cmd := &cobra.Command{
		Use:   "list [--org ORG]",
		Short: "List principals, optionally of one organisation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			q := url.Values{"pagination.limit": {"1000"}}
			if org != "" {
				q.Set("org_id", org)
			}
			bz, err := nf.client().GetREST(cmdContext(cmd), "/adf/identity/v1/principals", q)
			if err != nil {
				return err
			}
			var r struct {
				Principals []json.RawMessage `json:"principals"`
			}
			if err := json.Unmarshal(bz, &r); err != nil {
				return fmt.Errorf("undecodable REST answer: %w", err)
			}
			if asJSON {
				if r.Principals == nil {
					r.Principals = []json.RawMessage{}
				}
				return printJSON(cmd, r.Principals)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tKIND\tSTATUS\tROLES\tATTRIBUTES")
			for _, raw := range r.Principals {
				var p chainPrincipal
				_ = json.Unmarshal(raw, &p)
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Kind, p.Status, strings.Join(p.Roles, ","), p.attrs())
			}
			return w.Flush()
		},
	}
	nf.register(cmd)
	cmd.Flags().StringVar(&org, "org", "", "only principals of this organisation")
	return cmd
}
