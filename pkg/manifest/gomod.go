package manifest

import (
	"strconv"
	"strings"
)

type goReplace struct {
	oldPath, oldVersion string
	newPath, newVersion string
	line                int
	text                string
}

type goRequire struct {
	path, version string
	line          int
}

// goModDirectives are the verbs the go command accepts; anything else means
// the file is not a go.mod (the go command refuses unknown directives too).
var goModDirectives = map[string]bool{
	"module": true, "go": true, "toolchain": true, "godebug": true, "require": true,
	"replace": true, "exclude": true, "retract": true, "tool": true, "ignore": true,
}

// parseGoMod reads go.mod require directives (single-line and block form,
// "// indirect" ones included: they are built like any other) and applies
// replace directives, because the replacement, not the required module, is
// what gets compiled in.
func parseGoMod(c *collector, content []byte) error {
	var reqs []goRequire
	var reps []goReplace
	block := ""
	blockLine := 0
	for i, raw := range splitLines(content) {
		ln := i + 1
		toks, err := goTokens(raw)
		if err != nil {
			return malformed(c.path, ln, "go.mod: %v", err)
		}
		if len(toks) == 0 {
			continue
		}
		if block != "" {
			if len(toks) == 1 && toks[0] == ")" {
				block = ""
				continue
			}
			if err := goModLine(c, block, toks, ln, strings.TrimSpace(raw), &reqs, &reps); err != nil {
				return err
			}
			continue
		}
		verb := toks[0]
		if !goModDirectives[verb] {
			return malformed(c.path, ln, "go.mod: unknown directive %q", verb)
		}
		if len(toks) == 2 && toks[1] == "(" {
			block, blockLine = verb, ln
			continue
		}
		if len(toks) < 2 {
			return malformed(c.path, ln, "go.mod: %s directive has no arguments", verb)
		}
		if err := goModLine(c, verb, toks[1:], ln, strings.TrimSpace(raw), &reqs, &reps); err != nil {
			return err
		}
	}
	if block != "" {
		return malformed(c.path, blockLine, "go.mod: %s block is not closed", block)
	}
	for _, r := range reqs {
		rep := findReplace(reps, r.path, r.version)
		if rep == nil {
			c.add("Go", r.path, r.version, r.line, false)
			continue
		}
		if rep.newVersion == "" {
			c.problem(rep.line, rep.text, "module "+r.path+"@"+r.version+" is replaced by local path "+rep.newPath+", no registry version")
			continue
		}
		c.add("Go", rep.newPath, rep.newVersion, rep.line, false)
	}
	return nil
}

func goModLine(c *collector, verb string, args []string, ln int, text string, reqs *[]goRequire, reps *[]goReplace) error {
	switch verb {
	case "require":
		if len(args) != 2 {
			return malformed(c.path, ln, "go.mod: require wants module path and version, got %d fields", len(args))
		}
		if err := goCheckVersion(args[1]); err != nil {
			return malformed(c.path, ln, "go.mod: require %s: %v", args[0], err)
		}
		*reqs = append(*reqs, goRequire{args[0], args[1], ln})
	case "replace":
		arrow := -1
		for i, a := range args {
			if a == "=>" {
				arrow = i
			}
		}
		if arrow < 1 || arrow > 2 || len(args)-arrow-1 < 1 || len(args)-arrow-1 > 2 {
			return malformed(c.path, ln, "go.mod: replace wants \"old [version] => new [version]\"")
		}
		r := goReplace{oldPath: args[0], newPath: args[arrow+1], line: ln, text: text}
		if arrow == 2 {
			r.oldVersion = args[1]
		}
		if len(args)-arrow-1 == 2 {
			r.newVersion = args[arrow+2]
			if err := goCheckVersion(r.newVersion); err != nil {
				return malformed(c.path, ln, "go.mod: replace %s: %v", r.newPath, err)
			}
		}
		*reps = append(*reps, r)
	}
	return nil
}

// findReplace returns the replace directive that applies to path@version;
// one naming the exact version wins over one for all versions, as in the go
// command.
func findReplace(reps []goReplace, path, version string) *goReplace {
	var all *goReplace
	for i := range reps {
		r := &reps[i]
		if r.oldPath != path {
			continue
		}
		if r.oldVersion == version {
			return r
		}
		if r.oldVersion == "" {
			all = r
		}
	}
	return all
}

func goCheckVersion(v string) error {
	if len(v) < 2 || v[0] != 'v' || v[1] < '0' || v[1] > '9' {
		return errorString("version " + strconv.Quote(v) + " does not start with v and a digit")
	}
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// goTokens splits a go.mod line into fields, honouring quoted strings and
// dropping the // comment.
func goTokens(line string) ([]string, error) {
	var toks []string
	for i := 0; i < len(line); {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\r':
			i++
		case strings.HasPrefix(line[i:], "//"):
			return toks, nil
		case ch == '"' || ch == '`':
			j := i + 1
			for j < len(line) && line[j] != ch {
				if ch == '"' && line[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(line) {
				return nil, errorString("unterminated quoted string")
			}
			s, err := strconv.Unquote(line[i : j+1])
			if err != nil {
				return nil, errorString("bad quoted string " + line[i:j+1])
			}
			toks = append(toks, s)
			i = j + 1
		case ch == '(' || ch == ')':
			toks = append(toks, string(ch))
			i++
		default:
			j := i
			for j < len(line) && !strings.ContainsRune(" \t\r\"`()", rune(line[j])) && !strings.HasPrefix(line[j:], "//") {
				j++
			}
			toks = append(toks, line[i:j])
			i = j
		}
	}
	return toks, nil
}

// parseGoSum reads go.sum: every "module version[/go.mod] hash" line names a
// module version the build may fetch; the /go.mod lines are folded into the
// module version they belong to.
func parseGoSum(c *collector, content []byte) error {
	for i, raw := range splitLines(content) {
		ln := i + 1
		f := strings.Fields(raw)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return malformed(c.path, ln, "go.sum: want \"module version hash\", got %d fields", len(f))
		}
		if !strings.Contains(f[2], ":") {
			return malformed(c.path, ln, "go.sum: %q is not a hash", f[2])
		}
		version := strings.TrimSuffix(f[1], "/go.mod")
		if err := goCheckVersion(version); err != nil {
			return malformed(c.path, ln, "go.sum: %s: %v", f[0], err)
		}
		c.add("Go", f[0], version, ln, false)
	}
	return nil
}
