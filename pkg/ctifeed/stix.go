package ctifeed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/adf-consortium/adf/pkg/cti"
)

// stixObject is the part of a STIX 2.1 object the translation reads.
type stixObject struct {
	Type               string          `json:"type"`
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Description        string          `json:"description"`
	Pattern            string          `json:"pattern"`
	PatternType        string          `json:"pattern_type"`
	ValidFrom          string          `json:"valid_from"`
	ValidUntil         string          `json:"valid_until"`
	Confidence         json.RawMessage `json:"confidence"`
	Labels             []string        `json:"labels"`
	IndicatorTypes     []string        `json:"indicator_types"`
	Revoked            bool            `json:"revoked"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
		URL        string `json:"url"`
	} `json:"external_references"`
}

// STIXDefaultConfidence is the confidence of a STIX indicator or attack
// pattern that states none: STIX 2.1 leaves it undefined, and 50 is the
// midpoint of its scale ("moderate" in the spec's admiralty and
// high/medium/low mappings), claiming neither trust nor doubt.
const STIXDefaultConfidence = 50

// mitreSources are the external_references source names whose
// external_id is an ATT&CK technique id.
var mitreSources = map[string]bool{"mitre-attack": true, "mitre-mobile-attack": true, "mitre-ics-attack": true}

// ParseSTIX translates STIX 2.1 content: a bundle, a JSON array of
// objects, or one object. Indicators with STIX patterns and ATT&CK attack
// patterns become indicators; other object types are counted in Ignored.
func ParseSTIX(path string, data []byte) (*Result, error) {
	if err := wrongFormat(path, FormatSTIX, data); err != nil {
		return nil, err
	}
	raws, err := stixObjects(path, data)
	if err != nil {
		return nil, err
	}
	c := newCollector(path)
	ids := map[string]int{}
	for i, raw := range raws {
		ref := fmt.Sprintf("objects[%d]", i)
		var o stixObject
		if err := json.Unmarshal(raw, &o); err != nil {
			var probe struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(raw, &probe) == nil && probe.ID != "" {
				ref = probe.ID
			}
			return nil, jsonErr(path, ref, err)
		}
		if o.Type == "" {
			return nil, feedErr(path, ref, "STIX object has no type")
		}
		if o.Type != "indicator" && o.Type != "attack-pattern" {
			c.ignore(o.Type)
			continue
		}
		if o.ID == "" {
			return nil, feedErr(path, ref, "%s has no id", o.Type)
		}
		if !strings.HasPrefix(o.ID, o.Type+"--") {
			return nil, feedErr(path, o.ID, "id does not start with %s--", o.Type)
		}
		if j, dup := ids[o.ID]; dup {
			return nil, feedErr(path, o.ID, "duplicate object id (objects[%d] and objects[%d])", j, i)
		}
		ids[o.ID] = i
		if o.Type == "indicator" {
			err = stixIndicator(c, &o)
		} else {
			err = stixAttackPattern(c, &o)
		}
		if err != nil {
			return nil, err
		}
	}
	return c.result(), nil
}

func stixObjects(path string, data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(data, &arr); err != nil {
			return nil, jsonErr(path, "", err)
		}
		return arr, nil
	}
	var top struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonErr(path, "", err)
	}
	switch {
	case top.Type == "bundle":
		return top.Objects, nil
	case top.Type == "":
		return nil, feedErr(path, "", "not a STIX bundle or object (no type)")
	}
	return []json.RawMessage{data}, nil
}

// stixCommon reads what indicators and attack patterns share.
func stixCommon(c *collector, o *stixObject) (base cti.Indicator, err error) {
	conf := int64(STIXDefaultConfidence)
	if len(o.Confidence) > 0 && string(o.Confidence) != "null" {
		conf, err = strconv.ParseInt(string(o.Confidence), 10, 64)
		if err != nil {
			return base, feedErr(c.path, o.ID, "confidence %s is not an integer", o.Confidence)
		}
		if conf < 0 || conf > cti.MaxConfidence {
			return base, feedErr(c.path, o.ID, "confidence %d is outside 0..%d", conf, cti.MaxConfidence)
		}
	}
	base.Confidence = uint32(conf)
	base.Labels = append(append([]string(nil), o.Labels...), o.IndicatorTypes...)
	for _, r := range o.ExternalReferences {
		if r.URL != "" {
			base.References = append(base.References, r.URL)
		}
	}
	base.Summary = o.Name
	if base.Summary == "" {
		base.Summary = firstLine(o.Description)
	}
	return base, nil
}

func stixIndicator(c *collector, o *stixObject) error {
	base, err := stixCommon(c, o)
	if err != nil {
		return err
	}
	from, err := parseTime(o.ValidFrom)
	if err != nil {
		return feedErr(c.path, o.ID, "valid_from: %v", err)
	}
	until, err := parseTime(o.ValidUntil)
	if err != nil {
		return feedErr(c.path, o.ID, "valid_until: %v", err)
	}
	if err := checkWindow(c.path, o.ID, from, until); err != nil {
		return err
	}
	stixPattern := o.PatternType == "" || strings.EqualFold(o.PatternType, "stix")
	var terms []Term
	var perr error
	if stixPattern && o.Pattern != "" {
		terms, perr = ParseSTIXPattern(o.Pattern)
	}
	sourceID := func(t *Term) string {
		if len(terms) == 1 {
			return o.ID
		}
		return fmt.Sprintf("%s#%d", o.ID, t.Index)
	}

	if o.Revoked {
		// Revoke every id an earlier version of the object could have
		// produced, whatever its pattern looked like then.
		if err := c.revoke(o.ID); err != nil {
			return err
		}
		if len(terms) > 1 {
			for i := range terms {
				if err := c.revoke(sourceID(&terms[i])); err != nil {
					return err
				}
			}
		}
		return nil
	}
	switch {
	case !stixPattern:
		c.skip(o.ID, fmt.Sprintf("pattern_type %q: only STIX patterns are translated", o.PatternType))
		return nil
	case o.Pattern == "":
		c.skip(o.ID, "indicator has no pattern")
		return nil
	case perr != nil:
		c.skip(o.ID, fmt.Sprintf("pattern %q does not parse: %v", truncate(o.Pattern, 200), perr))
		return nil
	}

	for i := range terms {
		t := &terms[i]
		sid := sourceID(t)
		if t.Err != nil {
			return feedErr(c.path, o.ID, "pattern %s: %v", t.label(), t.Err)
		}
		if !t.Translated() {
			c.skip(sid, t.label()+": "+t.Reason)
			continue
		}
		in := base
		in.SourceID, in.Kind, in.Value = sid, t.Kind, t.Value
		if t.Package != nil {
			pm := *t.Package
			in.Package = &pm
		}
		in.ValidFrom, in.ValidUntil = from, until
		if t.Start > in.ValidFrom {
			in.ValidFrom = t.Start
		}
		if t.Stop != 0 && (in.ValidUntil == 0 || t.Stop < in.ValidUntil) {
			in.ValidUntil = t.Stop
		}
		if in.ValidUntil != 0 && in.ValidUntil <= in.ValidFrom {
			c.skip(sid, t.label()+": its START/STOP window lies outside the indicator's validity")
			continue
		}
		if err := c.add(in); err != nil {
			return err
		}
	}
	return nil
}

// stixAttackPattern turns an attack pattern that names an ATT&CK
// technique into a technique indicator; attack patterns without one
// (CAPEC-only, custom) are not indicators and are only counted.
func stixAttackPattern(c *collector, o *stixObject) error {
	var ext string
	for _, r := range o.ExternalReferences {
		if mitreSources[r.SourceName] && r.ExternalID != "" {
			ext = r.ExternalID
			break
		}
	}
	if ext == "" {
		c.ignore(o.Type)
		return nil
	}
	base, err := stixCommon(c, o)
	if err != nil {
		return err
	}
	if o.Revoked {
		return c.revoke(o.ID)
	}
	v, err := cti.NormalizeValue(cti.KindTechnique, ext)
	if err != nil {
		c.skip(o.ID, fmt.Sprintf("ATT&CK external_id %q: %v", ext, err))
		return nil
	}
	in := base
	in.SourceID, in.Kind, in.Value = o.ID, cti.KindTechnique, v
	return c.add(in)
}
