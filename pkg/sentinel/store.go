package sentinel

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/adf-consortium/adf/pkg/telemetry"
)

// Report states.
const (
	StatePending   = "pending"   // stored, not yet on chain
	StateSubmitted = "submitted" // included in a block
	StateRefused   = "refused"   // the chain refused it for good (see Error)
)

// Report is one closed window as the sentinel reports it, with its
// submission state. Times are Unix nanoseconds; the chain gets seconds.
type Report struct {
	Seq            uint64   `json:"seq"`
	Device         string   `json:"device"`
	WindowStart    int64    `json:"window_start_ns"`
	WindowEnd      int64    `json:"window_end_ns"`
	Channels       []string `json:"channels"`
	Score          int64    `json:"score"`     // millionths
	Threshold      int64    `json:"threshold"` // millionths
	Method         string   `json:"method"`
	ModelDigest    string   `json:"model_digest"`
	EvidenceDigest string   `json:"evidence_digest"`
	Samples        int      `json:"samples"`
	DetectedAt     int64    `json:"detected_at_ns"`

	State      string `json:"state"`
	Attempts   int    `json:"attempts,omitempty"`
	Height     int64  `json:"height,omitempty"`
	TxHash     string `json:"tx_hash,omitempty"`
	ReportID   uint64 `json:"report_id,omitempty"`
	IncidentID uint64 `json:"incident_id,omitempty"`
	Duplicate  bool   `json:"duplicate,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Key layout of the sentinel's pebble database:
//
//	e/<32-byte sha256>  evidence (canonical JSON lines of the window)
//	r/<8-byte seq BE>   report JSON, every state
//	t/<device id>       the device's last admitted timestamp (8 bytes BE),
//	                    written at a clean shutdown
var (
	prefixEvidence = []byte("e/")
	prefixReport   = []byte("r/")
	prefixLastTS   = []byte("t/")
)

func reportKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefixReport...), seq)
}

// Store keeps evidence and reports durably. A report is written together
// with its evidence, synced, before it enters the submission queue, so a
// detected window survives a crash between detection and inclusion.
type Store struct {
	db *pebble.DB
	mu sync.Mutex
	// next is the next report sequence number.
	next uint64
}

type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug("pebble: " + fmt.Sprintf(format, args...))
}
func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error("pebble: " + fmt.Sprintf(format, args...))
}
func (p pebbleLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}

// OpenStore opens (or creates) the store in dir.
func OpenStore(dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{logger}})
	if err != nil {
		return nil, fmt.Errorf("sentinel: open %s: %w", dir, err)
	}
	st := &Store{db: db, next: 1}
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefixReport, UpperBound: []byte("r0")})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if it.Last() {
		st.next = binary.BigEndian.Uint64(it.Key()[len(prefixReport):]) + 1
	}
	if err := it.Close(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return st, nil
}

// Close closes the database.
func (st *Store) Close() error { return st.db.Close() }

// AddReport assigns r its sequence number and stores it with its evidence
// in one synced batch.
func (st *Store) AddReport(r *Report, evidence []byte) error {
	digest, err := parseDigest(r.EvidenceDigest)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	r.Seq = st.next
	bz, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b := st.db.NewBatch()
	defer b.Close()
	if err := b.Set(append(append([]byte(nil), prefixEvidence...), digest...), evidence, nil); err != nil {
		return err
	}
	if err := b.Set(reportKey(r.Seq), bz, nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("sentinel: store report: %w", err)
	}
	st.next++
	return nil
}

// UpdateReports rewrites reports (after a state change) in one synced batch.
func (st *Store) UpdateReports(rs []*Report) error {
	b := st.db.NewBatch()
	defer b.Close()
	for _, r := range rs {
		bz, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := b.Set(reportKey(r.Seq), bz, nil); err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}

// Reports returns stored reports in sequence order, newest last; state ""
// means all. limit > 0 keeps the last limit of them.
func (st *Store) Reports(state string, limit int) ([]*Report, error) {
	return st.DeviceReports("", state, limit)
}

// DeviceReports is Reports of one device ("" = every device).
func (st *Store) DeviceReports(device, state string, limit int) ([]*Report, error) {
	it, err := st.db.NewIter(&pebble.IterOptions{LowerBound: prefixReport, UpperBound: []byte("r0")})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*Report
	for ok := it.First(); ok; ok = it.Next() {
		var r Report
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return nil, fmt.Errorf("sentinel: report %x: %w", it.Key(), err)
		}
		if (state == "" || r.State == state) && (device == "" || r.Device == device) {
			out = append(out, &r)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, it.Error()
}

// SaveLastTimes records each device's last admitted timestamp (ns).
func (st *Store) SaveLastTimes(last map[string]int64) error {
	b := st.db.NewBatch()
	defer b.Close()
	for id, ts := range last {
		if err := b.Set(append(append([]byte(nil), prefixLastTS...), id...), binary.BigEndian.AppendUint64(nil, uint64(ts)), nil); err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}

// LastTimes returns the timestamps SaveLastTimes recorded.
func (st *Store) LastTimes() (map[string]int64, error) {
	it, err := st.db.NewIter(&pebble.IterOptions{LowerBound: prefixLastTS, UpperBound: []byte("t0")})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := map[string]int64{}
	for ok := it.First(); ok; ok = it.Next() {
		if len(it.Value()) != 8 {
			return nil, fmt.Errorf("sentinel: last time of %q: %d bytes", it.Key()[len(prefixLastTS):], len(it.Value()))
		}
		out[string(it.Key()[len(prefixLastTS):])] = int64(binary.BigEndian.Uint64(it.Value()))
	}
	return out, it.Error()
}

// ErrNoEvidence is returned for a digest the store does not hold.
var ErrNoEvidence = errors.New("no evidence with that digest")

// Evidence returns the evidence of a digest ("sha256:<hex>" or "<hex>").
func (st *Store) Evidence(digest string) ([]byte, error) {
	d, err := parseDigest(digest)
	if err != nil {
		return nil, err
	}
	v, closer, err := st.db.Get(append(append([]byte(nil), prefixEvidence...), d...))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNoEvidence
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return append([]byte(nil), v...), nil
}

// ErrBadDigest is returned for a string that is not an evidence digest.
var ErrBadDigest = errors.New("bad evidence digest")

// parseDigest reads an evidence digest by the chain's rule
// (telemetry.ValidateDigest); the "sha256:" prefix may be left out.
func parseDigest(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "sha256:") {
		s = "sha256:" + s
	}
	b, err := telemetry.ValidateDigest("evidence digest", s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadDigest, err)
	}
	return b, nil
}
