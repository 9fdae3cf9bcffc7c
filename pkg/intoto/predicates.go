package intoto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// SLSAProvenance is the SLSA Provenance v1 predicate
// (https://slsa.dev/spec/v1.0/provenance).
type SLSAProvenance struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition is SLSA v1 buildDefinition.
type BuildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   json.RawMessage      `json:"externalParameters"`
	InternalParameters   json.RawMessage      `json:"internalParameters,omitempty"`
	ResolvedDependencies []ResourceDescriptor `json:"resolvedDependencies,omitempty"`
}

// RunDetails is SLSA v1 runDetails.
type RunDetails struct {
	Builder    Builder              `json:"builder"`
	Metadata   *BuildMetadata       `json:"metadata,omitempty"`
	Byproducts []ResourceDescriptor `json:"byproducts,omitempty"`
}

// Builder is SLSA v1 runDetails.builder.
type Builder struct {
	ID                  string               `json:"id"`
	Version             map[string]string    `json:"version,omitempty"`
	BuilderDependencies []ResourceDescriptor `json:"builderDependencies,omitempty"`
}

// BuildMetadata is SLSA v1 runDetails.metadata. Timestamps are RFC 3339.
type BuildMetadata struct {
	InvocationID string     `json:"invocationId,omitempty"`
	StartedOn    *time.Time `json:"startedOn,omitempty"`
	FinishedOn   *time.Time `json:"finishedOn,omitempty"`
}

// ParseSLSAProvenance decodes a SLSA Provenance v1 predicate. Required:
// buildDefinition.buildType (non-empty), buildDefinition.externalParameters
// (object), runDetails.builder.id (non-empty). Resource descriptors must have
// at least one of uri, digest, content, with valid digests; timestamps must
// be RFC 3339. Duplicate keys are rejected, unknown members ignored. Errors
// wrap ErrInvalidPredicate and name the field.
func ParseSLSAProvenance(raw json.RawMessage) (*SLSAProvenance, error) {
	p, err := parseSLSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: slsa provenance v1: %v", ErrInvalidPredicate, err)
	}
	return p, nil
}

func parseSLSA(raw []byte) (*SLSAProvenance, error) {
	if err := strictjson.CheckNoDuplicateKeys(raw); err != nil {
		return nil, err
	}
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return nil, err
	}
	var p SLSAProvenance
	var haveBD, haveRD bool
	for _, f := range fields {
		switch f.Name {
		case "buildDefinition":
			haveBD = true
			if err := parseBuildDefinition(f.Value, &p.BuildDefinition); err != nil {
				return nil, err
			}
		case "runDetails":
			haveRD = true
			if err := parseRunDetails(f.Value, &p.RunDetails); err != nil {
				return nil, err
			}
		}
	}
	if !haveBD {
		return nil, fmt.Errorf("buildDefinition is missing")
	}
	if !haveRD {
		return nil, fmt.Errorf("runDetails is missing")
	}
	return &p, nil
}

func parseBuildDefinition(raw []byte, bd *BuildDefinition) error {
	const path = "buildDefinition"
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	haveExt := false
	for _, f := range fields {
		p := path + "." + f.Name
		switch f.Name {
		case "buildType":
			if bd.BuildType, err = strictjson.String(f.Value); err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
		case "externalParameters":
			haveExt = true
			if err := requireObject(f.Value); err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
			bd.ExternalParameters = compactCopy(f.Value)
		case "internalParameters":
			if isNull(f.Value) {
				continue
			}
			if err := requireObject(f.Value); err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
			bd.InternalParameters = compactCopy(f.Value)
		case "resolvedDependencies":
			if isNull(f.Value) {
				continue
			}
			if bd.ResolvedDependencies, err = parseDescriptors(f.Value, p, false); err != nil {
				return err
			}
		}
	}
	if bd.BuildType == "" {
		return fmt.Errorf("%s.buildType is missing or empty", path)
	}
	if !haveExt {
		return fmt.Errorf("%s.externalParameters is missing", path)
	}
	return nil
}

func parseRunDetails(raw []byte, rd *RunDetails) error {
	const path = "runDetails"
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	haveBuilder := false
	for _, f := range fields {
		p := path + "." + f.Name
		switch f.Name {
		case "builder":
			haveBuilder = true
			if err := parseBuilder(f.Value, p, &rd.Builder); err != nil {
				return err
			}
		case "metadata":
			if isNull(f.Value) {
				continue
			}
			m, err := parseBuildMetadata(f.Value, p)
			if err != nil {
				return err
			}
			rd.Metadata = m
		case "byproducts":
			if isNull(f.Value) {
				continue
			}
			if rd.Byproducts, err = parseDescriptors(f.Value, p, false); err != nil {
				return err
			}
		}
	}
	if !haveBuilder {
		return fmt.Errorf("%s.builder is missing", path)
	}
	return nil
}

func parseBuilder(raw []byte, path string, b *Builder) error {
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	for _, f := range fields {
		p := path + "." + f.Name
		switch f.Name {
		case "id":
			if b.ID, err = strictjson.String(f.Value); err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
		case "version":
			if isNull(f.Value) {
				continue
			}
			if b.Version, err = parseStringMap(f.Value, p); err != nil {
				return err
			}
		case "builderDependencies":
			if isNull(f.Value) {
				continue
			}
			if b.BuilderDependencies, err = parseDescriptors(f.Value, p, false); err != nil {
				return err
			}
		}
	}
	if b.ID == "" {
		return fmt.Errorf("%s.id is missing or empty", path)
	}
	return nil
}

func parseBuildMetadata(raw []byte, path string) (*BuildMetadata, error) {
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var m BuildMetadata
	for _, f := range fields {
		p := path + "." + f.Name
		switch f.Name {
		case "invocationId":
			if m.InvocationID, err = strictjson.String(f.Value); err != nil {
				return nil, fmt.Errorf("%s: %v", p, err)
			}
		case "startedOn", "finishedOn":
			if isNull(f.Value) {
				continue
			}
			s, err := strictjson.String(f.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", p, err)
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not an RFC 3339 timestamp", p, truncate(s))
			}
			if f.Name == "startedOn" {
				m.StartedOn = &t
			} else {
				m.FinishedOn = &t
			}
		}
	}
	return &m, nil
}

// TestResult is the in-toto test-result v0.1 predicate
// (in-toto/attestation spec/predicates/test-result.md).
type TestResult struct {
	Result        string               `json:"result"`
	Configuration []ResourceDescriptor `json:"configuration,omitempty"`
	URL           string               `json:"url,omitempty"`
	PassedTests   []string             `json:"passedTests,omitempty"`
	WarnedTests   []string             `json:"warnedTests,omitempty"`
	FailedTests   []string             `json:"failedTests,omitempty"`
}

// Test-result values.
const (
	TestResultPassed = "PASSED"
	TestResultWarned = "WARNED"
	TestResultFailed = "FAILED"
)

// ParseTestResult decodes an in-toto test-result v0.1 predicate. result is
// required and must be PASSED, WARNED or FAILED; configuration entries must
// be valid resource descriptors. Duplicate keys are rejected, unknown members
// ignored. Errors wrap ErrInvalidPredicate and name the field.
func ParseTestResult(raw json.RawMessage) (*TestResult, error) {
	t, err := parseTestResult(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: test-result v0.1: %v", ErrInvalidPredicate, err)
	}
	return t, nil
}

func parseTestResult(raw []byte) (*TestResult, error) {
	if err := strictjson.CheckNoDuplicateKeys(raw); err != nil {
		return nil, err
	}
	fields, err := strictjson.ObjectFields(raw)
	if err != nil {
		return nil, err
	}
	var t TestResult
	haveResult := false
	for _, f := range fields {
		switch f.Name {
		case "result":
			haveResult = true
			t.Result, err = strictjson.String(f.Value)
		case "configuration":
			if isNull(f.Value) {
				continue
			}
			if t.Configuration, err = parseDescriptors(f.Value, "configuration", false); err != nil {
				return nil, err
			}
		case "url":
			t.URL, err = strictjson.String(f.Value)
		case "passedTests":
			t.PassedTests, err = parseStringList(f.Value)
		case "warnedTests":
			t.WarnedTests, err = parseStringList(f.Value)
		case "failedTests":
			t.FailedTests, err = parseStringList(f.Value)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f.Name, err)
		}
	}
	if !haveResult {
		return nil, fmt.Errorf("result is missing")
	}
	switch t.Result {
	case TestResultPassed, TestResultWarned, TestResultFailed:
	default:
		return nil, fmt.Errorf("result is %q, want PASSED, WARNED or FAILED", truncate(t.Result))
	}
	return &t, nil
}

func compactCopy(raw []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return buf.Bytes()
}
