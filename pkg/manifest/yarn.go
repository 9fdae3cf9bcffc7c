package manifest

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var berryMetadata = regexp.MustCompile(`(?m)^"?__metadata"?:`)

// parseYarnLock reads both yarn.lock dialects: classic (v1, its own
// indentation syntax) and berry (v2+, YAML with a __metadata entry).
func parseYarnLock(c *collector, content []byte) error {
	if berryMetadata.Match(content) {
		return parseYarnBerry(c, content)
	}
	return parseYarnClassic(c, content)
}

type yarnEntry struct {
	line     int
	header   string
	specs    []string
	version  string
	resolved string
}

func parseYarnClassic(c *collector, content []byte) error {
	var cur *yarnEntry
	var entries []*yarnEntry
	for i, raw := range splitLines(content) {
		ln := i + 1
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(trimmed)
		switch {
		case indent == 0:
			if !strings.HasSuffix(line, ":") {
				return malformed(c.path, ln, "yarn.lock: entry header %q does not end with ':'", line)
			}
			specs, err := yarnSplitKeys(strings.TrimSuffix(line, ":"))
			if err != nil {
				return malformed(c.path, ln, "yarn.lock: %v", err)
			}
			cur = &yarnEntry{line: ln, header: strings.TrimSuffix(line, ":"), specs: specs}
			entries = append(entries, cur)
		case cur == nil:
			return malformed(c.path, ln, "yarn.lock: indented line outside an entry")
		case indent == 2:
			key, val, err := yarnField(trimmed)
			if err != nil {
				return malformed(c.path, ln, "yarn.lock: %v", err)
			}
			switch key {
			case "version":
				cur.version = val
			case "resolved":
				cur.resolved = val
			}
		}
		// Deeper lines are dependency lists, which name ranges, not versions.
	}
	if len(entries) == 0 && !strings.Contains(string(content), "yarn lockfile v1") {
		return malformed(c.path, 0, "yarn.lock: no entries and no \"yarn lockfile v1\" header")
	}
	for _, e := range entries {
		if e.version == "" {
			return malformed(c.path, e.line, "yarn.lock: entry %s has no version", e.header)
		}
		name, rng := yarnSplitSpec(e.specs[0])
		// "alias@npm:real@range" installs real under the alias's folder.
		if real, ok := strings.CutPrefix(rng, "npm:"); ok {
			if n, _ := yarnSplitSpec(real); real != "" && strings.Contains(real[1:], "@") {
				name = n
			}
		}
		if reason := yarnClassicNonRegistry(e); reason != "" {
			c.problem(e.line, e.header, reason)
			continue
		}
		if !npmTarballMatches(e.resolved, name, e.version) {
			c.problem(e.line, e.header, "resolved URL "+e.resolved+" is not the registry tarball of "+name+"@"+e.version)
		}
		c.add("npm", name, e.version, e.line, false)
	}
	return nil
}

// yarnClassicNonRegistry decides from where a package was fetched: the
// resolved URL when there is one, else the requested range.
func yarnClassicNonRegistry(e *yarnEntry) string {
	if e.resolved != "" {
		if npmRegistryTarball(e.resolved) {
			return ""
		}
		return "fetched from " + e.resolved + ", not a registry tarball"
	}
	for _, s := range e.specs {
		_, rng := yarnSplitSpec(s)
		rng = strings.TrimPrefix(rng, "npm:")
		if hasAnyPrefix(rng, "git", "ssh:", "http:", "https:", "github:", "gitlab:", "bitbucket:", "file:", "link:", "portal:", "workspace:") ||
			(strings.Contains(rng, "/") && !strings.HasPrefix(rng, "@")) {
			return "requested as " + rng + ", not a registry version"
		}
	}
	return ""
}

// yarnSplitSpec splits "name@range"; a leading @ belongs to a scope.
func yarnSplitSpec(s string) (name, rng string) {
	if len(s) == 0 {
		return "", ""
	}
	i := strings.Index(s[1:], "@")
	if i < 0 {
		return s, ""
	}
	return s[:i+1], s[i+2:]
}

// yarnSplitKeys splits an entry header ("a@^1, \"b@2\"") into its specs.
func yarnSplitKeys(h string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(h); i++ {
		ch := h[i]
		switch {
		case ch == '"':
			inQuote = !inQuote
		case ch == '\\' && inQuote && i+1 < len(h):
			i++
			cur.WriteByte(h[i])
		case ch == ',' && !inQuote:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	if inQuote {
		return nil, errorString("unterminated quote in entry header")
	}
	out = append(out, strings.TrimSpace(cur.String()))
	for _, s := range out {
		if s == "" {
			return nil, errorString("empty spec in entry header")
		}
	}
	return out, nil
}

// yarnField reads a `key value`, `key "value"` or `key:` line.
func yarnField(s string) (key, val string, err error) {
	if strings.HasSuffix(s, ":") && !strings.Contains(s, " ") {
		return strings.TrimSuffix(s, ":"), "", nil
	}
	key, val, ok := strings.Cut(s, " ")
	if !ok {
		return "", "", errorString("field " + strconv.Quote(s) + " has no value")
	}
	key = strings.Trim(key, `"`)
	val = strings.TrimSpace(val)
	if strings.HasPrefix(val, `"`) {
		u, err := strconv.Unquote(val)
		if err != nil {
			return "", "", errorString("bad quoted value " + val)
		}
		val = u
	}
	return key, val, nil
}

// parseYarnBerry uses each entry's resolution ("name@npm:1.2.3"), which names
// the real package even when the entry key is an alias.
func parseYarnBerry(c *collector, content []byte) error {
	root, err := parseYAML(c.path, content)
	if err != nil {
		return err
	}
	if root.Kind != yaml.MappingNode {
		return malformed(c.path, root.Line, "yarn.lock: top level is not a mapping")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], yamlDeref(root.Content[i+1])
		if k.Value == "__metadata" {
			continue
		}
		if v == nil || v.Kind != yaml.MappingNode {
			return malformed(c.path, k.Line, "yarn.lock: entry %q is not a mapping", k.Value)
		}
		res := yamlScalar(yamlGet(v, "resolution"))
		if res == "" {
			return malformed(c.path, k.Line, "yarn.lock: entry %q has no resolution", k.Value)
		}
		name, rest := yarnSplitSpec(res)
		proto, ref, _ := strings.Cut(rest, ":")
		switch proto {
		case "npm":
			if i := strings.Index(ref, "::"); i >= 0 {
				ref = ref[:i] // "::__archiveUrl=..." locator parameters
			}
			c.add("npm", name, ref, k.Line, false)
		case "workspace", "patch":
			// The project itself, or a patched copy of a package whose
			// npm: entry is listed on its own.
		default:
			c.problem(k.Line, res, "resolved through "+proto+": protocol, no registry version")
		}
	}
	return nil
}
