package manifest

import (
	"regexp"
	"strings"
)

// reqName matches a PEP 508 project name at the start of a requirement.
var reqName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`)

// reqComment matches a pip comment: '#' at the start or after white space
// (a '#' inside a URL fragment is not a comment).
var reqComment = regexp.MustCompile(`(^|\s)#.*$`)

// reqOption matches the start of per-requirement options ("--hash=...",
// "-C x") and of white space followed by an option.
var reqOption = regexp.MustCompile(`\s-`)

// parseRequirements reads a pip requirements file. Only "name==version"
// (or ===) lines pin an exact version; everything else that names a
// dependency is a Problem, and included files are reported, not read,
// because the gate must not be steered to read arbitrary paths.
func parseRequirements(c *collector, content []byte) error {
	lines := splitLines(content)
	for i := 0; i < len(lines); i++ {
		ln := i + 1
		logical := lines[i]
		// A trailing backslash continues the line (pip joins before
		// stripping comments only when the backslash is not in a comment).
		for strings.HasSuffix(logical, `\`) && i+1 < len(lines) {
			i++
			logical = strings.TrimSuffix(logical, `\`) + " " + lines[i]
		}
		logical = strings.TrimSuffix(logical, `\`)
		line := strings.TrimSpace(reqComment.ReplaceAllString(logical, ""))
		if line == "" {
			continue
		}
		if err := requirementLine(c, ln, line); err != nil {
			return err
		}
	}
	return nil
}

func requirementLine(c *collector, ln int, line string) error {
	if strings.HasPrefix(line, "-") {
		opt, arg, _ := strings.Cut(strings.Replace(line, "=", " ", 1), " ")
		arg = strings.TrimSpace(arg)
		switch opt {
		case "-r", "--requirement", "-c", "--constraint":
			c.problem(ln, line, "includes another file ("+arg+"), not read")
		case "-e", "--editable":
			c.problem(ln, line, "editable install, no registry version")
		case "--extra-index-url", "-f", "--find-links":
			// A second package source is how dependency confusion works: the
			// same name may resolve to a different project there.
			c.problem(ln, line, "packages may also come from "+arg+", not only the index checked")
		default:
			switch {
			case strings.HasPrefix(opt, "-r") || strings.HasPrefix(opt, "-c"):
				c.problem(ln, line, "includes another file ("+opt[2:]+"), not read")
			case strings.HasPrefix(opt, "-e"):
				c.problem(ln, line, "editable install, no registry version")
			}
			// Other options (index URLs, --hash lines, --pre, ...) say how to
			// install, not what.
		}
		return nil
	}
	lower := strings.ToLower(line)
	if hasAnyPrefix(lower, "http://", "https://", "file:", "git+", "hg+", "svn+", "bzr+", ".", "/", "~") ||
		(!strings.Contains(line, "==") && (strings.HasSuffix(lower, ".whl") || strings.HasSuffix(lower, ".zip") ||
			strings.HasSuffix(lower, ".tar.gz") || strings.HasSuffix(lower, ".tgz"))) {
		c.problem(ln, line, "URL or path requirement, no registry version")
		return nil
	}
	req := line
	if i := strings.IndexByte(req, ';'); i >= 0 {
		req = req[:i] // environment marker
	}
	if loc := reqOption.FindStringIndex(req); loc != nil {
		req = req[:loc[0]] // per-requirement options such as --hash
	}
	req = strings.TrimSpace(req)
	name := reqName.FindString(req)
	if name == "" {
		return malformed(c.path, ln, "requirements: %q does not start with a project name", line)
	}
	rest := strings.TrimSpace(req[len(name):])
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return malformed(c.path, ln, "requirements: unterminated extras in %q", line)
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	if strings.HasPrefix(rest, "@") {
		c.problem(ln, line, "direct URL requirement, no registry version")
		return nil
	}
	if rest == "" {
		c.problem(ln, line, "unpinned requirement (no version)")
		return nil
	}
	version := ""
	for _, clause := range strings.Split(rest, ",") {
		clause = strings.TrimSpace(clause)
		v, ok := strings.CutPrefix(clause, "===")
		if !ok {
			v, ok = strings.CutPrefix(clause, "==")
		}
		if ok && !strings.Contains(v, "*") {
			version = strings.TrimSpace(v)
		}
		if clause == "" || !strings.ContainsAny(clause[:1], "=<>!~") {
			c.problem(ln, line, "unparseable version specifier "+clause)
			return nil
		}
	}
	if version == "" {
		c.problem(ln, line, "unpinned requirement ("+rest+"), not an exact == version")
		return nil
	}
	c.add("PyPI", name, version, ln, false)
	return nil
}

// tomlHeaderLines returns the lines of each "[[package]]" header, which map
// one-to-one onto the decoded package array when the file uses headers.
func tomlHeaderLines(content []byte, header string) []int {
	var out []int
	for i, l := range splitLines(content) {
		if strings.TrimSpace(l) == header {
			out = append(out, i+1)
		}
	}
	return out
}

func lineAt(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

type poetryLock struct {
	Package []struct {
		Name     string   `toml:"name"`
		Version  string   `toml:"version"`
		Category string   `toml:"category"`
		Optional bool     `toml:"optional"`
		Groups   []string `toml:"groups"`
		Source   struct {
			Type      string `toml:"type"`
			URL       string `toml:"url"`
			Reference string `toml:"reference"`
		} `toml:"source"`
	} `toml:"package"`
	Metadata map[string]any `toml:"metadata"`
}

// parsePoetryLock reads poetry.lock. Dev means poetry put the package only in
// non-main groups (lock 2.x) or category "dev" (1.x), or made it optional.
func parsePoetryLock(c *collector, content []byte) error {
	var lock poetryLock
	if err := decodeTOML(c.path, content, &lock); err != nil {
		return err
	}
	if len(lock.Package) == 0 && lock.Metadata == nil {
		return malformed(c.path, 0, "poetry.lock: no [[package]] and no [metadata]")
	}
	lines := tomlHeaderLines(content, "[[package]]")
	if len(lines) != len(lock.Package) {
		lines = nil
	}
	for i, p := range lock.Package {
		ln := lineAt(lines, i)
		if p.Name == "" || p.Version == "" {
			return malformedField(c.path, ln, "package["+itoa(i)+"]", "poetry.lock: package has no name or version")
		}
		switch p.Source.Type {
		case "", "legacy", "pypi", "supplemental", "explicit", "primary":
		default:
			c.problem(ln, p.Name+" "+p.Version, p.Source.Type+" source "+p.Source.URL+", no registry version")
			continue
		}
		dev := p.Category == "dev" || p.Optional
		if len(p.Groups) > 0 {
			dev = dev || !contains(p.Groups, "main")
		}
		c.add("PyPI", p.Name, p.Version, ln, dev)
	}
	return nil
}

type uvLock struct {
	Version        *int   `toml:"version"`
	RequiresPython string `toml:"requires-python"`
	Package        []struct {
		Name    string `toml:"name"`
		Version string `toml:"version"`
		Source  struct {
			Registry  string `toml:"registry"`
			Virtual   string `toml:"virtual"`
			Editable  string `toml:"editable"`
			Directory string `toml:"directory"`
			Path      string `toml:"path"`
			Git       string `toml:"git"`
			URL       string `toml:"url"`
		} `toml:"source"`
		Dependencies []uvDep            `toml:"dependencies"`
		Optional     map[string][]uvDep `toml:"optional-dependencies"`
		DevDeps      map[string][]uvDep `toml:"dev-dependencies"`
	} `toml:"package"`
}

type uvDep struct {
	Name string `toml:"name"`
}

// parseUVLock reads uv.lock. uv records no dev flag per package, so a
// package counts as dev when no chain of plain dependencies leads to it from
// the project's own (virtual or editable ".") packages.
func parseUVLock(c *collector, content []byte) error {
	var lock uvLock
	if err := decodeTOML(c.path, content, &lock); err != nil {
		return err
	}
	if lock.Version == nil && len(lock.Package) == 0 {
		return malformed(c.path, 0, "uv.lock: no version and no [[package]]")
	}
	lines := tomlHeaderLines(content, "[[package]]")
	if len(lines) != len(lock.Package) {
		lines = nil
	}
	deps := map[string][]uvDep{}
	var roots []string
	for _, p := range lock.Package {
		n := normalizePyPI(p.Name)
		deps[n] = append(deps[n], p.Dependencies...)
		if p.Source.Virtual == "." || p.Source.Editable == "." {
			roots = append(roots, n)
		}
	}
	prod := map[string]bool{}
	for len(roots) > 0 {
		n := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if prod[n] {
			continue
		}
		prod[n] = true
		for _, d := range deps[n] {
			roots = append(roots, normalizePyPI(d.Name))
		}
	}
	for i, p := range lock.Package {
		ln := lineAt(lines, i)
		s := p.Source
		switch {
		case s.Virtual == "." || s.Editable == ".":
			continue // the project itself
		case s.Registry != "":
			if p.Name == "" || p.Version == "" {
				return malformedField(c.path, ln, "package["+itoa(i)+"]", "uv.lock: registry package has no name or version")
			}
			c.add("PyPI", p.Name, p.Version, ln, len(prod) > 0 && !prod[normalizePyPI(p.Name)])
		default:
			where := s.Git + s.URL + s.Path + s.Directory + s.Editable + s.Virtual
			c.problem(ln, p.Name+" "+p.Version, "source "+where+" is not a registry, no registry version")
		}
	}
	return nil
}

// parsePipfileLock reads Pipfile.lock: "default" and "develop" map names to
// {"version": "==1.2.3"}; entries with git/path/file keys have no version.
func parsePipfileLock(c *collector, content []byte) error {
	root, err := parseJSON(c.path, content)
	if err != nil {
		return err
	}
	if root.kind != 'o' {
		return malformed(c.path, root.line, "Pipfile.lock: top level is %s, want an object", kindName(root.kind))
	}
	if root.get("_meta") == nil && root.get("default") == nil && root.get("develop") == nil {
		return malformed(c.path, root.line, "Pipfile.lock: no _meta, default or develop")
	}
	for _, sec := range []string{"default", "develop"} {
		s := root.get(sec)
		if err := c.expect(s, 'o'); err != nil {
			return err
		}
		if s == nil {
			continue
		}
		for i, name := range s.keys {
			e := s.vals[i]
			if e.kind != 'o' {
				return malformedField(c.path, e.line, e.field(), "is %s, want an object", kindName(e.kind))
			}
			v, err := c.str(e, "version")
			if err != nil {
				return err
			}
			exact, ok := strings.CutPrefix(v, "===")
			if !ok {
				exact, ok = strings.CutPrefix(v, "==")
			}
			switch {
			case e.get("git") != nil || e.get("path") != nil || e.get("file") != nil || e.getBool("editable"):
				c.problem(e.line, name, "git, path or file dependency, no registry version")
			case !ok || exact == "" || strings.Contains(exact, "*"):
				c.problem(e.line, name+v, "version "+v+" is not an exact == version")
			default:
				c.add("PyPI", name, exact, e.line, sec == "develop")
			}
		}
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
