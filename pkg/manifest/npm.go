package manifest

import (
	"strings"
)

// parsePackageLock reads package-lock.json / npm-shrinkwrap.json. Version 2
// and 3 files list every installed package under "packages" keyed by its
// node_modules path; version 1 files nest "dependencies". A v2 file has
// both and "packages" is the authoritative one.
func parsePackageLock(c *collector, content []byte) error {
	root, err := parseJSON(c.path, content)
	if err != nil {
		return err
	}
	if root.kind != 'o' {
		return malformed(c.path, root.line, "package-lock: top level is %s, want an object", kindName(root.kind))
	}
	lv := root.get("lockfileVersion")
	pkgs := root.get("packages")
	deps := root.get("dependencies")
	if lv == nil && pkgs == nil && deps == nil {
		return malformed(c.path, root.line, "package-lock: no lockfileVersion, packages or dependencies")
	}
	if err := c.expect(lv, 'n'); err != nil {
		return err
	}
	if err := c.expect(pkgs, 'o'); err != nil {
		return err
	}
	if err := c.expect(deps, 'o'); err != nil {
		return err
	}
	if pkgs != nil && pkgs.kind == 'o' && (lv == nil || lv.str != "1") {
		return c.npmPackages(pkgs)
	}
	if deps != nil && deps.kind == 'o' {
		return c.npmDependencies(deps)
	}
	return nil
}

func (c *collector) npmPackages(pkgs *jsonValue) error {
	for i, key := range pkgs.keys {
		e := pkgs.vals[i]
		if key == "" {
			continue // the project itself
		}
		if e.kind != 'o' {
			return malformedField(c.path, e.line, e.field(), "is %s, want an object", kindName(e.kind))
		}
		name, err := c.str(e, "name")
		if err != nil {
			return err
		}
		version, err := c.str(e, "version")
		if err != nil {
			return err
		}
		resolved, err := c.str(e, "resolved")
		if err != nil {
			return err
		}
		keyName := key
		inNodeModules := false
		if j := strings.LastIndex(key, "node_modules/"); j >= 0 {
			keyName, inNodeModules = key[j+len("node_modules/"):], true
		}
		if name == "" {
			name = keyName
		}
		dev := e.getBool("dev") || e.getBool("devOptional") || e.getBool("optional")
		switch {
		case e.getBool("link"):
			c.problem(e.line, key, "link to a local package ("+resolved+"), no registry version")
		case !inNodeModules && resolved == "":
			c.problem(e.line, key, "workspace package (local folder), no registry version")
		default:
			c.npmEntry(e.line, key, name, version, resolved, dev)
		}
	}
	return nil
}

func (c *collector) npmDependencies(deps *jsonValue) error {
	for i, name := range deps.keys {
		e := deps.vals[i]
		if e.kind != 'o' {
			return malformedField(c.path, e.line, e.field(), "is %s, want an object", kindName(e.kind))
		}
		version, err := c.str(e, "version")
		if err != nil {
			return err
		}
		resolved, err := c.str(e, "resolved")
		if err != nil {
			return err
		}
		dev := e.getBool("dev") || e.getBool("optional")
		c.npmEntry(e.line, name, name, version, resolved, dev)
		sub := e.get("dependencies")
		if err := c.expect(sub, 'o'); err != nil {
			return err
		}
		if sub != nil && sub.kind == 'o' {
			if err := c.npmDependencies(sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// npmEntry classifies one installed package: registry packages become
// Packages, anything fetched from git, a URL or the file system a Problem.
func (c *collector) npmEntry(line int, text, name, version, resolved string, dev bool) {
	// v1 files write aliases as version "npm:real-name@1.2.3".
	if rest, ok := strings.CutPrefix(version, "npm:"); ok {
		if j := strings.LastIndex(rest, "@"); j > 0 {
			name, version = rest[:j], rest[j+1:]
		}
	}
	if reason := npmNonRegistry(version, resolved); reason != "" {
		c.problem(line, text, reason)
		return
	}
	// What is installed is the resolved tarball; a lockfile whose key says
	// one package while its URL fetches another must not pass unnoticed.
	if !npmTarballMatches(resolved, name, version) {
		c.problem(line, text, "resolved URL "+resolved+" is not the registry tarball of "+name+"@"+version)
	}
	c.add("npm", name, version, line, dev)
}

// npmTarballMatches reports whether a registry tarball URL
// (".../@scope%2fname/-/name-1.2.3.tgz") names name@version. URLs of other
// shapes are not judged.
func npmTarballMatches(u, name, version string) bool {
	if !npmRegistryTarball(u) {
		return true
	}
	if i := strings.IndexAny(u, "#?"); i >= 0 {
		u = u[:i]
	}
	dir, file, _ := strings.Cut(u, "/-/")
	if j := strings.Index(dir, "://"); j >= 0 {
		dir = dir[j+3:]
	}
	segs := strings.Split(dir, "/")
	if len(segs) < 2 {
		return true
	}
	got := segs[len(segs)-1]
	if len(segs) >= 3 && strings.HasPrefix(segs[len(segs)-2], "@") {
		got = segs[len(segs)-2] + "/" + got
	}
	got = strings.Replace(strings.Replace(got, "%2f", "/", 1), "%2F", "/", 1)
	base := name
	if i := strings.LastIndex(base, "/"); i >= 0 {
		base = base[i+1:]
	}
	return got == name && file == base+"-"+version+".tgz"
}

// npmNonRegistry says why a version/resolved pair is not a registry package,
// or "" if it is one.
func npmNonRegistry(version, resolved string) string {
	for _, s := range []string{version, resolved} {
		switch {
		case s == "":
		case hasAnyPrefix(s, "git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "ssh:"):
			return "git dependency (" + s + "), no registry version"
		case hasAnyPrefix(s, "file:", "link:", "portal:", "workspace:"):
			return "local path dependency (" + s + "), no registry version"
		case strings.Contains(s, "codeload.github.com"):
			return "git tarball dependency (" + s + "), no registry version"
		case hasAnyPrefix(s, "http:", "https:") && s == version:
			return "URL dependency (" + s + "), no registry version"
		}
	}
	return ""
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// npmRegistryTarball reports whether u looks like a registry tarball
// (".../name/-/name-1.2.3.tgz"), the only kind of resolved URL whose version
// is the registry's.
func npmRegistryTarball(u string) bool {
	if !hasAnyPrefix(u, "https://", "http://") || strings.Contains(u, "codeload.github.com") {
		return false
	}
	if i := strings.IndexAny(u, "#?"); i >= 0 {
		u = u[:i]
	}
	return strings.Contains(u, "/-/") && strings.HasSuffix(u, ".tgz")
}
