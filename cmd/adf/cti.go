package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/ctifeed"
	ctitypes "github.com/adf-consortium/adf/x/cti/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// queryProto runs a gRPC query of the chain through ABCI.
func queryProto(ctx context.Context, cl *chain.Client, method string, req, resp gogoproto.Message) error {
	bz, err := gogoproto.Marshal(req)
	if err != nil {
		return err
	}
	val, err := cl.ABCIQuery(ctx, method, bz)
	if err != nil {
		return err
	}
	if err := gogoproto.Unmarshal(val, resp); err != nil {
		return fmt.Errorf("%s: undecodable answer: %w", method, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var qe *chain.ABCIQueryError
	return errors.As(err, &qe) && strings.Contains(qe.Log, "not found")
}

func ctiCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cti",
		Short: "Share threat intelligence: import feeds, sight, revoke, show and export indicators",
	}
	cmd.AddCommand(ctiImportCmd(), ctiSightCmd(), ctiRevokeCmd(), ctiShowCmd(), ctiExportCmd())
	return cmd
}

// importPlan is what an import will send, after comparing with the chain.
type importPlan struct {
	publish  []ctitypes.Indicator
	sight    []ctitypes.SightingInput
	revoke   []string
	same     int
	notFound []string // withdrawn/revoked ids the chain never had
	notes    []string
	foreign  []string // revocations of other organisations' indicators
}

// ImportSummary is printed by `adf cti import`.
type ImportSummary struct {
	Format     string            `json:"format"`
	Files      int               `json:"files"`
	Indicators int               `json:"indicators"`
	Published  uint32            `json:"published"`
	Updated    uint32            `json:"updated"`
	Unchanged  int               `json:"unchanged"`
	Sighted    int               `json:"sighted_as_true_positive"`
	Revoked    int               `json:"revoked"`
	Skipped    []ctifeed.Skipped `json:"skipped"`
	Txs        []string          `json:"txs"`
	Notes      []string          `json:"notes,omitempty"`
}

func ctiImportCmd() *cobra.Command {
	var (
		nf      netFlags
		sf      signFlags
		keysDir string
		format  string
		batch   int
		dryRun  bool
	)
	cmd := &cobra.Command{
		Use:   "import --format osv|stix|misp FILE|DIR... (--key NAME | --from ADMIN --home DIR)",
		Short: "Import OSV advisories, STIX 2.1 bundles or MISP events as indicators of your organisation",
		Long: `Parses every file (directories: every *.json below, in name order) with the
format's translator; a file that cannot be read stops the import before anything
is sent. Patterns or attributes the translator cannot express are listed with the
reason, never silently dropped.

Then it compares with the chain: indicators already on chain with the same
content are skipped, so an interrupted import is resumed by running it again
(idempotent); changed ones become new revisions; indicators another organisation
already published are recorded as your true-positive sightings instead; withdrawn
OSV advisories, revoked STIX objects and deleted MISP attributes revoke your
indicators. Each batch is one atomic transaction (--batch indicators).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			f := ctifeed.Format(format)
			switch f {
			case "osv", "stix", "misp":
			default:
				return fmt.Errorf("--format %q: want osv, stix or misp", format)
			}
			if batch < 1 {
				return fmt.Errorf("--batch %d: want at least 1", batch)
			}
			feed, err := ctifeed.ParseFiles(f, args)
			if err != nil {
				return err
			}
			ctx := cmdContext(cmd)
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			cl := nf.client()
			org, err := signerOrg(ctx, cl, signer.Address(), ctitypes.ActionPublishIndicator)
			if err != nil {
				return err
			}
			plan, err := planImport(ctx, cl, org, feed)
			if err != nil {
				return err
			}
			sum := ImportSummary{Format: format, Files: len(args), Indicators: len(feed.Indicators), Unchanged: plan.same, Skipped: feed.Skipped}
			if sum.Skipped == nil {
				sum.Skipped = []ctifeed.Skipped{}
			}
			for _, id := range plan.notFound {
				sum.Notes = append(sum.Notes, fmt.Sprintf("%s: withdrawn or revoked upstream, never published on chain: nothing to revoke", id))
			}
			sum.Notes = append(sum.Notes, plan.notes...)
			for _, id := range plan.foreign {
				sum.Notes = append(sum.Notes, fmt.Sprintf("%s: withdrawn upstream but published by another organisation: report a false-positive sighting or ask for a consortium revocation", id))
			}
			if !dryRun {
				opts := sf.sendOptions(&nf)
				send := func(what string, msgs ...sdk.Msg) (*chain.TxResult, error) {
					o := opts
					if !cmd.Flags().Changed("gas") {
						o.Gas = estimateGas(msgs)
					}
					res, err := cl.Send(ctx, enc, signer, msgs, o)
					if err != nil {
						return nil, txError(fmt.Sprintf("%s (signed by %s); batches before it are on chain, run the same import again to resume", what, desc), err)
					}
					sum.Txs = append(sum.Txs, res.Hash)
					return res, nil
				}
				for i := 0; i < len(plan.publish); i += batch {
					j := min(i+batch, len(plan.publish))
					msg := &ctitypes.MsgPublishIndicators{Signer: signer.Address().String(), Indicators: plan.publish[i:j]}
					res, err := send(fmt.Sprintf("publishing indicators %d-%d of %d", i+1, j, len(plan.publish)), msg)
					if err != nil {
						return err
					}
					pub, upd := countPublished(res)
					sum.Published += pub
					sum.Updated += upd
				}
				for i := 0; i < len(plan.sight); i += batch {
					j := min(i+batch, len(plan.sight))
					msg := &ctitypes.MsgSubmitSightings{Signer: signer.Address().String(), Sightings: plan.sight[i:j]}
					if _, err := send("recording sightings of indicators other organisations published", msg); err != nil {
						return err
					}
					sum.Sighted += j - i
				}
				for i := 0; i < len(plan.revoke); i += batch {
					j := min(i+batch, len(plan.revoke))
					msg := &ctitypes.MsgRevokeIndicators{Signer: signer.Address().String(), Ids: plan.revoke[i:j], Reason: "withdrawn upstream (" + format + " feed)"}
					if _, err := send("revoking withdrawn indicators", msg); err != nil {
						return err
					}
					sum.Revoked += j - i
				}
			}
			if sum.Txs == nil {
				sum.Txs = []string{}
			}
			if asJSON {
				return printJSON(cmd, sum)
			}
			w := cmd.OutOrStdout()
			verb := "sent"
			if dryRun {
				verb = "would send (dry run)"
			}
			fmt.Fprintf(w, "%s: %d indicators from %d files; %s %d to publish, %d sightings, %d revocations; %d unchanged\n",
				format, len(feed.Indicators), len(args), verb, len(plan.publish), len(plan.sight), len(plan.revoke), plan.same)
			if !dryRun {
				fmt.Fprintf(w, "on chain: %d published, %d updated, %d sighted, %d revoked in %d transactions\n", sum.Published, sum.Updated, sum.Sighted, sum.Revoked, len(sum.Txs))
			}
			for _, s := range feed.Skipped {
				fmt.Fprintf(w, "skipped %s %s: %s\n", s.Source, s.Ref, s.Reason)
			}
			for _, n := range sum.Notes {
				fmt.Fprintf(w, "note: %s\n", n)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "feed format: osv, stix or misp")
	cmd.Flags().IntVar(&batch, "batch", 100, "indicators per transaction (each transaction is atomic)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "parse and compare with the chain, send nothing")
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store (a cti-publisher principal)")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

// estimateGas bounds the gas of a CTI batch from its size: every stored
// byte costs gas (writes, history, indices), plus a fixed cost per item for
// reads and validation. Gas is metered, never paid: a generous bound costs
// nothing.
func estimateGas(msgs []sdk.Msg) uint64 {
	gas := uint64(300_000)
	for _, m := range msgs {
		if pm, ok := m.(gogoproto.Message); ok {
			gas += 120 * uint64(gogoproto.Size(pm))
		}
		switch m := m.(type) {
		case *ctitypes.MsgPublishIndicators:
			gas += 60_000 * uint64(len(m.Indicators))
		case *ctitypes.MsgSubmitSightings:
			gas += 60_000 * uint64(len(m.Sightings))
		case *ctitypes.MsgRevokeIndicators:
			gas += 60_000 * uint64(len(m.Ids))
		}
	}
	return gas
}

// countPublished counts the new and updated indicators of a publication
// from its events (one EventIndicatorPublished per new revision).
func countPublished(res *chain.TxResult) (published, updated uint32) {
	for _, e := range res.Events {
		if !strings.HasSuffix(e.Type, "EventIndicatorPublished") {
			continue
		}
		upd := false
		for _, a := range e.Attributes {
			if a.Key == "updated" && strings.Trim(a.Value, `"`) == "true" {
				upd = true
			}
		}
		if upd {
			updated++
		} else {
			published++
		}
	}
	return published, updated
}

// authorizeQuery asks x/identity whether signer may perform action on scope.
func authorizeQuery(ctx context.Context, cl *chain.Client, signer, action, scope string) (identitytypes.Decision, error) {
	var resp identitytypes.QueryAuthorizeResponse
	err := queryProto(ctx, cl, "/adf.identity.v1.Query/Authorize", &identitytypes.QueryAuthorizeRequest{Signer: signer, Action: action, Scope: scope}, &resp)
	return resp.Decision, err
}

// signerOrg asks the chain which organisation the signer acts for, and
// whether it may perform action at all, so an import fails before sending.
func signerOrg(ctx context.Context, cl *chain.Client, addr sdk.AccAddress, action string) (string, error) {
	dec, err := authorizeQuery(ctx, cl, addr.String(), action, "")
	if err != nil {
		return "", err
	}
	if !dec.Allowed {
		return "", fmt.Errorf("%s may not %s: %s", addr, action, dec.Reason)
	}
	if dec.OrgId == "" {
		return "", fmt.Errorf("%s may %s but acts for no organisation", addr, action)
	}
	return dec.OrgId, nil
}

func planImport(ctx context.Context, cl *chain.Client, org string, feed *ctifeed.Result) (*importPlan, error) {
	plan := &importPlan{}
	for i := range feed.Indicators {
		in := feed.Indicators[i]
		in.Publisher = org
		wire := ctitypes.IndicatorFromDomain(in)
		var resp ctitypes.QueryIndicatorResponse
		err := queryProto(ctx, cl, "/adf.cti.v1.Query/Indicator", &ctitypes.QueryIndicatorRequest{Id: in.ID}, &resp)
		switch {
		case isNotFound(err):
			plan.publish = append(plan.publish, wire)
		case err != nil:
			return nil, fmt.Errorf("looking up %s (%s): %w", in.ID, in.SourceID, err)
		case resp.Record.Indicator.Publisher != org:
			// Another organisation's: our feed confirms it, unless we
			// already gave a verdict (never overwrite a false positive)
			// or it is revoked.
			if resp.Record.Status != ctitypes.INDICATOR_STATUS_ACTIVE {
				plan.notes = append(plan.notes, fmt.Sprintf("%s (%s): published by %s and revoked; not sighted", in.ID, in.SourceID, resp.Record.Indicator.Publisher))
				continue
			}
			var sr ctitypes.QuerySightingsResponse
			if err := queryProto(ctx, cl, "/adf.cti.v1.Query/Sightings", &ctitypes.QuerySightingsRequest{Id: in.ID}, &sr); err != nil {
				return nil, fmt.Errorf("sightings of %s: %w", in.ID, err)
			}
			ours := false
			for _, s := range sr.Sightings {
				ours = ours || s.OrgId == org
			}
			if ours {
				plan.same++
				continue
			}
			plan.sight = append(plan.sight, ctitypes.SightingInput{IndicatorId: in.ID, Verdict: ctitypes.SIGHTING_VERDICT_TRUE_POSITIVE,
				Note: "also in our " + string(in.Kind) + " feed as " + in.SourceID})
		case resp.Record.Status == ctitypes.INDICATOR_STATUS_ACTIVE && sameIndicator(resp.Record.Indicator, wire):
			plan.same++
		default:
			plan.publish = append(plan.publish, wire)
		}
	}
	revoke := append([]string(nil), feed.Revoked...)
	sort.Strings(revoke)
	for _, id := range revoke {
		var resp ctitypes.QueryIndicatorResponse
		err := queryProto(ctx, cl, "/adf.cti.v1.Query/Indicator", &ctitypes.QueryIndicatorRequest{Id: id}, &resp)
		switch {
		case isNotFound(err):
			plan.notFound = append(plan.notFound, id)
		case err != nil:
			return nil, fmt.Errorf("looking up %s: %w", id, err)
		case resp.Record.Indicator.Publisher != org:
			plan.foreign = append(plan.foreign, id)
		case resp.Record.Status == ctitypes.INDICATOR_STATUS_ACTIVE:
			plan.revoke = append(plan.revoke, id)
		}
	}
	return plan, nil
}

func sameIndicator(a, b ctitypes.Indicator) bool {
	ab, err1 := gogoproto.Marshal(&a)
	bb, err2 := gogoproto.Marshal(&b)
	return err1 == nil && err2 == nil && string(ab) == string(bb)
}

func ctiSightCmd() *cobra.Command {
	var (
		nf      netFlags
		sf      signFlags
		keysDir string
		fp, tp  bool
		note    string
	)
	cmd := &cobra.Command{
		Use:   "sight ID... (--true-positive | --false-positive) (--key NAME | --from ADMIN --home DIR)",
		Short: "Record your organisation's sighting of other organisations' indicators",
		Long: `A false-positive sighting lowers the indicator's effective score and its publisher's
reputation; a true positive restores them. Your latest verdict per indicator counts.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fp == tp {
				return errors.New("give exactly one of --true-positive or --false-positive")
			}
			v := ctitypes.SIGHTING_VERDICT_TRUE_POSITIVE
			if fp {
				v = ctitypes.SIGHTING_VERDICT_FALSE_POSITIVE
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			msg := &ctitypes.MsgSubmitSightings{Signer: signer.Address().String()}
			for _, id := range args {
				msg.Sightings = append(msg.Sightings, ctitypes.SightingInput{IndicatorId: id, Verdict: v, Note: note})
			}
			return sendAndReport(cmd, &nf, &sf, enc, signer, desc, "sighting", msg)
		},
	}
	cmd.Flags().BoolVar(&tp, "true-positive", false, "the indicator was right")
	cmd.Flags().BoolVar(&fp, "false-positive", false, "the indicator was wrong")
	cmd.Flags().StringVar(&note, "note", "", "why (kept on chain)")
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

func ctiRevokeCmd() *cobra.Command {
	var (
		nf      netFlags
		sf      signFlags
		keysDir string
		reason  string
	)
	cmd := &cobra.Command{
		Use:   "revoke ID... --reason TEXT (--key NAME | --from ADMIN --home DIR)",
		Short: "Revoke indicators your organisation published; they stop matching from the next block",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reason == "" {
				return errors.New("--reason is required (it stays in the indicator's history)")
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			msg := &ctitypes.MsgRevokeIndicators{Signer: signer.Address().String(), Ids: args, Reason: reason}
			return sendAndReport(cmd, &nf, &sf, enc, signer, desc, "revocation", msg)
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the indicators are revoked")
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

func sendAndReport(cmd *cobra.Command, nf *netFlags, sf *signFlags, enc chain.Encoding, signer chain.Signer, desc, what string, msgs ...sdk.Msg) error {
	asJSON, err := nf.json()
	if err != nil {
		return err
	}
	opts := sf.sendOptions(nf)
	if !cmd.Flags().Changed("gas") {
		opts.Gas = estimateGas(msgs)
	}
	res, err := nf.client().Send(cmdContext(cmd), enc, signer, msgs, opts)
	if err != nil {
		return txError(fmt.Sprintf("%s signed by %s", what, desc), err)
	}
	if asJSON {
		return printJSON(cmd, res)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: tx %s included in block %d\n", what, res.Hash, res.Height)
	return nil
}

// IndicatorReport is printed by `adf cti show`.
type IndicatorReport struct {
	Record    ctitypes.IndicatorRecord `json:"record"`
	Score     ctitypes.Score           `json:"score"`
	History   []ctitypes.HistoryEntry  `json:"history"`
	Sightings []ctitypes.Sighting      `json:"sightings"`
}

func ctiShowCmd() *cobra.Command {
	var nf netFlags
	cmd := &cobra.Command{
		Use:   "show ID|SOURCE-ID",
		Short: "Show an indicator: content, effective score, every revision with its height, sightings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			id := args[0]
			if !cti.ValidIndicatorID(id) {
				id = cti.IDFor(id)
			}
			ctx := cmdContext(cmd)
			cl := nf.client()
			var r IndicatorReport
			var ir ctitypes.QueryIndicatorResponse
			if err := queryProto(ctx, cl, "/adf.cti.v1.Query/Indicator", &ctitypes.QueryIndicatorRequest{Id: id}, &ir); err != nil {
				if isNotFound(err) {
					return fmt.Errorf("no indicator %s (from %q) on chain", id, args[0])
				}
				return err
			}
			r.Record, r.Score = ir.Record, ir.Score
			var hr ctitypes.QueryHistoryResponse
			if err := queryProto(ctx, cl, "/adf.cti.v1.Query/History", &ctitypes.QueryHistoryRequest{Id: id}, &hr); err != nil {
				return err
			}
			r.History = hr.Entries
			var sr ctitypes.QuerySightingsResponse
			if err := queryProto(ctx, cl, "/adf.cti.v1.Query/Sightings", &ctitypes.QuerySightingsRequest{Id: id}, &sr); err != nil {
				return err
			}
			r.Sightings = sr.Sightings
			if asJSON {
				// Proto JSON: enum names, 64-bit integers as strings.
				enc, err := chain.MakeEncoding()
				if err != nil {
					return err
				}
				pj := func(m gogoproto.Message) json.RawMessage {
					bz, err := enc.Codec.MarshalJSON(m)
					if err != nil {
						return json.RawMessage("null")
					}
					return bz
				}
				hist := make([]json.RawMessage, 0, len(r.History))
				for i := range r.History {
					hist = append(hist, pj(&r.History[i]))
				}
				sights := make([]json.RawMessage, 0, len(r.Sightings))
				for i := range r.Sightings {
					sights = append(sights, pj(&r.Sightings[i]))
				}
				return printJSON(cmd, map[string]any{"record": pj(&r.Record), "score": pj(&r.Score), "history": hist, "sightings": sights})
			}
			w := cmd.OutOrStdout()
			in := r.Record.Indicator
			fmt.Fprintf(w, "%s  %s  (%s, published by %s)\n", in.Id, in.SourceId, in.Kind, in.Publisher)
			if in.Summary != "" {
				fmt.Fprintf(w, "  %s\n", in.Summary)
			}
			fmt.Fprintf(w, "  status %s, revision %d, confidence %d, severity %s, labels %v\n", r.Record.Status, r.Record.Revision, in.Confidence, in.Severity, in.Labels)
			fmt.Fprintf(w, "  effective score %s (confidence %s × decay %s × reputation %s × sightings %s)\n",
				bp(r.Score.Total), bp(r.Score.Confidence), bp(r.Score.Decay), bp(r.Score.Reputation), bp(r.Score.Sightings))
			for _, h := range r.History {
				fmt.Fprintf(w, "  r%d %s at height %d by %s %s\n", h.Revision, h.Action, h.Height, h.Actor, h.Reason)
			}
			for _, s := range r.Sightings {
				fmt.Fprintf(w, "  sighting by %s: %s at height %d %s\n", s.OrgId, s.Verdict.Short(), s.Height, s.Note)
			}
			return nil
		},
	}
	nf.register(cmd)
	return cmd
}

func bp(x uint32) string { return fmt.Sprintf("%d.%02d", x/100, x%100) }

// allIndicators pages through every indicator record at the latest height.
func allIndicators(ctx context.Context, cl *chain.Client) ([]ctitypes.IndicatorRecord, error) {
	var out []ctitypes.IndicatorRecord
	var key []byte
	for {
		var resp ctitypes.QueryIndicatorsResponse
		req := &ctitypes.QueryIndicatorsRequest{Pagination: &query.PageRequest{Key: key, Limit: 1000}}
		if err := queryProto(ctx, cl, "/adf.cti.v1.Query/Indicators", req, &resp); err != nil {
			return nil, err
		}
		out = append(out, resp.Records...)
		if resp.Pagination == nil || len(resp.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = resp.Pagination.NextKey
	}
}
