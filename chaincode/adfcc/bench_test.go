package adfcc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/policy"
)

// benchNet is one peer over the chaincode protocol with orgs, policies,
// a principal acme/ci and its registered key.
func benchNet(b *testing.B) (*endorsers, fabtest.Identity, string) {
	t := b
	addr := startServer(b)
	e := newEndorsers(b, addr, 1, true)
	e.peers[0].PageSize = 100 // a peer's default page of range results
	org1, org2 := fabtest.NewMSP("Org1MSP"), fabtest.NewMSP("Org2MSP")
	a1, a2 := org1.Admin("a1"), org2.Admin("a2")
	e.must(a1, "identity:RegisterOrg", "acme")
	e.must(a2, "identity:RegisterOrg", "osv")
	for _, r := range []identity.Rule{
		{ID: "d", Role: "ci", Action: policy.ActionAnchorDirect, ScopePattern: "*"},
		{ID: "p", Role: "ci", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
	} {
		ch := fabtest.JSON(t, identity.PolicyChange{Rule: r})
		e.must(a1, "identity:ProposePolicy", ch)
		e.must(a2, "identity:ProposePolicy", ch)
	}
	e.must(a1, "identity:RegisterPrincipal", "acme/ci", `["ci"]`)
	ci := org1.Member("ci", "ci", nil)
	var k identity.Key
	mustJSON(t, e.must(ci, "identity:RegisterKey", fabtest.JSON(t, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: conformance.Key("signer").Public().Bytes(), NotAfter: e.now.Add(24 * time.Hour),
	})), &k)
	return e, ci, k.Address
}

// BenchmarkAnchorAttestationOverGRPC: direct anchors of distinct
// Ed25519-signed SLSA statements through the chaincode server, one
// transaction at a time (simulation only: no ordering or commit).
func BenchmarkAnchorAttestationOverGRPC(b *testing.B) {
	e, ci, keyID := benchNet(b)
	sk := conformance.Key("signer")
	envs := make([]string, b.N)
	for i := range envs {
		st, _ := intoto.NewStatement([]intoto.ResourceDescriptor{{Name: "a", Digest: map[string]string{"sha256": fmt.Sprintf("%064x", i+1)}}}, "https://adf.example/bench", map[string]any{})
		p, _ := st.Marshal()
		env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: p}
		if err := dsse.Sign(env, keyID, sk, "adf-test"); err != nil {
			b.Fatal(err)
		}
		bs, _ := env.Marshal()
		envs[i] = string(bs)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := e.call(ci, "attestation:AnchorAttestation", envs[i], "release", "github.com/acme/app"); !r.OK() {
			b.Fatal(r.Message())
		}
	}
}

// BenchmarkMatchPackages100OverGRPC: a gate decision on 100 purls against
// 2,000 published indicators.
func BenchmarkMatchPackages100OverGRPC(b *testing.B) {
	e, ci, _ := benchNet(b)
	var batch []cti.Indicator
	for i := 0; i < 2000; i++ {
		src := fmt.Sprintf("MAL-BENCH-%05d", i)
		batch = append(batch, cti.Indicator{ID: cti.IDFor(src), SourceID: src, Kind: cti.KindPackage,
			Package: &cti.PackageMatch{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i), AllVersions: true}, Confidence: 100, Labels: []string{cti.LabelMalicious}})
		if len(batch) == 500 {
			e.must(ci, "cti:PublishIndicators", fabtest.JSON(b, batch))
			batch = nil
		}
	}
	var purls []string
	for i := 0; i < 100; i++ {
		purls = append(purls, fmt.Sprintf("pkg:npm/pkg-%d@1.0.0", i*37))
	}
	arg := fabtest.JSON(b, purls)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := e.call(ci, "cti:MatchPackages", arg); !r.OK() {
			b.Fatal(r.Message())
		}
	}
}
