package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// folderFormats maps the shared data's manifest folders to formats.
var folderFormats = map[string]Format{
	"cargo-lock": CargoLock, "cyclonedx": CycloneDX, "gemfile-lock": GemfileLock,
	"go-mod": GoMod, "go-sum": GoSum, "package-lock": PackageLock, "pipfile-lock": PipfileLock,
	"pnpm-lock": PnpmLock, "poetry-lock": PoetryLock, "requirements-txt": Requirements,
	"spdx": SPDX, "uv-lock": UVLock, "yarn-lock": YarnLock,
}

// knownBad are shared files that are deliberately not valid in their
// format; they must fail with ErrMalformed naming the line.
var knownBad = map[string]string{
	"go-sum/osv-scalibr__indirect-1.23.sum": ":1: go.sum:", // "Wrongly formatted, this file should not be used!!!"
}

// sharedDataDir finds the CTI test data folder: $ADF_SHARED_DATA (the data
// folder or its cti subfolder), else ../shared/data/cti next to the repo.
func sharedDataDir() (string, bool) {
	dir := os.Getenv("ADF_SHARED_DATA")
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "cti")); err == nil {
			dir = filepath.Join(dir, "cti")
		}
	} else {
		_, file, _, _ := runtime.Caller(0)
		repoRoot := filepath.Join(filepath.Dir(file), "..", "..")
		dir = filepath.Join(repoRoot, "..", "shared", "data", "cti")
	}
	_, err := os.Stat(filepath.Join(dir, "manifests"))
	return dir, err == nil
}

// sharedData returns the CTI test data folder, or skips the test.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, ok := sharedDataDir()
	if !ok {
		t.Skipf("shared test data not found at %s (set ADF_SHARED_DATA)", dir)
	}
	return dir
}

type sharedFile struct {
	rel    string // "<folder>/<file>"
	path   string
	format Format
}

func sharedFiles(t testing.TB) []sharedFile {
	dir := filepath.Join(sharedData(t), "manifests")
	var out []sharedFile
	for folder, f := range folderFormats {
		paths, err := filepath.Glob(filepath.Join(dir, folder, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			out = append(out, sharedFile{folder + "/" + filepath.Base(p), p, f})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

func TestSharedDataAllFiles(t *testing.T) {
	files := sharedFiles(t)
	if len(files) < 90 {
		t.Fatalf("found %d shared manifests, want the 94 described in the README", len(files))
	}
	for _, sf := range files {
		t.Run(sf.rel, func(t *testing.T) {
			b, err := os.ReadFile(sf.path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Detect(sf.path, b)
			if err != nil || f != sf.format {
				t.Errorf("Detect = %q, %v; want %q", f, err, sf.format)
			}
			m1, err1 := ParseAs(sf.format, sf.path, b)
			m2, err2 := Parse(sf.path, b)
			if want, bad := knownBad[sf.rel]; bad {
				for _, err := range []error{err1, err2} {
					if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), sf.path+want) {
						t.Errorf("err = %v, want ErrMalformed with %q", err, sf.path+want)
					}
				}
				return
			}
			if err1 != nil || err2 != nil {
				t.Fatalf("ParseAs: %v; Parse: %v", err1, err2)
			}
			checkInvariants(t, m1)
			if len(m1.Packages) != len(m2.Packages) || len(m1.Problems) != len(m2.Problems) {
				t.Errorf("Parse and ParseAs disagree")
			}
			for _, p := range m1.Packages {
				if p.Line <= 0 {
					t.Errorf("package %s has no line", p.PURL)
				}
			}
		})
	}
}

// TestSharedDataExpectations checks counts and packages looked up by hand in
// the shared files.
func TestSharedDataExpectations(t *testing.T) {
	dir := filepath.Join(sharedData(t), "manifests")
	tests := []struct {
		file     string
		pkgs     int
		problems int
		has      []pk // line and dev are checked when line > 0
		hasNot   []string
	}{
		// go.mod: replace golang.org/x/net v1.2.3 => example.com/fork/net v1.4.5, v0.5.6 untouched.
		{"go-mod/osv-scalibr__replace-mixed.mod", 2, 0, []pk{
			{"pkg:golang/example.com/fork/net@v1.4.5", 7, false}, {"pkg:golang/golang.org/x/net@v0.5.6", 3, false},
		}, []string{"pkg:golang/golang.org/x/net@v1.2.3"}},
		{"go-mod/osv-scalibr__replace-different.mod", 2, 0, []pk{
			{"pkg:golang/example.com/fork/foe@v1.4.5", 7, false}, {"pkg:golang/example.com/fork/foe@v1.4.2", 8, false},
		}, []string{"pkg:golang/golang.org/x/net@v1.2.3", "pkg:golang/golang.org/x/net@v0.5.6"}},
		{"go-mod/sigstore-go__go.mod", 87, 0, []pk{
			{"pkg:golang/github.com/in-toto/attestation@v1.2.0", 12, false},
			{"pkg:golang/gopkg.in/yaml.v3@v3.0.1", 94, false}, // "// indirect" is still a dependency
			{"pkg:golang/github.com/blang/semver@v3.5.1+incompatible", 31, false},
		}, nil},
		{"go-mod/osv-scalibr__indirect-packages.mod", 5, 0, []pk{
			{"pkg:golang/github.com/BurntSushi/toml@v1.0.0", 6, false},
			{"pkg:golang/golang.org/x/sys@v0.0.0-20210630005230-0f9fa26af87c", 13, false},
		}, nil},
		// go.sum: 15 lines, 9 module versions once the /go.mod lines are folded in.
		{"go-sum/osv-scalibr__indirect-1.16.sum", 9, 0, []pk{
			{"pkg:golang/github.com/davecgh/go-spew@v1.1.0", 1, false}, // only a /go.mod line
			{"pkg:golang/github.com/sirupsen/logrus@v1.9.3", 6, false},
		}, nil},
		{"go-sum/sigstore-go__go.sum", 208, 0, []pk{{"pkg:golang/cloud.google.com/go@v0.123.0", 1, false}}, nil},
		{"go-sum/in-toto-attestation__go.sum", 5, 0, []pk{{"pkg:golang/google.golang.org/protobuf@v1.36.12", 5, false}}, nil},
		// package-lock
		{"package-lock/osv-scalibr__alias.v2.json", 3, 0, []pk{
			{"pkg:npm/%40babel/code-frame@7.0.0", 13, false}, // "node_modules/babel-code-frame" aliases @babel/code-frame
			{"pkg:npm/string-width@4.2.0", 32, false},        // string-width-cjs -> string-width
			{"pkg:npm/string-width@5.1.2", 22, false},
		}, []string{"pkg:npm/babel-code-frame@7.0.0"}},
		{"package-lock/osv-scalibr__scoped-packages.v1.json", 2, 0, []pk{{"pkg:npm/%40babel/code-frame@7.0.0", 5, false}}, nil},
		{"package-lock/osv-scalibr__scoped-packages.v2.json", 2, 0, []pk{{"pkg:npm/%40babel/code-frame@7.0.0", 10, false}}, nil},
		{"package-lock/osv-scalibr__nested-dependencies.v1.json", 5, 0, []pk{
			{"pkg:npm/postcss@7.0.16", 26, false}, {"pkg:npm/supports-color@6.1.0", 36, false},
		}, nil},
		{"package-lock/osv-scalibr__nested-dependencies.v2.json", 5, 0, []pk{
			{"pkg:npm/postcss@7.0.16", 34, false}, {"pkg:npm/supports-color@6.1.0", 47, false},
		}, nil},
		{"package-lock/osv-scalibr__commits.v2.json", 2, 12, []pk{{"pkg:npm/ansi-styles@1.0.0", 42, false}}, []string{"pkg:npm/raven-js"}},
		{"package-lock/osv-scalibr__bundled-dependencies.v3.json", 3, 0, []pk{{"pkg:npm/semver@7.7.2", 35, true}}, nil},
		{"package-lock/osv-scalibr__guidedremediation-lockfile-v1__package-lock.json", 6, 0, []pk{
			{"pkg:npm/%40fake-registry/a@2.3.4", 32, true}, // "a-dev": "npm:@fake-registry/a@2.3.4"
			{"pkg:npm/%40fake-registry/b@2.0.0", 41, true},
		}, nil},
		{"package-lock/osv-scalibr__guidedremediation-lockfile-v2__package-lock.json", 6, 2, nil, nil},
		{"package-lock/osv-scalibr__optional-package.v2.json", 2, 0, []pk{{"pkg:npm/wrappy@1.0.2", 10, true}}, nil},
		{"package-lock/osv-scalibr__same-package-different-groups.v2.json", 3, 0, []pk{
			{"pkg:npm/ajv@5.5.2", 10, false}, // dev at the top, but also installed for table: production
			{"pkg:npm/eslint@1.2.3", 22, true},
		}, nil},
		{"package-lock/osv-scanner__locks-many__package-lock.json", 1, 0, []pk{{"pkg:npm/ansi-html@0.0.8", 5, false}}, nil},
		// yarn
		{"yarn-lock/osv-scalibr__scoped-packages.v1.lock", 2, 0, []pk{{"pkg:npm/%40babel/compat-data@7.14.0", 12, false}}, nil},
		{"yarn-lock/osv-scalibr__with-aliases.v1.lock", 3, 0, []pk{
			{"pkg:npm/ansi-regex@5.0.1", 5, false},
			{"pkg:npm/%40babel/helper-validator-identifier@7.22.20", 15, false},
		}, []string{"pkg:npm/ansi-regex-cjs@5.0.1", "pkg:npm/babel-hvi@7.22.20"}},
		{"yarn-lock/osv-scalibr__commits.v1.lock", 0, 18, nil, nil},
		{"yarn-lock/osv-scalibr__multiple-versions.v2.lock", 3, 0, []pk{{"pkg:npm/debug@4.3.3", 8, false}}, nil},
		{"yarn-lock/osv-scalibr__scoped-packages.v2.lock", 3, 0, []pk{{"pkg:npm/%40babel/cli@7.16.8", 8, false}}, nil},
		{"yarn-lock/osv-scalibr__with-prerelease.v2.lock", 2, 0, []pk{ // the workspace entry is the project itself
			{"pkg:npm/%40nicolo-ribaudo/chokidar-2@2.1.8-no-fsevents.3", 8, false}, {"pkg:npm/gensync@1.0.0-beta.2", 15, false},
		}, []string{"pkg:npm/eslint-plugin-jest"}},
		// pnpm
		{"pnpm-lock/osv-scalibr__multiple-packages.yaml", 14, 0, []pk{{"pkg:npm/aws-sdk@2.1087.0", 11, false}}, nil},
		{"pnpm-lock/osv-scalibr__mixed-groups.v6.yaml", 3, 0, []pk{
			{"pkg:npm/ansi-regex@5.0.0", 24, false}, {"pkg:npm/is-number@7.0.0", 29, true}, {"pkg:npm/uuid@8.0.0", 34, true},
		}, nil},
		{"pnpm-lock/osv-scalibr__peer-dependencies-advanced.v9.yaml", 13, 0, []pk{
			{"pkg:npm/%40typescript-eslint/eslint-plugin@5.62.0", 36, false}, {"pkg:npm/tsutils@3.21.0", 104, false},
		}, nil},
		{"pnpm-lock/osv-scalibr__scoped-packages.v9.yaml", 1, 0, []pk{{"pkg:npm/%40typescript-eslint/types@5.62.0", 17, false}}, nil},
		// Python
		{"requirements-txt/osv-scalibr__example.txt", 1, 12, []pk{{"pkg:pypi/docopt@0.6.1", 8, false}}, []string{"pkg:pypi/pytest"}},
		{"requirements-txt/osv-scalibr__extras.txt", 2, 0, []pk{{"pkg:pypi/celery@4.4.7", 2, false}}, nil},
		{"requirements-txt/osv-scalibr__with_versions.txt", 7, 4, []pk{
			{"pkg:pypi/qwerty@0.1", 5, false}, {"pkg:pypi/under-score@1.3", 8, false}, {"pkg:pypi/pkg-dot-name@5.0.0", 9, false},
			{"pkg:pypi/yolo@1.0", 11, false},
		}, []string{"pkg:pypi/asdf"}},
		{"requirements-txt/osv-scalibr__multiline_and_comments.txt", 2, 0, []pk{{"pkg:pypi/pkga@1.0", 3, false}}, nil},
		{"requirements-txt/osv-scalibr__per_req_options.txt", 15, 3, []pk{
			{"pkg:pypi/foo5@1.0", 9, false}, {"pkg:pypi/foo9@1.0", 17, false}, {"pkg:pypi/foo17-hash@1.0", 34, false},
		}, nil},
		{"requirements-txt/osv-scanner__requirements-transitive.txt", 1, 1, []pk{{"pkg:pypi/numpy@2.3.1", 1, false}}, nil},
		{"requirements-txt/osv-scalibr__comments.txt", 5, 0, []pk{{"pkg:pypi/requests@1.0", 7, false}, {"pkg:pypi/pycrypto@1.2-alpha", 2, false}}, nil},
		{"poetry-lock/osv-scalibr__multiple-packages.v2.lock", 11, 0, []pk{
			{"pkg:pypi/six@1.17.0", 145, false}, {"pkg:pypi/factory-boy@3.3.1", 16, true}, {"pkg:pypi/proto-plus@1.23.0", 70, false},
		}, nil},
		{"poetry-lock/osv-scalibr__source-git.lock", 0, 1, nil, nil},
		{"poetry-lock/osv-scalibr__source-legacy.lock", 1, 0, []pk{{"pkg:pypi/appdirs@1.4.4", 1, false}}, nil},
		{"uv-lock/osv-scalibr__grouped-packages.lock", 14, 0, []pk{
			{"pkg:pypi/emoji@2.14.0", 59, false}, {"pkg:pypi/black@24.10.0", 4, true},
		}, []string{"pkg:pypi/uv-lockfiles"}},
		{"pipfile-lock/osv-scalibr__multiple-packages.json", 4, 0, []pk{
			{"pkg:pypi/pluggy@1.0.1", 27, false}, {"pkg:pypi/pluggy@1.0.0", 88, true},
		}, nil},
		// Cargo, Ruby
		{"cargo-lock/in-toto-attestation__rust__Cargo.lock", 52, 1, []pk{{"pkg:cargo/protobuf@3.7.2", 160, false}}, nil},
		{"cargo-lock/osv-scalibr__package-with-build-string.lock", 1, 0, []pk{{"pkg:cargo/wasi@0.10.2+wasi-snapshot-preview1", 5, false}}, nil},
		{"gemfile-lock/osv-scalibr__rails.lock", 46, 0, []pk{{"pkg:gem/nokogiri@1.13.3", 104, false}, {"pkg:gem/rails@7.0.2.2", 110, false}}, nil},
		{"gemfile-lock/osv-scalibr__has-git-gem.lock", 3, 2, []pk{{"pkg:gem/rack@2.2.3", 23, false}}, []string{"pkg:gem/hanami-utils"}},
		// SBOMs
		{"cyclonedx/osv-scalibr__sbom-with-locations.cdx.json", 1, 0, []pk{{"pkg:npm/%40gar/promisify@1.1.3", 7, false}}, nil},
		{"cyclonedx/osv-scalibr__sbom-with-nested-comps.cdx.json", 1, 2, []pk{{"pkg:cargo/rustls@0.23.13", 21, false}}, nil},
		{"cyclonedx/guac__cyclonedx-components-nested.json", 1, 2, []pk{{"pkg:maven/compiler/compiler@23.1.4.0-1-redhat-00001", 40, false}}, nil},
		{"cyclonedx/guac__alpine-cyclonedx.json", 0, 15, nil, nil},
		{"cyclonedx/osv-scalibr__minimal.cdx.json", 0, 0, nil, []string{"pkg:maven/com.example.group/fooBar"}},
		{"spdx/osv-scalibr__purl_and_cpe.spdx.json", 0, 2, nil, nil},
		{"spdx/guac__small-spdx.json", 0, 3, nil, nil},
		{"spdx/osv-scalibr__minimal.spdx.json", 0, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(path, b)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Packages) != tt.pkgs || len(m.Problems) != tt.problems {
				t.Errorf("%d packages, %d problems; want %d, %d\n%+v\n%+v", len(m.Packages), len(m.Problems), tt.pkgs, tt.problems, m.Packages, m.Problems)
			}
			byPURL := map[string]Package{}
			for _, p := range m.Packages {
				byPURL[p.PURL] = p
			}
			for _, w := range tt.has {
				p, ok := byPURL[w.purl]
				if !ok {
					t.Errorf("missing %s", w.purl)
					continue
				}
				if w.line > 0 && (p.Line != w.line || p.Dev != w.dev) {
					t.Errorf("%s: line %d dev %v, want line %d dev %v", w.purl, p.Line, p.Dev, w.line, w.dev)
				}
			}
			for _, no := range tt.hasNot {
				for _, p := range m.Packages {
					if strings.HasPrefix(p.PURL, no) {
						t.Errorf("unexpected %s", p.PURL)
					}
				}
			}
		})
	}
}
