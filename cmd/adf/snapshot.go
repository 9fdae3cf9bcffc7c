package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/gate"
	ctitypes "github.com/adf-consortium/adf/x/cti/types"
)

// queryAt runs a query pinned to height (0: latest) and returns the height
// the node answered at.
func queryAt(ctx context.Context, cl *chain.Client, method string, height int64, req, resp gogoproto.Message) (int64, error) {
	bz, err := gogoproto.Marshal(req)
	if err != nil {
		return 0, err
	}
	val, h, err := cl.ABCIQueryAt(ctx, method, bz, height)
	if err != nil {
		return 0, err
	}
	if err := gogoproto.Unmarshal(val, resp); err != nil {
		return 0, fmt.Errorf("%s: undecodable answer: %w", method, err)
	}
	return h, nil
}

func ctiExportCmd() *cobra.Command {
	var (
		nf  netFlags
		out string
	)
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Export the active indicators and the gate policy at one height, for adf gate --snapshot (air-gapped CI)",
		Long: `Writes a gzip'd JSON-lines snapshot: a header (chain id, height, app hash of that
height, policy version, export time, and the state offline scoring needs: block
time, score params, gate policy with exceptions, sighting counters, publisher
reputations), then one active indicator per line. Every query is pinned to one
height, so the snapshot is one state of the chain. adf gate --snapshot FILE then
reaches the verdict the chain gave at that height, with no network.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out FILE is required")
			}
			ctx := cmdContext(cmd)
			cl := nf.client()
			chainID := nf.chainID
			if chainID == "" {
				var err error
				if chainID, err = cl.ChainID(ctx); err != nil {
					return err
				}
			}
			var pol ctitypes.QueryPolicyResponse
			height, err := queryAt(ctx, cl, "/adf.cti.v1.Query/Policy", 0, &ctitypes.QueryPolicyRequest{}, &pol)
			if err != nil {
				return fmt.Errorf("reading the gate policy: %w", err)
			}
			gp, err := pol.Params.GatePolicy(pol.Version, pol.Exceptions)
			if err != nil {
				return err
			}
			st := gate.SnapshotState{Time: pol.Time, Params: pol.Params.ScoreParams(), Policy: gp,
				Sightings: map[string]cti.Sightings{}, Reputations: map[string]cti.Reputation{}}
			var inds []*cti.Indicator
			var key []byte
			for {
				var resp ctitypes.QueryIndicatorsResponse
				req := &ctitypes.QueryIndicatorsRequest{Pagination: &query.PageRequest{Key: key, Limit: 1000}}
				if _, err := queryAt(ctx, cl, "/adf.cti.v1.Query/Indicators", height, req, &resp); err != nil {
					return fmt.Errorf("reading indicators at height %d: %w", height, err)
				}
				for _, rec := range resp.Records {
					if rec.Status != ctitypes.INDICATOR_STATUS_ACTIVE {
						continue
					}
					d := rec.Indicator.ToDomain()
					d.ValidFrom = max(d.ValidFrom, rec.PublishedAt)
					if d.ValidUntil != 0 && d.ValidUntil <= d.ValidFrom {
						continue // expired before it was published: never matches
					}
					inds = append(inds, &d)
					if rec.TruePositives+rec.FalsePositives > 0 {
						st.Sightings[d.ID] = cti.Sightings{TruePositive: rec.TruePositives, FalsePositive: rec.FalsePositives}
					}
					if _, ok := st.Reputations[d.Publisher]; !ok {
						var rr ctitypes.QueryReputationResponse
						if _, err := queryAt(ctx, cl, "/adf.cti.v1.Query/Reputation", height, &ctitypes.QueryReputationRequest{OrgId: d.Publisher}, &rr); err != nil {
							return fmt.Errorf("reputation of %s: %w", d.Publisher, err)
						}
						st.Reputations[d.Publisher] = rr.Reputation.ToDomain()
					}
				}
				if resp.Pagination == nil || len(resp.Pagination.NextKey) == 0 {
					break
				}
				key = resp.Pagination.NextKey
			}
			appHash, err := cl.AppHashAfter(ctx, height, 10*time.Second)
			if err != nil {
				return err
			}
			stateJSON, err := json.Marshal(st)
			if err != nil {
				return err
			}
			h := cti.SnapshotHeader{ChainID: chainID, Height: height, AppHash: appHash, PolicyVersion: pol.Version,
				ExportedAt: time.Now().Unix(), Count: int64(len(inds)), Policy: stateJSON}
			tmp := out + ".tmp"
			f, err := os.Create(tmp)
			if err != nil {
				return err
			}
			err = cti.WriteSnapshot(f, h, func(yield func(*cti.Indicator) bool) {
				for _, in := range inds {
					if !yield(in) {
						return
					}
				}
			})
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp, out)
			}
			if err != nil {
				os.Remove(tmp)
				return fmt.Errorf("writing %s: %w", out, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exported %d active indicators of %s at height %d (app hash %s, policy v%d) to %s\n", len(inds), chainID, height, appHash, pol.Version, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "snapshot file to write")
	nf.register(cmd)
	return cmd
}

// evaluateSnapshot answers purls from a snapshot with the chain's rules.
func evaluateSnapshot(r io.Reader, purls []string) (gate.Answers, error) {
	h, idx, err := cti.ReadSnapshot(r)
	if err != nil {
		return gate.Answers{}, err
	}
	return gate.AnswersFromSnapshot(h, idx, purls)
}
