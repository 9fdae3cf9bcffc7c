// Package manifest reads dependency manifests, lockfiles and SBOMs and lists
// the exact package versions they pin, each with its OSV ecosystem name and
// canonical package URL, so that a gate can ask the CTI registry about every
// one of them.
//
// The package is deliberately chain-agnostic: it only turns bytes into
// [Package] values. Anything in a manifest that cannot be checked against a
// registry by name and exact version (version ranges, git, URL and path
// dependencies, includes of other files, SBOM entries without a usable purl)
// is reported as a [Problem] rather than dropped, because a gate that silently
// skips what it cannot check is a gate an attacker can walk around. Input
// that is not the format it claims to be is an error wrapping [ErrMalformed]
// naming the file and the line (or JSON field); an empty file is always an
// error, never an empty result.
//
// Supported formats: go.mod, go.sum, package-lock.json (v1, v2, v3 and
// npm-shrinkwrap.json), yarn.lock (classic v1 and berry), pnpm-lock.yaml
// (v5, v6, v9), requirements.txt, poetry.lock, uv.lock, Pipfile.lock,
// Cargo.lock, Gemfile.lock, CycloneDX JSON and SPDX 2.x JSON.
package manifest
