package types

import (
	"fmt"

	"github.com/adf-consortium/adf/pkg/telemetry"
)

// DefaultGenesis is an empty registry with default params.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextReportId: 1, NextIncidentId: 1}
}

// Validate checks the genesis state: params, every device, states,
// reports and incidents that refer to known devices and incidents, unique
// ids below the next ids, and at most one open incident per device (the
// one its state names).
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	p, _ := gs.Params.ToDomain()
	if gs.NextReportId == 0 || gs.NextIncidentId == 0 {
		return fmt.Errorf("next_report_id and next_incident_id start at 1")
	}
	devs := make(map[string]Device, len(gs.Devices))
	for i, d := range gs.Devices {
		if err := telemetry.ValidateDevice(d.ToDomain(), p); err != nil {
			return fmt.Errorf("devices[%d]: %w", i, err)
		}
		if _, dup := devs[d.Id]; dup {
			return fmt.Errorf("devices[%d]: duplicate id %s", i, d.Id)
		}
		devs[d.Id] = d
	}
	incs := make(map[uint64]Incident, len(gs.Incidents))
	for i, inc := range gs.Incidents {
		if inc.Id == 0 || inc.Id >= gs.NextIncidentId {
			return fmt.Errorf("incidents[%d]: id %d not in 1..%d", i, inc.Id, gs.NextIncidentId-1)
		}
		if _, dup := incs[inc.Id]; dup {
			return fmt.Errorf("incidents[%d]: duplicate id %d", i, inc.Id)
		}
		if _, ok := devs[inc.DeviceId]; !ok {
			return fmt.Errorf("incidents[%d]: unknown device %s", i, inc.DeviceId)
		}
		if inc.Status < INCIDENT_STATUS_ALERT || inc.Status > INCIDENT_STATUS_EXPIRED {
			return fmt.Errorf("incidents[%d]: status %s", i, inc.Status)
		}
		incs[inc.Id] = inc
	}
	open := map[string]uint64{}
	for i, st := range gs.States {
		if _, ok := devs[st.DeviceId]; !ok {
			return fmt.Errorf("states[%d]: unknown device %s", i, st.DeviceId)
		}
		if _, dup := open[st.DeviceId]; dup {
			return fmt.Errorf("states[%d]: duplicate device %s", i, st.DeviceId)
		}
		open[st.DeviceId] = st.IncidentId
		switch st.Level {
		case LEVEL_NORMAL:
			if st.IncidentId != 0 {
				return fmt.Errorf("states[%d]: normal device %s names incident %d", i, st.DeviceId, st.IncidentId)
			}
		case LEVEL_ALERT, LEVEL_CONFIRMED:
			inc, ok := incs[st.IncidentId]
			if !ok || inc.DeviceId != st.DeviceId {
				return fmt.Errorf("states[%d]: device %s names unknown incident %d", i, st.DeviceId, st.IncidentId)
			}
			want := INCIDENT_STATUS_ALERT
			if st.Level == LEVEL_CONFIRMED {
				want = INCIDENT_STATUS_CONFIRMED
			}
			if inc.Status != want {
				return fmt.Errorf("states[%d]: device %s is %s but incident %d is %s", i, st.DeviceId, st.Level, inc.Id, inc.Status)
			}
		default:
			return fmt.Errorf("states[%d]: level %s", i, st.Level)
		}
	}
	for _, inc := range gs.Incidents {
		if inc.Status == INCIDENT_STATUS_ALERT || inc.Status == INCIDENT_STATUS_CONFIRMED {
			if open[inc.DeviceId] != inc.Id {
				return fmt.Errorf("incident %d is open but device %s's state does not name it", inc.Id, inc.DeviceId)
			}
		}
	}
	reps := make(map[uint64]bool, len(gs.Reports))
	dedup := map[string]bool{}
	for i, r := range gs.Reports {
		if r.Id == 0 || r.Id >= gs.NextReportId {
			return fmt.Errorf("reports[%d]: id %d not in 1..%d", i, r.Id, gs.NextReportId-1)
		}
		if reps[r.Id] {
			return fmt.Errorf("reports[%d]: duplicate id %d", i, r.Id)
		}
		reps[r.Id] = true
		if _, ok := devs[r.DeviceId]; !ok {
			return fmt.Errorf("reports[%d]: unknown device %s", i, r.DeviceId)
		}
		if inc, ok := incs[r.IncidentId]; !ok || inc.DeviceId != r.DeviceId {
			return fmt.Errorf("reports[%d]: unknown incident %d of device %s", i, r.IncidentId, r.DeviceId)
		}
		in := r.Input()
		if err := telemetry.ValidateReportShape(in, p); err != nil {
			return fmt.Errorf("reports[%d]: %w", i, err)
		}
		k := telemetry.DedupKey(r.Detector, in)
		if dedup[k] {
			return fmt.Errorf("reports[%d]: duplicate of an earlier report (same detector, device, window, method)", i)
		}
		dedup[k] = true
	}
	return nil
}
