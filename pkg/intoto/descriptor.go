package intoto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// ResourceDescriptor is an in-toto v1 ResourceDescriptor
// (in-toto/attestation spec/v1/resource_descriptor.md).
type ResourceDescriptor struct {
	Name             string            `json:"name,omitempty"`
	URI              string            `json:"uri,omitempty"`
	Digest           map[string]string `json:"digest,omitempty"`
	Content          []byte            `json:"content,omitempty"` // standard base64 in JSON
	DownloadLocation string            `json:"downloadLocation,omitempty"`
	MediaType        string            `json:"mediaType,omitempty"`
	Annotations      map[string]any    `json:"annotations,omitempty"`
}

// digestHexLen gives, for the digest algorithms whose encoding is fixed,
// the allowed lengths of the lowercase hex value.
var digestHexLen = map[string][]int{
	"sha1":       {40},
	"sha224":     {56},
	"sha256":     {64},
	"sha384":     {96},
	"sha512":     {128},
	"sha512_224": {56},
	"sha512_256": {64},
	"sha3_224":   {56},
	"sha3_256":   {64},
	"sha3_384":   {96},
	"sha3_512":   {128},
	"md5":        {32},
	"ripemd160":  {40},
	"sm3":        {64},
	// git object ids: SHA-1 repositories (40) and SHA-256 repositories (64).
	"gitCommit": {40, 64},
	"gitTree":   {40, 64},
	"gitBlob":   {40, 64},
	"gitTag":    {40, 64},
}

// validateDigestSet checks every entry of d; path names the digest field
// (e.g. "subject[0].digest").
func validateDigestSet(d map[string]string, path string) error {
	var one [1]string
	keys := one[:0]
	if len(d) > 1 {
		keys = make([]string, 0, len(d))
	}
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, alg := range keys {
		v := d[alg]
		p := path + "." + alg
		if alg == "" {
			return fmt.Errorf("%s: empty algorithm name", path)
		}
		if v == "" {
			return fmt.Errorf("%s: empty digest", p)
		}
		lens, known := digestHexLen[alg]
		if !known {
			continue
		}
		if !isLowerHex(v) {
			return fmt.Errorf("%s: %q is not lowercase hex", p, truncate(v))
		}
		ok := false
		for _, n := range lens {
			ok = ok || len(v) == n
		}
		if !ok {
			return fmt.Errorf("%s: %d hex digits, want %s", p, len(v), joinInts(lens))
		}
	}
	return nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func joinInts(a []int) string {
	s := make([]string, len(a))
	for i, n := range a {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " or ")
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// parseDescriptors decodes a JSON array of ResourceDescriptors (see
// scanDescriptors) from raw.
func parseDescriptors(raw []byte, path string, requireDigest bool) ([]ResourceDescriptor, error) {
	sc := strictjson.NewScanner(raw)
	out, err := scanDescriptors(sc, 0, path, requireDigest)
	if err != nil {
		return nil, err
	}
	if err := sc.End(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return out, nil
}

// scanDescriptors reads a JSON array of ResourceDescriptors at path (depth
// containers deep in the document). Each descriptor is read in one pass:
// duplicate keys are rejected at every level and nesting is bounded as in
// strictjson.CheckNoDuplicateKeys. If requireDigest, each digest set must
// be present and non-empty (subjects); otherwise at least one of uri,
// digest and content must be set (the spec's rule). Unknown members are
// ignored.
func scanDescriptors(sc *strictjson.Scanner, depth int, path string, requireDigest bool) ([]ResourceDescriptor, error) {
	if err := sc.Begin('['); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var out []ResourceDescriptor
	for i := 0; ; i++ {
		more, err := sc.NextElem(i == 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if !more {
			return out, nil
		}
		rd, err := scanDescriptor(sc, depth+1, path, i, requireDigest)
		if err != nil {
			return nil, err
		}
		out = append(out, rd)
	}
}

func scanDescriptor(sc *strictjson.Scanner, depth int, base string, index int, requireDigest bool) (ResourceDescriptor, error) {
	var rd ResourceDescriptor
	path := func() string { return base + "[" + strconv.Itoa(index) + "]" }
	if depth >= strictjson.MaxDepth {
		return rd, fmt.Errorf("JSON nested deeper than %d at $.%s", strictjson.MaxDepth, path())
	}
	if err := sc.Begin('{'); err != nil {
		return rd, fmt.Errorf("%s: %v", path(), err)
	}
	var seen strictjson.KeySet
	haveContent := false
	for first := true; ; first = false {
		name, more, err := sc.NextKey(first)
		if err != nil {
			return rd, fmt.Errorf("%s: %v", path(), err)
		}
		if !more {
			break
		}
		if !seen.Add(name) {
			return rd, fmt.Errorf("duplicate key %q at $.%s", name, path())
		}
		switch string(name) {
		case "name":
			rd.Name, err = sc.String()
		case "uri":
			rd.URI, err = sc.String()
		case "downloadLocation":
			rd.DownloadLocation, err = sc.String()
		case "mediaType":
			rd.MediaType, err = sc.String()
		case "digest":
			p := path() + ".digest"
			if rd.Digest, err = scanStringMap(sc, depth+1, p); err != nil {
				return rd, err
			}
			if err = validateDigestSet(rd.Digest, p); err != nil {
				return rd, err
			}
		case "content":
			var b []byte
			if b, err = sc.StringBytes(); err == nil {
				haveContent = true
				rd.Content, err = decodeBase64(string(b))
			}
		case "annotations":
			if c := sc.Peek(); c != '{' {
				err = fmt.Errorf("want a JSON object, got %s", strictjson.Describe(c))
				break
			}
			start := sc.Offset()
			if err = sc.SkipNoDup(depth+1, "$."+path()+".annotations"); err != nil {
				return rd, err
			}
			rd.Annotations, err = parseAnyObject(sc.Data()[start:sc.Offset()])
		default:
			err = sc.SkipNoDup(depth+1, "$."+path()+"."+string(name))
			if err != nil {
				return rd, err
			}
		}
		if err != nil {
			return rd, fmt.Errorf("%s.%s: %v", path(), name, err)
		}
	}
	if requireDigest && len(rd.Digest) == 0 {
		return rd, fmt.Errorf("%s.digest: missing or empty (a subject needs at least one digest)", path())
	}
	if rd.URI == "" && len(rd.Digest) == 0 && !haveContent {
		return rd, fmt.Errorf("%s: needs at least one of uri, digest, content", path())
	}
	return rd, nil
}

// scanStringMap reads a JSON object whose values are all strings, without
// duplicate keys; errors are prefixed with path.
func scanStringMap(sc *strictjson.Scanner, depth int, path string) (map[string]string, error) {
	if depth >= strictjson.MaxDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d at $.%s", strictjson.MaxDepth, path)
	}
	if err := sc.Begin('{'); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	m := make(map[string]string, 1)
	for first := true; ; first = false {
		name, more, err := sc.NextKey(first)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if !more {
			return m, nil
		}
		if _, dup := m[string(name)]; dup {
			return nil, fmt.Errorf("duplicate key %q at $.%s", name, path)
		}
		v, err := sc.String()
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", path, name, err)
		}
		m[string(name)] = v
	}
}

// parseStringMap decodes a JSON object whose values are all strings; errors
// are prefixed with path.
func parseStringMap(raw []byte, path string) (map[string]string, error) {
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		s, err := strictjson.String(f.Value)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", path, f.Name, err)
		}
		m[f.Name] = s
	}
	return m, nil
}

func parseStringList(raw []byte) ([]string, error) {
	elems, err := strictjson.ArrayElems(raw, 0)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if out[i], err = strictjson.String(e); err != nil {
			return nil, fmt.Errorf("[%d]: %v", i, err)
		}
	}
	return out, nil
}

// parseAnyObject decodes a JSON object into a map, keeping numbers as
// json.Number so that re-encoding preserves them exactly.
func parseAnyObject(raw []byte) (map[string]any, error) {
	if err := requireObject(raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	return m, nil
}

func requireObject(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("want a JSON object, got %s", strictjson.DescribeRaw(raw))
	}
	return nil
}

func isNull(raw []byte) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// decodeBase64 accepts only canonical standard base64 with padding.
func decodeBase64(s string) ([]byte, error) {
	if i := strings.IndexAny(s, "\r\n\t "); i >= 0 {
		return nil, fmt.Errorf("invalid base64: whitespace at offset %d", i)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64 (want standard alphabet with padding): %v", err)
	}
	return b, nil
}
