package sigscheme

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Algorithm names a signature algorithm. The string values are stable and
// appear on chain and in JSON.
type Algorithm string

const (
	// Ed25519 is RFC 8032 Ed25519.
	Ed25519 Algorithm = "ed25519"
	// MLDSA65 is FIPS 204 ML-DSA-65.
	MLDSA65 Algorithm = "ml_dsa_65"
	// Composite is id-MLDSA65-Ed25519-SHA512 from the IETF LAMPS composite
	// signatures draft (draft-ietf-lamps-pq-composite-sigs-19).
	Composite Algorithm = "composite"
)

// Errors returned (wrapped, with details) by this package. Use errors.Is.
var (
	ErrUnknownAlgorithm    = errors.New("sigscheme: unknown algorithm")
	ErrAlgorithmMismatch   = errors.New("sigscheme: algorithm mismatch")
	ErrInvalidKey          = errors.New("sigscheme: invalid key")
	ErrInvalidSignature    = errors.New("sigscheme: invalid signature")
	ErrSignatureSize       = errors.New("sigscheme: wrong signature size")
	ErrInvalidDomain       = errors.New("sigscheme: invalid domain")
	ErrInvalidTextEncoding = errors.New("sigscheme: invalid public key text")
)

const (
	ed25519PublicKeySize = 32
	ed25519SignatureSize = 64
	ed25519SeedSize      = 32
	mldsa65PublicKeySize = 1952
	mldsa65SignatureSize = 3309
	mldsa65SeedSize      = 32
)

var allAlgorithms = []Algorithm{Ed25519, MLDSA65, Composite}

// Algorithms returns every supported algorithm, in a fixed order.
func Algorithms() []Algorithm {
	return append([]Algorithm(nil), allAlgorithms...)
}

func validNames() string {
	names := make([]string, len(allAlgorithms))
	for i, a := range allAlgorithms {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

// ParseAlgorithm returns the algorithm with exactly the name s.
func ParseAlgorithm(s string) (Algorithm, error) {
	for _, a := range allAlgorithms {
		if string(a) == s {
			return a, nil
		}
	}
	return "", fmt.Errorf("%w %q (valid: %s)", ErrUnknownAlgorithm, s, validNames())
}

func (a Algorithm) check() error {
	_, err := ParseAlgorithm(string(a))
	return err
}

// String returns the algorithm's name.
func (a Algorithm) String() string { return string(a) }

// PublicKeySize returns the encoded public key size in bytes, or 0 for an
// unknown algorithm.
func (a Algorithm) PublicKeySize() int {
	switch a {
	case Ed25519:
		return ed25519PublicKeySize
	case MLDSA65:
		return mldsa65PublicKeySize
	case Composite:
		return mldsa65PublicKeySize + ed25519PublicKeySize
	}
	return 0
}

// SignatureSize returns the signature size in bytes, or 0 for an unknown
// algorithm.
func (a Algorithm) SignatureSize() int {
	switch a {
	case Ed25519:
		return ed25519SignatureSize
	case MLDSA65:
		return mldsa65SignatureSize
	case Composite:
		return mldsa65SignatureSize + ed25519SignatureSize
	}
	return 0
}

// PrivateKeySize returns the size of the seed-based private key encoding
// ([PrivateKey.Bytes]) in bytes, or 0 for an unknown algorithm.
func (a Algorithm) PrivateKeySize() int {
	switch a {
	case Ed25519:
		return ed25519SeedSize
	case MLDSA65:
		return mldsa65SeedSize
	case Composite:
		return mldsa65SeedSize + ed25519SeedSize
	}
	return 0
}

// Domain separates signatures by chain and purpose: a signature made for one
// (chain id, purpose) never verifies for another.
//
// ChainID may be empty, meaning "not bound to a chain"; that is itself a
// distinct domain which never verifies for any non-empty chain id.
type Domain struct{ ChainID, Purpose string }

const (
	domainPrefix  = "adf/v1|"
	maxContextLen = 255 // FIPS 204 / composite draft context limit
)

// Context returns the deterministic, injective encoding of d:
//
//	"adf/v1|" || ChainID || "|" || Purpose
//
// It fails if Purpose is empty, if either field contains '|', or if the
// encoding exceeds 255 bytes (the FIPS 204 context limit).
func (d Domain) Context() ([]byte, error) {
	if d.Purpose == "" {
		return nil, fmt.Errorf("%w: empty purpose", ErrInvalidDomain)
	}
	if strings.Contains(d.ChainID, "|") {
		return nil, fmt.Errorf("%w: chain id %q contains '|'", ErrInvalidDomain, d.ChainID)
	}
	if strings.Contains(d.Purpose, "|") {
		return nil, fmt.Errorf("%w: purpose %q contains '|'", ErrInvalidDomain, d.Purpose)
	}
	n := len(domainPrefix) + len(d.ChainID) + 1 + len(d.Purpose)
	if n > maxContextLen {
		return nil, fmt.Errorf("%w: context is %d bytes, limit %d", ErrInvalidDomain, n, maxContextLen)
	}
	ctx := make([]byte, 0, n)
	ctx = append(ctx, domainPrefix...)
	ctx = append(ctx, d.ChainID...)
	ctx = append(ctx, '|')
	ctx = append(ctx, d.Purpose...)
	return ctx, nil
}

// PublicKey is a verification key of one of the supported algorithms.
type PublicKey interface {
	Algorithm() Algorithm
	// Bytes returns a copy of the raw encoding (composite = ML-DSA-65 pk ||
	// Ed25519 pk).
	Bytes() []byte
	// Verify returns nil only if sig is a valid signature of msg for domain
	// d. Errors wrap ErrSignatureSize, ErrInvalidSignature or
	// ErrInvalidDomain.
	Verify(d Domain, msg, sig []byte) error
	// Equal reports whether both keys have the same algorithm and encoding.
	Equal(PublicKey) bool
}

// PrivateKey is a signing key of one of the supported algorithms.
type PrivateKey interface {
	Algorithm() Algorithm
	Public() PublicKey
	// Sign signs msg for domain d. It is deterministic.
	Sign(d Domain, msg []byte) ([]byte, error)
	// Bytes returns a copy of the seed-based encoding: Ed25519 32-byte seed;
	// ML-DSA-65 32-byte seed; composite = ML-DSA seed || Ed25519 seed.
	Bytes() []byte
}

// internal interfaces implemented by every key type of this package. An empty
// ctx selects the raw (domain-less) form.
type ctxVerifier interface {
	verifyCtx(ctx, msg, sig []byte) error
}

type ctxSigner interface {
	signCtx(ctx, msg []byte) ([]byte, error)
}

// GenerateKey generates a fresh key pair for alg, reading the seed(s) from
// rand (crypto/rand if nil). rand must be a cryptographically secure source;
// a fixed reader yields reproducible keys (tests only). For the composite,
// the two component seeds are read independently, so both components are
// freshly generated as the draft requires.
func GenerateKey(alg Algorithm, rand io.Reader) (PrivateKey, error) {
	if err := alg.check(); err != nil {
		return nil, err
	}
	if rand == nil {
		rand = cryptoRandReader
	}
	seed := make([]byte, alg.PrivateKeySize())
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, fmt.Errorf("sigscheme: generating %s key: %w", alg, err)
	}
	return ParsePrivateKey(alg, seed)
}

var cryptoRandReader = rand.Reader

// ParsePublicKey decodes a raw public key of algorithm alg. The length must
// match exactly; Ed25519 keys (alone or in a composite) must be canonical
// encodings of curve points, and ML-DSA keys must decode with circl.
func ParsePublicKey(alg Algorithm, b []byte) (PublicKey, error) {
	if err := alg.check(); err != nil {
		return nil, err
	}
	if len(b) != alg.PublicKeySize() {
		return nil, fmt.Errorf("%w: %s public key is %d bytes, want %d", ErrInvalidKey, alg, len(b), alg.PublicKeySize())
	}
	var (
		pk  PublicKey
		err error
	)
	// Assign through typed variables so a failed parse returns a nil
	// interface, not an interface holding a nil pointer.
	switch alg {
	case Ed25519:
		var k *ed25519PublicKey
		if k, err = parseEd25519PublicKey(b); err == nil {
			pk = k
		}
	case MLDSA65:
		var k *mldsa65PublicKey
		if k, err = parseMLDSA65PublicKey(b); err == nil {
			pk = k
		}
	default:
		var k *compositePublicKey
		if k, err = parseCompositePublicKey(b); err == nil {
			pk = k
		}
	}
	if err != nil {
		return nil, err
	}
	return pk, nil
}

// ParsePrivateKey decodes a seed-based private key of algorithm alg (see
// [PrivateKey.Bytes]). The length must match exactly.
func ParsePrivateKey(alg Algorithm, b []byte) (PrivateKey, error) {
	if err := alg.check(); err != nil {
		return nil, err
	}
	if len(b) != alg.PrivateKeySize() {
		return nil, fmt.Errorf("%w: %s private key is %d bytes, want %d", ErrInvalidKey, alg, len(b), alg.PrivateKeySize())
	}
	switch alg {
	case Ed25519:
		return newEd25519PrivateKey(b), nil
	case MLDSA65:
		return newMLDSA65PrivateKey(b), nil
	default:
		return newCompositePrivateKey(b), nil
	}
}

// VerifyRaw verifies sig over msg with NO ADF domain: pure Ed25519, ML-DSA-65
// with the empty FIPS 204 context, composite with the draft's empty ctx. Use
// it for interoperability with external verifiers and for Cosmos transaction
// signatures whose sign bytes already bind the chain id.
func VerifyRaw(pk PublicKey, msg, sig []byte) error {
	v, ok := pk.(ctxVerifier)
	if !ok {
		return fmt.Errorf("%w: unsupported public key type %T", ErrUnknownAlgorithm, pk)
	}
	return v.verifyCtx(nil, msg, sig)
}

// SignRaw signs msg with NO ADF domain; see [VerifyRaw].
func SignRaw(sk PrivateKey, msg []byte) ([]byte, error) {
	s, ok := sk.(ctxSigner)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported private key type %T", ErrUnknownAlgorithm, sk)
	}
	return s.signCtx(nil, msg)
}

// FormatPublicKey returns the text form "<algorithm>:<base64>" (standard
// base64 with padding), e.g. "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".
func FormatPublicKey(pk PublicKey) string {
	return string(pk.Algorithm()) + ":" + base64.StdEncoding.EncodeToString(pk.Bytes())
}

// ParsePublicKeyText parses the text form produced by [FormatPublicKey]. The
// base64 must be canonical standard encoding with padding and no whitespace.
func ParsePublicKeyText(s string) (PublicKey, error) {
	name, enc, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("%w: want \"<algorithm>:<base64>\" (algorithms: %s)", ErrInvalidTextEncoding, validNames())
	}
	alg, err := ParseAlgorithm(name)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil || base64.StdEncoding.EncodeToString(b) != enc {
		return nil, fmt.Errorf("%w: %s key is not canonical standard base64", ErrInvalidTextEncoding, alg)
	}
	return ParsePublicKey(alg, b)
}

func checkSigSize(alg Algorithm, sig []byte) error {
	if len(sig) != alg.SignatureSize() {
		return fmt.Errorf("%w: %s signature is %d bytes, want %d", ErrSignatureSize, alg, len(sig), alg.SignatureSize())
	}
	return nil
}

func equalKeys(a PublicKey, b PublicKey) bool {
	return b != nil && a.Algorithm() == b.Algorithm() && bytes.Equal(a.Bytes(), b.Bytes())
}

func verifyDomain(v ctxVerifier, d Domain, msg, sig []byte) error {
	ctx, err := d.Context()
	if err != nil {
		return err
	}
	return v.verifyCtx(ctx, msg, sig)
}

func signDomain(s ctxSigner, d Domain, msg []byte) ([]byte, error) {
	ctx, err := d.Context()
	if err != nil {
		return nil, err
	}
	return s.signCtx(ctx, msg)
}
