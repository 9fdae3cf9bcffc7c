package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/gate"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/manifest"
	ctitypes "github.com/adf-consortium/adf/x/cti/types"
)

// gateQueryChunk bounds the purls of one MatchPackages query; every chunk
// is answered at the height of the first, so the verdict is one state's.
const gateQueryChunk = 5000

// PredicateGateDecision is the predicate type of a recorded gate decision.
const PredicateGateDecision = "https://adf-consortium.github.io/adf/predicates/gate-decision/v1"

func usageErr(format string, args ...any) error {
	return exitError{code: gate.ExitUsage, err: fmt.Errorf(format, args...)}
}

func gateCmd() *cobra.Command {
	var (
		nf       netFlags
		format   string
		mformat  string
		snapshot string
		record   bool
		batcher  string
		key      string
		keysDir  string
		root     string
	)
	cmd := &cobra.Command{
		Use:   "gate MANIFEST... [--format text|json|sarif] [--snapshot FILE] [--record --batcher URL --key NAME]",
		Short: "Gate dependencies: lockfiles and SBOMs against the consortium's threat intelligence",
		Long: `Reads go.mod, go.sum, package-lock.json (v1-v3), yarn.lock, pnpm-lock.yaml,
requirements.txt, poetry.lock, Pipfile.lock, uv.lock, Cargo.lock, Gemfile.lock,
CycloneDX JSON and SPDX JSON (format from the name, else from the content; force
it with --manifest-format), turns every pinned dependency into a purl, and asks
the chain (x/cti MatchPackages, every purl at one height) or an exported
snapshot (--snapshot, no network) for the decision under the consortium's gate
policy.

Exit codes:
  0  pass, or warnings only
  1  block: at least one dependency is blocked
  2  hold: at least one dependency needs an approval (a time-boxed exception)
  3  usage or input error: a manifest could not be read, the registry could not
     be asked; the gate never passes what it could not check

--record anchors the decision (manifest digests, matched indicator ids, policy
version, height, decision) through a batcher as a DSSE-signed in-toto
statement, so it can later be proven why a build was blocked or allowed.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("give at least one manifest (lockfile or SBOM)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "sarif":
			default:
				return usageErr("--format %q: want text, json or sarif", format)
			}
			if record && (batcher == "" || key == "") {
				return usageErr("--record needs --batcher URL and --key NAME")
			}
			var ins []gate.Input
			for _, path := range args {
				raw, err := os.ReadFile(path)
				if err != nil {
					return usageErr("manifest %s: %v", path, err)
				}
				var m *manifest.Manifest
				if mformat != "" {
					m, err = manifest.ParseAs(manifest.Format(mformat), path, raw)
				} else {
					m, err = manifest.Parse(path, raw)
				}
				if err != nil {
					return usageErr("%v", err)
				}
				ins = append(ins, gate.Input{Manifest: m, Raw: raw})
			}
			ctx := cmdContext(cmd)
			purls := gate.PURLs(ins)
			var answers gate.Answers
			var err error
			if snapshot != "" {
				answers, err = answersFromSnapshot(snapshot, purls)
			} else {
				answers, err = answersFromChain(ctx, nf.client(), nf.chainID, purls)
			}
			if err != nil {
				return usageErr("%v", err)
			}
			report := gate.Build(ins, answers)
			w := cmd.OutOrStdout()
			switch format {
			case "json":
				err = gate.WriteJSON(w, report)
			case "sarif":
				err = gate.WriteSARIF(w, report, version, root)
			default:
				err = gate.WriteText(w, report)
			}
			if err != nil {
				return usageErr("writing the report: %v", err)
			}
			if record {
				receipt, err := recordDecision(ctx, &nf, keysDir, key, batcher, report)
				if err != nil {
					return usageErr("recording the decision: %v", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "adf gate: decision recorded: %s\n", receipt)
			}
			if report.ExitCode != gate.ExitPass {
				return exitError{code: report.ExitCode}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	cmd.Flags().StringVar(&format, "format", "text", "report format: text, json or sarif (SARIF 2.1.0 for code scanning)")
	cmd.Flags().StringVar(&mformat, "manifest-format", "", "force the manifest format (go.mod, go.sum, package-lock.json, yarn.lock, pnpm-lock.yaml, requirements.txt, poetry.lock, Cargo.lock, cyclonedx-json, spdx-json, …)")
	cmd.Flags().StringVar(&snapshot, "snapshot", "", "gate offline against an indicator snapshot (adf cti export)")
	cmd.Flags().BoolVar(&record, "record", false, "anchor the decision through a batcher (needs --batcher and --key)")
	cmd.Flags().StringVar(&batcher, "batcher", "", "batcher URL for --record")
	cmd.Flags().StringVar(&key, "key", "", "key of the adf key store that signs the recorded decision")
	cmd.Flags().StringVar(&root, "sarif-root", ".", "make SARIF artifact paths relative to this directory (the repository root)")
	nf.register(cmd)
	// --output of netFlags is unused here; --format selects the report.
	_ = cmd.Flags().MarkHidden("output")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

// answersFromChain asks MatchPackages in chunks the chain accepts
// (max_query_items), every chunk pinned to the height of the first answer,
// so the verdict is one state's.
func answersFromChain(ctx context.Context, cl *chain.Client, chainID string, purls []string) (gate.Answers, error) {
	a := gate.Answers{Source: "chain", ChainID: chainID, Results: map[string]gate.PackageResult{}}
	if a.ChainID == "" {
		id, err := cl.ChainID(ctx)
		if err != nil {
			return a, err
		}
		a.ChainID = id
	}
	var pol ctitypes.QueryPolicyResponse
	height, err := queryAt(ctx, cl, "/adf.cti.v1.Query/Policy", 0, &ctitypes.QueryPolicyRequest{}, &pol)
	if err != nil {
		return a, fmt.Errorf("asking the chain for the gate policy: %w", err)
	}
	a.Height, a.Time, a.PolicyVersion = height, pol.Time, pol.Version
	chunk := gateQueryChunk
	if n := int(pol.Params.MaxQueryItems); n > 0 && n < chunk {
		chunk = n
	}
	for i := 0; i < len(purls); i += chunk {
		part := purls[i:min(i+chunk, len(purls))]
		var resp ctitypes.QueryMatchPackagesResponse
		if _, err := queryAt(ctx, cl, "/adf.cti.v1.Query/MatchPackages", height, &ctitypes.QueryMatchPackagesRequest{Purls: part}, &resp); err != nil {
			return a, fmt.Errorf("asking the chain (MatchPackages, %d purls at height %d): %w", len(part), height, err)
		}
		for _, r := range resp.Results {
			a.Results[r.Purl] = packageResultOf(r)
		}
	}
	return a, nil
}

func packageResultOf(r ctitypes.PackageResult) gate.PackageResult {
	out := gate.PackageResult{PURL: r.Purl, Decision: r.Decision, Error: r.Error}
	for _, m := range r.Matches {
		out.Matches = append(out.Matches, gate.Match{
			IndicatorID: m.IndicatorId, SourceID: m.SourceId, Publisher: m.Publisher, Summary: m.Summary,
			Labels: m.Labels, References: m.References, Score: m.Score.Total, Decision: m.Decision, Why: m.Why, ExceptionID: m.ExceptionId,
		})
	}
	return out
}

// GateDecisionPredicate is the predicate `adf gate --record` anchors.
type GateDecisionPredicate struct {
	Decision      string         `json:"decision"`
	PolicyVersion uint64         `json:"policyVersion"`
	ChainID       string         `json:"chainId"`
	Height        int64          `json:"height"`
	Time          int64          `json:"time"`
	Source        string         `json:"source"`
	IndicatorIDs  []string       `json:"indicatorIds"`
	Counts        map[string]int `json:"counts"`
	Findings      []gateFinding  `json:"findings"`
}

type gateFinding struct {
	PURL         string   `json:"purl"`
	Decision     string   `json:"decision"`
	IndicatorIDs []string `json:"indicatorIds,omitempty"`
}

// recordDecision signs the decision as an in-toto statement whose subjects
// are the manifests, and submits it to the batcher.
func recordDecision(ctx context.Context, nf *netFlags, keysDir, keyName, batcher string, r gate.Report) (string, error) {
	entry, err := openStore(keysDir).Find(keyName)
	if err != nil {
		return "", fmt.Errorf("--key: %w", err)
	}
	sk, err := entry.Key()
	if err != nil {
		return "", err
	}
	addr, err := chain.KeyAddress(sk.Public())
	if err != nil {
		return "", err
	}
	pred := GateDecisionPredicate{
		Decision: r.Decision, PolicyVersion: r.PolicyVersion, ChainID: r.ChainID, Height: r.Height, Time: r.Time,
		Source: r.Source, IndicatorIDs: r.IndicatorIDs, Counts: r.Counts,
	}
	if pred.IndicatorIDs == nil {
		pred.IndicatorIDs = []string{}
	}
	for _, f := range r.Findings {
		gf := gateFinding{PURL: f.PURL, Decision: f.Decision}
		for _, m := range f.Matches {
			gf.IndicatorIDs = append(gf.IndicatorIDs, m.IndicatorID)
		}
		pred.Findings = append(pred.Findings, gf)
	}
	st := &intoto.Statement{Type: intoto.StatementTypeV1, PredicateType: PredicateGateDecision, Predicate: mustJSON(pred)}
	for _, m := range r.Manifests {
		st.Subject = append(st.Subject, intoto.ResourceDescriptor{Name: filepath.Base(m.Path), Digest: map[string]string{"sha256": m.SHA256}})
	}
	payload, err := st.Marshal()
	if err != nil {
		return "", err
	}
	chainID := r.ChainID
	if chainID == "" {
		if chainID, err = nf.client().ChainID(ctx); err != nil {
			return "", err
		}
	}
	env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	if err := dsse.Sign(env, addr.String(), sk, chainID); err != nil {
		return "", err
	}
	envBytes, err := env.Marshal()
	if err != nil {
		return "", err
	}
	receipt, err := postToBatcher(ctx, batcher, envBytes)
	if err != nil {
		return "", err
	}
	return string(receipt), nil
}

// answersFromSnapshot evaluates offline against an exported snapshot, with
// the snapshot's time, params and policy: the verdict the chain gave at the
// snapshot's height.
func answersFromSnapshot(path string, purls []string) (gate.Answers, error) {
	f, err := os.Open(path)
	if err != nil {
		return gate.Answers{}, fmt.Errorf("--snapshot: %w", err)
	}
	defer f.Close()
	return evaluateSnapshot(f, purls)
}
