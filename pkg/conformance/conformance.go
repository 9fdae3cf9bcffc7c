// Package conformance is the table of cases that every deployment of the
// ADF registries (the Cosmos modules and the Fabric chaincode) must answer
// alike: key validity and authorisation, anchoring roots of a batcher log,
// direct anchors of DSSE envelopes, gate decisions after publications and
// sightings, and telemetry escalation (telemetry.go: reports, confirmation,
// mitigations, incident handling and expiry). Each
// deployment's test drives its own entry points with these inputs and
// checks the outcomes given here; both share the rules in pkg/, and this
// table is what shows it.
//
// An expected failure is named by its rule's text (e.g. "log forked: same
// tree size, different root"): x/ modules put it in their registered
// errors, the chaincode in its error responses.
package conformance

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// Rule texts of failures that are not pkg/anchor's sentinels (they are
// x/attestation's registered errors; the chaincode uses the same words).
const (
	ErrDuplicateAttestation = "attestation already anchored"
	ErrInvalidSignature     = "invalid envelope signature"
)

// LogID is the log the root cases anchor.
const LogID = "acme/batcher-1"

// RootStep is one AnchorRoot call on LogID by a principal allowed to anchor.
type RootStep struct {
	Name     string
	LogID    string
	TreeSize uint64
	RootHash []byte
	Proof    [][]byte
	// Want is "" for success, else the rule text the error must contain.
	Want     string
	WantPrev uint64
}

type memLog struct {
	s *merkle.MemStore
	l *merkle.Log
}

func newLog(prefix string, n int) *memLog {
	s := merkle.NewMemStore()
	m := &memLog{s: s, l: merkle.NewLog(s)}
	m.add(prefix, n)
	return m
}

func (m *memLog) add(prefix string, n int) {
	for i := 0; i < n; i++ {
		if _, err := m.l.Append(merkle.LeafHash([]byte(fmt.Sprintf("%s-%d", prefix, m.l.Size())))); err != nil {
			panic(err) // a memory store cannot fail
		}
	}
}

func (m *memLog) root() []byte { r := m.l.Root(); return append([]byte(nil), r[:]...) }

func (m *memLog) proof(a, b uint64) [][]byte {
	p, err := merkle.ConsistencyProof(a, b, m.s)
	if err != nil {
		panic(err) // sizes are the table's own
	}
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}

// Roots returns the root steps, to run in order on a fresh registry.
func Roots() []RootStep {
	honest := newLog("entry", 5)
	r5 := honest.root()
	honest.add("entry", 7)
	r12, p5to12 := honest.root(), honest.proof(5, 12)
	fork := newLog("entry", 5)
	fork.add("forked", 7)
	rewritten := newLog("rewritten", 12)
	honest.add("entry", 20)
	r32, p12to32 := honest.root(), honest.proof(12, 32)
	return []RootStep{
		{Name: "first root takes no proof", LogID: LogID, TreeSize: 5, RootHash: r5, Proof: p5to12, Want: anchor.ErrInvalidConsistencyProof.Error()},
		{Name: "first root", LogID: LogID, TreeSize: 5, RootHash: r5},
		{Name: "same root again", LogID: LogID, TreeSize: 5, RootHash: r5, Want: anchor.ErrRootAlreadyAnchored.Error()},
		{Name: "forked root with the honest proof", LogID: LogID, TreeSize: 12, RootHash: fork.root(), Proof: p5to12, Want: anchor.ErrInvalidConsistencyProof.Error()},
		{Name: "rewritten history", LogID: LogID, TreeSize: 12, RootHash: rewritten.root(), Proof: rewritten.proof(5, 12), Want: anchor.ErrInvalidConsistencyProof.Error()},
		{Name: "honest extension", LogID: LogID, TreeSize: 12, RootHash: r12, Proof: p5to12, WantPrev: 5},
		{Name: "shrinking log", LogID: LogID, TreeSize: 5, RootHash: r5, Want: anchor.ErrLogShrunk.Error()},
		{Name: "fork at the anchored size", LogID: LogID, TreeSize: 12, RootHash: fork.root(), Want: anchor.ErrLogForked.Error()},
		{Name: "truncated proof", LogID: LogID, TreeSize: 32, RootHash: r32, Proof: p12to32[:len(p12to32)-1], Want: anchor.ErrInvalidConsistencyProof.Error()},
		{Name: "second extension", LogID: LogID, TreeSize: 32, RootHash: r32, Proof: p12to32, WantPrev: 12},
		{Name: "short root hash", LogID: LogID, TreeSize: 40, RootHash: r32[:31], Want: anchor.ErrInvalidRootHash.Error()},
		{Name: "zero tree size", LogID: LogID, TreeSize: 0, RootHash: r32, Want: anchor.ErrInvalidTreeSize.Error()},
		{Name: "invalid log id", LogID: "acme//log", TreeSize: 1, RootHash: r5, Want: anchor.ErrInvalidLogID.Error()},
	}
}

// Key derives the table's reproducible keys: "signer" is the key registered
// to the anchoring principal, "other" is registered to no one.
func Key(name string) sigscheme.PrivateKey {
	sum := sha512.Sum512([]byte("adf/conformance/" + name))
	sk, err := sigscheme.GenerateKey(sigscheme.Ed25519, bytes.NewReader(sum[:]))
	if err != nil {
		panic(err) // a 64-byte seed always suffices
	}
	return sk
}

// DirectStep is one AnchorAttestation call by the principal of Key("signer").
type DirectStep struct {
	Name      string
	Envelope  []byte
	RiskClass string
	Scope     string
	Want      string
	// WantSequence and WantLinked describe a success: the sequence number
	// and the materials linked to earlier subjects (hex).
	WantSequence uint64
	WantLinked   []string
}

// Digest is SHA-256 of s, for subjects and materials.
func Digest(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func rd(name string) intoto.ResourceDescriptor {
	return intoto.ResourceDescriptor{Name: name, Digest: map[string]string{"sha256": hex.EncodeToString(Digest(name))}}
}

func statement(predicateType string, subjects []intoto.ResourceDescriptor, deps ...intoto.ResourceDescriptor) []byte {
	var pred any = map[string]any{"note": "conformance"}
	if predicateType == intoto.PredicateSLSAProvenanceV1 {
		pred = intoto.SLSAProvenance{
			BuildDefinition: intoto.BuildDefinition{BuildType: "https://adf.example/build/v1", ExternalParameters: []byte(`{"workflow":"ci.yml"}`), ResolvedDependencies: deps},
			RunDetails:      intoto.RunDetails{Builder: intoto.Builder{ID: "https://ci.acme.example/runner"}},
		}
	}
	st, err := intoto.NewStatement(subjects, predicateType, pred)
	if err != nil {
		panic(err)
	}
	b, err := st.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

func sign(payloadType string, payload []byte, keyID string, sk sigscheme.PrivateKey, chainID string) []byte {
	e := &dsse.Envelope{PayloadType: payloadType, Payload: payload}
	if err := dsse.Sign(e, keyID, sk, chainID); err != nil {
		panic(err)
	}
	b, err := e.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

// Direct returns the direct-anchor steps, to run in order on a fresh
// registry, for a deployment whose key ids render Key("signer") as keyID
// and whose signature domain is chainID (the chain id on Cosmos, the
// channel id on Fabric).
func Direct(keyID, chainID string) []DirectStep {
	signer, other := Key("signer"), Key("other")
	build := statement(intoto.PredicateSLSAProvenanceV1, []intoto.ResourceDescriptor{rd("app-1.0.tar.gz")}, rd("commit-abc"))
	image := statement(intoto.PredicateSLSAProvenanceV1, []intoto.ResourceDescriptor{rd("image-1.0")}, rd("app-1.0.tar.gz"), rd("base-image"))
	noSHA := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha512":"` + hex.EncodeToString(make([]byte, 64)) + `"}}],"predicateType":"https://adf.example/test","predicate":{}}`)
	buildEnv := sign(dsse.PayloadTypeInToto, build, keyID, signer, chainID)
	return []DirectStep{
		{Name: "SLSA build provenance", Envelope: buildEnv, RiskClass: "release", Scope: "github.com/acme/app", WantSequence: 1},
		{Name: "the same envelope again", Envelope: buildEnv, RiskClass: "release", Scope: "github.com/acme/app", Want: ErrDuplicateAttestation},
		{Name: "signature by another key under the signer's key id", Envelope: sign(dsse.PayloadTypeInToto, image, keyID, other, chainID), RiskClass: "release", Scope: "github.com/acme/app", Want: ErrInvalidSignature},
		{Name: "signature for another chain", Envelope: sign(dsse.PayloadTypeInToto, image, keyID, signer, chainID+"-other"), RiskClass: "release", Scope: "github.com/acme/app", Want: ErrInvalidSignature},
		{Name: "not an in-toto payload", Envelope: sign("application/json", image, keyID, signer, chainID), RiskClass: "release", Scope: "github.com/acme/app", Want: anchor.ErrInvalidEnvelope.Error()},
		{Name: "not JSON", Envelope: []byte(`{"payloadType":`), RiskClass: "release", Scope: "github.com/acme/app", Want: anchor.ErrInvalidEnvelope.Error()},
		{Name: "subject without sha256", Envelope: sign(dsse.PayloadTypeInToto, noSHA, keyID, signer, chainID), RiskClass: "release", Scope: "github.com/acme/app", Want: anchor.ErrInvalidStatement.Error()},
		{Name: "invalid risk class", Envelope: sign(dsse.PayloadTypeInToto, image, keyID, signer, chainID), RiskClass: "Release!", Scope: "github.com/acme/app", Want: anchor.ErrInvalidRiskClass.Error()},
		{Name: "empty scope", Envelope: sign(dsse.PayloadTypeInToto, image, keyID, signer, chainID), RiskClass: "release", Scope: "", Want: anchor.ErrInvalidScope.Error()},
		{Name: "image built from the anchored build", Envelope: sign(dsse.PayloadTypeInToto, image, keyID, signer, chainID), RiskClass: "release", Scope: "github.com/acme/app",
			WantSequence: 2, WantLinked: []string{hex.EncodeToString(Digest("app-1.0.tar.gz"))}},
	}
}

// Publisher and Sighter are the organisations of the gate cases.
const (
	Publisher = "osv"
	Sighter   = "acme"
)

// Indicators are what Publisher publishes before the gate cases.
func Indicators() []cti.Indicator {
	mal := cti.Indicator{
		ID: cti.IDFor("MAL-2026-0001"), SourceID: "MAL-2026-0001", Kind: cti.KindPackage,
		Package:    &cti.PackageMatch{Ecosystem: "npm", Name: "evil-pkg", AllVersions: true},
		Confidence: 100, Severity: cti.SeverityCritical, Labels: []string{cti.LabelMalicious}, Summary: "Malicious code in evil-pkg",
	}
	vuln := cti.Indicator{
		ID: cti.IDFor("GHSA-conf-0001"), SourceID: "GHSA-conf-0001", Kind: cti.KindPackage,
		Package: &cti.PackageMatch{Ecosystem: "PyPI", Name: "requests-lib", Ranges: []cti.Range{{Type: cti.RangeEcosystem, Events: []cti.Event{
			{Introduced: "1.0"}, {Fixed: "1.2"},
		}}}},
		Confidence: 70, Severity: cti.SeverityHigh, Summary: "Remote code execution in requests-lib",
	}
	return []cti.Indicator{mal, vuln}
}

// GateCase is one purl and the decision expected for it.
type GateCase struct {
	Purl     string
	Decision string
	// WantError: the result carries an error (a bad purl), not the call.
	WantError bool
}

// GateBefore are decided right after the publication.
var GateBefore = []GateCase{
	{Purl: "pkg:npm/evil-pkg@1.0.0", Decision: "block"},
	{Purl: "pkg:pypi/requests-lib@1.1", Decision: "hold"},
	{Purl: "pkg:pypi/Requests_Lib@1.1", Decision: "hold"},
	{Purl: "pkg:pypi/requests-lib@1.3", Decision: "pass"},
	{Purl: "pkg:npm/left-pad@1.3.0", Decision: "pass"},
	{Purl: "pkg:npm/evil-pkg", Decision: "pass", WantError: true},
	{Purl: "not-a-purl", Decision: "pass", WantError: true},
}

// SightedFalse is the indicator Sighter reports as a false positive
// between GateBefore and GateAfter.
func SightedFalse() string { return cti.IDFor("GHSA-conf-0001") }

// GateAfter are decided after the false-positive sighting.
var GateAfter = []GateCase{
	{Purl: "pkg:npm/evil-pkg@1.0.0", Decision: "block"},
	{Purl: "pkg:pypi/requests-lib@1.1", Decision: "warn"},
}

// DomainIndicator is a domain indicator Publisher publishes with the
// others; its score decays with age (domains: 30 days, δ 0.5).
func DomainIndicator() cti.Indicator {
	return cti.Indicator{
		ID: cti.IDFor("misp-attr-0001"), SourceID: "misp-attr-0001", Kind: cti.KindDomain, Value: "evil.example",
		Confidence: 100, Severity: cti.SeverityHigh, Summary: "C2 domain",
	}
}

// DecayCase is the decision on an observable a while after publication.
type DecayCase struct {
	After    time.Duration
	Kind     cti.Kind
	Value    string
	Decision string
}

// DecayCases are decided at DomainIndicator's publication time plus
// After, in order, after the gate cases: Publisher's reputation then
// carries SightedFalse's false positive (factor 90.90%).
var DecayCases = []DecayCase{
	{After: 0, Kind: cti.KindDomain, Value: "cdn.evil.example", Decision: "block"},
	{After: 15 * 24 * time.Hour, Kind: cti.KindDomain, Value: "evil.example", Decision: "hold"},
	{After: 20 * 24 * time.Hour, Kind: cti.KindDomain, Value: "evil.example", Decision: "warn"},
	{After: 25 * 24 * time.Hour, Kind: cti.KindDomain, Value: "evil.example", Decision: "pass"},
	{After: 31 * 24 * time.Hour, Kind: cti.KindDomain, Value: "good.example", Decision: "pass"},
}
