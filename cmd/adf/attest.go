package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
)

// attestOptions is everything that shapes the statement `adf attest` signs.
type attestOptions struct {
	subjects  []string
	materials []string
	predicate string // slsa, test-result, or a JSON file
	builderID string
	buildType string
	result    string
}

// resourceFor turns a --subject/--materials argument into a resource
// descriptor: "sha256:HEX" is taken as it is, anything else is a file whose
// sha256 is computed (streamed) and whose base name becomes the name.
func resourceFor(arg string) (intoto.ResourceDescriptor, error) {
	if rest, ok := strings.CutPrefix(arg, "sha256:"); ok {
		h := strings.ToLower(rest)
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			return intoto.ResourceDescriptor{}, fmt.Errorf("%q: want sha256: and 64 hex digits", arg)
		}
		return intoto.ResourceDescriptor{Digest: map[string]string{"sha256": h}}, nil
	}
	sum, err := fileSHA256(arg)
	if err != nil {
		return intoto.ResourceDescriptor{}, err
	}
	return intoto.ResourceDescriptor{Name: filepath.Base(arg), Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}}, nil
}

// fileSHA256 hashes a file without reading it into memory.
func fileSHA256(path string) ([32]byte, error) {
	var out [32]byte
	f, err := os.Open(path)
	if err != nil {
		return out, fmt.Errorf("subject or material %q: %w (give a file or sha256:HEX)", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return out, err
	}
	if st.IsDir() {
		return out, fmt.Errorf("%q is a directory: give a file or sha256:HEX", path)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return out, fmt.Errorf("reading %q: %w", path, err)
	}
	copy(out[:], h.Sum(nil))
	return out, nil
}

// builderFromEnv derives a SLSA builder id from the CI environment.
func builderFromEnv(getenv func(string) string) (id string, invocation string) {
	if server, repo := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"); server != "" && repo != "" {
		id = server + "/" + repo
		if wf := getenv("GITHUB_WORKFLOW_REF"); wf != "" {
			id = server + "/" + wf
		}
		if run := getenv("GITHUB_RUN_ID"); run != "" {
			invocation = server + "/" + repo + "/actions/runs/" + run
			if att := getenv("GITHUB_RUN_ATTEMPT"); att != "" {
				invocation += "/attempts/" + att
			}
		}
		return id, invocation
	}
	return "", ""
}

// buildStatement builds the in-toto Statement v1 of o. getenv reads the CI
// environment (os.Getenv in the command).
func buildStatement(o attestOptions, getenv func(string) string) (*intoto.Statement, error) {
	if len(o.subjects) == 0 {
		return nil, errors.New("give at least one --subject (a file or sha256:HEX)")
	}
	subjects := make([]intoto.ResourceDescriptor, 0, len(o.subjects))
	for _, s := range o.subjects {
		rd, err := resourceFor(s)
		if err != nil {
			return nil, fmt.Errorf("--subject %w", err)
		}
		subjects = append(subjects, rd)
	}
	materials := make([]intoto.ResourceDescriptor, 0, len(o.materials))
	for _, m := range o.materials {
		rd, err := resourceFor(m)
		if err != nil {
			return nil, fmt.Errorf("--materials %w", err)
		}
		materials = append(materials, rd)
	}
	switch o.predicate {
	case "", "slsa":
		id, invocation := o.builderID, ""
		envID, envInv := builderFromEnv(getenv)
		if id == "" {
			id = envID
		}
		invocation = envInv
		if id == "" {
			return nil, errors.New("SLSA provenance needs a builder id: pass --builder-id (or run in GitHub Actions, where GITHUB_SERVER_URL/GITHUB_REPOSITORY give it)")
		}
		ext := map[string]any{}
		for _, k := range []string{"GITHUB_REPOSITORY", "GITHUB_REF", "GITHUB_SHA", "GITHUB_WORKFLOW_REF", "GITHUB_EVENT_NAME"} {
			if v := getenv(k); v != "" {
				ext[strings.ToLower(strings.TrimPrefix(k, "GITHUB_"))] = v
			}
		}
		pred := intoto.SLSAProvenance{
			BuildDefinition: intoto.BuildDefinition{
				BuildType:            o.buildType,
				ExternalParameters:   mustJSON(ext),
				ResolvedDependencies: materials,
			},
			RunDetails: intoto.RunDetails{Builder: intoto.Builder{ID: id}},
		}
		if invocation != "" {
			pred.RunDetails.Metadata = &intoto.BuildMetadata{InvocationID: invocation}
		}
		return intoto.NewStatement(subjects, intoto.PredicateSLSAProvenanceV1, pred)
	case "test-result":
		res := strings.ToUpper(o.result)
		switch res {
		case intoto.TestResultPassed, intoto.TestResultFailed, intoto.TestResultWarned:
		case "":
			return nil, errors.New("a test-result predicate needs --result PASSED|FAILED|WARNED")
		default:
			return nil, fmt.Errorf("--result %q: want PASSED, FAILED or WARNED", o.result)
		}
		pred := intoto.TestResult{Result: res, Configuration: materials}
		if run := getenv("GITHUB_RUN_ID"); run != "" && getenv("GITHUB_SERVER_URL") != "" {
			pred.URL = getenv("GITHUB_SERVER_URL") + "/" + getenv("GITHUB_REPOSITORY") + "/actions/runs/" + run
		}
		return intoto.NewStatement(subjects, intoto.PredicateTestResultV01, pred)
	default:
		raw, err := os.ReadFile(o.predicate)
		if err != nil {
			return nil, fmt.Errorf("--predicate: %w (want slsa, test-result or a JSON file)", err)
		}
		var p struct {
			PredicateType string          `json:"predicateType"`
			Predicate     json.RawMessage `json:"predicate"`
		}
		// A file is either {"predicateType": …, "predicate": {…}} or a bare
		// predicate object, then --predicate-type is required.
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("--predicate %s: %w", o.predicate, err)
		}
		if p.PredicateType == "" || len(p.Predicate) == 0 {
			return nil, fmt.Errorf("--predicate %s: want a JSON object {\"predicateType\": URI, \"predicate\": {…}}", o.predicate)
		}
		if len(materials) > 0 {
			fmt.Fprintf(stderr, "adf: warning: --materials are ignored with a predicate file (put them in the predicate)\n")
		}
		return intoto.NewStatement(subjects, p.PredicateType, p.Predicate)
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// directReceipt is what `adf attest --direct` prints.
type directReceipt struct {
	EnvelopeDigest string `json:"envelope_digest"`
	Height         int64  `json:"height"`
	TxHash         string `json:"txhash"`
	Signer         string `json:"signer"`
	Sequence       string `json:"sequence,omitempty"`
}

func attestCmd() *cobra.Command {
	var (
		o         attestOptions
		nf        netFlags
		sf        signFlags
		keysDir   string
		direct    bool
		scope     string
		riskClass string
		batcher   string
		envOut    string
	)
	cmd := &cobra.Command{
		Use:   "attest --subject FILE|sha256:HEX... --key NAME (--direct --scope S --risk-class C | --batcher URL)",
		Short: "Sign an in-toto statement (SLSA provenance or test result) as a DSSE envelope and anchor it",
		Long: `Builds an in-toto Statement v1 for the subjects (sha256 of files, or sha256:HEX):
  --predicate slsa         SLSA Provenance v1; resolvedDependencies = --materials;
                           builder id from --builder-id or the GitHub Actions environment
  --predicate test-result  in-toto test-result v0.1 with --result; configuration = --materials
  --predicate FILE.json    {"predicateType": URI, "predicate": {…}}
wraps it in a DSSE envelope signed by --key (keyid = the key's address, domain
bound to the chain id), and either anchors it directly on chain
(MsgAnchorAttestation, --direct) or submits it to a batcher (--batcher).
Prints the receipt as JSON.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if direct == (batcher != "") {
				return errors.New("give either --direct (with --scope and --risk-class) or --batcher URL")
			}
			if direct && (scope == "" || riskClass == "") {
				return errors.New("--direct needs --scope and --risk-class")
			}
			if sf.key == "" {
				return errors.New("--key NAME (a key of the adf key store) signs the envelope")
			}
			ctx := cmdContext(cmd)
			entry, err := openStore(keysDir).Find(sf.key)
			if err != nil {
				return fmt.Errorf("--key: %w", err)
			}
			sk, err := entry.Key()
			if err != nil {
				return err
			}
			addr, err := chain.KeyAddress(sk.Public())
			if err != nil {
				return err
			}
			st, err := buildStatement(o, os.Getenv)
			if err != nil {
				return err
			}
			payload, err := st.Marshal()
			if err != nil {
				return err
			}
			cl := nf.client()
			chainID := nf.chainID
			if chainID == "" {
				if chainID, err = cl.ChainID(ctx); err != nil {
					return err
				}
			}
			env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
			if err := dsse.Sign(env, addr.String(), sk, chainID); err != nil {
				return err
			}
			envBytes, err := env.Marshal()
			if err != nil {
				return err
			}
			if envOut != "" {
				if err := os.WriteFile(envOut, envBytes, 0o644); err != nil {
					return err
				}
			}
			digest := env.Digest()
			if !direct {
				receipt, err := postToBatcher(ctx, batcher, envBytes)
				if err != nil {
					return err
				}
				return printJSON(cmd, receipt)
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, err := entrySigner(entry)
			if err != nil {
				return err
			}
			msg := &attestationtypes.MsgAnchorAttestation{Signer: addr.String(), Envelope: envBytes, RiskClass: riskClass, Scope: scope}
			opts := sf.sendOptions(&nf)
			opts.ChainID = chainID
			if !cmd.Flags().Changed("gas") {
				// 10 gas per envelope byte on top of the tx's own byte and
				// signature costs (PQ keys make both large); never paid.
				opts.Gas = 1_000_000 + 40*uint64(len(envBytes))
			}
			res, err := cl.Send(ctx, enc, signer, []sdk.Msg{msg}, opts)
			if err != nil {
				return txError(fmt.Sprintf("anchoring envelope %x signed by key %s", digest, entry.Name), err)
			}
			r := directReceipt{EnvelopeDigest: hex.EncodeToString(digest[:]), Height: res.Height, TxHash: res.Hash, Signer: addr.String()}
			if seq, ok := res.EventAttr("EventAttestationAnchored", "sequence"); ok {
				r.Sequence = seq
			}
			return printJSON(cmd, r)
		},
	}
	cmd.Flags().StringArrayVar(&o.subjects, "subject", nil, "artifact attested: a file (its sha256 is computed) or sha256:HEX (repeatable)")
	cmd.Flags().StringArrayVar(&o.materials, "materials", nil, "inputs: a file or sha256:HEX (repeatable): SLSA resolvedDependencies, test-result configuration")
	cmd.Flags().StringVar(&o.predicate, "predicate", "slsa", "slsa, test-result, or a JSON file {\"predicateType\":…, \"predicate\":…}")
	cmd.Flags().StringVar(&o.builderID, "builder-id", "", "SLSA builder id (default: from GITHUB_* environment)")
	cmd.Flags().StringVar(&o.buildType, "build-type", "https://adf-consortium.github.io/adf/buildtypes/generic/v1", "SLSA buildType")
	cmd.Flags().StringVar(&o.result, "result", "", "test result: PASSED, FAILED or WARNED (with --predicate test-result)")
	cmd.Flags().BoolVar(&direct, "direct", false, "anchor on chain now (MsgAnchorAttestation) instead of through a batcher")
	cmd.Flags().StringVar(&scope, "scope", "", "scope the key acts on (with --direct), e.g. github.com/acme/app")
	cmd.Flags().StringVar(&riskClass, "risk-class", "", "risk class (with --direct), e.g. release")
	cmd.Flags().StringVar(&batcher, "batcher", "", "batcher URL: POST the envelope to URL/v1/entries")
	cmd.Flags().StringVar(&envOut, "envelope-out", "", "also write the signed DSSE envelope to this file")
	nf.register(cmd)
	cmd.Flags().StringVar(&sf.key, "key", "", "sign with this key of the adf key store (name or address)")
	cmd.Flags().Uint64Var(&sf.gas, "gas", 0, "gas limit (metered, never paid; default 1,000,000 + 40 per envelope byte)")
	cmd.Flags().DurationVar(&sf.wait, "wait", 30*time.Second, "how long to wait for the transaction to be in a block")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

// postToBatcher submits an envelope to a batcher and returns its receipt.
func postToBatcher(ctx context.Context, base string, envelope []byte) (json.RawMessage, error) {
	u := strings.TrimRight(base, "/") + "/v1/entries"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(envelope))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("batcher %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("batcher %s: %w", u, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("batcher %s refused the envelope: HTTP %d: %s", u, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if !json.Valid(body) {
		return nil, fmt.Errorf("batcher %s: receipt is not JSON: %.200s", u, body)
	}
	return json.RawMessage(body), nil
}
