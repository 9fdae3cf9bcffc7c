package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// injected is what the tests plant: names taken from the shared OSV MAL-
// advisories, so the same lockfiles can drive an end-to-end gate test.
var injected = map[string]struct{ name, version, purl string }{
	"npm":       {"@ctrl/tinycolor", "4.1.1", "pkg:npm/%40ctrl/tinycolor@4.1.1"},
	"Go":        {"github.com/boltdb-go/bolt", "v1.3.1", "pkg:golang/github.com/boltdb-go/bolt@v1.3.1"},
	"PyPI":      {"0requests", "1.0.0", "pkg:pypi/0requests@1.0.0"},
	"crates.io": {"littest", "0.3.1", "pkg:cargo/littest@0.3.1"},
	"RubyGems":  {"3scale-client", "2.11.0", "pkg:gem/3scale-client@2.11.0"},
}

var formatEcosystem = map[Format]string{
	GoMod: "Go", GoSum: "Go", PackageLock: "npm", YarnLock: "npm", PnpmLock: "npm",
	Requirements: "PyPI", PoetryLock: "PyPI", UVLock: "PyPI", PipfileLock: "PyPI",
	CargoLock: "crates.io", GemfileLock: "RubyGems", CycloneDX: "npm", SPDX: "PyPI",
}

// checkInjected injects the format's malicious package into content and
// checks that Parse (with detection) finds exactly one more package, that
// package, and no new problems.
func checkInjected(t *testing.T, f Format, path string, content []byte) {
	t.Helper()
	eco := formatEcosystem[f]
	in := injected[eco]
	before, err := ParseAs(f, path, content)
	if err != nil {
		t.Fatalf("before: %v", err)
	}
	out, err := Inject(f, content, eco, in.name, in.version)
	if err != nil {
		t.Fatalf("Inject: %v", err)
	}
	if got, err := Detect(path, out); err != nil || got != f {
		t.Errorf("Detect after inject = %q, %v", got, err)
	}
	after, err := Parse(path, out)
	if err != nil {
		t.Fatalf("after: %v\n%s", err, out)
	}
	found := false
	for _, p := range after.Packages {
		if p.PURL == in.purl {
			found = true
			if p.Ecosystem != eco || p.Version != in.version || p.Dev {
				t.Errorf("injected package parsed as %+v", p)
			}
		}
	}
	if !found {
		t.Errorf("injected %s not listed:\n%s", in.purl, out)
	}
	if len(after.Packages) != len(before.Packages)+1 || len(after.Problems) != len(before.Problems) {
		t.Errorf("packages %d -> %d, problems %d -> %d; want +1 package, same problems\n%+v",
			len(before.Packages), len(after.Packages), len(before.Problems), len(after.Problems), after.Problems)
	}
}

func TestInjectFixtures(t *testing.T) {
	for file, f := range map[string]Format{
		"go.mod": GoMod, "go.sum": GoSum, "package-lock.v1.json": PackageLock, "package-lock.v3.json": PackageLock,
		"yarn.v1.lock": YarnLock, "yarn.berry.lock": YarnLock, "pnpm.v5.yaml": PnpmLock, "pnpm.v6.yaml": PnpmLock,
		"pnpm.v9.yaml": PnpmLock, "requirements.txt": Requirements, "poetry.lock": PoetryLock, "uv.lock": UVLock,
		"Pipfile.lock": PipfileLock, "Cargo.lock": CargoLock, "Gemfile.lock": GemfileLock, "bom.cdx.json": CycloneDX,
		"sbom.spdx.json": SPDX,
	} {
		t.Run(file, func(t *testing.T) { checkInjected(t, f, file, readFixture(t, file)) })
	}
}

// TestInjectRealLockfiles plants a package in a real lockfile of each main
// format (and then in every other shared manifest).
func TestInjectRealLockfiles(t *testing.T) {
	dir := filepath.Join(sharedData(t), "manifests")
	main := []string{
		"package-lock/osv-scalibr__scoped-packages.v1.json",      // v1
		"package-lock/osv-scalibr__alias.v2.json",                // v2
		"package-lock/osv-scalibr__bundled-dependencies.v3.json", // v3
		"yarn-lock/osv-scalibr__scoped-packages.v1.lock",         // classic
		"yarn-lock/osv-scalibr__scoped-packages.v2.lock",         // berry
		"pnpm-lock/osv-scalibr__multiple-packages.yaml",          // v5.3
		"pnpm-lock/osv-scalibr__mixed-groups.v6.yaml",
		"pnpm-lock/osv-scalibr__peer-dependencies-advanced.v9.yaml",
		"requirements-txt/osv-scalibr__example.txt",
		"poetry-lock/osv-scalibr__multiple-packages.v2.lock",
		"cargo-lock/in-toto-attestation__rust__Cargo.lock",
		"go-mod/sigstore-go__go.mod",
		"go-sum/sigstore-go__go.sum",
		"cyclonedx/guac__small-deps-cyclonedx.json",
		"cyclonedx/osv-scalibr__minimal.cdx.json", // no components array yet
		"spdx/guac__alpine-small-spdx.json",
		"spdx/osv-scalibr__minimal.spdx.json", // no packages array yet
		"gemfile-lock/osv-scalibr__rails.lock",
		"pipfile-lock/osv-scalibr__two-packages.json",
		"uv-lock/osv-scalibr__grouped-packages.lock",
	}
	for _, rel := range main {
		t.Run(rel, func(t *testing.T) {
			path := filepath.Join(dir, rel)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkInjected(t, folderFormats[filepath.Dir(rel)], path, b)
		})
	}
	for _, sf := range sharedFiles(t) {
		if _, bad := knownBad[sf.rel]; bad {
			continue
		}
		t.Run("all/"+sf.rel, func(t *testing.T) {
			b, err := os.ReadFile(sf.path)
			if err != nil {
				t.Fatal(err)
			}
			checkInjected(t, sf.format, sf.path, b)
		})
	}
}

func TestInjectRejects(t *testing.T) {
	if _, err := Inject(PackageLock, []byte(`{"lockfileVersion": 3}`), "PyPI", "x", "1"); err == nil {
		t.Error("PyPI package injected into package-lock")
	}
	if _, err := Inject(Requirements, nil, "PyPI", "x\ny", "1"); err == nil {
		t.Error("name with a line break accepted")
	}
	if _, err := Inject("nonsense", nil, "npm", "x", "1"); err == nil {
		t.Error("unknown format accepted")
	}
}
