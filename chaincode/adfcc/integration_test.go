package adfcc_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/adf-consortium/adf/chaincode/adfcc"
	"github.com/adf-consortium/adf/chaincode/attestation"
	chaincti "github.com/adf-consortium/adf/chaincode/cti"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/chaincode/internal/peertest"
	"github.com/adf-consortium/adf/chaincode/internal/telconf"
	chaintel "github.com/adf-consortium/adf/chaincode/telemetry"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/policy"
)

const (
	channel = "adf-test"
	ccid    = "adf_1.0:0123456789abcdef"
)

// startServer runs the chaincode-as-a-service server on 127.0.0.1:0, as
// cmd/adfcc does, and stops it when the test ends.
func startServer(t testing.TB) string {
	t.Helper()
	cc, err := adfcc.New()
	if err != nil {
		t.Fatal(err)
	}
	return startServerWith(t, cc)
}

// startServerWith serves cc as startServer serves adfcc.New's chaincode.
func startServerWith(t testing.TB, cc shim.Chaincode) string {
	t.Helper()
	srv, err := adfcc.Listen(adfcc.Config{CCID: ccid, Address: "127.0.0.1:0"}, cc)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return srv.Addr().String()
}

// endorsers sends every proposal to several peers, each with its own world
// state, and requires identical answers and write sets: what Fabric's
// endorsement policy needs of a deterministic chaincode.
type endorsers struct {
	t     testing.TB
	peers []*peertest.Peer
	now   time.Time
}

func newEndorsers(t testing.TB, addr string, n int, writeBatch bool) *endorsers {
	e := &endorsers{t: t, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	for i := 0; i < n; i++ {
		p, err := peertest.Dial(addr, channel, writeBatch)
		if err != nil {
			t.Fatal(err)
		}
		if p.CCID != ccid {
			t.Fatalf("registered as %q, want %q", p.CCID, ccid)
		}
		t.Cleanup(p.Close)
		e.peers = append(e.peers, p)
	}
	return e
}

func (e *endorsers) call(id peertest.Signer, fn string, args ...string) peertest.Result {
	e.t.Helper()
	e.now = e.now.Add(time.Second)
	msg, err := e.peers[0].Build(id, e.now, fn, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	var first peertest.Result
	for i, p := range e.peers {
		r, err := p.Send(proto.Clone(msg).(*peer.ChaincodeMessage))
		if err != nil {
			e.t.Fatalf("%s on peer %d: %v", fn, i, err)
		}
		if i == 0 {
			first = r
			continue
		}
		if r.OK() != first.OK() || r.Message() != first.Message() || !bytes.Equal(payload(r), payload(first)) ||
			fmt.Sprint(r.WriteSet) != fmt.Sprint(first.WriteSet) || !proto.Equal(r.Event, first.Event) {
			e.t.Fatalf("%s: peers disagree:\n%s %q %s\n%s %q %s", fn, payload(first), first.Message(), first.Writes, payload(r), r.Message(), r.Writes)
		}
	}
	return first
}

func payload(r peertest.Result) []byte {
	if r.Response == nil {
		return nil
	}
	return r.Response.Payload
}

func (e *endorsers) must(id peertest.Signer, fn string, args ...string) string {
	e.t.Helper()
	r := e.call(id, fn, args...)
	if !r.OK() {
		e.t.Fatalf("%s: %s", fn, r.Message())
	}
	return string(r.Response.Payload)
}

func (e *endorsers) fail(want string, id peertest.Signer, fn string, args ...string) {
	e.t.Helper()
	r := e.call(id, fn, args...)
	if r.OK() {
		e.t.Fatalf("%s succeeded: %s; want an error containing %q", fn, payload(r), want)
	}
	if !strings.Contains(r.Message(), want) {
		e.t.Fatalf("%s: %q does not contain %q", fn, r.Message(), want)
	}
	if len(r.Writes) != 0 {
		e.t.Fatalf("%s failed but its write set has %q", fn, r.Writes)
	}
}

// TestConformanceOverGRPC drives the real chaincode server over the
// chaincode protocol through the whole of pkg/conformance's tables (which
// x/attestation's and x/cti's keeper tests also run), with two endorsing
// peers that must agree on every answer and write set; once with the
// shim's per-key PUT_STATE messages and once with write batches.
func TestConformanceOverGRPC(t *testing.T) {
	addr := startServer(t)
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("write-batch=%v", batch), func(t *testing.T) {
			e := newEndorsers(t, addr, 2, batch)
			runConformance(t, e)
			for _, p := range e.peers {
				if batch && (p.Messages[peer.ChaincodeMessage_WRITE_BATCH_STATE] == 0 || p.Messages[peer.ChaincodeMessage_PUT_STATE] != 0) {
					t.Fatalf("write batches were offered but the shim sent %v", p.Messages)
				}
				if p.Messages[peer.ChaincodeMessage_QUERY_STATE_NEXT] == 0 {
					t.Fatalf("range queries never paged: %v", p.Messages)
				}
			}
			if fmt.Sprint(e.peers[0].State()) != fmt.Sprint(e.peers[1].State()) {
				t.Fatal("the peers' world states differ")
			}
		})
	}
}

func runConformance(t *testing.T, e *endorsers) {
	org1, org2 := fabtest.NewMSP("Org1MSP"), fabtest.NewMSP("Org2MSP")
	admin1, admin2 := org1.Admin("admin1"), org2.Admin("admin2")
	e.must(admin1, "identity:RegisterOrg", "acme")
	e.must(admin2, "identity:RegisterOrg", conformance.Publisher)
	rules := []identity.Rule{}
	for _, r := range conformance.Policies() {
		rules = append(rules, identity.Rule{ID: r.ID, Role: r.Role, Action: r.Action, ScopePattern: r.ScopePattern, ApprovalsRequired: r.ApprovalsRequired})
	}
	for _, r := range append(rules, []identity.Rule{
		{ID: "analyst-publish", Role: "analyst", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
		{ID: "analyst-sight", Role: "analyst", Action: policy.ActionSight, ScopePattern: "*"},
		{ID: "ci-device", Role: "ci", Action: policy.ActionRegisterDevice, ScopePattern: "acme/*"},
		{ID: "ci-report", Role: "ci", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		{ID: "ci-incident", Role: "ci", Action: policy.ActionHandleIncident, ScopePattern: "acme/*"},
	}...) {
		ch := fabtest.JSON(t, identity.PolicyChange{Rule: r})
		e.must(admin1, "identity:ProposePolicy", ch)
		e.must(admin2, "identity:ProposePolicy", ch)
	}
	e.must(admin1, "identity:RegisterPrincipal", "acme/ci", `["analyst","ci","release"]`)
	e.must(admin1, "identity:RegisterPrincipal", "acme/runner", `["ci"]`)
	e.must(admin2, "identity:RegisterPrincipal", conformance.Publisher+"/feeds", `["analyst"]`)
	ci := org1.Member("ci@acme", "ci", nil)
	feeds := org2.Member("feeds@osv", "feeds", nil)

	// Identity: key windows and authorisation decisions.
	for i, kc := range conformance.KeyWindows() {
		now := e.now.Add(time.Second)
		req := identity.KeyRequest{PrincipalID: "acme/runner", Algorithm: "ed25519", PublicKey: conformance.Key(fmt.Sprintf("window-%d", i)).Public().Bytes(),
			NotBefore: now.Add(kc.NotBefore), NotAfter: now.Add(kc.NotAfter)}
		if kc.ZeroStart {
			req.NotBefore = time.Time{}
		}
		if kc.Want != "" {
			e.fail(kc.Want, admin1, "identity:RegisterKey", fabtest.JSON(t, req))
		} else {
			e.must(admin1, "identity:RegisterKey", fabtest.JSON(t, req))
		}
	}
	runner := org1.Member("runner@acme", "runner", nil)
	for _, ac := range conformance.AuthCases {
		var d identity.Decision
		mustJSON(t, e.must(runner, "identity:Authorize", ac.Action, ac.Scope), &d)
		if d.Allowed != ac.Allowed || (ac.Allowed && d.PolicyID != ac.Rule) {
			t.Errorf("%s on %s: %+v", ac.Action, ac.Scope, d)
		}
	}

	var key identity.Key
	mustJSON(t, e.must(ci, "identity:RegisterKey", fabtest.JSON(t, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: conformance.Key("signer").Public().Bytes(), NotAfter: e.now.Add(time.Hour),
	})), &key)

	for _, s := range conformance.Roots() {
		var proof []string
		for _, h := range s.Proof {
			proof = append(proof, hex.EncodeToString(h))
		}
		args := []string{s.LogID, fmt.Sprint(s.TreeSize), hex.EncodeToString(s.RootHash), fabtest.JSON(t, proof)}
		if s.Want != "" {
			e.fail(s.Want, ci, "attestation:AnchorRoot", args...)
			continue
		}
		var res map[string]uint64
		mustJSON(t, e.must(ci, "attestation:AnchorRoot", args...), &res)
		if res["previous_tree_size"] != s.WantPrev {
			t.Fatalf("%s: %v", s.Name, res)
		}
	}
	for _, s := range conformance.Direct(key.Address, channel) {
		if s.Want != "" {
			e.fail(s.Want, ci, "attestation:AnchorAttestation", string(s.Envelope), s.RiskClass, s.Scope)
			continue
		}
		var res struct {
			EnvelopeDigest string `json:"envelope_digest"`
			Sequence       uint64 `json:"sequence"`
		}
		mustJSON(t, e.must(ci, "attestation:AnchorAttestation", string(s.Envelope), s.RiskClass, s.Scope), &res)
		var a struct {
			LinkedMaterials []string `json:"linked_materials"`
		}
		mustJSON(t, e.must(ci, "attestation:GetAttestation", res.EnvelopeDigest), &a)
		if res.Sequence != s.WantSequence || fmt.Sprint(a.LinkedMaterials) != fmt.Sprint(s.WantLinked) {
			t.Fatalf("%s: %+v linked %v", s.Name, res, a.LinkedMaterials)
		}
	}

	e.must(feeds, "cti:PublishIndicators", fabtest.JSON(t, conformance.Indicators()))
	gate := func(cases []conformance.GateCase) {
		var purls []string
		for _, c := range cases {
			purls = append(purls, c.Purl)
		}
		var ans chaincti.GateAnswer
		mustJSON(t, e.must(ci, "cti:MatchPackages", fabtest.JSON(t, purls)), &ans)
		for i, c := range cases {
			r := ans.Results[i]
			if r.Purl != c.Purl || r.Decision != c.Decision || (r.Error != "") != c.WantError {
				t.Errorf("%s: %+v, want %s", c.Purl, r, c.Decision)
			}
		}
	}
	gate(conformance.GateBefore)
	e.must(ci, "cti:SubmitSightings", fabtest.JSON(t, []chaincti.SightingInput{{IndicatorID: conformance.SightedFalse(), Verdict: chaincti.FalsePositive}}))
	gate(conformance.GateAfter)

	e.must(feeds, "cti:PublishIndicators", fabtest.JSON(t, []cti.Indicator{conformance.DomainIndicator()}))
	published := e.now
	for _, c := range conformance.DecayCases {
		e.now = published.Add(c.After - time.Second)
		var ans struct {
			Results []chaincti.ValueResult `json:"results"`
		}
		mustJSON(t, e.must(ci, "cti:MatchValues", string(c.Kind), fabtest.JSON(t, []string{c.Value})), &ans)
		if ans.Results[0].Decision != c.Decision {
			t.Errorf("%s after %s: %+v, want %s", c.Value, c.After, ans.Results[0], c.Decision)
		}
	}

	// Telemetry over the other registries' state: a device running the
	// anchored build with a dependency the gate blocks is confirmed by its
	// first report (CTI signal), and safe mode is recommended for a PLC.
	built := "sha256:" + hex.EncodeToString(conformance.Digest("app-1.0.tar.gz"))
	e.must(ci, "telemetry:RegisterDevice", fabtest.JSON(t, chaintel.DeviceInput{ID: "acme/plc-1", Class: "plc", ArtifactDigest: built,
		Firmware: "4.2", Channels: []string{"pressure", "valve"}, Purls: []string{"pkg:npm/evil-pkg@1.0.0"}}))
	rep := chaintel.ReportInput{DeviceID: "acme/plc-1", WindowStart: e.now.Unix() - 30, WindowEnd: e.now.Unix(), Channels: []string{"valve"},
		Score: 900, Threshold: 500, Method: "sparse-ksvd", ModelDigest: "sha256:" + strings.Repeat("ab", 32), EvidenceDigest: "sha256:" + strings.Repeat("cd", 32)}
	var reps struct {
		Results []chaintel.ReportResult `json:"results"`
	}
	r := e.call(ci, "telemetry:SubmitReports", fabtest.JSON(t, []chaintel.ReportInput{rep}))
	if !r.OK() || r.Event == nil || r.Event.EventName != "adf.telemetry.MitigationRecommended" || !strings.Contains(string(r.Event.Payload), `"safe-mode"`) {
		t.Fatalf("report: %s %+v", r.Message(), r.Event)
	}
	mustJSON(t, string(r.Response.Payload), &reps)
	if reps.Results[0].Level != "confirmed" {
		t.Fatalf("report: %+v", reps)
	}
	e.must(ci, "telemetry:ResolveIncident", fmt.Sprint(reps.Results[0].IncidentID), "acme/plc-1", "firmware rolled back")
}

func mustJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
}

// TestBadInputOverGRPC: malformed proposals, creators and arguments get
// error answers, write nothing, and the server keeps serving.
func TestBadInputOverGRPC(t *testing.T) {
	addr := startServer(t)
	e := newEndorsers(t, addr, 1, false)
	p := e.peers[0]
	admin := fabtest.NewMSP("Org1MSP").Admin("admin")

	send := func(name string, msg *peer.ChaincodeMessage) {
		t.Helper()
		r, err := p.Send(msg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.OK() || len(r.Writes) != 0 {
			t.Fatalf("%s: %+v", name, r)
		}
	}
	input, _ := proto.Marshal(&peer.ChaincodeInput{Args: [][]byte{[]byte("identity:RegisterOrg"), []byte("acme")}})
	send("garbage proposal", &peer.ChaincodeMessage{Type: peer.ChaincodeMessage_TRANSACTION, Payload: input, Txid: "t1", ChannelId: channel,
		Proposal: &peer.SignedProposal{ProposalBytes: []byte("not a proposal")}})
	send("garbage input", &peer.ChaincodeMessage{Type: peer.ChaincodeMessage_TRANSACTION, Payload: []byte{0xff, 0xff}, Txid: "t2", ChannelId: channel})
	send("no proposal", &peer.ChaincodeMessage{Type: peer.ChaincodeMessage_TRANSACTION, Payload: input, Txid: "t3", ChannelId: channel})

	garbage := rawSigner{creator: []byte("not an identity")}
	e.fail("caller identity", garbage, "identity:RegisterOrg", "acme")
	e.fail("not found", admin, "nosuch:Fn")
	e.fail("not found", admin, "identity:NoSuchFunction")
	e.fail("invalid JSON", admin, "cti:MatchPackages", `{"purls":`)
	e.fail("invalid JSON", admin, "attestation:AnchorRoot", "acme/log", "1", strings.Repeat("00", 32), "[1,2")
	// A proposal without a timestamp: the registries have no clock then.
	msg, err := p.Build(admin, time.Time{}, "identity:RegisterOrg", "acme")
	if err != nil {
		t.Fatal(err)
	}
	send("no timestamp", msg)

	// Still serving.
	e.must(admin, "identity:RegisterOrg", "acme")
	if len(p.State()) != 2 {
		t.Fatalf("state after the good transaction: %d keys", len(p.State()))
	}
}

// rawSigner proposes with arbitrary creator bytes.
type rawSigner struct{ creator []byte }

func (r rawSigner) Serialized() []byte     { return r.creator }
func (r rawSigner) Sign(msg []byte) []byte { return nil }

// TestTelemetryConformanceOverGRPC runs pkg/conformance's telemetry table
// (which x/telemetry's keeper test and chaincode/telemetry's stub test also
// run) over the chaincode protocol, with two endorsing peers that must
// agree on every answer and write set. The table needs its own params
// (a confirmation window shorter than the alert expiry), so the server
// runs the same contracts as adfcc.New with the telemetry contract's
// Params set to conformance.TelemetryParams.
func TestTelemetryConformanceOverGRPC(t *testing.T) {
	tc := chaintel.NewContract()
	tc.Params = conformance.TelemetryParams()
	cc, err := contractapi.NewChaincode(identity.NewContract(), attestation.NewContract(), chaincti.NewContract(), tc)
	if err != nil {
		t.Fatal(err)
	}
	e := newEndorsers(t, startServerWith(t, cc), 2, true)
	org1, org2 := fabtest.NewMSP("Org1MSP"), fabtest.NewMSP("Org2MSP")
	admin1, admin2 := org1.Admin("admin1"), org2.Admin("admin2")
	e.must(admin1, "identity:RegisterOrg", conformance.TelemetryOrg)
	e.must(admin2, "identity:RegisterOrg", conformance.Publisher)
	for _, r := range []identity.Rule{
		{ID: "ops-device", Role: "ops", Action: policy.ActionRegisterDevice, ScopePattern: "acme/*"},
		{ID: "ops-incident", Role: "ops", Action: policy.ActionHandleIncident, ScopePattern: "acme/*"},
		{ID: "detector", Role: "detector", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		{ID: "gateway", Role: "gateway", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		{ID: "ci-direct", Role: "ci", Action: policy.ActionAnchorDirect, ScopePattern: "*"},
		{ID: "analyst-publish", Role: "analyst", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
	} {
		ch := fabtest.JSON(t, identity.PolicyChange{Rule: r})
		e.must(admin1, "identity:ProposePolicy", ch)
		e.must(admin2, "identity:ProposePolicy", ch)
	}
	by := map[string]peertest.Signer{}
	for id, role := range map[string]string{conformance.TelemetryOperator: "ops", conformance.Detector1: "detector",
		conformance.Detector2: "detector", conformance.TelemetryGateway: "gateway", "acme/ci": "ci"} {
		e.must(admin1, "identity:RegisterPrincipal", id, fabtest.JSON(t, []string{role}))
		name := strings.TrimPrefix(id, conformance.TelemetryOrg+"/")
		by[id] = org1.Member(name+"@"+conformance.TelemetryOrg, name, nil)
	}
	e.must(admin2, "identity:RegisterPrincipal", conformance.Publisher+"/feeds", `["analyst"]`)
	feeds := org2.Member("feeds@osv", "feeds", nil)

	// The signals: Direct's first subject is anchored, the indicators
	// published.
	var key identity.Key
	mustJSON(t, e.must(by["acme/ci"], "identity:RegisterKey", fabtest.JSON(t, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: conformance.Key("signer").Public().Bytes(), NotAfter: e.now.Add(24 * time.Hour),
	})), &key)
	d := conformance.Direct(key.Address, channel)[0]
	e.must(by["acme/ci"], "attestation:AnchorAttestation", string(d.Envelope), d.RiskClass, d.Scope)
	e.must(feeds, "cti:PublishIndicators", fabtest.JSON(t, conformance.Indicators()))

	telconf.Run(t, func(who string, at time.Time, fn string, args ...string) telconf.Answer {
		id, ok := by[who]
		if !ok {
			t.Fatalf("no identity for %q", who)
		}
		e.now = at.Add(-time.Second) // call adds a second
		r := e.call(id, fn, args...)
		return telconf.Answer{OK: r.OK(), Message: r.Message(), Payload: payload(r), Writes: r.Writes, Event: r.Event}
	}, e.now.Add(time.Minute).Unix())
	if fmt.Sprint(e.peers[0].State()) != fmt.Sprint(e.peers[1].State()) {
		t.Fatal("the peers' world states differ")
	}
}
