package telemetry

import (
	"reflect"
	"testing"
)

func rep(id uint64, det string, t int64, chs ...string) Report {
	if len(chs) == 0 {
		chs = []string{"a"}
	}
	return Report{ID: id, Detector: det, Time: t, WindowStart: t - 60, WindowEnd: t, Channels: chs}
}

func TestEscalate(t *testing.T) {
	p := DefaultParams() // k=2, window 600, expiry 600, safe-mode classes plc,safety-controller, 3 channels
	attested := Signals{Attested: true}
	alert := State{Level: LevelAlert, OpenedAt: 1000, ExpiresAt: 1600, FirstWindowStart: 940, Channels: []string{"a"}}
	confirmedQ := State{Level: LevelConfirmed, OpenedAt: 1000, ConfirmedAt: 1100, FirstWindowStart: 940, Channels: []string{"a"},
		Reasons: []Reason{ReasonDetectors}, Mitigation: Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}}
	confirmedS := confirmedQ
	confirmedS.Mitigation = Recommendation{Action: ActionSafeMode, Channels: []string{"a"}}

	tests := []struct {
		name      string
		class     string
		p         func(Params) Params
		st        State
		window    []Report
		r         Report
		sig       Signals
		to        Level
		reasons   []Reason
		opened    bool
		confirmed bool
		rec       *Recommendation
		channels  []string
		firstWin  int64
	}{
		{name: "normal→alert on one attested report", class: "pump", st: State{Level: LevelNormal}, r: rep(1, "d1", 1000), sig: attested,
			to: LevelAlert, reasons: []Reason{ReasonReport}, opened: true, channels: []string{"a"}, firstWin: 940},
		{name: "zero state is normal", class: "pump", st: State{}, r: rep(1, "d1", 1000), sig: attested,
			to: LevelAlert, reasons: []Reason{ReasonReport}, opened: true, channels: []string{"a"}, firstWin: 940},
		{name: "normal ignores reports of closed incidents", class: "pump", st: State{Level: LevelNormal}, window: []Report{rep(1, "d2", 990)},
			r: rep(2, "d1", 1000), sig: attested, to: LevelAlert, reasons: []Reason{ReasonReport}, opened: true, channels: []string{"a"}, firstWin: 940},
		{name: "alert stays alert on the same detector", class: "pump", st: alert, window: []Report{rep(1, "d1", 1000)},
			r: rep(2, "d1", 1100, "b"), sig: attested, to: LevelAlert, channels: []string{"a", "b"}, firstWin: 940},
		{name: "alert→confirmed by a second detector in the window: quarantine", class: "pump", st: alert, window: []Report{rep(1, "d1", 1000)},
			r: rep(2, "d2", 1100), sig: attested, to: LevelConfirmed, reasons: []Reason{ReasonDetectors}, confirmed: true,
			rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "second detector outside the window does not confirm", class: "pump", st: alert, window: []Report{rep(1, "d1", 1000)},
			r: rep(2, "d2", 1601), sig: attested, to: LevelAlert, channels: []string{"a"}, firstWin: 940},
		{name: "window edge is inclusive", class: "pump", st: alert, window: []Report{rep(1, "d1", 1000)},
			r: rep(2, "d2", 1600), sig: attested, to: LevelConfirmed, reasons: []Reason{ReasonDetectors}, confirmed: true,
			rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "k=3 needs three detectors", class: "pump", p: func(p Params) Params { p.ConfirmReports = 3; return p }, st: alert,
			window: []Report{rep(1, "d1", 1000)}, r: rep(2, "d2", 1100), sig: attested, to: LevelAlert, channels: []string{"a"}, firstWin: 940},
		{name: "k=3 with three detectors", class: "pump", p: func(p Params) Params { p.ConfirmReports = 3; return p }, st: alert,
			window: []Report{rep(1, "d1", 1000), rep(2, "d2", 1050), rep(3, "d1", 1060)}, r: rep(4, "d3", 1100), sig: attested,
			to: LevelConfirmed, reasons: []Reason{ReasonDetectors}, confirmed: true,
			rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "k=1 confirms the first report", class: "pump", p: func(p Params) Params { p.ConfirmReports = 1; return p }, st: State{Level: LevelNormal},
			r: rep(1, "d1", 1000), sig: attested, to: LevelConfirmed, reasons: []Reason{ReasonDetectors}, opened: true, confirmed: true,
			rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "normal→confirmed without attestation", class: "pump", st: State{Level: LevelNormal}, r: rep(1, "d1", 1000), sig: Signals{},
			to: LevelConfirmed, reasons: []Reason{ReasonNoAttestation}, opened: true, confirmed: true,
			rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "normal→confirmed on a CTI match", class: "pump", st: State{Level: LevelNormal}, r: rep(1, "d1", 1000),
			sig: Signals{Attested: true, CTIMatches: []string{"pkg:npm/x@1 i1 block"}}, to: LevelConfirmed, reasons: []Reason{ReasonCTIMatch},
			opened: true, confirmed: true, rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "alert→confirmed with every reason, in order", class: "pump", st: alert, window: []Report{rep(1, "d1", 1000)},
			r: rep(2, "d2", 1100), sig: Signals{CTIMatches: []string{"x"}}, to: LevelConfirmed,
			reasons: []Reason{ReasonDetectors, ReasonCTIMatch, ReasonNoAttestation}, confirmed: true,
			rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "safe-mode class", class: "plc", st: alert, window: []Report{rep(1, "d1", 1000)}, r: rep(2, "d2", 1100), sig: attested,
			to: LevelConfirmed, reasons: []Reason{ReasonDetectors}, confirmed: true,
			rec: &Recommendation{Action: ActionSafeMode, Channels: []string{"a"}}, channels: []string{"a"}, firstWin: 940},
		{name: "safe mode by channel count", class: "pump", st: State{Level: LevelAlert, OpenedAt: 1000, ExpiresAt: 1600, FirstWindowStart: 940, Channels: []string{"a", "b"}},
			window: []Report{rep(1, "d1", 1000, "a", "b")}, r: rep(2, "d2", 1100, "c"), sig: attested, to: LevelConfirmed,
			reasons: []Reason{ReasonDetectors}, confirmed: true, rec: &Recommendation{Action: ActionSafeMode, Channels: []string{"a", "b", "c"}},
			channels: []string{"a", "b", "c"}, firstWin: 940},
		{name: "safe_mode_channels 0 never by count", class: "pump", p: func(p Params) Params { p.SafeModeChannels = 0; return p },
			st:     State{Level: LevelAlert, OpenedAt: 1000, ExpiresAt: 1600, FirstWindowStart: 940, Channels: []string{"a", "b"}},
			window: []Report{rep(1, "d1", 1000, "a", "b")}, r: rep(2, "d2", 1100, "c"), sig: attested, to: LevelConfirmed,
			reasons: []Reason{ReasonDetectors}, confirmed: true, rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a", "b", "c"}},
			channels: []string{"a", "b", "c"}, firstWin: 940},
		{name: "confirmed: same channel, no new recommendation", class: "pump", st: confirmedQ, r: rep(3, "d3", 1200), sig: attested,
			to: LevelConfirmed, channels: []string{"a"}, firstWin: 940},
		{name: "confirmed: new channel widens the quarantine", class: "pump", st: confirmedQ, r: rep(3, "d3", 1200, "b"), sig: attested,
			to: LevelConfirmed, rec: &Recommendation{Action: ActionQuarantineChannel, Channels: []string{"a", "b"}}, channels: []string{"a", "b"}, firstWin: 940},
		{name: "confirmed: third channel escalates to safe mode", class: "pump",
			st: func() State { s := confirmedQ; s.Channels = []string{"a", "b"}; return s }(), r: rep(3, "d3", 1200, "c"), sig: attested,
			to: LevelConfirmed, rec: &Recommendation{Action: ActionSafeMode, Channels: []string{"a", "b", "c"}}, channels: []string{"a", "b", "c"}, firstWin: 940},
		{name: "confirmed: safe mode is not downgraded", class: "pump", p: func(p Params) Params { p.SafeModeChannels = 0; return p },
			st: confirmedS, r: rep(3, "d3", 1200, "b"), sig: attested,
			to: LevelConfirmed, rec: &Recommendation{Action: ActionSafeMode, Channels: []string{"a", "b"}}, channels: []string{"a", "b"}, firstWin: 940},
		{name: "earlier window start moves first_window_start", class: "pump", st: alert,
			r: Report{ID: 2, Detector: "d1", Time: 1100, WindowStart: 900, WindowEnd: 950, Channels: []string{"a"}}, sig: attested,
			to: LevelAlert, channels: []string{"a"}, firstWin: 900},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pp := p
			if tc.p != nil {
				pp = tc.p(p)
			}
			out, err := Escalate(pp, tc.class, tc.st, tc.window, tc.r, tc.sig)
			if err != nil {
				t.Fatal(err)
			}
			if out.To != tc.to || out.State.Level != tc.to {
				t.Errorf("to = %s (state %s), want %s", out.To, out.State.Level, tc.to)
			}
			if !reflect.DeepEqual(out.Reasons, tc.reasons) {
				t.Errorf("reasons = %v, want %v", out.Reasons, tc.reasons)
			}
			if out.Opened != tc.opened || out.Confirmed != tc.confirmed {
				t.Errorf("opened/confirmed = %v/%v, want %v/%v", out.Opened, out.Confirmed, tc.opened, tc.confirmed)
			}
			if !reflect.DeepEqual(out.Recommend, tc.rec) {
				t.Errorf("recommend = %+v, want %+v", out.Recommend, tc.rec)
			}
			if !reflect.DeepEqual(out.State.Channels, tc.channels) {
				t.Errorf("channels = %v, want %v", out.State.Channels, tc.channels)
			}
			if out.State.FirstWindowStart != tc.firstWin {
				t.Errorf("first window start = %d, want %d", out.State.FirstWindowStart, tc.firstWin)
			}
			if out.Opened && out.State.OpenedAt != tc.r.Time {
				t.Errorf("opened at %d, want %d", out.State.OpenedAt, tc.r.Time)
			}
			if out.Confirmed {
				if out.State.ConfirmedAt != tc.r.Time || out.State.ExpiresAt != 0 {
					t.Errorf("confirmed at %d expires %d, want %d and 0", out.State.ConfirmedAt, out.State.ExpiresAt, tc.r.Time)
				}
			}
			if out.To == LevelAlert && out.Opened && out.State.ExpiresAt != tc.r.Time+pp.AlertExpiry {
				t.Errorf("expires at %d, want %d", out.State.ExpiresAt, tc.r.Time+pp.AlertExpiry)
			}
		})
	}
}

func TestEscalateDoesNotAliasInput(t *testing.T) {
	st := State{Level: LevelAlert, OpenedAt: 1, ExpiresAt: 601, Channels: []string{"a", "c"}}
	_, err := Escalate(DefaultParams(), "pump", st, nil, rep(1, "d1", 10, "b"), Signals{Attested: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Channels, []string{"a", "c"}) {
		t.Fatalf("input channels changed: %v", st.Channels)
	}
}

func TestEscalateBadInput(t *testing.T) {
	p := DefaultParams()
	if _, err := Escalate(p, "pump", State{}, nil, Report{WindowStart: 5, WindowEnd: 4, Channels: []string{"a"}}, Signals{}); err == nil {
		t.Error("window start after end accepted")
	}
	if _, err := Escalate(p, "pump", State{}, nil, Report{}, Signals{}); err == nil {
		t.Error("no channels accepted")
	}
	if _, err := Escalate(p, "pump", State{Level: 9}, nil, rep(1, "d", 1), Signals{}); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestExpired(t *testing.T) {
	tests := []struct {
		st   State
		now  int64
		want bool
	}{
		{State{Level: LevelAlert, ExpiresAt: 100}, 99, false},
		{State{Level: LevelAlert, ExpiresAt: 100}, 100, true},
		{State{Level: LevelAlert, ExpiresAt: 100}, 500, true},
		{State{Level: LevelConfirmed, ExpiresAt: 100}, 500, false},
		{State{Level: LevelNormal}, 500, false},
		{State{Level: LevelAlert}, 500, false},
	}
	for i, tc := range tests {
		if got := Expired(tc.st, tc.now); got != tc.want {
			t.Errorf("%d: Expired(%+v, %d) = %v", i, tc.st, tc.now, got)
		}
	}
}

func TestTiming(t *testing.T) {
	tests := []struct {
		name          string
		t             Timing
		ttd, tta, ttr int64
	}{
		{"open only", Timing{OpenedAt: 100, FirstWindowStart: 40}, 0, 0, 0},
		{"confirmed", Timing{OpenedAt: 100, ConfirmedAt: 130, FirstWindowStart: 40}, 90, 0, 0},
		{"full", Timing{OpenedAt: 100, ConfirmedAt: 130, FirstWindowStart: 40, AcknowledgedAt: 160, ResolvedAt: 400}, 90, 30, 270},
		{"handled before confirmation", Timing{OpenedAt: 100, FirstWindowStart: 40, AcknowledgedAt: 110, ResolvedAt: 150}, 0, 10, 50},
		{"window after confirmation clamps", Timing{OpenedAt: 100, ConfirmedAt: 100, FirstWindowStart: 110}, 0, 0, 0},
	}
	for _, tc := range tests {
		if g := tc.t.TimeToDetect(); g != tc.ttd {
			t.Errorf("%s: ttd %d want %d", tc.name, g, tc.ttd)
		}
		if g := tc.t.TimeToAcknowledge(); g != tc.tta {
			t.Errorf("%s: tta %d want %d", tc.name, g, tc.tta)
		}
		if g := tc.t.TimeToResolve(); g != tc.ttr {
			t.Errorf("%s: ttr %d want %d", tc.name, g, tc.ttr)
		}
	}
}

func TestIncidentOps(t *testing.T) {
	tests := []struct {
		s       IncidentStatus
		ack     int64
		ackOK   bool
		resolve bool
	}{
		{StatusAlert, 0, true, true},
		{StatusConfirmed, 0, true, true},
		{StatusConfirmed, 5, false, true},
		{StatusResolved, 0, false, false},
		{StatusExpired, 0, false, false},
		{0, 0, false, false},
	}
	for _, tc := range tests {
		if err := CanAcknowledge(tc.s, tc.ack); (err == nil) != tc.ackOK {
			t.Errorf("CanAcknowledge(%s, %d) = %v", tc.s, tc.ack, err)
		}
		if err := CanResolve(tc.s); (err == nil) != tc.resolve {
			t.Errorf("CanResolve(%s) = %v", tc.s, err)
		}
	}
}

func TestCTISignal(t *testing.T) {
	ms := []DependencyMatch{
		{Purl: "pkg:npm/a@1", Decision: "pass"},
		{Purl: "pkg:npm/b@1", Decision: "warn", IndicatorIDs: []string{"i1"}},
		{Purl: "pkg:npm/c@1", Decision: "block", IndicatorIDs: []string{"i2", "i3"}},
	}
	got, err := CTISignal(ms, DecisionWarn)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pkg:npm/b@1 i1 warn", "pkg:npm/c@1 i2 block", "pkg:npm/c@1 i3 block"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warn: %v", got)
	}
	got, _ = CTISignal(ms, DecisionBlock)
	if len(got) != 2 {
		t.Errorf("block: %v", got)
	}
	if _, err := CTISignal([]DependencyMatch{{Purl: "x", Decision: "maybe"}}, DecisionWarn); err == nil {
		t.Error("bad decision accepted")
	}
	var many []DependencyMatch
	for i := 0; i < 40; i++ {
		many = append(many, DependencyMatch{Purl: "p", Decision: "hold", IndicatorIDs: []string{"i"}})
	}
	if got, _ := CTISignal(many, DecisionWarn); len(got) != MaxCTIMatchLines {
		t.Errorf("cap: %d", len(got))
	}
}
