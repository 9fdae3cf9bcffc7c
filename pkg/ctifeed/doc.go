// Package ctifeed translates threat-intelligence feeds — OSV advisories,
// STIX 2.1 content and MISP events — into ADF registry indicators
// (pkg/cti). It is chain-agnostic: `adf cti import` reads files with
// ParseFiles and publishes the Result.
//
// # What every translation guarantees
//
// Every returned indicator passes (*cti.Indicator).Validate: ID is
// cti.IDFor(SourceID), Value is cti.NormalizeValue'd, Publisher is empty
// (the registry sets it). Anything in a feed that does not become an
// indicator is either listed in Result.Skipped with a reason, withdrawn
// in Result.Revoked, or — for feed objects that are not indicators by
// design, such as STIX malware or relationship objects — counted in
// Result.Ignored. Nothing is dropped silently.
//
// Errors wrap ErrFeed (as *Error, naming the file and the object or field)
// and return no partial Result: malformed JSON, a file in another format
// than asked ("looks like an OSV advisory, not STIX"), a source id twice in
// a file or batch (or published by one file and revoked by another),
// confidence outside 0..100, valid_until not after valid_from, invalid
// purls, malformed OSV range events, timestamps that are not RFC 3339.
// A well-formed feed item that the registry cannot hold — an invalid
// domain in a STIX pattern, a package with more versions than
// cti.MaxVersions — is Skipped with the validation error as its reason:
// the feed is fine, the item does not fit.
//
// Free-text lists are fitted rather than refused: labels and references
// are de-duplicated, entries longer than cti.MaxLabelLen or
// cti.MaxReferenceLen are dropped, and only the first cti.MaxLabels or
// cti.MaxReferences kept; a summary longer than cti.MaxSummaryLen is cut
// with "…".
//
// # OSV (schema 1.x)
//
// A file holds one advisory, a JSON array of advisories, or an osv.dev
// answer {"vulns": [...]}. Each affected package is one package
// indicator; affected entries naming the same ecosystem and name are
// merged (OSV lists a package twice for disjoint ranges). SourceID is the
// OSV id when the advisory names one package, else id + "#" + ecosystem
// (as written, e.g. "Debian:12") + "/" + name, e.g.
// "GHSA-xxxx#npm/@acme/left-tool".
//
//   - PackageMatch.Ecosystem is the ecosystem before any ':' ("PyPI:3.8"
//     → "PyPI"); Name as written; Versions from versions (de-duplicated);
//     Ranges from SEMVER, ECOSYSTEM and GIT ranges, events in feed order.
//   - AllVersions when a range has only introduced events, one of them
//     "0" (no fixed, last_affected or limit); the ranges are kept as well.
//   - An entry with neither versions nor ranges means every version for a
//     MAL- advisory (ossf/malicious-packages writes them that way) and is
//     Skipped for others, which then do not say what is affected.
//   - An entry with no package (a git repository only) is Skipped; so is
//     a package with a range type other than SEMVER, ECOSYSTEM or GIT.
//   - MAL- advisories: label cti.LabelMalicious, confidence 100, severity
//     critical. Others: label LabelVulnerability, confidence 70 (held by the
//     default gate policy, not blocked), severity
//     from database_specific.severity (GHSA words; MODERATE is medium),
//     else a CVSS v3 vector in severity (base score computed; v2/v4
//     vectors are not), per advisory then per affected entry (also its
//     ecosystem_specific.severity), else unknown.
//   - ValidFrom is published; no ValidUntil. References are the reference
//     URLs. Summary is summary, else the first line of details with text.
//   - withdrawn set: no indicator; the id (and, for several packages, each
//     id#ecosystem/name) goes to Revoked. A package.purl is checked to
//     parse.
//
// # STIX 2.1
//
// A file holds a bundle, a JSON array of objects or one object.
//
// indicator objects with pattern_type "stix" (or none, as in STIX 2.0)
// are translated with ParseSTIXPattern, which implements the patterning
// grammar of STIX 2.1 §9 (observation expressions with AND, OR,
// FOLLOWEDBY and WITHIN, REPEATS, START/STOP qualifiers; comparison
// expressions with AND, OR, NOT and every operator; comments). Each
// comparison is a term, numbered from 0 left to right; SourceID is the
// STIX id when the pattern has exactly one term, else id + "#" + index.
// Translated terms:
//
//	file:hashes.'SHA-256' / .SHA256 (also artifact:) =   → file-sha256
//	domain-name:value =                                   → domain
//	ipv4-addr:value / ipv6-addr:value = or ISSUBSET       → ip (address or CIDR)
//	url:value =                                           → url
//	software:purl / :x_purl / :extensions.'…'.purl =     → package
//
// A purl with a version is that exact version, without one all versions;
// qualifiers and subpath are ignored; a purl type without an OSV ecosystem
// is Skipped, a purl that does not parse is an error. IN (…) counts one
// term per element. A term is translated only if every join above it is
// OR: under AND or FOLLOWEDBY, or in a REPEATS observation, it is only
// part of the evidence (see ParseSTIXPattern for the one same-file SHA-256
// exception). Every other term — other objects or properties, MD5/SHA-1
// hashes, !=, NOT, LIKE, MATCHES, ordering — is Skipped with a reason
// naming it. Patterns that do not parse and other pattern types are
// Skipped per indicator.
//
//   - Confidence is the object's confidence, STIXDefaultConfidence (50)
//     when absent; outside 0..100 is an error.
//   - ValidFrom/ValidUntil are valid_from/valid_until, narrowed by a
//     START/STOP qualifier; valid_until not after valid_from is an error.
//   - Labels are labels then indicator_types. Severity is unknown (STIX
//     indicators have none). Summary is name, else description's first
//     line. References are external_references URLs.
//   - revoked: true puts the id (and each id#n of a multi-term pattern)
//     in Revoked.
//
// attack-pattern objects with an external reference from mitre-attack
// (or mitre-mobile-attack, mitre-ics-attack) become attack-technique
// indicators with the external_id (T1195, T1195.002) as value and the
// attack pattern's id as SourceID; confidence as for indicators; no
// validity window. Attack patterns without one (CAPEC only) and all other
// object types are counted in Result.Ignored, not Skipped.
//
// # MISP
//
// A file holds {"Event": {...}}, {"response": [{"Event": ...}, ...]} or a
// bare event. Attributes in Event.Attribute and Event.Object[].Attribute
// are read; SourceID is the attribute uuid.
//
//   - deleted attributes (or attributes of deleted objects) go to Revoked.
//   - to_ids false: Skipped "to_ids is false".
//   - sha256 and filename|sha256 (hash part) → file-sha256; domain and
//     hostname → domain; ip-src, ip-dst → ip; ip-src|port, ip-dst|port →
//     ip of the address part; url → url. link attributes are the event's
//     write-ups: every indicator of the event gets them as References, and
//     the link itself is Skipped. Other types are Skipped naming the type.
//   - Confidence: a misp:confidence-level tag on the attribute, else on
//     the event (completely-confident 100, usually-confident 75,
//     fairly-confident 50, rarely-confident 25, unconfident 0), else the
//     event's threat_level_id: 1 high 90, 2 medium 70, 3 low 50,
//     4 undefined (or absent) 30. Severity: threat level 1 high, 2 medium,
//     3 low, 4 unknown.
//   - Labels are the attribute's tag names, then the event's.
//   - Summary is the event info, plus " — " and the attribute comment.
//   - ValidFrom is first_seen, else the attribute timestamp; ValidUntil is
//     last_seen. first_seen after last_seen is an error; a last_seen not
//     after the timestamp (edited after its last sighting) leaves
//     ValidFrom 0; last_seen equal to ValidFrom gets a one-second window.
//
// # Files
//
// ParseFiles reads files and directories (every *.json below, in lexical
// order), parses each with the one format and merges: a source id
// published by two files, or published by one and revoked by another, is
// an error naming both; a revocation repeated across files counts once.
package ctifeed
