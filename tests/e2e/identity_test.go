//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIdentity runs x/identity end to end on a fresh 4-validator network,
// driving it with the real `adf` client: principals, short-lived keys of
// every algorithm registered by an admin or by an issuer key, policies set
// by consortium proposal, expiry, revocation, and a suspended organisation.
//
// It needs ADFD_BIN and ADF_BIN (build/adfd, build/adf from `make build`).

// Ports of its own, so it runs after TestLocalnet or next to a localnet.
var identityPorts = suitePorts(blockIdentity)

const identityChainID = "adf-e2e-identity-1"

// adfBin returns the adf client binary under test, skipping without ADF_BIN.
func adfBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("ADF_BIN")
	if bin == "" {
		t.Skip("ADF_BIN is not set: build the client (make build) and set ADF_BIN=/abs/path/to/build/adf")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatalf("ADF_BIN=%q: %v", bin, err)
	}
	if st, err := os.Stat(abs); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		t.Fatalf("ADF_BIN=%q is not an executable file (%v)", bin, err)
	}
	return abs
}

// adfClient runs `adf` against one node with its own key store.
type adfClient struct {
	bin     string
	keysDir string
	node    *Node
	rpc     string
	api     string
}

func newADFClient(t *testing.T, bin string, n *Node) *adfClient {
	t.Helper()
	apiPort, err := portOf(n.Info.API)
	if err != nil {
		t.Fatalf("%s api %q: %v", n.Name, n.Info.API, err)
	}
	return &adfClient{
		bin: bin, keysDir: filepath.Join(t.TempDir(), "adf-keys"), node: n,
		rpc: fmt.Sprintf("http://127.0.0.1:%d", n.RPCPort), api: fmt.Sprintf("http://127.0.0.1:%d", apiPort),
	}
}

// adfResult is one adf invocation.
type adfResult struct {
	Args     []string
	Stdout   string
	Stderr   string
	ExitCode int
}

func (r adfResult) String() string {
	return fmt.Sprintf("adf %s (exit %d)\n--- stderr ---\n%s\n--- stdout ---\n%s",
		strings.Join(quoteArgs(r.Args), " "), r.ExitCode, tail(r.Stderr, 30), tail(r.Stdout, 30))
}

// run runs `adf args... --node --api` (chain flags are added for every
// command that takes them) and returns the result whatever the exit code.
func (c *adfClient) run(t *testing.T, args ...string) adfResult {
	t.Helper()
	full := append([]string(nil), args...)
	if len(args) > 0 && args[0] != "version" {
		full = append(full, "--node", c.rpc, "--api", c.api)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(cliEnv(), "ADF_KEYS_DIR="+c.keysDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := adfResult{Args: full, Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		t.Fatalf("adf %s: %v", strings.Join(full, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("adf %s: timed out after %s", strings.Join(full, " "), cliTimeout)
	}
	return res
}

// must runs adf and fails the test unless it exits 0.
func (c *adfClient) must(t *testing.T, args ...string) adfResult {
	t.Helper()
	r := c.run(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("%s", r)
	}
	return r
}

// mustFail runs adf, expects a non-zero exit and stderr containing every
// one of wants (case-insensitive), and returns the result.
func (c *adfClient) mustFail(t *testing.T, wants []string, args ...string) adfResult {
	t.Helper()
	r := c.run(t, args...)
	if r.ExitCode == 0 {
		t.Fatalf("expected failure, but it succeeded:\n%s", r)
	}
	for _, w := range wants {
		if !strings.Contains(strings.ToLower(r.Stderr+r.Stdout), strings.ToLower(w)) {
			t.Fatalf("failure does not mention %q:\n%s", w, r)
		}
	}
	return r
}

// adminFlags make adf sign with the org admin key of n from its keyring.
func adminFlags(n *Node) []string {
	return []string{"--from", n.Info.AdminKey, "--home", n.Home, "--keyring-backend", "test"}
}

// newKey runs `adf key new ... -o json` and returns the printed key.
func (c *adfClient) newKey(t *testing.T, args ...string) keyOut {
	t.Helper()
	r := c.must(t, append(append([]string{"key", "new"}, args...), "-o", "json")...)
	var k keyOut
	if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &k); err != nil || k.Address == "" {
		t.Fatalf("adf key new: cannot decode output (%v):\n%s", err, r)
	}
	t.Logf("key %s (%s) %s for %s until %s, registered in block %d", k.Name, k.Algorithm, k.Address, k.Principal, k.NotAfter.Format(time.RFC3339), k.Height)
	return k
}

type keyOut struct {
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Algorithm string    `json:"algorithm"`
	Principal string    `json:"principal"`
	NotAfter  time.Time `json:"not_after"`
	TxHash    string    `json:"txhash"`
	Height    int64     `json:"height"`
}

// approveFile writes a MsgApprove of signer for scope to a file.
func approveFile(t *testing.T, signer, scope, subject string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "approve.json")
	writeJSON(t, p, map[string]any{
		"@type": "/adf.identity.v1.MsgApprove", "signer": signer,
		"action": "approve-release", "scope": scope, "subject": subject,
	})
	return p
}

// signApprove makes key sign a MsgApprove with `adf tx` and returns the
// result (exit code 0 = included with code 0).
func (c *adfClient) signApprove(t *testing.T, key keyOut, scope, subject string) adfResult {
	t.Helper()
	return c.run(t, "tx", "--key", key.Name, approveFile(t, key.Address, scope, subject), "-o", "json")
}

// keyStatus is the on-chain status and validity `adf key show` reports.
func (c *adfClient) keyStatus(t *testing.T, name string) (status string, valid bool, reason string) {
	t.Helper()
	r := c.must(t, "key", "show", name, "-o", "json")
	var out struct {
		Chain *struct {
			Status string `json:"status"`
		} `json:"chain"`
		Validity *struct {
			Valid  bool   `json:"valid"`
			Reason string `json:"reason"`
		} `json:"validity"`
	}
	if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &out); err != nil || out.Chain == nil {
		t.Fatalf("adf key show %s: no chain state (%v):\n%s", name, err, r)
	}
	if out.Validity != nil {
		valid, reason = out.Validity.Valid, out.Validity.Reason
	}
	return out.Chain.Status, valid, reason
}

// blockTime is the latest block's time as n reports it.
func blockTime(t *testing.T, n *Node) (int64, time.Time) {
	t.Helper()
	var r struct {
		SyncInfo struct {
			Height jint      `json:"latest_block_height"`
			Time   time.Time `json:"latest_block_time"`
		} `json:"sync_info"`
	}
	if err := n.rpc("status", &r); err != nil {
		t.Fatal(err)
	}
	return int64(r.SyncInfo.Height), r.SyncInfo.Time
}

func identityDef() NetworkDef {
	def := localnetDef()
	def.ChainID = identityChainID
	def.BasePorts = identityPorts
	return def
}

// proposeAndPass submits msgs from proposer and has organisations vote YES
// until the proposal passes (3 of 4 with the default threshold).
func proposeAndPass(t *testing.T, nw *Network, voters []*Node, title string, msgs ...any) {
	t.Helper()
	id := nw.SubmitProposal(t, voters[0], title, "e2e identity", msgs...)
	for _, n := range voters {
		p := nw.GetProposal(t, voters[0], id)
		if p.StatusName() == StatusPassed {
			break
		}
		if p.StatusName() != StatusVoting {
			t.Fatalf("proposal %d %q is %s (%s)", id, title, p.StatusName(), p.FailureReason)
		}
		if nw.VotedOrgs(t, voters[0], id)[n.Info.OrgID] {
			continue
		}
		nw.Vote(t, n, id, "yes")
	}
	nw.WaitProposalStatus(t, voters[0], id, StatusPassed, 20*time.Second)
}

func TestIdentity(t *testing.T) {
	bin := adfdBin(t)
	abin := adfBin(t)
	start := time.Now()
	nw := NewNetwork(t, bin, identityDef())
	nw.Authority = consortiumAuthority(t)
	nw.StartAll(t)
	nodes := nw.Nodes
	acmeNode, umbrellaNode := nodes[0], nodes[3]
	if acmeNode.Info.OrgID != "acme" || umbrellaNode.Info.OrgID != "umbrella" {
		t.Fatalf("unexpected org order: %s, %s", acmeNode.Info.OrgID, umbrellaNode.Info.OrgID)
	}
	nw.WaitAllHeight(t, nodes, 2, 120*time.Second)

	acme := newADFClient(t, abin, acmeNode)
	umbrella := newADFClient(t, abin, umbrellaNode)
	const (
		appScope   = "github.com/acme/app"
		otherScope = "github.com/acme/other"
		umbScope   = "github.com/umbrella/fw"
	)
	var compKey, mldsaKey, issuerKey keyOut

	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"1_policies_by_proposal_and_principals", func(t *testing.T) {
			pol := func(id, role, action, pattern string) map[string]any {
				return map[string]any{"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
					"policy": map[string]any{"id": id, "role": role, "action": action, "scope_pattern": pattern}}
			}
			// No policy for issuing or revoking keys: an issuer key issues in its
			// own org and a key revokes its own principal's keys by right.
			proposeAndPass(t, nw, nodes, "identity policies",
				pol("ci-approve", "ci", "approve", "github.com/*"),
				pol("anchor-acme", "anchor", "anchor", "github.com/acme/*"))

			acme.must(t, append([]string{"principal", "register", "--id", "acme/ci-issuer", "--kind", "ci-runner", "--role", "issuer"}, adminFlags(acmeNode)...)...)
			acme.must(t, append([]string{"principal", "register", "--id", "acme/ci-1", "--kind", "ci-runner", "--role", "ci",
				"--attr", "repository=acme/app", "--attr", "repository_owner=acme"}, adminFlags(acmeNode)...)...)
			umbrella.must(t, append([]string{"principal", "register", "--id", "umbrella/dev-1", "--kind", "device", "--role", "ci"}, adminFlags(umbrellaNode)...)...)
			// Another org's admin cannot register principals of acme.
			umbrella.mustFail(t, []string{"acme"}, append([]string{"principal", "register", "--id", "acme/intruder", "--kind", "ci-runner"}, adminFlags(umbrellaNode)...)...)

			r := acme.must(t, "principal", "show", "acme/ci-1", "-o", "json")
			var p struct {
				ID     string   `json:"id"`
				Roles  []string `json:"roles"`
				Status string   `json:"status"`
			}
			if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &p); err != nil || p.ID != "acme/ci-1" || p.Status != "PRINCIPAL_STATUS_ACTIVE" || len(p.Roles) != 1 || p.Roles[0] != "ci" {
				t.Fatalf("principal show: %+v (%v)\n%s", p, err, r)
			}
			r = acme.must(t, "principal", "list", "--org", "acme", "-o", "json")
			var list []json.RawMessage
			if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &list); err != nil || len(list) != 2 {
				t.Fatalf("principal list --org acme: %d principals (%v), want 2\n%s", len(list), err, r)
			}
		}},
		{"2_composite_and_mldsa_keys_sign", func(t *testing.T) {
			// A composite key registered by the org admin.
			compKey = acme.newKey(t, "--name", "ci-comp", "--algo", "composite", "--principal", "acme/ci-1", "--ttl", "15m",
				"--scope", appScope, "--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home, "--keyring-backend", "test")
			// An issuer key (unscoped), then an ML-DSA-65 key it registers:
			// the CI flow of docs/ci.md.
			issuerKey = acme.newKey(t, "--name", "issuer", "--algo", "ed25519", "--principal", "acme/ci-issuer", "--ttl", "1h",
				"--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home)
			mldsaKey = acme.newKey(t, "--name", "ci-mldsa", "--algo", "ml_dsa_65", "--principal", "acme/ci-1", "--ttl", "1h",
				"--scope", appScope, "--issuer", "issuer")
			if mldsaKey.Principal != "acme/ci-1" || issuerKey.Address == mldsaKey.Address {
				t.Fatalf("issuer-registered key: %+v", mldsaKey)
			}
			// The issuer cannot exceed issuer_max_ttl (1h by default).
			acme.mustFail(t, []string{"TTL"}, "key", "new", "--name", "too-long", "--principal", "acme/ci-1", "--ttl", "3h", "--issuer", "issuer")
			if _, err := os.Stat(filepath.Join(acme.keysDir, "too-long.json")); !os.IsNotExist(err) {
				t.Errorf("a refused registration left its key file behind (%v)", err)
			}
			for _, k := range []keyOut{compKey, mldsaKey} {
				if r := acme.signApprove(t, k, appScope, "sha256:"+k.Name); r.ExitCode != 0 {
					t.Fatalf("%s key could not sign: %s", k.Algorithm, r)
				}
				st, valid, reason := acme.keyStatus(t, k.Name)
				if st != "KEY_STATUS_ACTIVE" || !valid {
					t.Errorf("%s: on chain %s valid=%v (%s)", k.Name, st, valid, reason)
				}
			}
			// Key files are private; a readable one is refused.
			p := filepath.Join(acme.keysDir, "ci-comp.json")
			if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file %s: %v mode %v", p, err, st.Mode())
			}
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
			acme.mustFail(t, []string{"chmod 600"}, "tx", "--key", "ci-comp", approveFile(t, compKey.Address, appScope, "sha256:x"))
			if err := os.Chmod(p, 0o600); err != nil {
				t.Fatal(err)
			}
			r := acme.must(t, "key", "list")
			if !strings.Contains(r.Stdout, "ci-comp") || !strings.Contains(r.Stdout, "ci-mldsa") {
				t.Errorf("key list misses keys:\n%s", r.Stdout)
			}
		}},
		{"3_ci_principal_refused_anchor_allowed_its_own", func(t *testing.T) {
			r := acme.run(t, "key", "authorize", "ci-comp", "--action", "anchor", "--scope", appScope)
			if r.ExitCode != 2 || !strings.Contains(r.Stdout, "DENIED") {
				t.Fatalf("anchor by a CI key without the anchor role: want DENIED and exit 2:\n%s", r)
			}
			t.Logf("anchor: %s", strings.TrimSpace(r.Stdout))
			r = acme.must(t, "key", "authorize", "ci-comp", "--action", "approve", "--scope", appScope)
			if !strings.Contains(r.Stdout, "ALLOWED") {
				t.Fatalf("approve on its own scope: %s", r)
			}
			// The real transaction its policy allows goes through (step 2),
			// one outside the key's scopes is refused by the chain.
			acme.mustFail(t, []string{"scope"}, "tx", "--key", "ci-comp", approveFile(t, compKey.Address, otherScope, "sha256:b"))
			if r := acme.signApprove(t, compKey, appScope, "sha256:"+strings.Repeat("c", 64)); r.ExitCode != 0 {
				t.Fatalf("approve on its own scope: %s", r)
			}
		}},
		{"4_ttl_20s_accepted_then_expired", func(t *testing.T) {
			short := acme.newKey(t, "--name", "short", "--algo", "ed25519", "--principal", "acme/ci-1", "--ttl", "20s",
				"--backdate", "2s", "--scope", appScope, "--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home)
			if r := acme.signApprove(t, short, appScope, "sha256:"+strings.Repeat("d", 64)); r.ExitCode != 0 {
				t.Fatalf("a fresh 20 s key could not sign: %s", r)
			}
			// Wait for a block whose time is past not_after.
			waitFor(t, 40*time.Second, 500*time.Millisecond, "a block after the key's not_after", func() (bool, string) {
				h, bt := blockTime(t, acmeNode)
				return bt.After(short.NotAfter), fmt.Sprintf("height %d time %s, not_after %s", h, bt.Format(time.RFC3339Nano), short.NotAfter.Format(time.RFC3339))
			})
			r := acme.mustFail(t, []string{"expired"}, "tx", "--key", "short", approveFile(t, short.Address, appScope, "sha256:e"))
			t.Logf("after expiry: %s", firstLine(r.Stderr))
			if _, valid, reason := acme.keyStatus(t, "short"); valid {
				t.Errorf("expired key reported valid (%s)", reason)
			}
		}},
		{"5_revoked_key_refused_in_next_block", func(t *testing.T) {
			rev := acme.newKey(t, "--name", "rev", "--algo", "composite", "--principal", "acme/ci-1", "--ttl", "10m",
				"--scope", appScope, "--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home)
			if r := acme.signApprove(t, rev, appScope, "sha256:"+strings.Repeat("f", 64)); r.ExitCode != 0 {
				t.Fatalf("fresh key could not sign: %s", r)
			}
			// The key revokes itself (the CI recipe's always() step).
			r := acme.must(t, "key", "revoke", "rev", "--reason", "e2e: job finished", "-o", "json")
			var rr struct {
				Height int64 `json:"height"`
			}
			if err := json.Unmarshal([]byte(extractJSON(r.Stdout)), &rr); err != nil || rr.Height == 0 {
				t.Fatalf("revoke output: %v\n%s", err, r)
			}
			// Its next transaction, checked against the state of block
			// rr.Height, is refused.
			bad := acme.mustFail(t, []string{"revoked"}, "tx", "--key", "rev", approveFile(t, rev.Address, appScope, "sha256:g"))
			if h, _ := blockTime(t, acmeNode); h > rr.Height+2 {
				t.Logf("note: refusal observed at height %d (revoked in %d)", h, rr.Height)
			}
			t.Logf("revoked in block %d; next tx: %s", rr.Height, firstLine(bad.Stderr))
			if st, _, _ := acme.keyStatus(t, "rev"); st != "KEY_STATUS_REVOKED" {
				t.Errorf("on chain status %s, want KEY_STATUS_REVOKED", st)
			}
			// An admin revokes another key of the org by address.
			acme.must(t, append([]string{"key", "revoke", mldsaKey.Address}, adminFlags(acmeNode)...)...)
			acme.mustFail(t, []string{"revoked"}, "tx", "--key", "ci-mldsa", approveFile(t, mldsaKey.Address, appScope, "sha256:h"))
		}},
		{"6_suspended_org_key_refused", func(t *testing.T) {
			umb := umbrella.newKey(t, "--name", "umb", "--algo", "ml_dsa_65", "--principal", "umbrella/dev-1", "--ttl", "10m",
				"--scope", umbScope, "--from", umbrellaNode.Info.AdminKey, "--home", umbrellaNode.Home)
			if r := umbrella.signApprove(t, umb, umbScope, "sha256:"+strings.Repeat("1", 64)); r.ExitCode != 0 {
				t.Fatalf("umbrella key could not sign before suspension: %s", r)
			}
			proposeAndPass(t, nw, nodes[:3], "suspend umbrella", map[string]any{
				"@type": "/adf.consortium.v1.MsgSetOrganizationStatus", "authority": nw.Authority,
				"org_id": "umbrella", "status": "ORG_STATUS_SUSPENDED",
			})
			r := umbrella.mustFail(t, []string{"umbrella", "not active"}, "tx", "--key", "umb", approveFile(t, umb.Address, umbScope, "sha256:2"))
			t.Logf("suspended org: %s", firstLine(r.Stderr))
			if r := umbrella.run(t, "key", "authorize", "umb", "--action", "approve", "--scope", umbScope); r.ExitCode != 2 {
				t.Errorf("authorize for a suspended org's key: want exit 2 (denied):\n%s", r)
			}
			// acme's keys are unaffected.
			if r := acme.signApprove(t, compKey, appScope, "sha256:"+strings.Repeat("3", 64)); r.ExitCode != 0 {
				t.Fatalf("acme key after umbrella's suspension: %s", r)
			}
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
	t.Logf("TestIdentity: all steps passed in %s", time.Since(start).Round(time.Second))
}
