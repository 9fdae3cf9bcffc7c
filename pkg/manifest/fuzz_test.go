package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzSeeds are the fixtures (and, when present, the shared manifests) of
// one format.
func fuzzSeeds(f *testing.F, format Format, fixtures ...string) {
	for _, name := range fixtures {
		f.Add(readFixture(f, name))
	}
	dir, ok := sharedDataDir()
	if !ok {
		return
	}
	for folder, ff := range folderFormats {
		if ff != format {
			continue
		}
		paths, _ := filepath.Glob(filepath.Join(dir, "manifests", folder, "*"))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
}

// fuzzParse checks that parsing never panics, fails only with ErrMalformed,
// is deterministic, and keeps the Manifest invariants.
func fuzzParse(t *testing.T, format Format, b []byte) {
	m1, err1 := ParseAs(format, "fuzz", b)
	m2, err2 := ParseAs(format, "fuzz", b)
	if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(m1, m2) {
		t.Fatalf("not deterministic: %v / %v", err1, err2)
	}
	if err1 != nil {
		if !errors.Is(err1, ErrMalformed) {
			t.Fatalf("error does not wrap ErrMalformed: %v", err1)
		}
		if err1.Error() != err2.Error() {
			t.Fatalf("error not deterministic: %v / %v", err1, err2)
		}
		return
	}
	checkInvariants(t, m1)
}

func FuzzParseGoMod(f *testing.F) {
	fuzzSeeds(f, GoMod, "go.mod")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, GoMod, b) })
}

func FuzzParseGoSum(f *testing.F) {
	fuzzSeeds(f, GoSum, "go.sum")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, GoSum, b) })
}

func FuzzParsePackageLock(f *testing.F) {
	fuzzSeeds(f, PackageLock, "package-lock.v1.json", "package-lock.v3.json")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, PackageLock, b) })
}

func FuzzParseYarnLock(f *testing.F) {
	fuzzSeeds(f, YarnLock, "yarn.v1.lock", "yarn.berry.lock")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, YarnLock, b) })
}

func FuzzParsePnpmLock(f *testing.F) {
	fuzzSeeds(f, PnpmLock, "pnpm.v5.yaml", "pnpm.v6.yaml", "pnpm.v9.yaml")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, PnpmLock, b) })
}

func FuzzParseRequirements(f *testing.F) {
	fuzzSeeds(f, Requirements, "requirements.txt")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, Requirements, b) })
}

func FuzzParsePoetryLock(f *testing.F) {
	fuzzSeeds(f, PoetryLock, "poetry.lock")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, PoetryLock, b) })
}

func FuzzParseUVLock(f *testing.F) {
	fuzzSeeds(f, UVLock, "uv.lock")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, UVLock, b) })
}

func FuzzParsePipfileLock(f *testing.F) {
	fuzzSeeds(f, PipfileLock, "Pipfile.lock")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, PipfileLock, b) })
}

func FuzzParseCargoLock(f *testing.F) {
	fuzzSeeds(f, CargoLock, "Cargo.lock")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, CargoLock, b) })
}

func FuzzParseGemfileLock(f *testing.F) {
	fuzzSeeds(f, GemfileLock, "Gemfile.lock")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, GemfileLock, b) })
}

func FuzzParseCycloneDX(f *testing.F) {
	fuzzSeeds(f, CycloneDX, "bom.cdx.json")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, CycloneDX, b) })
}

func FuzzParseSPDX(f *testing.F) {
	fuzzSeeds(f, SPDX, "sbom.spdx.json")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzParse(t, SPDX, b) })
}

// FuzzDetect checks that detection never panics and that whatever it
// detects parses without panicking.
func FuzzDetect(f *testing.F) {
	for _, name := range []string{"go.mod", "yarn.v1.lock", "pnpm.v9.yaml", "Cargo.lock", "bom.cdx.json", "requirements.txt"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		format, err := Detect("fuzz.data", b)
		if err != nil {
			if !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("Detect error does not wrap ErrUnknownFormat: %v", err)
			}
			return
		}
		fuzzParse(t, format, b)
	})
}
