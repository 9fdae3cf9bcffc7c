package attestation_test

import (
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/attestation"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/policy"
)

const channel = "adf-test"

type fixture struct {
	*fabtest.Consortium
	ci    fabtest.Identity
	keyID string
}

func newFixture(t *testing.T) *fixture {
	cc, err := contractapi.NewChaincode(identity.NewContract(), attestation.NewContract())
	if err != nil {
		t.Fatal(err)
	}
	c := fabtest.NewConsortium(t, cc, channel,
		policy.Rule{ID: "ci-anchor", Role: "ci", Action: policy.ActionAnchor, ScopePattern: "acme/*"},
		policy.Rule{ID: "ci-direct", Role: "ci", Action: policy.ActionAnchorDirect, ScopePattern: "github.com/acme/*"},
	)
	f := &fixture{Consortium: c, ci: c.Principal("acme", "ci", "ci")}
	pub := conformance.Key("signer").Public().Bytes()
	var k identity.Key
	if err := json.Unmarshal([]byte(c.Must(f.ci, "identity:RegisterKey", fabtest.JSON(t, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: pub, NotAfter: c.Now.Add(2 * time.Hour),
	}))), &k); err != nil {
		t.Fatal(err)
	}
	f.keyID = k.Address
	return f
}

func proofJSON(t *testing.T, p [][]byte) string {
	out := []string{}
	for _, h := range p {
		out = append(out, hex.EncodeToString(h))
	}
	return fabtest.JSON(t, out)
}

// TestConformance runs pkg/conformance's tables, which x/attestation's
// keeper test runs too.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	for _, s := range conformance.Roots() {
		args := []string{s.LogID, itoa(s.TreeSize), hex.EncodeToString(s.RootHash), proofJSON(t, s.Proof)}
		if s.Want != "" {
			f.Fail(s.Want, f.ci, "attestation:AnchorRoot", args...)
			continue
		}
		var res map[string]uint64
		if err := json.Unmarshal([]byte(f.Must(f.ci, "attestation:AnchorRoot", args...)), &res); err != nil {
			t.Fatal(err)
		}
		if res["previous_tree_size"] != s.WantPrev {
			t.Fatalf("%s: previous %d, want %d", s.Name, res["previous_tree_size"], s.WantPrev)
		}
	}
	for _, s := range conformance.Direct(f.keyID, channel) {
		if s.Want != "" {
			f.Fail(s.Want, f.ci, "attestation:AnchorAttestation", string(s.Envelope), s.RiskClass, s.Scope)
			continue
		}
		var res struct {
			EnvelopeDigest string `json:"envelope_digest"`
			Sequence       uint64 `json:"sequence"`
		}
		if err := json.Unmarshal([]byte(f.Must(f.ci, "attestation:AnchorAttestation", string(s.Envelope), s.RiskClass, s.Scope)), &res); err != nil {
			t.Fatal(err)
		}
		var a attestation.Attestation
		if err := json.Unmarshal([]byte(f.Must(f.ci, "attestation:GetAttestation", res.EnvelopeDigest)), &a); err != nil {
			t.Fatal(err)
		}
		if res.Sequence != s.WantSequence || len(a.LinkedMaterials) != len(s.WantLinked) {
			t.Fatalf("%s: %+v, linked %v", s.Name, res, a.LinkedMaterials)
		}
		for i := range s.WantLinked {
			if a.LinkedMaterials[i] != s.WantLinked[i] {
				t.Fatalf("%s: linked %v, want %v", s.Name, a.LinkedMaterials, s.WantLinked)
			}
		}
	}
	// Provenance of the image: the build it was made from, then the image.
	var prov struct {
		Steps []attestation.Step `json:"steps"`
	}
	if err := json.Unmarshal([]byte(f.Must(f.ci, "attestation:Provenance", hex.EncodeToString(conformance.Digest("image-1.0")))), &prov); err != nil {
		t.Fatal(err)
	}
	if len(prov.Steps) != 2 || prov.Steps[0].Attestation.Sequence != 1 || prov.Steps[1].Depth != 0 {
		t.Fatalf("provenance: %+v", prov.Steps)
	}
	f.Fail("invalid digest", f.ci, "attestation:Provenance", "xyz")
	f.Fail("no attestation has subject", f.ci, "attestation:Provenance", hex.EncodeToString(conformance.Digest("nothing")))
}

// TestKeyChecks: the key must be the caller's, active and inside its window
// at the transaction timestamp; the log belongs to the first anchoring org.
func TestKeyChecks(t *testing.T) {
	f := newFixture(t)
	env := conformance.Direct(f.keyID, channel)[0]
	// Another principal allowed anchor-direct cannot use acme/ci's key.
	other := f.Principal("acme", "other", "ci")
	f.Fail("belongs to acme/ci", other, "attestation:AnchorAttestation", string(env.Envelope), env.RiskClass, env.Scope)
	// No policy for the scope.
	f.Fail("unauthorized", f.ci, "attestation:AnchorAttestation", string(env.Envelope), env.RiskClass, "github.com/other/app")
	// Expired at the transaction time.
	saved := f.Now
	f.Now = f.Now.Add(3 * time.Hour)
	f.Fail("expired at", f.ci, "attestation:AnchorAttestation", string(env.Envelope), env.RiskClass, env.Scope)
	f.Now = saved
	// Revoked: refused from the next transaction on.
	f.Must(f.ci, "identity:RevokeKey", f.keyID, "rotated")
	f.Fail("is revoked", f.ci, "attestation:AnchorAttestation", string(env.Envelope), env.RiskClass, env.Scope)

	// A log belongs to the organisation that anchored it first.
	s := conformance.Roots()[1]
	f.Must(f.ci, "attestation:AnchorRoot", s.LogID, itoa(s.TreeSize), hex.EncodeToString(s.RootHash), "")
	osvCI := f.Principal("osv", "ci", "ci")
	f.Fail("belongs to organization", osvCI, "attestation:AnchorRoot", s.LogID, "6", hex.EncodeToString(s.RootHash), "[]")
	f.Fail("invalid root hash", f.ci, "attestation:AnchorRoot", s.LogID, "6", "zz", "")
	f.Fail("consistency_proof", f.ci, "attestation:AnchorRoot", s.LogID, "6", hex.EncodeToString(s.RootHash), `["zz"]`)
	f.Fail("cannot convert", f.ci, "attestation:AnchorRoot", s.LogID, "-1", hex.EncodeToString(s.RootHash), "")
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }
