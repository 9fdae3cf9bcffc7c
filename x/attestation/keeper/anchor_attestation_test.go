package keeper_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/attestation/types"
)

const (
	predRelease = "https://adf.example/release/v1"
	scopeApp    = "github.com/acme/app"
)

// TestAnchorAttestationComposite anchors a real DSSE envelope signed with a
// composite ML-DSA-65+Ed25519 key and checks what is stored and indexed.
func TestAnchorAttestationComposite(t *testing.T) {
	f := newFixture(t)
	ci := f.addPrincipal("acme", "ci-1", sigscheme.Composite, types.ActionAnchorDirect)
	artifact := sha("app-v1.2.3.tar.gz")
	payload := statement(t, predRelease, rd("app-v1.2.3.tar.gz", artifact), rd("app.sbom.json", sha("sbom")))
	env := envelope(t, ci, dsse.PayloadTypeInToto, payload)

	res, err := f.anchorAttestation(ci, env, "release", scopeApp)
	require.NoError(t, err)
	parsed, err := dsse.Parse(env, dsse.Limits{})
	require.NoError(t, err)
	digest := parsed.Digest()
	require.Equal(t, hexOf(digest[:]), res.EnvelopeDigest)
	require.Equal(t, uint64(1), res.Sequence)
	require.Equal(t, []string{"anchor-direct " + scopeApp}, f.id.calls, "the handler asks x/identity itself")

	got, err := f.query.Attestation(f.ctx, &types.QueryAttestationRequest{Digest: "sha256:" + res.EnvelopeDigest})
	require.NoError(t, err)
	require.Equal(t, types.Attestation{
		EnvelopeDigest: digest[:], Sequence: 1, SubjectDigests: [][]byte{artifact, sha("sbom")},
		PredicateType: predRelease, Signer: ci.addr, PrincipalId: "acme/ci-1", OrgId: "acme",
		RiskClass: "release", Scope: scopeApp, Height: 1, Time: genesisTime, Algorithm: "composite",
	}, got.Attestation)
	ev := findEvent(f.ctx, "adf.attestation.v1.EventAttestationAnchored")
	require.NotNil(t, ev)

	bySubject, err := f.query.AttestationsBySubject(f.ctx, &types.QueryAttestationsBySubjectRequest{Subject: hexOf(artifact)})
	require.NoError(t, err)
	require.Len(t, bySubject.Attestations, 1)
	require.Equal(t, digest[:], bySubject.Attestations[0].EnvelopeDigest)
	has, err := f.k.HasSubject(f.ctx, sha("sbom"))
	require.NoError(t, err)
	require.True(t, has)

	// A second attestation of the same artifact (another statement) is
	// indexed beside the first.
	f.nextBlock(time.Second)
	_, err = f.anchorAttestation(ci, envelope(t, ci, dsse.PayloadTypeInToto, statement(t, predRelease+"#2", rd("app", artifact))), "release", scopeApp)
	require.NoError(t, err)
	bySubject, err = f.query.AttestationsBySubject(f.ctx, &types.QueryAttestationsBySubjectRequest{Subject: hexOf(artifact)})
	require.NoError(t, err)
	require.Len(t, bySubject.Attestations, 2)
	_, err = f.query.AttestationsBySubject(f.ctx, &types.QueryAttestationsBySubjectRequest{Subject: "xyz"})
	require.ErrorContains(t, err, "invalid digest")
}

// TestAnchorAttestationRejects: tampering, duplicates, unauthorised,
// revoked and unknown keys, wrong or missing signatures and malformed
// envelopes are refused with a clear error and no state change.
func TestAnchorAttestationRejects(t *testing.T) {
	f := newFixture(t)
	ci := f.addPrincipal("acme", "ci-1", sigscheme.Composite, types.ActionAnchorDirect)
	other := f.addPrincipal("acme", "ci-2", sigscheme.Composite, types.ActionAnchorDirect)
	payload := statement(t, predRelease, rd("app", sha("app")))
	env := envelope(t, ci, dsse.PayloadTypeInToto, payload)
	_, err := f.anchorAttestation(ci, env, "release", scopeApp)
	require.NoError(t, err)
	f.nextBlock(time.Second)

	f.requireRejected("attestation already anchored", func() error {
		_, err := f.anchorAttestation(ci, env, "release", scopeApp)
		return err
	})
	// The same statement re-signed and re-serialised is the same envelope
	// digest: still a duplicate.
	f.requireRejected("was anchored at height 1 by "+ci.addr, func() error {
		_, err := f.anchorAttestation(other, envelope(t, other, dsse.PayloadTypeInToto, payload), "release", scopeApp)
		return err
	})

	fresh := statement(t, predRelease, rd("app-2", sha("app-2")))
	signed := envelope(t, ci, dsse.PayloadTypeInToto, fresh)
	e, err := dsse.Parse(signed, dsse.Limits{})
	require.NoError(t, err)

	tampered := *e
	tampered.Payload = []byte(strings.Replace(string(e.Payload), hexOf(sha("app-2")), hexOf(sha("evil")), 1))
	require.NotEqual(t, e.Payload, tampered.Payload)
	f.requireRejected("invalid envelope signature", func() error {
		_, err := f.anchorAttestation(ci, mustMarshal(t, &tampered), "release", scopeApp)
		return err
	})
	wrongSig := *e
	wrongSig.Signatures = []dsse.Signature{{KeyID: ci.addr, Sig: signWith(t, other, e)}}
	f.requireRejected("bad signature", func() error {
		_, err := f.anchorAttestation(ci, mustMarshal(t, &wrongSig), "release", scopeApp)
		return err
	})
	// Signed by someone else: no signature with the signer's keyid.
	f.requireRejected("no signature for keyid", func() error {
		_, err := f.anchorAttestation(ci, envelope(t, other, dsse.PayloadTypeInToto, fresh), "release", scopeApp)
		return err
	})
	// Signed for another chain.
	otherChain := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: fresh}
	require.NoError(t, dsse.Sign(otherChain, ci.addr, ci.sk, "other-chain"))
	f.requireRejected("invalid envelope signature", func() error {
		_, err := f.anchorAttestation(ci, mustMarshal(t, otherChain), "release", scopeApp)
		return err
	})

	// Authorisation: no policy, a revoked or expired key, no registered key.
	builder := f.addPrincipal("acme", "builder", sigscheme.Ed25519, types.ActionAnchor)
	f.requireRejected("may not anchor-direct on \"github.com/acme/app\": no policy gives acme/builder action anchor-direct", func() error {
		_, err := f.anchorAttestation(builder, envelope(t, builder, dsse.PayloadTypeInToto, fresh), "release", scopeApp)
		return err
	})
	ci.deny = "key " + ci.addr + " expired at 2026-01-01T00:00:00Z"
	f.requireRejected("expired at 2026-01-01T00:00:00Z", func() error {
		_, err := f.anchorAttestation(ci, signed, "release", scopeApp)
		return err
	})
	ci.deny = "key " + ci.addr + " was revoked at height 1"
	f.requireRejected("was revoked at height 1", func() error {
		_, err := f.anchorAttestation(ci, signed, "release", scopeApp)
		return err
	})
	ci.deny = ""
	ci.noKey = true
	f.requireRejected("is not a registered key", func() error {
		_, err := f.anchorAttestation(ci, signed, "release", scopeApp)
		return err
	})
	ci.noKey = false

	// Malformed envelopes and statements.
	b64 := base64.StdEncoding.EncodeToString
	noSHA256 := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha512":"` +
		strings.Repeat("ab", 64) + `"}}],"predicateType":"https://adf.example/x"}`)
	cases := map[string]struct {
		env  []byte
		want string
	}{
		"malformed JSON":  {[]byte(`{"payloadType":`), "invalid DSSE envelope"},
		"not an object":   {[]byte(`[1,2,3]`), "invalid DSSE envelope"},
		"bad base64":      {[]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"%%%","signatures":[{"keyid":"k","sig":"AAAA"}]}`), "invalid DSSE envelope"},
		"no signatures":   {[]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"` + b64(fresh) + `","signatures":[]}`), "invalid DSSE envelope"},
		"unknown field":   {[]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"` + b64(fresh) + `","signatures":[{"keyid":"k","sig":"AAAA"}],"x":1}`), "invalid DSSE envelope"},
		"other payload":   {envelope(t, ci, "application/json", fresh), `payloadType "application/json": only in-toto statements`},
		"not a statement": {envelope(t, ci, dsse.PayloadTypeInToto, []byte(`{"hello":"world"}`)), "invalid in-toto statement"},
		"no sha256":       {envelope(t, ci, dsse.PayloadTypeInToto, noSHA256), "every subject needs a sha256 digest"},
		"bad SLSA":        {envelope(t, ci, dsse.PayloadTypeInToto, []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"`+hexOf(sha("x"))+`"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}`)), "invalid in-toto statement"},
		"empty":           {nil, "envelope: empty"},
		"over size limit": {envelope(t, ci, dsse.PayloadTypeInToto, statement(t, predRelease, rd(strings.Repeat("n", 300<<10), sha("big")))), "exceeds max_envelope_bytes 262144"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f.requireRejected(c.want, func() error {
				_, err := f.anchorAttestation(ci, c.env, "release", scopeApp)
				return err
			})
		})
	}
	f.requireRejected("invalid risk class", func() error {
		_, err := f.anchorAttestation(ci, signed, "Release!", scopeApp)
		return err
	})
	f.requireRejected("invalid scope", func() error {
		_, err := f.anchorAttestation(ci, signed, "release", "github.com/acme/*")
		return err
	})

	// After all that, the untouched envelope is accepted.
	_, err = f.anchorAttestation(ci, signed, "release", scopeApp)
	require.NoError(t, err)
}

func mustMarshal(t testing.TB, e *dsse.Envelope) []byte {
	t.Helper()
	b, err := e.Marshal()
	require.NoError(t, err)
	return b
}

// signWith returns p's DSSE signature over e's payload.
func signWith(t testing.TB, p *principal, e *dsse.Envelope) []byte {
	t.Helper()
	c := &dsse.Envelope{PayloadType: e.PayloadType, Payload: e.Payload}
	require.NoError(t, dsse.Sign(c, "x", p.sk, chainID))
	return c.Signatures[0].Sig
}

// TestDirectAnchorQuota: at most max_direct_anchors_per_day_per_org per
// organisation per UTC day of block time.
func TestDirectAnchorQuota(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.MaxDirectAnchorsPerDayPerOrg = 2
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	ci := f.addPrincipal("acme", "ci-1", sigscheme.Ed25519, types.ActionAnchorDirect)
	ci2 := f.addPrincipal("acme", "ci-2", sigscheme.Ed25519, types.ActionAnchorDirect)
	g := f.addPrincipal("globex", "ci-1", sigscheme.Ed25519, types.ActionAnchorDirect)
	anchor := func(p *principal, n string) error {
		_, err := f.anchorAttestation(p, envelope(t, p, dsse.PayloadTypeInToto, statement(t, predRelease, rd(n, sha(n)))), "release", scopeApp)
		return err
	}
	require.NoError(t, anchor(ci, "a"))
	require.NoError(t, anchor(ci2, "b"))
	f.requireRejected(`organization "acme" made 2 direct anchors today`, func() error { return anchor(ci, "c") })
	require.NoError(t, anchor(g, "g")) // another organisation's quota
	f.nextBlock(24 * time.Hour)
	require.NoError(t, anchor(ci, "c"))
}

// TestGasByAlgorithm: the verification is charged by algorithm before it
// runs, on top of 10 gas per envelope byte.
func TestGasByAlgorithm(t *testing.T) {
	f := newFixture(t)
	gasOf := func(alg sigscheme.Algorithm, tamper bool) (uint64, int) {
		p := f.addPrincipal("acme", "ci-"+strings.ReplaceAll(alg.String(), "_", "-"), alg, types.ActionAnchorDirect)
		env := envelope(t, p, dsse.PayloadTypeInToto, statement(t, predRelease, rd("a", sha(fmt.Sprintf("gas-%s-%v", alg, tamper)))))
		if tamper {
			e, err := dsse.Parse(env, dsse.Limits{})
			require.NoError(t, err)
			e.Signatures[0].Sig[5] ^= 1
			env = mustMarshal(t, e)
		}
		f.ctx = f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		_, err := f.anchorAttestation(p, env, "release", scopeApp)
		require.Equal(t, tamper, err != nil, "%v", err)
		return f.ctx.GasMeter().GasConsumed(), len(env)
	}
	ed, edLen := gasOf(sigscheme.Ed25519, false)
	ml, mlLen := gasOf(sigscheme.MLDSA65, false)
	comp, compLen := gasOf(sigscheme.Composite, false)
	// Subtract the per-byte charge; what remains is verification plus the
	// store's own gas, which differs only slightly between the runs.
	edRest := ed - types.GasPerEnvelopeByte*uint64(edLen)
	mlRest := ml - types.GasPerEnvelopeByte*uint64(mlLen)
	compRest := comp - types.GasPerEnvelopeByte*uint64(compLen)
	require.Greater(t, edRest, types.GasVerifyEd25519)
	require.InDelta(t, float64(types.GasVerifyMLDSA65-types.GasVerifyEd25519), float64(mlRest-edRest), 500)
	require.InDelta(t, float64(types.GasVerifyComposite-types.GasVerifyMLDSA65), float64(compRest-mlRest), 500)
	require.Greater(t, uint64(compLen), uint64(mlLen))
	require.Greater(t, uint64(mlLen), uint64(edLen))

	// A bad signature has paid for its verification.
	bad, badLen := gasOf(sigscheme.Composite, true)
	require.GreaterOrEqual(t, bad, types.GasVerifyComposite+types.GasPerEnvelopeByte*uint64(badLen))
}
