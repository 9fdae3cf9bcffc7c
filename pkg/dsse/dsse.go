package dsse

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// PayloadTypeInToto is the DSSE payloadType of in-toto statements.
const PayloadTypeInToto = "application/vnd.in-toto+json"

// Signature is one DSSE signature. In JSON, sig is standard base64 and keyid
// may be absent (treated as "").
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   []byte `json:"sig"`
}

// Envelope is a DSSE v1 JSON envelope. In JSON, payload is standard base64.
type Envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     []byte      `json:"payload"`
	Signatures  []Signature `json:"signatures"`
}

// Errors returned (wrapped, with details) by this package. Use errors.Is.
var (
	// ErrInvalidEnvelope: the input is not a well-formed DSSE envelope.
	ErrInvalidEnvelope = errors.New("dsse: invalid envelope")
	// ErrTooLarge: the input exceeds Limits.MaxEnvelopeBytes (or the bundle
	// limit); nothing was decoded.
	ErrTooLarge = errors.New("dsse: input too large")
	// ErrTooManySignatures: more than Limits.MaxSignatures signatures.
	ErrTooManySignatures = errors.New("dsse: too many signatures")
	// ErrNoSignature: the envelope has no signature with the requested keyid.
	ErrNoSignature = errors.New("dsse: no signature for keyid")
	// ErrBadSignature: a signature with the requested keyid exists but does
	// not verify (it also wraps sigscheme.ErrInvalidSignature).
	ErrBadSignature = errors.New("dsse: bad signature")
	// ErrWrongAlgorithm: a signature with the requested keyid has the wrong
	// size for the key's algorithm (it also wraps sigscheme.ErrSignatureSize).
	ErrWrongAlgorithm = errors.New("dsse: signature does not match key algorithm")
	// ErrNotDSSEBundle: a Sigstore bundle whose content is a
	// messageSignature, not a dsseEnvelope.
	ErrNotDSSEBundle = errors.New("dsse: not a DSSE bundle")
	// ErrInvalidBundle: the input is not a well-formed Sigstore bundle.
	ErrInvalidBundle = errors.New("dsse: invalid sigstore bundle")
)

// PAE is the DSSE v1 pre-authentication encoding (protocol.md):
//
//	"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//
// where LEN is the byte length as ASCII decimal without leading zeros and SP
// is one space (0x20).
func PAE(payloadType string, payload []byte) []byte {
	lt := strconv.Itoa(len(payloadType))
	lb := strconv.Itoa(len(payload))
	b := make([]byte, 0, 6+1+len(lt)+1+len(payloadType)+1+len(lb)+1+len(payload))
	b = append(b, "DSSEv1 "...)
	b = append(b, lt...)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = append(b, lb...)
	b = append(b, ' ')
	return append(b, payload...)
}

// Digest returns SHA-256(PAE(payloadType, payload)), the envelope's canonical
// identity in ADF (log leaves, anchors, indexes).
//
// It deliberately covers exactly the signed bytes and nothing else:
//   - it is independent of the signature set, so adding a co-signature (or
//     receiving the envelope with its signatures in another order) does not
//     change the identity of the attested content, and a signature cannot be
//     "replayed" onto a different digest;
//   - it is independent of JSON formatting (whitespace, member order,
//     escapes, base64 line wrapping in other tools), so an envelope that is
//     re-serialised by any tool maps to the same digest;
//   - it is what every DSSE signature signs, so the digest binds payloadType
//     as well as payload without ambiguity (PAE is injective).
func (e *Envelope) Digest() [32]byte {
	h := sha256.New()
	var hdr [64]byte
	h.Write(paeHeader(hdr[:0], e.PayloadType, len(e.Payload)))
	h.Write(e.Payload)
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// paeHeader appends PAE(payloadType, payload) without the payload.
func paeHeader(b []byte, payloadType string, payloadLen int) []byte {
	b = append(b, "DSSEv1 "...)
	b = strconv.AppendInt(b, int64(len(payloadType)), 10)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(payloadLen), 10)
	return append(b, ' ')
}

// Marshal returns the canonical JSON encoding of e: members in the order
// payloadType, payload, signatures; keyid always present; standard base64
// with padding; no insignificant whitespace; no HTML escaping (byte for
// byte what encoding/json produces for the Envelope struct with
// SetEscapeHTML(false)). Parse accepts its output (given valid limits and
// at least one signature) and Marshal(Parse(Marshal(e))) == Marshal(e).
func (e *Envelope) Marshal() ([]byte, error) {
	return e.AppendMarshal(nil)
}

// AppendMarshal appends Marshal's encoding of e to dst (which may come from
// a buffer pool) and returns the extended slice.
func (e *Envelope) AppendMarshal(dst []byte) ([]byte, error) {
	if !utf8.ValidString(e.PayloadType) {
		return nil, fmt.Errorf("%w: payloadType is not valid UTF-8", ErrInvalidEnvelope)
	}
	n := len(`{"payloadType":,"payload":"","signatures":[]}`) + 2*len(e.PayloadType) + 2 +
		base64.StdEncoding.EncodedLen(len(e.Payload))
	for i, s := range e.Signatures {
		if !utf8.ValidString(s.KeyID) {
			return nil, fmt.Errorf("%w: signatures[%d].keyid is not valid UTF-8", ErrInvalidEnvelope, i)
		}
		n += len(`{"keyid":,"sig":""},`) + 2*len(s.KeyID) + 2 + base64.StdEncoding.EncodedLen(len(s.Sig))
	}
	b := slices.Grow(dst, n)
	b = append(b, `{"payloadType":`...)
	b = strictjson.AppendString(b, e.PayloadType)
	b = append(b, `,"payload":"`...)
	b = base64.StdEncoding.AppendEncode(b, e.Payload)
	b = append(b, `","signatures":[`...)
	for i, s := range e.Signatures {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"keyid":`...)
		b = strictjson.AppendString(b, s.KeyID)
		b = append(b, `,"sig":"`...)
		b = base64.StdEncoding.AppendEncode(b, s.Sig)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...), nil
}
