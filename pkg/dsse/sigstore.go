package dsse

import (
	"fmt"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// MaxSigstoreBundleBytes is the largest Sigstore bundle ParseSigstoreBundle
// accepts (checked before decoding). The DSSE envelope inside is further
// limited by DefaultLimits.
const MaxSigstoreBundleBytes = 2 << 20

// Sigstore bundle media types accepted by ParseSigstoreBundle
// (sigstore/protobuf-specs, bundle v0.1 to v0.3).
var sigstoreBundleMediaTypes = map[string]bool{
	"application/vnd.dev.sigstore.bundle+json;version=0.1": true,
	"application/vnd.dev.sigstore.bundle+json;version=0.2": true,
	"application/vnd.dev.sigstore.bundle+json;version=0.3": true,
	"application/vnd.dev.sigstore.bundle.v0.3+json":        true,
}

// ParseSigstoreBundle reads a Sigstore bundle (JSON, media types v0.1 to v0.3,
// protobuf-specs camelCase field names) and returns its DSSE envelope,
// parsed with Parse(…, DefaultLimits). The bundle's verificationMaterial is
// not examined, and NO Sigstore signature, certificate, transparency-log or
// timestamp verification is done: the result is unauthenticated.
//
// The bundle must be one JSON object with a known mediaType, no duplicate or
// unknown top-level members, and exactly one of dsseEnvelope and
// messageSignature; a messageSignature bundle yields ErrNotDSSEBundle. Other
// errors wrap ErrTooLarge, ErrInvalidBundle or (for the envelope)
// ErrInvalidEnvelope / ErrTooManySignatures.
func ParseSigstoreBundle(data []byte) (*Envelope, error) {
	if len(data) > MaxSigstoreBundleBytes {
		return nil, fmt.Errorf("%w: sigstore bundle is %d bytes, limit %d", ErrTooLarge, len(data), MaxSigstoreBundleBytes)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: input is not valid UTF-8", ErrInvalidBundle)
	}
	fields, err := strictjson.ObjectFields(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidBundle, err)
	}
	var (
		mediaType      string
		haveMediaType  bool
		envRaw         []byte
		haveMsgSig     bool
		haveVerifyMatl bool
	)
	for _, f := range fields {
		switch f.Name {
		case "mediaType":
			haveMediaType = true
			if mediaType, err = strictjson.String(f.Value); err != nil {
				return nil, fmt.Errorf("%w: mediaType: %v", ErrInvalidBundle, err)
			}
		case "verificationMaterial":
			haveVerifyMatl = true
		case "dsseEnvelope":
			envRaw = f.Value
		case "messageSignature":
			haveMsgSig = true
		default:
			return nil, fmt.Errorf("%w: unknown field %q (want mediaType, verificationMaterial, dsseEnvelope or messageSignature)", ErrInvalidBundle, f.Name)
		}
	}
	switch {
	case !haveMediaType:
		return nil, fmt.Errorf("%w: mediaType is missing", ErrInvalidBundle)
	case !sigstoreBundleMediaTypes[mediaType]:
		return nil, fmt.Errorf("%w: mediaType %q is not a Sigstore bundle v0.1-v0.3 media type", ErrInvalidBundle, mediaType)
	case !haveVerifyMatl:
		return nil, fmt.Errorf("%w: verificationMaterial is missing", ErrInvalidBundle)
	case envRaw != nil && haveMsgSig:
		return nil, fmt.Errorf("%w: both dsseEnvelope and messageSignature are present", ErrInvalidBundle)
	case haveMsgSig:
		return nil, fmt.Errorf("%w: bundle content is messageSignature (a signature over an artifact digest), not dsseEnvelope", ErrNotDSSEBundle)
	case envRaw == nil:
		return nil, fmt.Errorf("%w: neither dsseEnvelope nor messageSignature is present", ErrInvalidBundle)
	}
	e, err := Parse(envRaw, DefaultLimits)
	if err != nil {
		return nil, fmt.Errorf("sigstore bundle dsseEnvelope: %w", err)
	}
	return e, nil
}
