//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAttest runs `adf attest --direct` and `adf verify` end to end on a
// fresh 4-validator network (2 ML-DSA-65, 2 Ed25519 consensus keys): a
// policy for anchor-direct set by proposal, a release principal with a
// composite key, a build attested and verified online (DSSE signature, key
// validity, tx proof, commit by the validator set, provenance), its bundle
// exported and verified with the whole network stopped, a tampered bundle
// refused, and an envelope signed by a revoked key refused by the chain.
//
// It needs ADFD_BIN and ADF_BIN (build/adfd, build/adf from `make build`).

var attestPorts = suitePorts(blockAttest)

const attestChainID = "adf-e2e-attest-1"

func attestDef() NetworkDef {
	def := localnetDef()
	def.ChainID = attestChainID
	def.BasePorts = attestPorts
	def.PortStride = 100
	return def
}

// attestReceipt is what `adf attest --direct` prints.
type attestReceipt struct {
	EnvelopeDigest string `json:"envelope_digest"`
	Height         int64  `json:"height"`
	TxHash         string `json:"txhash"`
}

func TestAttest(t *testing.T) {
	bin := adfdBin(t)
	abin := adfBin(t)
	start := time.Now()
	nw := NewNetwork(t, bin, attestDef())
	nw.Authority = consortiumAuthority(t)
	nw.StartAll(t)
	nodes := nw.Nodes
	acmeNode := nodes[0]
	if acmeNode.Info.OrgID != "acme" {
		t.Fatalf("unexpected org order: %s", acmeNode.Info.OrgID)
	}
	nw.WaitAllHeight(t, nodes, 2, 120*time.Second)
	acme := newADFClient(t, abin, acmeNode)
	const appScope = "github.com/acme/app"
	dir := t.TempDir()

	var (
		compKey    keyOut
		buildRcpt  attestReceipt
		imageSum   string
		bundlePath = filepath.Join(dir, "bundle.json")
		// batchedBundlePath is the bundle of an entry of a batcher's log.
		batchedBundlePath = filepath.Join(dir, "batched-bundle.json")
		trusted           = filepath.Join(dir, "validators.json")
	)
	attest := func(t *testing.T, key string, args ...string) adfResult {
		return acme.run(t, append([]string{"attest", "--key", key, "--direct", "--scope", appScope, "--risk-class", "release"}, args...)...)
	}
	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"1_policy_principal_key", func(t *testing.T) {
			proposeAndPass(t, nw, nodes, "anchor-direct policy", map[string]any{
				"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
				"policy": map[string]any{"id": "release-anchor", "role": "release", "action": "anchor-direct", "scope_pattern": "github.com/acme/*"},
			})
			acme.must(t, append([]string{"principal", "register", "--id", "acme/release-1", "--kind", "ci-runner", "--role", "release"}, adminFlags(acmeNode)...)...)
			compKey = acme.newKey(t, "--name", "rel", "--algo", "composite", "--principal", "acme/release-1", "--ttl", "15m",
				"--scope", appScope, "--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home, "--keyring-backend", "test")
		}},
		{"2_attest_build_and_image_direct", func(t *testing.T) {
			src := filepath.Join(dir, "src.tar")
			bin := filepath.Join(dir, "app")
			if err := os.WriteFile(src, []byte("source tree"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bin, []byte("the binary "+time.Now().String()), 0o644); err != nil {
				t.Fatal(err)
			}
			// The source first (a commit's review), so the build links to it.
			if r := attest(t, "rel", "--subject", src, "--predicate", "test-result", "--result", "PASSED"); r.ExitCode != 0 {
				t.Fatalf("%s", r)
			}
			r := attest(t, "rel", "--subject", bin, "--materials", src, "--predicate", "slsa", "--builder-id", "https://ci.acme.example/builder")
			if r.ExitCode != 0 {
				t.Fatalf("%s", r)
			}
			if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &buildRcpt); err != nil || buildRcpt.Height == 0 || len(buildRcpt.EnvelopeDigest) != 64 {
				t.Fatalf("receipt: %v\n%s", err, r)
			}
			t.Logf("build anchored: %+v", buildRcpt)
			// A test result on the binary, linked through the binary.
			raw, _ := os.ReadFile(bin)
			sum := sha256.Sum256(raw)
			imageSum = hex.EncodeToString(sum[:])
			r = attest(t, "rel", "--subject", "sha256:"+imageSum, "--predicate", "test-result", "--result", "PASSED", "--materials", bin)
			if r.ExitCode != 0 {
				t.Fatalf("%s", r)
			}
			// The same statement again is refused as a duplicate.
			acme.mustFail(t, []string{"already anchored"}, "attest", "--key", "rel", "--direct", "--scope", appScope, "--risk-class", "release",
				"--subject", "sha256:"+imageSum, "--predicate", "test-result", "--result", "PASSED", "--materials", bin)
		}},
		{"3_verify_online_and_export", func(t *testing.T) {
			r := acme.must(t, "verify", "--subject", "sha256:"+imageSum)
			t.Logf("verify:\n%s", r.Stdout)
			if !strings.Contains(r.Stdout, "OK: 2 attestation(s)") || !strings.Contains(r.Stdout, "and 1 provenance link(s) verified") ||
				!strings.Contains(r.Stdout, "[verified] depth 1") || strings.Contains(r.Stdout, "NOT VERIFIED") {
				t.Fatalf("verify output:\n%s", r)
			}
			r = acme.must(t, "verify", "--subject", "sha256:"+imageSum, "-o", "json")
			var out struct {
				Attestations []struct {
					Height      int64 `json:"height"`
					SignedPower int64 `json:"signed_power"`
					TotalPower  int64 `json:"total_power"`
					Validators  int   `json:"validators"`
				} `json:"attestations"`
			}
			if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &out); err != nil || len(out.Attestations) != 2 {
				t.Fatalf("verify -o json: %v\n%s", err, r)
			}
			for _, a := range out.Attestations {
				if a.Validators != 4 || 3*a.SignedPower <= 2*a.TotalPower {
					t.Fatalf("commit: %+v", a)
				}
			}
			// The build alone: its subject is the binary too; export its bundle.
			r = acme.must(t, "verify", "--subject", "sha256:"+imageSum, "--export-bundle", filepath.Join(dir, "both.json"))
			// One attestation for a subject only the build names: the source is a material, not a subject,
			// so export the test result and build by the binary's digest and keep the first bundle.
			raw, err := os.ReadFile(filepath.Join(dir, "both.json"))
			if err != nil {
				t.Fatal(err)
			}
			var bundles []json.RawMessage
			if err := json.Unmarshal(raw, &bundles); err != nil || len(bundles) != 2 {
				t.Fatalf("exported bundles: %v (%d)", err, len(bundles))
			}
			if err := os.WriteFile(bundlePath, bundles[0], 0o644); err != nil {
				t.Fatal(err)
			}
			var vals json.RawMessage
			if err := acmeNode.rpc("validators?height=1&per_page=100", &vals); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(trusted, vals, 0o644); err != nil {
				t.Fatal(err)
			}
			// Online against the trusted set instead of the node's.
			if r := acme.must(t, "verify", "--subject", "sha256:"+imageSum, "--trusted-validators", trusted); !strings.Contains(r.Stdout, "trusted validator set") {
				t.Fatalf("verify with --trusted-validators:\n%s", r)
			}
			// A subject nobody attested fails.
			acme.mustFail(t, []string{"no attestation"}, "verify", "--subject", "sha256:"+strings.Repeat("0", 64))
		}},
		{"4_revoked_key_refused", func(t *testing.T) {
			rev := acme.newKey(t, "--name", "rev", "--algo", "ml_dsa_65", "--principal", "acme/release-1", "--ttl", "10m",
				"--scope", appScope, "--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home)
			acme.must(t, "key", "revoke", "rev", "--reason", "e2e: compromised")
			r := acme.mustFail(t, []string{"revoked"}, "attest", "--key", rev.Name, "--direct", "--scope", appScope, "--risk-class", "release",
				"--subject", "sha256:"+strings.Repeat("ab", 32), "--predicate", "test-result", "--result", "PASSED")
			t.Logf("revoked key: %s", firstLine(r.Stderr))
			// Revoking the release key later does not void what it anchored
			// while it was valid: validity is checked at the anchor block.
			acme.must(t, "key", "revoke", "rel", "--reason", "e2e: rotated")
			if r := acme.must(t, "verify", "--subject", "sha256:"+imageSum); !strings.Contains(r.Stdout, "OK: 2 attestation(s)") {
				t.Fatalf("verify after the signer's later revocation:\n%s", r)
			}
		}},
		{"5_batched_entry_verified_and_bundled", func(t *testing.T) {
			// A batcher for acme/batcher-1; its key and the CI key need
			// "anchor" on the log id.
			proposeAndPass(t, nw, nodes, "batcher policy", map[string]any{
				"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
				"policy": map[string]any{"id": "batcher-anchor", "role": "batcher", "action": "anchor", "scope_pattern": "acme/*"},
			})
			acme.must(t, append([]string{"principal", "register", "--id", "acme/batcher-1", "--kind", "batcher", "--role", "batcher"}, adminFlags(acmeNode)...)...)
			acme.newKey(t, "--name", "bat", "--algo", "ed25519", "--principal", "acme/batcher-1", "--ttl", "15m",
				"--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home, "--keyring-backend", "test")
			batcherListen := suiteAddr(blockAttest, 900)
			batcherURL := "http://" + batcherListen
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			bcmd := exec.CommandContext(ctx, abin, "batcher", "serve", "--data-dir", filepath.Join(dir, "batcher"), "--log-id", "acme/batcher-1",
				"--key", "bat", "--listen", batcherListen, "--epoch", "1s", "--node", acme.rpc, "--api", acme.api)
			bcmd.Env = append(cliEnv(), "ADF_KEYS_DIR="+acme.keysDir)
			blog, err := os.Create(filepath.Join(dir, "batcher.log"))
			if err != nil {
				t.Fatal(err)
			}
			defer blog.Close()
			bcmd.Stdout, bcmd.Stderr = blog, blog
			if err := bcmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = bcmd.Process.Signal(os.Interrupt)
				done := make(chan struct{})
				go func() { _ = bcmd.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					_ = bcmd.Process.Kill()
				}
			}()
			sub := "sha256:" + hex.EncodeToString(func() []byte { h := sha256.Sum256([]byte("batched artifact " + time.Now().String())); return h[:] }())
			var rcpt adfResult
			waitFor(t, 20*time.Second, 500*time.Millisecond, "the batcher to accept an entry", func() (bool, string) {
				rcpt = acme.run(t, "attest", "--key", "bat", "--batcher", batcherURL, "--subject", sub, "--predicate", "test-result", "--result", "PASSED")
				return rcpt.ExitCode == 0, rcpt.String()
			})
			t.Logf("batcher receipt: %s", strings.TrimSpace(rcpt.Stdout))
			var r adfResult
			waitFor(t, 30*time.Second, time.Second, "the entry to be anchored and verified", func() (bool, string) {
				r = acme.run(t, "verify", "--subject", sub, "--batcher", batcherURL, "--export-bundle", batchedBundlePath)
				return r.ExitCode == 0, r.String()
			})
			t.Logf("verify --batcher:\n%s", r.Stdout)
			if !strings.Contains(r.Stdout, "OK: 1 batched entr(ies) verified") {
				t.Fatalf("%s", r)
			}
			if raw, _ := os.ReadFile(filepath.Join(dir, "batcher.log")); len(raw) > 0 {
				t.Logf("batcher log tail:\n%s", tail(string(raw), 5))
			}
		}},
		{"6_offline_bundle_with_network_stopped", func(t *testing.T) {
			nw.StopAll(t)
			t0 := time.Now()
			r := acme.must(t, "verify", "--bundle", bundlePath, "--trusted-validators", trusted)
			t.Logf("offline verify in %s:\n%s", time.Since(t0).Round(time.Millisecond), r.Stdout)
			// The signer's key record is proven against the app hash of a
			// header whose commit the bundle verifies, not just quoted.
			if !strings.Contains(r.Stdout, "OK: bundle verified offline") || !strings.Contains(r.Stdout, "key record proven") || strings.Contains(r.Stderr, "warning:") {
				t.Fatalf("%s", r)
			}
			// The batched entry's bundle: the entry in a root whose
			// anchoring tx is in a committed block.
			if r := acme.must(t, "verify", "--bundle", batchedBundlePath, "--trusted-validators", trusted, "--require-key-proof"); !strings.Contains(r.Stdout, "OK: bundle verified offline") || !strings.Contains(r.Stdout, "key record proven") {
				t.Fatalf("batched bundle:\n%s", r)
			}
			// The genesis file as the trusted set (x/consortium's validators).
			gen := filepath.Join(acmeNode.Home, "config", "genesis.json")
			if r := acme.must(t, "verify", "--bundle", bundlePath, "--trusted-validators", gen); !strings.Contains(r.Stdout, "OK: bundle verified offline") {
				t.Fatalf("genesis.json as trusted validators:\n%s", r)
			}
			// Tamper with the envelope: flip one byte of the payload.
			raw, _ := os.ReadFile(bundlePath)
			var b map[string]any
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatal(err)
			}
			env, _ := base64.StdEncoding.DecodeString(b["envelope"].(string))
			var e map[string]any
			if err := json.Unmarshal(env, &e); err != nil {
				t.Fatal(err)
			}
			payload, _ := base64.StdEncoding.DecodeString(e["payload"].(string))
			payload[len(payload)/2] ^= 0x01
			e["payload"] = base64.StdEncoding.EncodeToString(payload)
			env, _ = json.Marshal(e)
			b["envelope"] = base64.StdEncoding.EncodeToString(env)
			tampered := filepath.Join(dir, "tampered.json")
			writeJSON(t, tampered, b)
			r = acme.mustFail(t, []string{"verification failed", "envelope"}, "verify", "--bundle", tampered, "--trusted-validators", trusted)
			t.Logf("tampered: %s", firstLine(r.Stderr))
			// Untrusted validators: a set that is not the chain's.
			bad := filepath.Join(dir, "bad-validators.json")
			if err := os.WriteFile(bad, []byte(`[]`), 0o644); err != nil {
				t.Fatal(err)
			}
			acme.mustFail(t, []string{"trusted-validators"}, "verify", "--bundle", bundlePath, "--trusted-validators", bad)
		}},
	}
	for _, s := range steps {
		t0 := time.Now()
		ok := t.Run(s.name, s.fn)
		t.Logf("step %s: %s (%s)", s.name, map[bool]string{true: "ok", false: "FAILED"}[ok], time.Since(t0).Round(100*time.Millisecond))
		if !ok {
			t.Fatalf("step %s failed; the remaining steps depend on it and were not run", s.name)
		}
	}
	_ = compKey
	_ = buildRcpt
	t.Logf("TestAttest: all steps passed in %s", time.Since(start).Round(time.Second))
}
