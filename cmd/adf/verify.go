package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/adf-consortium/adf/cmd/adf/internal/verify"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
)

// errVerify is a verification failure (exit status 1).
type errVerify struct{ msg string }

func (e errVerify) Error() string { return "verification failed: " + e.msg }

// normalizeSubject accepts sha256:HEX or HEX and returns lowercase HEX.
func normalizeSubject(s string) (string, error) {
	h := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "sha256:"))
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return "", fmt.Errorf("--subject %q: want sha256:HEX (64 hex digits)", s)
	}
	return h, nil
}

func verifyCmd() *cobra.Command {
	var (
		nf         netFlags
		subject    string
		exportPath string
		bundlePath string
		trustedArg string
		batcher    string
		requireKP  bool
	)
	cmd := &cobra.Command{
		Use:   "verify (--subject sha256:HEX [--export-bundle FILE] | --bundle FILE --trusted-validators FILE)",
		Short: "Verify the attestations of an artifact against the chain, or an exported bundle offline",
		Long: `Online (--subject): for every attestation the chain holds for the subject, checks
the DSSE signature with the signer's registered key, the key's validity at the
anchoring block's height and time, the anchoring transaction in the block
(CometBFT tx proof against the header's data hash) and the block's commit by
more than 2/3 of the validator set (whose hash must match the header), then
prints the provenance chain. --export-bundle writes all of it to a file.

Offline (--bundle): checks a bundle with no network against a trusted
validator set (--trusted-validators: a validator list such as the RPC's
/validators result, or a genesis.json with validators).

The signer's x/identity key record (public key, algorithm, status, validity
window, principal) is proven against the app hash of a verified header:
ICS23 proofs of the record in the identity store and of that store in the
app hash of the state the anchoring block executed against (bundle version
2). Bundles without that proof (version 1, or an export from a node that
could not prove it) verify with a warning that the key record is unproven;
--require-key-proof makes them fail.

Exit status 0 only if everything verifies.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := nf.json()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if bundlePath != "" {
				if subject != "" || exportPath != "" {
					return errors.New("--bundle verifies offline: do not combine it with --subject or --export-bundle")
				}
				if trustedArg == "" {
					return errors.New("--bundle needs --trusted-validators FILE (a validator list or genesis.json): offline, nothing else says which validators to trust")
				}
				raw, err := os.ReadFile(bundlePath)
				if err != nil {
					return err
				}
				var b verify.Bundle
				if err := json.Unmarshal(raw, &b); err != nil {
					return fmt.Errorf("%s: not a verification bundle: %w", bundlePath, err)
				}
				tv, err := os.ReadFile(trustedArg)
				if err != nil {
					return err
				}
				trusted, err := verify.ParseTrustedValidators(tv)
				if err != nil {
					return fmt.Errorf("--trusted-validators %s: %w", trustedArg, err)
				}
				res, err := verify.VerifyBundleWith(&b, trusted, verify.Options{RequireKeyProof: requireKP})
				if err != nil {
					return errVerify{msg: err.Error()}
				}
				printWarnings(res.EnvelopeDigest, res.Warnings)
				if asJSON {
					return printJSON(cmd, res)
				}
				printResult(out, res)
				fmt.Fprintln(out, "OK: bundle verified offline")
				return nil
			}
			if subject == "" {
				return errors.New("give --subject sha256:HEX (online) or --bundle FILE (offline)")
			}
			subj, err := normalizeSubject(subject)
			if err != nil {
				return err
			}
			// Online, the node's validator set is used unless a trusted set
			// is given.
			var trustedSet *cmttypes.ValidatorSet
			if trustedArg != "" {
				tv, err := os.ReadFile(trustedArg)
				if err != nil {
					return err
				}
				if trustedSet, err = verify.ParseTrustedValidators(tv); err != nil {
					return fmt.Errorf("--trusted-validators %s: %w", trustedArg, err)
				}
			}
			ctx := cmdContext(cmd)
			f, err := verify.NewFetcher(nf.client())
			if err != nil {
				return err
			}
			atts, err := f.AttestationsBySubject(ctx, subj)
			if err != nil {
				return err
			}
			var (
				results []*verify.Result
				bundles []*verify.Bundle
				fails   []string
				batched []verify.BatchedResult
			)
			if batcher != "" {
				chainID := nf.chainID
				if chainID == "" {
					if chainID, err = f.Chain.ChainID(ctx); err != nil {
						return err
					}
				}
				var bf []string
				f.BundleBatched, f.Trusted = true, trustedSet
				f.Options.RequireKeyProof = requireKP
				if batched, bf, err = f.BatchedEntries(ctx, batcher, subj, chainID); err != nil {
					return err
				}
				fails = append(fails, bf...)
			}
			if len(atts) == 0 && len(batched) == 0 && len(fails) == 0 {
				return errVerify{msg: fmt.Sprintf("the chain has no attestation of sha256:%s", subj)}
			}
			for _, a := range atts {
				d := hex.EncodeToString(a.EnvelopeDigest)
				b, err := f.Bundle(ctx, a)
				if err != nil {
					fails = append(fails, fmt.Sprintf("attestation %s (height %d): %v", d, a.Height, err))
					continue
				}
				res, err := verify.VerifyBundleWith(b, trustedSet, verify.Options{RequireKeyProof: requireKP})
				if err != nil {
					fails = append(fails, fmt.Sprintf("attestation %s (height %d): %v", d, a.Height, err))
					continue
				}
				printWarnings(res.EnvelopeDigest, res.Warnings)
				if !containsSubject(res.Subjects, subj) {
					fails = append(fails, fmt.Sprintf("attestation %s: its statement does not name sha256:%s", d, subj))
					continue
				}
				results = append(results, res)
				bundles = append(bundles, b)
			}
			var (
				prov *attestationtypes.QueryProvenanceResponse
				perr error
			)
			if len(atts) > 0 {
				// The chain's provenance walks direct anchors only.
				prov, perr = f.Provenance(ctx, subj)
			}
			// Every link of the provenance chain is verified the same way.
			verified := map[string]bool{}
			for _, r := range results {
				verified[r.EnvelopeDigest] = true
			}
			if prov != nil {
				for _, s := range prov.Steps {
					d := hex.EncodeToString(s.EnvelopeDigest)
					if verified[d] {
						continue
					}
					a, err := f.Attestation(ctx, s.EnvelopeDigest)
					if err == nil {
						var b *verify.Bundle
						if b, err = f.Bundle(ctx, *a); err == nil {
							var res *verify.Result
							if res, err = verify.VerifyBundleWith(b, trustedSet, verify.Options{RequireKeyProof: requireKP}); err == nil {
								printWarnings(d, res.Warnings)
							}
						}
					}
					if err != nil {
						fails = append(fails, fmt.Sprintf("provenance link %s (depth %d, height %d): %v", d, s.Depth, s.Height, err))
						continue
					}
					verified[d] = true
				}
			}
			if asJSON {
				o := map[string]any{"subject": "sha256:" + subj, "attestations": results, "batched": batched, "failures": fails}
				if prov != nil {
					o["provenance"] = prov
					o["provenance_verified"] = verified
				}
				if err := printJSON(cmd, o); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					printResult(out, r)
				}
				for _, r := range batched {
					fmt.Fprintf(out, "batched entry %s #%d\n  envelope   %s\n  predicate  %s\n  signer     %s (%s)\n  key record %s\n  included   in root %s at size %d, anchored in block %d at %s (anchoring tx, block and commit verified)\n",
						r.LogID, r.Index, r.EnvelopeDigest, r.PredicateType, r.Signer, r.Algorithm, r.KeyRecord, r.RootHash, r.TreeSize, r.AnchorHeight, r.AnchorTime.UTC().Format(time.RFC3339))
				}
				if prov != nil {
					printProvenance(out, prov, verified)
				}
			}
			for _, r := range batched {
				printWarnings(r.EnvelopeDigest, r.Warnings)
				if r.Bundle != nil {
					bundles = append(bundles, r.Bundle)
				}
			}
			if exportPath != "" && len(bundles) > 0 {
				var data []byte
				if len(bundles) == 1 {
					data, err = json.MarshalIndent(bundles[0], "", "  ")
				} else {
					data, err = json.MarshalIndent(bundles, "", "  ")
				}
				if err != nil {
					return err
				}
				if err := os.WriteFile(exportPath, data, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(stderr, "adf: wrote %d verified bundle(s) to %s\n", len(bundles), exportPath)
			}
			if len(fails) > 0 {
				return errVerify{msg: strings.Join(fails, "; ")}
			}
			if perr != nil {
				return fmt.Errorf("provenance: %w", perr)
			}
			if !asJSON {
				fmt.Fprintf(out, "OK: %d attestation(s) of sha256:%s and %d provenance link(s) verified\n", len(results), subj, len(verified)-len(results))
				if batcher != "" {
					fmt.Fprintf(out, "OK: %d batched entr(ies) verified\n", len(batched))
				}
			}
			return nil
		},
	}
	nf.register(cmd)
	cmd.Flags().StringVar(&subject, "subject", "", "artifact digest sha256:HEX to verify online")
	cmd.Flags().StringVar(&exportPath, "export-bundle", "", "write the verified attestations' offline bundle to this file (with --subject)")
	cmd.Flags().StringVar(&bundlePath, "bundle", "", "verify this bundle offline")
	cmd.Flags().StringVar(&trustedArg, "trusted-validators", "", "trusted validator set (required with --bundle; optional online, else the node's set is used): a validator list (RPC /validators result) or genesis.json")
	cmd.Flags().BoolVar(&requireKP, "require-key-proof", false, "fail attestations whose signer key record is not proven against the app hash (old bundles, exports from nodes without the state) instead of warning")
	cmd.Flags().StringVar(&batcher, "batcher", "", "also verify the subject's entries in this batcher's log (search, entry, inclusion proof to a root anchored on chain)")
	return cmd
}

func containsSubject(subs []string, s string) bool {
	for _, x := range subs {
		if x == s {
			return true
		}
	}
	return false
}

func printResult(w interface{ Write([]byte) (int, error) }, r *verify.Result) {
	fmt.Fprintf(w, "attestation %s\n  predicate  %s\n  subjects   %s\n  signer     %s (%s, principal %s, org %s)\n  key record %s\n  anchored   block %d at %s, tx %s, risk class %s, scope %s\n  committed  %d/%d voting power of %d validators signed block %s; %s\n",
		r.EnvelopeDigest, r.PredicateType, strings.Join(r.Subjects, ", "), r.Signer, r.Algorithm, r.KeyPrincipal, r.KeyOrg, r.KeyRecord,
		r.Height, r.Time.UTC().Format(time.RFC3339), r.TxHash, r.RiskClass, r.Scope,
		r.SignedPower, r.TotalPower, r.Validators, r.BlockHash, r.TrustedBy)
}

// printWarnings reports a verified attestation's weaknesses on stderr
// (they are also in --json output).
func printWarnings(digest string, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(stderr, "adf: warning: attestation %s: %s\n", digest, w)
	}
}

func printProvenance(w interface{ Write([]byte) (int, error) }, p *attestationtypes.QueryProvenanceResponse, verified map[string]bool) {
	fmt.Fprintf(w, "provenance (%d steps%s)\n", len(p.Steps), map[bool]string{true: ", truncated", false: ""}[p.Truncated])
	for _, s := range p.Steps {
		subs := make([]string, len(s.SubjectDigests))
		for i, d := range s.SubjectDigests {
			subs[i] = hex.EncodeToString(d)
		}
		links := make([]string, len(s.LinkedMaterials))
		for i, d := range s.LinkedMaterials {
			links[i] = hex.EncodeToString(d)
		}
		mark := "NOT VERIFIED"
		if verified[hex.EncodeToString(s.EnvelopeDigest)] {
			mark = "verified"
		}
		fmt.Fprintf(w, "  %s[%s] depth %d  block %d  %s  %s  signer %s (%s)  subjects %s",
			strings.Repeat("  ", int(s.Depth)), mark, s.Depth, s.Height, s.Time.UTC().Format(time.RFC3339), s.PredicateType,
			s.Signer, s.PrincipalId, strings.Join(subs, ","))
		if len(links) > 0 {
			fmt.Fprintf(w, "  via %s", strings.Join(links, ","))
		}
		fmt.Fprintln(w)
	}
}
