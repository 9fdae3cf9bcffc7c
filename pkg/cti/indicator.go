package cti

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/purl"
)

// Kind is what an indicator describes.
type Kind string

// Indicator kinds.
const (
	KindPackage    Kind = "package"
	KindFileSHA256 Kind = "file-sha256"
	KindDomain     Kind = "domain"
	// KindIP holds one address or a CIDR prefix, IPv4 or IPv6.
	KindIP        Kind = "ip"
	KindURL       Kind = "url"
	KindTechnique Kind = "attack-technique"
)

// Kinds lists every kind, in a fixed order (params, tables, docs).
var Kinds = []Kind{KindPackage, KindFileSHA256, KindDomain, KindIP, KindURL, KindTechnique}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Severity of an indicator; empty means unknown.
type Severity string

// Severities.
const (
	SeverityUnknown  Severity = ""
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool {
	switch s {
	case SeverityUnknown, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical:
		return true
	}
	return false
}

// Range types, as in OSV.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Event is one OSV range event; exactly one field is set. Introduced "0"
// means "from the first version".
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Range is an OSV affected range: events ordered as the source gave them.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// PackageMatch says which versions of one package an indicator covers: the
// exact Versions, every version inside one of Ranges, or all of them.
type PackageMatch struct {
	// Ecosystem is the OSV ecosystem name: npm, PyPI, Go, crates.io,
	// RubyGems, Maven, NuGet, Packagist, Pub, Hex.
	Ecosystem string `json:"ecosystem"`
	// Name is the package name as OSV spells it ("@scope/pkg" for npm,
	// the module path for Go, "group:artifact" for Maven).
	Name        string   `json:"name"`
	Versions    []string `json:"versions,omitempty"`
	Ranges      []Range  `json:"ranges,omitempty"`
	AllVersions bool     `json:"all_versions,omitempty"`
}

// Indicator is one piece of shared threat intelligence.
type Indicator struct {
	// ID is IDFor(SourceID); re-publishing the same source id updates the
	// indicator instead of duplicating it.
	ID string `json:"id"`
	// SourceID is the id in the feed it came from: an OSV id, a STIX
	// indicator id (plus the pattern term for multi-term patterns), a MISP
	// attribute uuid.
	SourceID string `json:"source_id"`
	Kind     Kind   `json:"kind"`
	// Value is the normalised observable for every kind but package.
	Value      string        `json:"value,omitempty"`
	Package    *PackageMatch `json:"package,omitempty"`
	Confidence uint32        `json:"confidence"`
	Severity   Severity      `json:"severity,omitempty"`
	// ValidFrom and ValidUntil are unix seconds; 0 means "from
	// publication" and "no end".
	ValidFrom  int64    `json:"valid_from,omitempty"`
	ValidUntil int64    `json:"valid_until,omitempty"`
	Labels     []string `json:"labels,omitempty"`
	References []string `json:"references,omitempty"`
	Summary    string   `json:"summary,omitempty"`
	// Publisher is the org id that published it; set by the registry, not
	// by the feed.
	Publisher string `json:"publisher,omitempty"`
}

// Limits on indicator fields.
const (
	MaxConfidence    = 100
	MaxSourceIDLen   = 256
	MaxValueLen      = 2048
	MaxNameLen       = 512
	MaxVersions      = 1024
	MaxRanges        = 64
	MaxEvents        = 64
	MaxVersionLen    = 128
	MaxLabels        = 32
	MaxLabelLen      = 64
	MaxReferences    = 32
	MaxReferenceLen  = 2048
	MaxSummaryLen    = 1024
	indicatorIDBytes = 16
)

// LabelMalicious marks a malicious package or artifact (OSV MAL- advisories).
const LabelMalicious = "malicious"

// IDFor derives an indicator id from its source id.
func IDFor(sourceID string) string {
	sum := sha256.Sum256([]byte("adf/cti/indicator/v1\x00" + sourceID))
	return "ind-" + hex.EncodeToString(sum[:indicatorIDBytes])
}

// ErrInvalid wraps every validation error.
var ErrInvalid = errors.New("invalid indicator")

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}

// Validate checks an indicator as a registry receives it: known kind, a
// normalised value (or a package match), confidence in 0..100, a validity
// window that is not inverted, bounded lists. ID must equal IDFor(SourceID).
func (in *Indicator) Validate() error {
	if in.SourceID == "" {
		return invalid("source_id", "empty")
	}
	if len(in.SourceID) > MaxSourceIDLen || !utf8.ValidString(in.SourceID) {
		return invalid("source_id", "longer than %d bytes or not UTF-8", MaxSourceIDLen)
	}
	if want := IDFor(in.SourceID); in.ID != want {
		return invalid("id", "%q is not the id of source %q (want %s)", in.ID, in.SourceID, want)
	}
	if !in.Kind.Valid() {
		return invalid("kind", "unknown kind %q", in.Kind)
	}
	if in.Kind == KindPackage {
		if in.Value != "" {
			return invalid("value", "a package indicator carries its package in package, not value")
		}
		if in.Package == nil {
			return invalid("package", "missing for kind package")
		}
		if err := in.Package.Validate(); err != nil {
			return err
		}
	} else {
		if in.Package != nil {
			return invalid("package", "set on a %s indicator", in.Kind)
		}
		norm, err := NormalizeValue(in.Kind, in.Value)
		if err != nil {
			return err
		}
		if norm != in.Value {
			return invalid("value", "%q is not normalised (want %q)", in.Value, norm)
		}
	}
	if in.Confidence > MaxConfidence {
		return invalid("confidence", "%d is above %d", in.Confidence, MaxConfidence)
	}
	if !in.Severity.Valid() {
		return invalid("severity", "unknown severity %q", in.Severity)
	}
	if in.ValidFrom < 0 || in.ValidUntil < 0 {
		return invalid("valid_from", "negative time")
	}
	if in.ValidUntil != 0 && in.ValidUntil <= in.ValidFrom {
		return invalid("valid_until", "%d is not after valid_from %d", in.ValidUntil, in.ValidFrom)
	}
	if err := checkStrings("labels", in.Labels, MaxLabels, MaxLabelLen); err != nil {
		return err
	}
	if err := checkStrings("references", in.References, MaxReferences, MaxReferenceLen); err != nil {
		return err
	}
	if len(in.Summary) > MaxSummaryLen || !utf8.ValidString(in.Summary) {
		return invalid("summary", "longer than %d bytes or not UTF-8", MaxSummaryLen)
	}
	return nil
}

// HasLabel reports whether the indicator carries label l.
func (in *Indicator) HasLabel(l string) bool {
	for _, x := range in.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// IndexKey is the key the registry indexes an indicator under: the package
// key for packages, kind "/" value otherwise. Keys are compared whole, and
// neither kinds nor ecosystem names contain '/', so the first '/' splits
// them unambiguously; a NUL would clash with the store's key encoding.
func (in *Indicator) IndexKey() string {
	if in.Kind == KindPackage && in.Package != nil {
		return PackageKey(in.Package.Ecosystem, in.Package.Name)
	}
	return string(in.Kind) + "/" + in.Value
}

// PackageKey is the index key of a package: ecosystem and name, with the
// name folded where the ecosystem treats names case-insensitively.
func PackageKey(ecosystem, name string) string {
	return ecosystem + "/" + NormalizePackageName(ecosystem, name)
}

// NormalizePackageName folds a name the way its ecosystem compares names:
// PyPI per PEP 503 (case, runs of -_. to -), npm, crates.io and NuGet by
// case; the others are compared as written.
func NormalizePackageName(ecosystem, name string) string {
	switch ecosystem {
	case "PyPI":
		return purl.NormalizePyPI(name)
	case "npm", "crates.io", "NuGet":
		return strings.ToLower(name)
	}
	return name
}

// Validate checks a package match.
func (p *PackageMatch) Validate() error {
	if p.Ecosystem == "" || len(p.Ecosystem) > 64 {
		return invalid("package.ecosystem", "empty or longer than 64 bytes")
	}
	if p.Name == "" || len(p.Name) > MaxNameLen || !utf8.ValidString(p.Name) {
		return invalid("package.name", "empty, longer than %d bytes or not UTF-8", MaxNameLen)
	}
	if !p.AllVersions && len(p.Versions) == 0 && len(p.Ranges) == 0 {
		return invalid("package", "%s/%s names no versions, no ranges and not all_versions", p.Ecosystem, p.Name)
	}
	if err := checkStrings("package.versions", p.Versions, MaxVersions, MaxVersionLen); err != nil {
		return err
	}
	if len(p.Ranges) > MaxRanges {
		return invalid("package.ranges", "%d ranges, at most %d", len(p.Ranges), MaxRanges)
	}
	for i, r := range p.Ranges {
		f := fmt.Sprintf("package.ranges[%d]", i)
		switch r.Type {
		case RangeSemver, RangeEcosystem, RangeGit:
		default:
			return invalid(f+".type", "unknown range type %q", r.Type)
		}
		if len(r.Events) == 0 || len(r.Events) > MaxEvents {
			return invalid(f+".events", "%d events, want 1..%d", len(r.Events), MaxEvents)
		}
		for j, e := range r.Events {
			n := 0
			for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
				if v != "" {
					n++
					if len(v) > MaxVersionLen {
						return invalid(fmt.Sprintf("%s.events[%d]", f, j), "version longer than %d bytes", MaxVersionLen)
					}
				}
			}
			if n != 1 {
				return invalid(fmt.Sprintf("%s.events[%d]", f, j), "sets %d of introduced, fixed, last_affected, limit; want exactly one", n)
			}
		}
	}
	return nil
}

func checkStrings(field string, xs []string, maxN, maxLen int) error {
	if len(xs) > maxN {
		return invalid(field, "%d entries, at most %d", len(xs), maxN)
	}
	seen := make(map[string]struct{}, len(xs))
	for i, x := range xs {
		if x == "" || len(x) > maxLen || !utf8.ValidString(x) {
			return invalid(fmt.Sprintf("%s[%d]", field, i), "empty, longer than %d bytes or not UTF-8", maxLen)
		}
		if _, dup := seen[x]; dup {
			return invalid(fmt.Sprintf("%s[%d]", field, i), "duplicate %q", x)
		}
		seen[x] = struct{}{}
	}
	return nil
}

var (
	sha256Hex   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	techniqueRe = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	domainLabel = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$`)
)

// NormalizeValue returns the canonical form of an observable of kind k:
// lower-case hex for hashes, lower-case domains without a trailing dot,
// canonical IP addresses and masked prefixes, URLs with lower-case scheme and
// host, upper-case ATT&CK technique ids. Anything else is an error naming
// the problem.
func NormalizeValue(k Kind, v string) (string, error) {
	if v == "" {
		return "", invalid("value", "empty %s", k)
	}
	if len(v) > MaxValueLen {
		return "", invalid("value", "longer than %d bytes", MaxValueLen)
	}
	switch k {
	case KindFileSHA256:
		s := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(v, "sha256:"), "SHA256:"))
		if !sha256Hex.MatchString(s) {
			return "", invalid("value", "%q is not 64 hex digits of a sha256", v)
		}
		return s, nil
	case KindDomain:
		return normalizeDomain(v)
	case KindIP:
		if strings.Contains(v, "/") {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return "", invalid("value", "%q is not an IP prefix: %v", v, err)
			}
			p = p.Masked()
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			if p.Bits() == p.Addr().BitLen() {
				return p.Addr().String(), nil
			}
			return p.String(), nil
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "", invalid("value", "%q is not an IP address: %v", v, err)
		}
		if a.Zone() != "" {
			return "", invalid("value", "%q has a zone", v)
		}
		return a.Unmap().String(), nil
	case KindURL:
		u, err := url.Parse(v)
		if err != nil {
			return "", invalid("value", "%q is not a URL: %v", v, err)
		}
		if u.Scheme == "" || u.Host == "" {
			return "", invalid("value", "%q is not an absolute URL with a host", v)
		}
		u.Scheme = strings.ToLower(u.Scheme)
		host := u.Hostname()
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err != nil {
			if _, err := normalizeDomain(host); err != nil {
				return "", invalid("value", "URL %q has an invalid host: %v", v, err)
			}
		}
		u.Host = strings.ToLower(u.Host)
		u.Fragment = ""
		return u.String(), nil
	case KindTechnique:
		s := strings.ToUpper(v)
		if !techniqueRe.MatchString(s) {
			return "", invalid("value", "%q is not an ATT&CK technique id like T1195 or T1195.002", v)
		}
		return s, nil
	case KindPackage:
		return "", invalid("value", "package indicators have no value")
	}
	return "", invalid("kind", "unknown kind %q", k)
}

func normalizeDomain(v string) (string, error) {
	s := strings.TrimSuffix(strings.ToLower(v), ".")
	if len(s) == 0 || len(s) > 253 {
		return "", invalid("value", "domain %q is empty or longer than 253 bytes", v)
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "", invalid("value", "domain %q has a single label", v)
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return "", invalid("value", "domain %q has an invalid label %q", v, l)
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return "", invalid("value", "%q is an IP address, not a domain", v)
	}
	return s, nil
}

func parseAddr(s string) (netip.Addr, error) { return netip.ParseAddr(s) }
