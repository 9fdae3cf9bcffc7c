package ctifeed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/adf-consortium/adf/pkg/cti"
)

// MISP exports are loose about JSON types: booleans come as true, "1" or
// "true", numbers as 1 or "1", absent times as null or "". These types
// accept all of them.

type mispBool bool

func (b *mispBool) UnmarshalJSON(data []byte) error {
	var s string
	if data[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
	} else {
		s = string(data)
	}
	switch strings.ToLower(s) {
	case "true", "1":
		*b = true
	case "false", "0", "", "null":
		*b = false
	default:
		return fmt.Errorf("%s is not a boolean", data)
	}
	return nil
}

type mispString string

func (m *mispString) UnmarshalJSON(data []byte) error {
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*m = mispString(s)
	case 'n':
		*m = ""
	default:
		if _, err := strconv.ParseFloat(string(data), 64); err != nil {
			return fmt.Errorf("%s is not a string or number", data)
		}
		*m = mispString(data)
	}
	return nil
}

type mispTag struct {
	Name string `json:"name"`
}

type mispAttribute struct {
	UUID      string     `json:"uuid"`
	Type      string     `json:"type"`
	Category  string     `json:"category"`
	Value     string     `json:"value"`
	ToIDs     mispBool   `json:"to_ids"`
	Deleted   mispBool   `json:"deleted"`
	Timestamp mispString `json:"timestamp"`
	FirstSeen mispString `json:"first_seen"`
	LastSeen  mispString `json:"last_seen"`
	Comment   string     `json:"comment"`
	Tag       []mispTag  `json:"Tag"`
}

type mispObject struct {
	Name      string          `json:"name"`
	UUID      string          `json:"uuid"`
	Deleted   mispBool        `json:"deleted"`
	Attribute []mispAttribute `json:"Attribute"`
}

type mispEvent struct {
	UUID          string          `json:"uuid"`
	Info          string          `json:"info"`
	ThreatLevelID mispString      `json:"threat_level_id"`
	Tag           []mispTag       `json:"Tag"`
	Attribute     []mispAttribute `json:"Attribute"`
	Object        []mispObject    `json:"Object"`
}

// Confidence of MISP indicators by the event's threat_level_id. A threat
// level is the analyst's view of how serious the event is, the closest
// thing MISP has to a confidence without tags; "undefined" (4, or no level)
// gets the lowest, as nobody vouched for it.
var mispThreatConfidence = map[string]uint32{"1": 90, "2": 70, "3": 50, "4": 30}

// mispThreatSeverity: the same level read as a severity.
var mispThreatSeverity = map[string]cti.Severity{"1": cti.SeverityHigh, "2": cti.SeverityMedium, "3": cti.SeverityLow}

// mispConfidenceTags are the numerical values of the MISP taxonomy
// predicate misp:confidence-level.
var mispConfidenceTags = map[string]uint32{
	"completely-confident":           100,
	"usually-confident":              75,
	"fairly-confident":               50,
	"rarely-confident":               25,
	"unconfident":                    0,
	"confidence-cannot-be-evalued":   50,
	"confidence-cannot-be-evaluated": 50,
}

// ParseMISP translates MISP events: {"Event": {...}}, a search answer
// {"response": [{"Event": ...}, ...]}, or a bare event object.
func ParseMISP(path string, data []byte) (*Result, error) {
	if err := wrongFormat(path, FormatMISP, data); err != nil {
		return nil, err
	}
	events, err := mispEvents(path, data)
	if err != nil {
		return nil, err
	}
	c := newCollector(path)
	uuids := map[string]string{}
	for i, raw := range events {
		ref := fmt.Sprintf("event %d", i)
		var ev mispEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, jsonErr(path, ref, err)
		}
		if ev.UUID != "" {
			ref = "event " + ev.UUID
		}
		if err := mispEventAdd(c, ref, &ev, uuids); err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

func mispEvents(path string, data []byte) ([]json.RawMessage, error) {
	var top struct {
		Event    json.RawMessage `json:"Event"`
		Response []struct {
			Event json.RawMessage `json:"Event"`
		} `json:"response"`
		Attribute json.RawMessage `json:"Attribute"`
		Info      json.RawMessage `json:"info"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(data), &top); err != nil {
		return nil, jsonErr(path, "", err)
	}
	switch {
	case top.Event != nil:
		return []json.RawMessage{top.Event}, nil
	case top.Response != nil:
		var out []json.RawMessage
		for i, r := range top.Response {
			if r.Event == nil {
				return nil, feedErr(path, fmt.Sprintf("response[%d]", i), "has no Event")
			}
			out = append(out, r.Event)
		}
		return out, nil
	case top.Attribute != nil || top.Info != nil:
		return []json.RawMessage{data}, nil
	}
	return nil, feedErr(path, "", "not a MISP event (no Event, response or Attribute)")
}

func mispEventAdd(c *collector, ref string, ev *mispEvent, uuids map[string]string) error {
	level := string(ev.ThreatLevelID)
	if level == "" {
		level = "4"
	}
	conf, ok := mispThreatConfidence[level]
	if !ok {
		return feedErr(c.path, ref, "threat_level_id %q is not 1..4", level)
	}
	eventConf, hasEventConf, err := mispTagConfidence(c.path, ref, ev.Tag)
	if err != nil {
		return err
	}
	if hasEventConf {
		conf = eventConf
	}

	// Link attributes point at write-ups of the event: references for all
	// of its indicators rather than indicators themselves.
	var refs []string
	forEach := func(f func(a *mispAttribute, obj *mispObject) error) error {
		for i := range ev.Attribute {
			if err := f(&ev.Attribute[i], nil); err != nil {
				return err
			}
		}
		for i := range ev.Object {
			o := &ev.Object[i]
			for j := range o.Attribute {
				if err := f(&o.Attribute[j], o); err != nil {
					return err
				}
			}
		}
		return nil
	}
	_ = forEach(func(a *mispAttribute, _ *mispObject) error {
		if a.Type == "link" && !bool(a.Deleted) {
			refs = append(refs, a.Value)
		}
		return nil
	})

	return forEach(func(a *mispAttribute, obj *mispObject) error {
		where := ref
		if obj != nil {
			where = fmt.Sprintf("%s object %s", ref, obj.Name)
		}
		if a.UUID == "" {
			c.skip(where, fmt.Sprintf("%s attribute %q has no uuid to use as source id", a.Type, a.Value))
			return nil
		}
		if prev, dup := uuids[a.UUID]; dup {
			return feedErr(c.path, a.UUID, "duplicate attribute uuid (in %s and %s)", prev, where)
		}
		uuids[a.UUID] = where
		if a.Deleted || obj != nil && obj.Deleted {
			return c.revoke(a.UUID)
		}
		if a.Type == "link" {
			// Checked before to_ids: the reason is the same either way.
			_, _, reason := mispValue(a.Type, a.Value)
			c.skip(a.UUID, reason)
			return nil
		}
		if !a.ToIDs {
			c.skip(a.UUID, "to_ids is false")
			return nil
		}
		kind, value, reason := mispValue(a.Type, a.Value)
		if reason != "" {
			c.skip(a.UUID, reason)
			return nil
		}
		norm, err := cti.NormalizeValue(kind, value)
		if err != nil {
			c.skip(a.UUID, fmt.Sprintf("%s value: %v", a.Type, err))
			return nil
		}
		in := cti.Indicator{
			SourceID:   a.UUID,
			Kind:       kind,
			Value:      norm,
			Confidence: conf,
			Severity:   mispThreatSeverity[level],
			References: refs,
			Summary:    ev.Info,
		}
		if a.Comment != "" {
			in.Summary = strings.TrimSpace(ev.Info + " — " + a.Comment)
		}
		attrConf, hasAttrConf, err := mispTagConfidence(c.path, a.UUID, a.Tag)
		if err != nil {
			return err
		}
		if hasAttrConf {
			in.Confidence = attrConf
		}
		for _, t := range a.Tag {
			in.Labels = append(in.Labels, t.Name)
		}
		for _, t := range ev.Tag {
			in.Labels = append(in.Labels, t.Name)
		}
		if err := mispWindow(c.path, a, &in); err != nil {
			return err
		}
		return c.add(in)
	})
}

// mispValue maps an attribute type to an indicator kind and the part of
// the value that is the observable, or gives the reason it is skipped.
func mispValue(typ, value string) (cti.Kind, string, string) {
	switch typ {
	case "sha256":
		return cti.KindFileSHA256, value, ""
	case "filename|sha256":
		_, h, ok := strings.Cut(value, "|")
		if !ok {
			return "", "", fmt.Sprintf("filename|sha256 value %q has no '|'", value)
		}
		return cti.KindFileSHA256, h, ""
	case "domain", "hostname":
		return cti.KindDomain, value, ""
	case "ip-dst", "ip-src":
		return cti.KindIP, value, ""
	case "ip-dst|port", "ip-src|port":
		// The port narrows the indicator; the address alone is what the
		// registry can hold, and an address seen serving malware on one
		// port is not to be trusted on others.
		i := strings.LastIndexByte(value, '|')
		if i < 0 {
			return "", "", fmt.Sprintf("%s value %q has no '|'", typ, value)
		}
		return cti.KindIP, value[:i], ""
	case "url":
		return cti.KindURL, value, ""
	case "link":
		return "", "", "link points at an analysis of the event; it is used as a reference for the event's indicators, not as an indicator"
	}
	return "", "", fmt.Sprintf("attribute type %q is not one ADF imports (sha256, filename|sha256, domain, hostname, ip-src, ip-dst, ip-src|port, ip-dst|port, url)", typ)
}

// mispTagConfidence reads a misp:confidence-level tag.
func mispTagConfidence(path, ref string, tags []mispTag) (uint32, bool, error) {
	for _, t := range tags {
		pred, val, ok := strings.Cut(t.Name, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(pred), "misp:confidence-level") {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		conf, known := mispConfidenceTags[val]
		if !known {
			return 0, false, feedErr(path, ref, "tag %q: unknown confidence level", t.Name)
		}
		return conf, true, nil
	}
	return 0, false, nil
}

// mispWindow sets the validity window. valid_from is first_seen, or the
// attribute's timestamp (when it was last changed) without one;
// valid_until is last_seen. A first_seen after last_seen is an error. A
// last_seen not after the timestamp says nothing wrong (the attribute was
// edited after its last sighting), so the window then starts at
// publication (0). first_seen equal to last_seen is one sighting and gets
// a one-second window, since the registry needs valid_until > valid_from.
func mispWindow(path string, a *mispAttribute, in *cti.Indicator) error {
	first, err := mispTime(string(a.FirstSeen))
	if err != nil {
		return feedErr(path, a.UUID, "first_seen: %v", err)
	}
	last, err := mispTime(string(a.LastSeen))
	if err != nil {
		return feedErr(path, a.UUID, "last_seen: %v", err)
	}
	ts, err := mispTime(string(a.Timestamp))
	if err != nil {
		return feedErr(path, a.UUID, "timestamp: %v", err)
	}
	in.ValidFrom, in.ValidUntil = first, last
	if first == 0 {
		in.ValidFrom = ts
		if last != 0 && last <= ts {
			in.ValidFrom = 0
		}
	}
	if last != 0 && last == in.ValidFrom {
		in.ValidUntil = last + 1
	}
	return checkWindow(path, a.UUID, in.ValidFrom, in.ValidUntil)
}

// mispTime reads unix seconds (MISP's timestamp) or RFC 3339 (first_seen,
// last_seen; MISP writes microseconds and a numeric zone).
func mispTime(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%d is before 1970", n)
		}
		return n, nil
	}
	return parseTime(s)
}
