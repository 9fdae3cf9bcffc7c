package keeper_test

import (
	"testing"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/attestation/types"
)

// FuzzAnchorAttestationEnvelope feeds arbitrary bytes as the envelope of a
// MsgAnchorAttestation from an authorised signer: the handler must return
// an error or accept, never panic, and accept only an envelope that
// verifies under the signer's key. Every run works on a cached context.
// Minimisation of new inputs is slow with a store underneath; use
// -fuzzminimizetime 0 for long runs.
func FuzzAnchorAttestationEnvelope(f *testing.F) {
	fx := newFixture(f)
	ci := fx.addPrincipal("acme", "ci-1", sigscheme.Ed25519, types.ActionAnchorDirect)
	valid := envelope(f, ci, dsse.PayloadTypeInToto, statement(f, predRelease, rd("a", sha("a"))))
	f.Add(valid)
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"k","sig":"AAAA"}]}`))
	f.Add([]byte(`{"payloadType":"x","payload":"","signatures":[{"sig":"AA=="}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, _ := fx.ctx.CacheContext()
		fx.id.calls = fx.id.calls[:0]
		_, err := fx.msgs.AnchorAttestation(ctx, &types.MsgAnchorAttestation{
			Signer: ci.addr, Envelope: data, RiskClass: "release", Scope: scopeApp,
		})
		if err != nil {
			return
		}
		e, perr := dsse.Parse(data, dsse.Limits{MaxEnvelopeBytes: int(types.DefaultMaxEnvelopeBytes), MaxSignatures: types.MaxEnvelopeSignatures})
		if perr != nil {
			t.Fatalf("accepted an envelope that does not parse: %v", perr)
		}
		if verr := dsse.Verify(e, ci.addr, ci.sk.Public(), chainID); verr != nil {
			t.Fatalf("accepted an envelope whose signature does not verify: %v", verr)
		}
	})
}
