package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// pk is the short form of an expected package: purl, line, dev.
type pk struct {
	purl string
	line int
	dev  bool
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		file     string
		format   Format
		pkgs     []pk
		problems []int // lines of the expected problems
	}{
		{"go.mod", GoMod, []pk{
			{"pkg:golang/github.com/fork/net@v0.21.0", 14, false}, // replace wins
			{"pkg:golang/github.com/pkg/errors@v0.9.1", 12, false},
			{"pkg:golang/github.com/quoted/mod@v0.1.0", 9, false},
			{"pkg:golang/github.com/stretchr/testify@v1.9.0", 6, false},
		}, []int{16}},
		{"go.sum", GoSum, []pk{
			{"pkg:golang/github.com/pkg/errors@v0.9.1", 1, false},
			{"pkg:golang/github.com/stretchr/objx@v0.1.0", 3, false},
		}, nil},
		{"package-lock.v1.json", PackageLock, []pk{
			{"pkg:npm/%40scope/pkg@1.0.0", 6, false},
			{"pkg:npm/inner@4.0.0", 17, false},
			{"pkg:npm/outer@3.0.0", 14, false},
			{"pkg:npm/real-name@2.0.0", 10, true},
		}, []int{22}},
		{"package-lock.v3.json", PackageLock, []pk{
			{"pkg:npm/%40scope/pkg@1.0.0", 11, false},
			{"pkg:npm/inner@4.0.0", 20, true},
			{"pkg:npm/real-name@2.0.0", 15, true},
		}, []int{24, 28}},
		{"yarn.v1.lock", YarnLock, []pk{
			{"pkg:npm/%40scope/pkg@1.0.2", 5, false},
			{"pkg:npm/left-pad@1.3.0", 12, false},
			{"pkg:npm/real@2.1.0", 16, false},
		}, []int{20}},
		{"yarn.berry.lock", YarnLock, []pk{
			{"pkg:npm/%40scope/pkg@1.0.2", 8, false},
			{"pkg:npm/real@2.1.0", 15, false},
		}, []int{33}},
		{"pnpm.v5.yaml", PnpmLock, []pk{
			{"pkg:npm/%40types/node@20.1.0", 15, true},
			{"pkg:npm/react-dom@18.2.0", 11, false}, // _react@18.2.0 peer suffix dropped
		}, []int{19}},
		{"pnpm.v6.yaml", PnpmLock, []pk{
			{"pkg:npm/%40types/node@20.1.0", 14, true},
			{"pkg:npm/react-dom@18.2.0", 10, false}, // (react@18.2.0) dropped
		}, nil},
		{"pnpm.v9.yaml", PnpmLock, []pk{
			{"pkg:npm/%40types/node@20.1.0", 18, false},
			{"pkg:npm/react-dom@18.2.0", 13, false},
		}, []int{21}},
		{"requirements.txt", Requirements, []pk{
			{"pkg:pypi/django@4.2.1", 2, false},
			{"pkg:pypi/foo-bar-baz@1.0", 4, false},
			{"pkg:pypi/requests@2.31.0", 3, false},
		}, []int{6, 7, 8, 9, 10, 12}},
		{"poetry.lock", PoetryLock, []pk{
			{"pkg:pypi/pytest@8.0.0", 10, true},
			{"pkg:pypi/requests@2.31.0", 3, false},
		}, []int{18}},
		{"uv.lock", UVLock, []pk{
			{"pkg:pypi/pytest@8.0.0", 17, true},
			{"pkg:pypi/requests@2.31.0", 22, false},
		}, []int{27}},
		{"Pipfile.lock", PipfileLock, []pk{
			{"pkg:pypi/pytest@8.0.0", 15, true},
			{"pkg:pypi/requests@2.31.0", 6, false},
		}, []int{9}},
		{"Cargo.lock", CargoLock, []pk{
			{"pkg:cargo/serde@1.0.190", 12, false},
		}, []int{5, 18}},
		{"Gemfile.lock", GemfileLock, []pk{
			{"pkg:gem/nokogiri@1.15.0", 10, false}, // -x86_64-linux dropped
			{"pkg:gem/racc@1.7.1", 12, false},
			{"pkg:gem/rake@13.0.6", 13, false},
		}, []int{5}},
		{"bom.cdx.json", CycloneDX, []pk{
			{"pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.0", 12, false},
			{"pkg:pypi/requests@2.31.0", 10, true},
			{"pkg:npm/%40scope/pkg@1.0.0", 9, false},
		}, []int{14, 15}},
		{"sbom.spdx.json", SPDX, []pk{
			{"pkg:golang/github.com/stretchr/testify@v1.9.0", 11, false},
			{"pkg:cargo/serde@1.0.190", 19, false}, // version from versionInfo
		}, []int{22}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readFixture(t, tt.file)
			// By name, and by content alone under a name that says nothing.
			for _, name := range []string{tt.file, "fixture__" + tt.file + ".data"} {
				f, err := Detect(name, b)
				if err != nil || f != tt.format {
					t.Fatalf("Detect(%s) = %q, %v; want %q", name, f, err, tt.format)
				}
			}
			m, err := ParseAs(tt.format, tt.file, b)
			if err != nil {
				t.Fatal(err)
			}
			var got []pk
			for _, p := range m.Packages {
				got = append(got, pk{p.PURL, p.Line, p.Dev})
			}
			if !reflect.DeepEqual(got, tt.pkgs) {
				t.Errorf("packages:\n got %v\nwant %v", got, tt.pkgs)
			}
			var lines []int
			for _, p := range m.Problems {
				lines = append(lines, p.Line)
				if p.Reason == "" || p.Text == "" {
					t.Errorf("problem without text or reason: %+v", p)
				}
			}
			if !reflect.DeepEqual(lines, tt.problems) {
				t.Errorf("problem lines = %v, want %v (%+v)", lines, tt.problems, m.Problems)
			}
			checkInvariants(t, m)
		})
	}
}

// checkInvariants asserts what every Manifest promises.
func checkInvariants(t testing.TB, m *Manifest) {
	t.Helper()
	seen := map[string]bool{}
	for i, p := range m.Packages {
		if p.Ecosystem == "" || p.Name == "" || p.Version == "" || p.PURL == "" {
			t.Errorf("incomplete package %+v", p)
		}
		if !strings.HasPrefix(p.PURL, "pkg:") || !strings.Contains(p.PURL, "@") {
			t.Errorf("purl %s has no version", p.PURL)
		}
		k := p.Ecosystem + "\x00" + p.Name + "\x00" + p.Version
		if seen[k] {
			t.Errorf("duplicate package %+v", p)
		}
		seen[k] = true
		if i > 0 {
			q := m.Packages[i-1]
			if q.Ecosystem > p.Ecosystem || q.Ecosystem == p.Ecosystem && (q.Name > p.Name || q.Name == p.Name && q.Version > p.Version) {
				t.Errorf("packages not sorted at %d: %+v before %+v", i, q, p)
			}
		}
	}
	if !sort.SliceIsSorted(m.Problems, func(i, j int) bool { return m.Problems[i].Line < m.Problems[j].Line }) {
		t.Errorf("problems not sorted by line")
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		format  Format
		content string
		line    int
		want    string
	}{
		{GoMod, "module x\n\nrequire (\n\tgithub.com/a/b\n)\n", 4, "require wants"},
		{GoMod, "module x\nrequire github.com/a/b 1.0.0\n", 2, "does not start with v"},
		{GoMod, "module x\nrequire (\n\tgithub.com/a/b v1.0.0\n", 2, "not closed"},
		{GoMod, "module x\nfrobnicate a\n", 2, "unknown directive"},
		{GoSum, "github.com/a/b v1.0.0 h1:x=\ngarbage\n", 2, "want \"module version hash\""},
		{PackageLock, "{\n  \"lockfileVersion\": 2,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": 1}\n  }\n}\n", 4, "\"version\""},
		{PackageLock, "{\n  \"lockfileVersion\": 2,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1\"\n  }\n}\n", 6, "JSON"},
		{PackageLock, "{\"name\": \"x\"}", 1, "no lockfileVersion"},
		{PackageLock, "[1, 2]", 1, "top level"},
		{YarnLock, "# yarn lockfile v1\n\nleft-pad@^1.0.0:\n  resolved \"https://x/-/left-pad-1.0.0.tgz\"\n", 3, "has no version"},
		{YarnLock, "# yarn lockfile v1\n\nleft-pad@^1.0.0\n  version \"1.0.0\"\n", 3, "does not end with ':'"},
		{YarnLock, "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1.0.0\n", 3, "no resolution"},
		{PnpmLock, "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [1\n", 2, "YAML"},
		{PnpmLock, "packages: {}\n", 1, "no lockfileVersion"},
		{Requirements, "requests==1.0\n!!!\n", 2, "project name"},
		{Requirements, "requests[socks==1.0\n", 1, "unterminated extras"},
		{PoetryLock, "[[package]]\nname = \"a\"\nversion = \n", 3, "TOML"},
		{PoetryLock, "[[package]]\nname = \"a\"\n", 1, "no name or version"},
		{CargoLock, "version = 3\n\n[[package]]\nversion = \"1.0.0\"\n", 3, "no name or version"},
		{UVLock, "version = 1\n[[package]]\nname = \"a\"\nsource = { registry = \"x\" }\n", 2, "no name or version"},
		{PipfileLock, "{\"default\": {\"a\": \"==1.0\"}}", 1, "want an object"},
		{GemfileLock, "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake 13.0.6\n", 4, "not a \"name (version)\""},
		{GemfileLock, "PLATFORMS\n  ruby\n", 0, "no GEM"},
		{CycloneDX, "{\"bomFormat\": \"CycloneDX\",\n \"components\": {}}", 2, "want an array"},
		{CycloneDX, "{\"bomFormat\": \"SPDX\"}", 1, "bomFormat"},
		{SPDX, "{\"spdxVersion\": \"SPDX-3.0\"}", 1, "spdxVersion"},
		{SPDX, "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [\n{\"name\": 5}]}", 3, "\"name\""},
	}
	for _, tt := range tests {
		t.Run(string(tt.format)+"/"+tt.want, func(t *testing.T) {
			m, err := ParseAs(tt.format, "bad/"+string(tt.format), []byte(tt.content))
			if err == nil {
				t.Fatalf("no error; got %+v", m)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			prefix := "bad/" + string(tt.format) + ":"
			if tt.line > 0 {
				prefix += fmt.Sprint(tt.line) + ":"
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line {
				t.Errorf("ParseError line = %v, want %d", pe, tt.line)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestEmptyIsAnError(t *testing.T) {
	for _, f := range Formats {
		for _, c := range []string{"", "  \n\t\n", "\xef\xbb\xbf\n"} {
			if _, err := ParseAs(f, "empty", []byte(c)); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s %q: err = %v, want ErrMalformed", f, c, err)
			}
		}
	}
	if _, err := Parse("empty.txt", nil); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Parse(empty) err = %v", err)
	}
}

func TestZeroDependenciesIsFine(t *testing.T) {
	for f, c := range map[Format]string{
		GoMod:       "module example.com/x\n\ngo 1.22\n",
		PackageLock: `{"lockfileVersion": 3, "packages": {"": {"name": "x"}}}`,
		PnpmLock:    "lockfileVersion: '9.0'\n",
		CargoLock:   "version = 4\n",
		SPDX:        `{"spdxVersion": "SPDX-2.3"}`,
		CycloneDX:   `{"bomFormat": "CycloneDX", "specVersion": "1.6"}`,
	} {
		m, err := ParseAs(f, "x", []byte(c))
		if err != nil || len(m.Packages) != 0 || m.Packages == nil {
			t.Errorf("%s: %+v, %v", f, m, err)
		}
	}
}

func TestDetectUnknown(t *testing.T) {
	for _, c := range []string{"hello world, this is prose.\n", "{\"some\": \"json\"}", "<xml/>", "[1,2,3]"} {
		f, err := Detect("notes.data", []byte(c))
		if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "notes.data") {
			t.Errorf("Detect(%q) = %q, %v", c, f, err)
		}
	}
	if _, err := ParseAs("nonsense", "x", []byte("x")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("ParseAs(nonsense) err = %v", err)
	}
}

func TestDedupeKeepsFirstLineAndProductionWins(t *testing.T) {
	c := `{"lockfileVersion": 3, "packages": {
  "node_modules/a": {"version": "1.0.0", "dev": true},
  "node_modules/b/node_modules/a": {"version": "1.0.0"},
  "node_modules/c/node_modules/a": {"version": "1.0.0", "dev": true}
}}`
	m, err := ParseAs(PackageLock, "x", []byte(c))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{{Ecosystem: "npm", Name: "a", Version: "1.0.0", PURL: "pkg:npm/a@1.0.0", Line: 2, Dev: false}}
	if !reflect.DeepEqual(m.Packages, want) {
		t.Errorf("got %+v", m.Packages)
	}
}

func TestResolvedMismatchIsAProblem(t *testing.T) {
	c := `{"lockfileVersion": 3, "packages": {
  "node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/evil-pad/-/evil-pad-1.3.0.tgz"}
}}`
	m, err := ParseAs(PackageLock, "x", []byte(c))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Problems) != 1 || !strings.Contains(m.Problems[0].Reason, "evil-pad") || len(m.Packages) != 1 {
		t.Errorf("got %+v", m)
	}
}

func TestPyPINormalisation(t *testing.T) {
	for in, want := range map[string]string{
		"Foo_Bar.baz": "foo-bar-baz", "requests": "requests", "a--b__c": "a-b-c", "Django": "django",
	} {
		if got := normalizePyPI(in); got != want {
			t.Errorf("normalizePyPI(%q) = %q, want %q", in, got, want)
		}
	}
}
