package manifest

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parsePnpmLock reads pnpm-lock.yaml. Every installed package has a key in
// "packages"; its spelling changed between lockfile versions:
//
//	v5.x  /name/1.0.0  /@scope/name/1.0.0_peer@2.0.0
//	v6    /name@1.0.0  /@scope/name@1.0.0(peer@2.0.0)
//	v9    name@1.0.0   @scope/name@1.0.0   (peer suffixes only in "snapshots")
//
// Peer suffixes say which peers a copy was linked against, not what was
// downloaded, so they are dropped and the copies deduplicated.
func parsePnpmLock(c *collector, content []byte) error {
	root, err := parseYAML(c.path, content)
	if err != nil {
		return err
	}
	if root.Kind != yaml.MappingNode {
		return malformed(c.path, root.Line, "pnpm-lock: top level is not a mapping")
	}
	lv := yamlGet(root, "lockfileVersion")
	if lv == nil {
		return malformed(c.path, root.Line, "pnpm-lock: no lockfileVersion")
	}
	major, err := pnpmMajor(yamlScalar(lv))
	if err != nil {
		return malformed(c.path, lv.Line, "pnpm-lock: lockfileVersion %q: %v", lv.Value, err)
	}
	pkgs := yamlGet(root, "packages")
	if pkgs == nil || (pkgs.Kind == yaml.ScalarNode && pkgs.Tag == "!!null") {
		return nil
	}
	if pkgs.Kind != yaml.MappingNode {
		return malformed(c.path, pkgs.Line, "pnpm-lock: packages is not a mapping")
	}
	for i := 0; i+1 < len(pkgs.Content); i += 2 {
		k, v := pkgs.Content[i], yamlDeref(pkgs.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return malformed(c.path, k.Line, "pnpm-lock: package key is not a scalar")
		}
		if v != nil && v.Kind != yaml.MappingNode && !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			return malformed(c.path, k.Line, "pnpm-lock: package %q is not a mapping", k.Value)
		}
		dev := yamlScalar(yamlGet(v, "dev")) == "true" || yamlScalar(yamlGet(v, "optional")) == "true"
		if reason := pnpmNonRegistry(yamlGet(v, "resolution")); reason != "" {
			c.problem(k.Line, k.Value, reason)
			continue
		}
		name, version, ok := pnpmKey(k.Value, major)
		if !ok {
			c.problem(k.Line, k.Value, "not a registry package key, no registry version")
			continue
		}
		// Non-registry packages may carry their real name and version as fields.
		if n := yamlScalar(yamlGet(v, "name")); n != "" {
			name = n
		}
		c.add("npm", name, version, k.Line, dev)
	}
	return nil
}

func pnpmMajor(s string) (int, error) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errorString("not a version number")
	}
	return n, nil
}

func pnpmNonRegistry(res *yaml.Node) string {
	if res == nil || res.Kind != yaml.MappingNode {
		return ""
	}
	if t := yamlScalar(yamlGet(res, "tarball")); t != "" && !npmRegistryTarball(t) {
		return "tarball " + t + ", not a registry package"
	}
	if r := yamlScalar(yamlGet(res, "repo")); r != "" {
		return "git dependency " + r + ", no registry version"
	}
	if d := yamlScalar(yamlGet(res, "directory")); d != "" {
		return "local directory " + d + ", no registry version"
	}
	return ""
}

// pnpmKey splits a packages key into name and version.
func pnpmKey(key string, major int) (name, version string, ok bool) {
	k := strings.TrimPrefix(key, "/")
	if major < 6 && strings.HasPrefix(key, "/") {
		i := strings.LastIndex(k, "/")
		if i <= 0 {
			return "", "", false
		}
		name, version = k[:i], k[i+1:]
		if j := strings.IndexByte(version, '_'); j >= 0 {
			version = version[:j]
		}
	} else {
		if j := strings.IndexByte(k, '('); j >= 0 {
			k = k[:j]
		}
		i := strings.LastIndex(k, "@")
		if i <= 0 {
			return "", "", false
		}
		name, version = k[:i], k[i+1:]
	}
	if !npmNameRE.MatchString(name) || version == "" || strings.ContainsAny(version, ":/@") {
		return "", "", false
	}
	return name, version, true
}

// npmNameRE accepts registry package names: optional @scope/ and one segment.
var npmNameRE = regexp.MustCompile(`^(@[^/@\s]+/)?[^/@\s]+$`)

// parseYAML decodes the first YAML document of content into a node tree,
// which keeps line numbers.
func parseYAML(path string, content []byte) (root *yaml.Node, err error) {
	defer func() {
		// The YAML library is third-party code; a panic on hostile input
		// must not take the gate down with it.
		if r := recover(); r != nil {
			root, err = nil, malformed(path, 0, "YAML: parser failed: %v", r)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return nil, malformed(path, yamlErrLine(err), "YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, malformed(path, 0, "YAML: no document")
	}
	return yamlDeref(doc.Content[0]), nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// yamlDeref follows aliases (bounded, so alias loops cannot hang us).
func yamlDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func yamlGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return yamlDeref(m.Content[i+1])
		}
	}
	return nil
}

func yamlScalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}
