package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/adf-consortium/adf/pkg/purl"
)

// Format names a manifest syntax.
type Format string

// The supported formats.
const (
	GoMod        Format = "go.mod"
	GoSum        Format = "go.sum"
	PackageLock  Format = "package-lock.json"
	YarnLock     Format = "yarn.lock"
	PnpmLock     Format = "pnpm-lock.yaml"
	Requirements Format = "requirements.txt"
	PoetryLock   Format = "poetry.lock"
	CargoLock    Format = "Cargo.lock"
	CycloneDX    Format = "cyclonedx-json"
	SPDX         Format = "spdx-json"
	GemfileLock  Format = "Gemfile.lock"
	PipfileLock  Format = "Pipfile.lock"
	UVLock       Format = "uv.lock"
)

// Formats lists every supported format in a fixed order.
var Formats = []Format{
	GoMod, GoSum, PackageLock, YarnLock, PnpmLock, Requirements, PoetryLock,
	CargoLock, CycloneDX, SPDX, GemfileLock, PipfileLock, UVLock,
}

// Package is one exact package version a manifest pins.
type Package struct {
	Ecosystem string // OSV ecosystem name
	Name      string // as OSV spells it (npm "@scope/x", Go module path, PyPI normalised name)
	Version   string // exact version; never a range
	PURL      string // canonical purl with version
	Line      int    // 1-based line in the file where it was found, 0 if unknown
	Dev       bool   // dev/optional dependency when the format says so
}

// Problem is an entry that names a dependency the registry cannot be asked
// about by exact version: an unpinned requirement, a git, URL or path
// dependency, an include of another file, an SBOM entry without usable purl.
type Problem struct {
	Line   int    `json:"line,omitempty"` // 1-based line, 0 if unknown
	Text   string `json:"text"`           // the entry as written (or its name)
	Reason string `json:"reason"`
}

// Manifest is the result of parsing one file.
type Manifest struct {
	Path     string
	Format   Format
	Packages []Package
	Problems []Problem
}

// ErrMalformed is wrapped by every error about input that is not valid in
// the format it was parsed as.
var ErrMalformed = errors.New("malformed manifest")

// ErrUnknownFormat is wrapped by Detect's error for content it cannot place.
var ErrUnknownFormat = errors.New("unknown manifest format")

// ParseError says where a manifest is malformed. Line is 0 when the position
// is not known; Field names the JSON/TOML field when there is one.
type ParseError struct {
	Path  string
	Line  int
	Field string
	Msg   string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	b.WriteString(" (")
	b.WriteString(ErrMalformed.Error())
	b.WriteString(")")
	return b.String()
}

// Unwrap makes errors.Is(err, ErrMalformed) hold.
func (e *ParseError) Unwrap() error { return ErrMalformed }

func malformed(path string, line int, format string, args ...any) error {
	return &ParseError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func malformedField(path string, line int, field, format string, args ...any) error {
	return &ParseError{Path: path, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Parse detects the format of content and parses it.
func Parse(path string, content []byte) (*Manifest, error) {
	f, err := Detect(path, content)
	if err != nil {
		return nil, err
	}
	return ParseAs(f, path, content)
}

// ParseAs parses content as format f.
func ParseAs(f Format, path string, content []byte) (*Manifest, error) {
	p, ok := parsers[f]
	if !ok {
		return nil, fmt.Errorf("%s: %w %q", path, ErrUnknownFormat, f)
	}
	if len(bytes.TrimSpace(trimBOM(content))) == 0 {
		return nil, malformed(path, 0, "empty %s", f)
	}
	c := newCollector(path, f)
	if err := p(c, trimBOM(content)); err != nil {
		return nil, err
	}
	return c.manifest(), nil
}

var parsers map[Format]func(*collector, []byte) error

func init() {
	// Assigned in init because some parsers refer back to ParseAs.
	parsers = map[Format]func(*collector, []byte) error{
		GoMod:        parseGoMod,
		GoSum:        parseGoSum,
		PackageLock:  parsePackageLock,
		YarnLock:     parseYarnLock,
		PnpmLock:     parsePnpmLock,
		Requirements: parseRequirements,
		PoetryLock:   parsePoetryLock,
		UVLock:       parseUVLock,
		PipfileLock:  parsePipfileLock,
		CargoLock:    parseCargoLock,
		GemfileLock:  parseGemfileLock,
		CycloneDX:    parseCycloneDX,
		SPDX:         parseSPDX,
	}
}

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

type pkgKey struct{ eco, name, version string }

// collector accumulates one file's packages and problems and enforces the
// invariants every parser shares: canonical purls, no duplicates, stable order.
type collector struct {
	path     string
	format   Format
	pkgs     []Package
	seen     map[pkgKey]int
	problems []Problem
}

func newCollector(path string, f Format) *collector {
	return &collector{path: path, format: f, seen: map[pkgKey]int{}}
}

// add records an exact package version. Entries that cannot be turned into a
// purl become Problems: the file is still usable, but that entry is not
// checked and the caller must be told.
func (c *collector) add(eco, name, version string, line int, dev bool) {
	name = strings.TrimSpace(name)
	version = strings.TrimSpace(version)
	text := name
	if version != "" {
		text += "@" + version
	}
	if name == "" {
		c.problem(line, text, "entry has no package name")
		return
	}
	if version == "" {
		c.problem(line, text, "entry has no exact version")
		return
	}
	if strings.ContainsAny(version, " \t\r\n") {
		c.problem(line, text, "version contains white space")
		return
	}
	if eco == "PyPI" {
		name = normalizePyPI(name)
	}
	p, err := purl.FromEcosystem(eco, name, version)
	if err != nil {
		c.problem(line, text, err.Error())
		return
	}
	k := pkgKey{eco, name, version}
	if i, ok := c.seen[k]; ok {
		// A package counts as dev only if every occurrence is dev: one
		// production path is enough to ship it.
		c.pkgs[i].Dev = c.pkgs[i].Dev && dev
		if line > 0 && (c.pkgs[i].Line == 0 || line < c.pkgs[i].Line) {
			c.pkgs[i].Line = line
		}
		return
	}
	c.seen[k] = len(c.pkgs)
	c.pkgs = append(c.pkgs, Package{
		Ecosystem: eco, Name: name, Version: version,
		PURL: p.String(), Line: line, Dev: dev,
	})
}

func (c *collector) problem(line int, text, reason string) {
	c.problems = append(c.problems, Problem{Line: line, Text: strings.TrimSpace(text), Reason: reason})
}

func (c *collector) manifest() *Manifest {
	pkgs := c.pkgs
	sort.Slice(pkgs, func(i, j int) bool {
		a, b := pkgs[i], pkgs[j]
		if a.Ecosystem != b.Ecosystem {
			return a.Ecosystem < b.Ecosystem
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	probs := c.problems
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	if pkgs == nil {
		pkgs = []Package{}
	}
	return &Manifest{Path: c.path, Format: c.format, Packages: pkgs, Problems: probs}
}

// normalizePyPI is PEP 503 normalisation (purl.NormalizePyPI), which is how
// OSV and the registry key PyPI packages.
func normalizePyPI(name string) string { return purl.NormalizePyPI(name) }

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int

func newLineIndex(b []byte) lineIndex {
	idx := lineIndex{0}
	for i, ch := range b {
		if ch == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) line(off int) int {
	if off < 0 {
		off = 0
	}
	return sort.Search(len(l), func(i int) bool { return l[i] > off })
}

// splitLines returns content's lines without their line endings.
func splitLines(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	lines := strings.Split(s, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}
