package ctifeed

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/cti"
)

func TestSeverityMapping(t *testing.T) {
	words := map[string]cti.Severity{
		"LOW": cti.SeverityLow, "Moderate": cti.SeverityMedium, "medium": cti.SeverityMedium,
		"HIGH": cti.SeverityHigh, "important": cti.SeverityHigh, "CRITICAL": cti.SeverityCritical, "unknown": cti.SeverityUnknown, "": cti.SeverityUnknown,
	}
	for w, want := range words {
		if got := severityWord(w); got != want {
			t.Errorf("severityWord(%q) = %q, want %q", w, got, want)
		}
	}
	scores := []struct {
		s    float64
		want cti.Severity
	}{{0, cti.SeverityUnknown}, {0.1, cti.SeverityLow}, {3.9, cti.SeverityLow}, {4, cti.SeverityMedium}, {6.9, cti.SeverityMedium}, {7, cti.SeverityHigh}, {8.9, cti.SeverityHigh}, {9, cti.SeverityCritical}, {10, cti.SeverityCritical}}
	for _, tt := range scores {
		if got := severityOfScore(tt.s); got != tt.want {
			t.Errorf("severityOfScore(%v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestFitting(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	s := truncate(long, cti.MaxSummaryLen)
	if len(s) > cti.MaxSummaryLen || !utf8.ValidString(s) || !strings.HasSuffix(s, "…") {
		t.Errorf("truncate: %d bytes, valid %v", len(s), utf8.ValidString(s))
	}
	if got := truncate("a\xffb", 10); got != "a\uFFFDb" {
		t.Errorf("truncate invalid UTF-8: %q", got)
	}
	labels := []string{"a", " a ", "", strings.Repeat("x", cti.MaxLabelLen+1), "b", "\xff"}
	if got := cleanList(labels, 32, cti.MaxLabelLen); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("cleanList = %q", got)
	}
	var many []string
	for i := 0; i < 40; i++ {
		many = append(many, "l"+itoa(i))
	}
	if got := cleanList(many, cti.MaxLabels, cti.MaxLabelLen); len(got) != cti.MaxLabels || got[0] != "l0" {
		t.Errorf("cleanList cap: %d", len(got))
	}
}
