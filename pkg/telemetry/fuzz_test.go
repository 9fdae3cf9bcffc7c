package telemetry

import (
	"reflect"
	"slices"
	"testing"
)

// FuzzEscalate drives a device through a sequence of reports decoded from
// the input and checks the invariants the keeper relies on: no error for
// well-formed reports, levels only rise, a confirmed state has reasons, a
// mitigation and no expiry, channels stay sorted and unique, safe mode is
// never downgraded, and the same input gives the same outcome.
func FuzzEscalate(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 3}, uint8(2), false, false)
	f.Add([]byte{5, 0, 0, 9, 9, 9, 200, 1, 1}, uint8(3), true, false)
	f.Add([]byte{}, uint8(1), true, true)
	f.Fuzz(func(t *testing.T, data []byte, k uint8, attested, cti bool) {
		p := DefaultParams()
		p.ConfirmReports = uint32(k%4) + 1
		p.ConfirmWindow = 120
		sig := Signals{Attested: attested}
		if cti {
			sig.CTIMatches = []string{"pkg:npm/x@1 i block"}
		}
		run := func() []Outcome {
			var outs []Outcome
			st := State{Level: LevelNormal}
			var window []Report
			now := int64(1000)
			for i := 0; i+2 < len(data) && i < 300; i += 3 {
				now += int64(data[i] % 90)
				det := string(rune('a' + data[i+1]%5))
				ch := []string{string(rune('p' + data[i+2]%4))}
				r := Report{ID: uint64(i + 1), Detector: det, Time: now, WindowStart: now - int64(data[i+2]), WindowEnd: now, Channels: ch}
				if st.Level == LevelAlert && Expired(st, now) {
					st, window = State{Level: LevelNormal}, nil
				}
				out, err := Escalate(p, "pump", st, window, r, sig)
				if err != nil {
					t.Fatalf("valid report refused: %v", err)
				}
				if out.To < out.From {
					t.Fatalf("level fell from %s to %s on a report", out.From, out.To)
				}
				ns := out.State
				if !slices.IsSorted(ns.Channels) || len(slices.Compact(slices.Clone(ns.Channels))) != len(ns.Channels) {
					t.Fatalf("channels %v", ns.Channels)
				}
				if ns.Level == LevelConfirmed {
					if len(ns.Reasons) == 0 || ns.Mitigation.Action == ActionNone || ns.ExpiresAt != 0 || ns.ConfirmedAt < ns.OpenedAt {
						t.Fatalf("confirmed state %+v", ns)
					}
				}
				if st.Mitigation.Action == ActionSafeMode && ns.Mitigation.Action != ActionSafeMode {
					t.Fatal("safe mode downgraded")
				}
				if ns.FirstWindowStart > r.WindowStart {
					t.Fatalf("first window start %d after a report's %d", ns.FirstWindowStart, r.WindowStart)
				}
				if out.Opened {
					window = nil
				}
				window = append(window, r)
				st = ns
				outs = append(outs, out)
			}
			return outs
		}
		if a, b := run(), run(); !reflect.DeepEqual(a, b) {
			t.Fatal("not deterministic")
		}
	})
}
