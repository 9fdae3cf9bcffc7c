package dsse

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// Purpose is the sigscheme domain purpose of ADF DSSE signatures.
const Purpose = "dsse"

// Domain returns the sigscheme domain of ADF DSSE signatures for chainID.
func Domain(chainID string) sigscheme.Domain {
	return sigscheme.Domain{ChainID: chainID, Purpose: Purpose}
}

// Sign signs PAE(e.PayloadType, e.Payload) with sk under
// Domain(chainID) and appends the signature with keyID to e.Signatures.
// It fails (leaving e unchanged) if e has no payloadType, if payloadType or
// keyID is not valid UTF-8, or if e already carries a signature with the
// same non-empty keyID.
func Sign(e *Envelope, keyID string, sk sigscheme.PrivateKey, chainID string) error {
	if e == nil {
		return fmt.Errorf("%w: nil envelope", ErrInvalidEnvelope)
	}
	if sk == nil {
		return errors.New("dsse: sign: nil private key")
	}
	if e.PayloadType == "" {
		return fmt.Errorf("%w: payloadType is empty", ErrInvalidEnvelope)
	}
	if !utf8.ValidString(e.PayloadType) {
		return fmt.Errorf("%w: payloadType is not valid UTF-8", ErrInvalidEnvelope)
	}
	if !utf8.ValidString(keyID) {
		return fmt.Errorf("dsse: sign: keyid is not valid UTF-8")
	}
	if keyID != "" {
		for i, s := range e.Signatures {
			if s.KeyID == keyID {
				return fmt.Errorf("dsse: sign: envelope already has a signature for keyid %q (signatures[%d])", keyID, i)
			}
		}
	}
	sig, err := sk.Sign(Domain(chainID), PAE(e.PayloadType, e.Payload))
	if err != nil {
		return fmt.Errorf("dsse: sign: %w", err)
	}
	e.Signatures = append(e.Signatures, Signature{KeyID: keyID, Sig: sig})
	return nil
}

// Verify returns nil iff e carries a signature with keyid keyID that verifies
// under pk for Domain(chainID) over PAE(e.PayloadType, e.Payload). Other
// signatures are ignored. Errors:
//
//   - ErrNoSignature: no signature has that keyid;
//   - ErrWrongAlgorithm (and sigscheme.ErrSignatureSize): the signature's
//     size does not fit pk's algorithm (the message names the algorithm
//     whose size it does fit, if any);
//   - ErrBadSignature (and sigscheme.ErrInvalidSignature): the signature has
//     the right size but does not verify (tampered payload, payloadType or
//     sig, wrong key, or another chain id);
//   - sigscheme.ErrInvalidDomain: chainID is not a valid domain chain id.
//
// If several signatures share the keyid, one valid one suffices; otherwise
// the error of the first is returned.
func Verify(e *Envelope, keyID string, pk sigscheme.PublicKey, chainID string) error {
	if e == nil {
		return fmt.Errorf("%w: nil envelope", ErrInvalidEnvelope)
	}
	if pk == nil {
		return errors.New("dsse: verify: nil public key")
	}
	dom := Domain(chainID)
	if _, err := dom.Context(); err != nil {
		return fmt.Errorf("dsse: verify: %w", err)
	}
	var (
		pae      []byte
		firstErr error
	)
	for i, s := range e.Signatures {
		if s.KeyID != keyID {
			continue
		}
		alg := pk.Algorithm()
		if len(s.Sig) != alg.SignatureSize() {
			err := fmt.Errorf("%w: signatures[%d] (keyid %q) is %d bytes, a %s signature is %d bytes%s: %w",
				ErrWrongAlgorithm, i, keyID, len(s.Sig), alg, alg.SignatureSize(), sizeHint(len(s.Sig)), sigscheme.ErrSignatureSize)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if pae == nil {
			pae = PAE(e.PayloadType, e.Payload)
		}
		err := pk.Verify(dom, pae, s.Sig)
		if err == nil {
			return nil
		}
		if errors.Is(err, sigscheme.ErrInvalidSignature) {
			err = fmt.Errorf("%w: signatures[%d] (keyid %q, %s, chain %q): %w", ErrBadSignature, i, keyID, alg, chainID, err)
		} else {
			err = fmt.Errorf("dsse: verify signatures[%d] (keyid %q): %w", i, keyID, err)
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		return fmt.Errorf("%w %q (envelope has %d signatures)", ErrNoSignature, keyID, len(e.Signatures))
	}
	return firstErr
}

func sizeHint(n int) string {
	for _, a := range sigscheme.Algorithms() {
		if a.SignatureSize() == n {
			return fmt.Sprintf(" (the size of a %s signature)", a)
		}
	}
	return ""
}
