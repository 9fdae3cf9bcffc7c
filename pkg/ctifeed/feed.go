package ctifeed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/cti"
)

// Format names a feed format.
type Format string

// Feed formats.
const (
	FormatOSV  Format = "osv"
	FormatSTIX Format = "stix"
	FormatMISP Format = "misp"
)

// Formats lists every format, in a fixed order (flags, help text).
var Formats = []Format{FormatOSV, FormatSTIX, FormatMISP}

// Skipped is one thing in a feed that did not become an indicator, and why.
type Skipped struct {
	// Source is the file it came from.
	Source string `json:"source"`
	// Ref names the thing inside the file: an OSV id (plus "#" and the
	// affected package), a STIX object id (plus "#" and the pattern term
	// index), a MISP attribute uuid.
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

// Result is what a feed translates to.
type Result struct {
	Indicators []cti.Indicator `json:"indicators"`
	// Revoked holds the indicator ids (cti.IDFor of a source id) the feed
	// withdraws: withdrawn OSV advisories, revoked STIX objects, deleted
	// MISP attributes.
	Revoked []string `json:"revoked,omitempty"`
	// RevokedSources is parallel to Revoked: the source id each revoked
	// indicator id was derived from, for messages.
	RevokedSources []string  `json:"revoked_sources,omitempty"`
	Skipped        []Skipped `json:"skipped,omitempty"`
	// Ignored counts feed objects that are not indicators by design (STIX
	// malware, relationship, identity, ...), by type, so a caller can say
	// what the file held without listing each one as skipped.
	Ignored map[string]int `json:"ignored,omitempty"`
}

// ErrFeed wraps every error about a feed's content.
var ErrFeed = errors.New("invalid feed")

// Error is a feed error: the file, the object in it and what is wrong.
// errors.Is(err, ErrFeed) holds for every Error.
type Error struct {
	Source string // file path
	Ref    string // object id, field path; may be empty
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ctifeed: ")
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	if e.Ref != "" {
		b.WriteString(e.Ref)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap makes errors.Is(err, ErrFeed) true.
func (e *Error) Unwrap() error { return ErrFeed }

func feedErr(source, ref, format string, args ...any) error {
	return &Error{Source: source, Ref: ref, Msg: fmt.Sprintf(format, args...)}
}

// Parse translates one file's bytes in format f.
func Parse(f Format, path string, data []byte) (*Result, error) {
	switch f {
	case FormatOSV:
		return ParseOSV(path, data)
	case FormatSTIX:
		return ParseSTIX(path, data)
	case FormatMISP:
		return ParseMISP(path, data)
	}
	return nil, feedErr(path, "", "unknown format %q (want osv, stix or misp)", f)
}

// Sniff guesses the format of a JSON document from its top-level shape; ok
// is false when it looks like none of them. It is how a parser given the
// wrong format says what it was given instead.
func Sniff(data []byte) (f Format, ok bool) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(data, &arr) != nil || len(arr) == 0 {
			return "", false
		}
		return Sniff(arr[0])
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return "", false
	}
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case has("Event") || has("response") || has("Attribute") && has("info"):
		return FormatMISP, true
	case has("type") && has("id") && isSTIXType(m["type"]), has("objects") && has("type"):
		return FormatSTIX, true
	case has("id") && (has("affected") || has("modified") || has("schema_version")), has("vulns"):
		return FormatOSV, true
	}
	return "", false
}

func isSTIXType(raw json.RawMessage) bool {
	var s string
	return json.Unmarshal(raw, &s) == nil && s != ""
}

// describe names a format for "looks like ..." errors.
func describe(f Format) string {
	switch f {
	case FormatOSV:
		return "an OSV advisory"
	case FormatSTIX:
		return "STIX"
	case FormatMISP:
		return "a MISP event"
	}
	return string(f)
}

// wrongFormat is the error for a document in another format than asked,
// or nil when the document does not look like another known format.
func wrongFormat(path string, want Format, data []byte) error {
	got, ok := Sniff(data)
	if !ok || got == want {
		return nil
	}
	return feedErr(path, "", "looks like %s, not %s (use --format %s)", describe(got), describe(want), got)
}

// collector accumulates one file's result and refuses duplicate source ids,
// which would otherwise make one indicator silently overwrite another.
type collector struct {
	path    string
	res     Result
	seen    map[string]string // source id -> "indicator" or "revoked"
	revoked map[string]bool
}

func newCollector(path string) *collector {
	return &collector{path: path, seen: map[string]string{}, revoked: map[string]bool{}}
}

// add finishes and validates an indicator. A feed value the registry
// cannot hold (bad domain, too many versions, ...) is skipped with the
// validation error as reason: the feed is not broken, the item does not
// fit. A duplicate source id is an error.
func (c *collector) add(in cti.Indicator) error {
	finish(&in)
	if prev, dup := c.seen[in.SourceID]; dup {
		return feedErr(c.path, in.SourceID, "duplicate source id (already %s in this file)", prev)
	}
	if err := in.Validate(); err != nil {
		c.skip(in.SourceID, err.Error())
		return nil
	}
	c.seen[in.SourceID] = "an indicator"
	c.res.Indicators = append(c.res.Indicators, in)
	return nil
}

func (c *collector) skip(ref, reason string) {
	c.res.Skipped = append(c.res.Skipped, Skipped{Source: c.path, Ref: ref, Reason: reason})
}

// revoke records that sourceID is withdrawn. Revoking twice is harmless
// and collapsed; revoking what the same file also publishes is an error.
func (c *collector) revoke(sourceID string) error {
	if prev, dup := c.seen[sourceID]; dup && prev != "revoked" {
		return feedErr(c.path, sourceID, "both published and revoked in this file")
	}
	if c.revoked[sourceID] {
		return nil
	}
	c.seen[sourceID] = "revoked"
	c.revoked[sourceID] = true
	c.res.Revoked = append(c.res.Revoked, cti.IDFor(sourceID))
	c.res.RevokedSources = append(c.res.RevokedSources, sourceID)
	return nil
}

func (c *collector) ignore(typ string) {
	if c.res.Ignored == nil {
		c.res.Ignored = map[string]int{}
	}
	c.res.Ignored[typ]++
}

func (c *collector) result() *Result {
	r := c.res
	return &r
}

// finish fills the derived id and trims free-text lists to what the
// registry accepts. Labels and references are context, not the indicator
// itself, so an over-long or excess entry is dropped rather than the
// indicator refused.
func finish(in *cti.Indicator) {
	in.ID = cti.IDFor(in.SourceID)
	in.Labels = cleanList(in.Labels, cti.MaxLabels, cti.MaxLabelLen)
	in.References = cleanList(in.References, cti.MaxReferences, cti.MaxReferenceLen)
	in.Summary = truncate(strings.TrimSpace(in.Summary), cti.MaxSummaryLen)
}

// cleanList drops empty, over-long, non-UTF-8 and repeated entries and
// keeps at most maxN, in the feed's order.
func cleanList(xs []string, maxN, maxLen int) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x == "" || len(x) > maxLen || !utf8.ValidString(x) || seen[x] {
			continue
		}
		if len(out) == maxN {
			break
		}
		seen[x] = true
		out = append(out, x)
	}
	return out
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
// Invalid UTF-8 is replaced so the summary always validates.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

// parseTime reads an RFC 3339 timestamp (with or without fractional
// seconds) as unix seconds; empty is 0. Times before 1970 are refused:
// the registry stores unsigned-in-spirit unix seconds.
func parseTime(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	if t.Unix() < 0 {
		return 0, fmt.Errorf("%q is before 1970", s)
	}
	return t.Unix(), nil
}

// checkWindow is the "valid_until before valid_from" error.
func checkWindow(path, ref string, from, until int64) error {
	if until != 0 && until <= from {
		return feedErr(path, ref, "valid_until %s is not after valid_from %s",
			time.Unix(until, 0).UTC().Format(time.RFC3339), time.Unix(from, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// jsonErr describes a decoding error without Go type names where possible.
func jsonErr(path, ref string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return feedErr(path, ref, "malformed JSON at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "value"
		}
		return feedErr(path, ref, "field %s: JSON %s where %s was expected", field, te.Value, te.Type)
	}
	return feedErr(path, ref, "invalid value: %v", err)
}

// sortedKeys returns m's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
