package sentinel

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// Device is a telemetry source the sentinel knows: its channels, in the
// order its model expects them, and the model that scores it.
type Device struct {
	ID       string
	Channels []string
	Model    anomaly.Model
	// ModelDigest is anomaly.Digest(Model): the name reports give the model.
	ModelDigest string
	// ModelFile is where the model was read from (for /v1/devices).
	ModelFile string

	index map[string]int
}

// Channel returns the position of a channel name, -1 if the device has no
// such channel.
func (d *Device) Channel(name []byte) int {
	if i, ok := d.index[string(name)]; ok {
		return i
	}
	return -1
}

// deviceIDPattern is what a device id may look like: the chain's device ids
// are "org/name" strings, and ids travel in URLs and log lines, so nothing
// exotic.
var deviceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$`)

// NewDevice checks a device definition and indexes its channels.
func NewDevice(id string, channels []string, m anomaly.Model, modelFile string) (*Device, error) {
	if !deviceIDPattern.MatchString(id) {
		return nil, fmt.Errorf("device id %q: want 1-128 characters of [A-Za-z0-9._:/-], starting with a letter or digit", id)
	}
	if m == nil {
		return nil, fmt.Errorf("device %s: no model", id)
	}
	if channels == nil {
		channels = make([]string, m.Channels())
		for i := range channels {
			channels[i] = "c" + strconv.Itoa(i)
		}
	}
	if len(channels) != m.Channels() {
		return nil, fmt.Errorf("device %s: %d channel names but the model (%s) scores %d channels", id, len(channels), m.Method(), m.Channels())
	}
	d := &Device{ID: id, Channels: channels, Model: m, ModelFile: modelFile, index: make(map[string]int, len(channels))}
	for i, c := range channels {
		switch {
		case c == "":
			return nil, fmt.Errorf("device %s: channel %d has an empty name", id, i)
		case isReservedColumn(c):
			return nil, fmt.Errorf("device %s: channel name %q is reserved for the timestamp or device column", id, c)
		}
		if _, dup := d.index[c]; dup {
			return nil, fmt.Errorf("device %s: channel %q named twice", id, c)
		}
		d.index[c] = i
	}
	dg, err := anomaly.Digest(m)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", id, err)
	}
	d.ModelDigest = dg
	return d, nil
}

// Devices is the set of devices a sentinel scores, by id.
type Devices struct {
	byID map[string]*Device
	ids  []string
}

// NewDevices indexes devices; ids must be unique.
func NewDevices(list ...*Device) (*Devices, error) {
	ds := &Devices{byID: map[string]*Device{}}
	for _, d := range list {
		if _, dup := ds.byID[d.ID]; dup {
			return nil, fmt.Errorf("device %s defined twice", d.ID)
		}
		ds.byID[d.ID] = d
		ds.ids = append(ds.ids, d.ID)
	}
	if len(ds.ids) == 0 {
		return nil, errors.New("no devices")
	}
	sort.Strings(ds.ids)
	return ds, nil
}

// Get returns a device by id, nil if unknown.
func (ds *Devices) Get(id string) *Device { return ds.byID[id] }

// getBytes is Get without converting the id (the map lookup with
// string(b) does not allocate).
func (ds *Devices) getBytes(id []byte) *Device { return ds.byID[string(id)] }

// IDs lists the device ids, sorted.
func (ds *Devices) IDs() []string { return ds.ids }

// DevicesFile is the device configuration file of `adf sentinel serve --models`:
//
//	{"devices": [{"id": "demo/pump-1", "model": "pump.model.json",
//	              "channels": ["temp", "pressure"]}]}
//
// model paths are relative to the file; channels may be omitted, in which
// case they are named c0..c<n-1> (the column names of the SMAP files).
type DevicesFile struct {
	Devices []DeviceConfig `json:"devices"`
}

// DeviceConfig is one device of a DevicesFile.
type DeviceConfig struct {
	ID       string   `json:"id"`
	Model    string   `json:"model"`
	Channels []string `json:"channels,omitempty"`
}

// modelSuffix marks model files in a --models directory.
const modelSuffix = ".model.json"

// LoadDevices reads devices from a configuration file (see DevicesFile) or from
// a directory, in which every <name>.model.json is the model of device
// <name> (with '~' in a file name standing for '/' in the id, since ids are
// "org/name"), channels c0..c<n-1>, unless a devices.json in the directory
// says otherwise.
func LoadDevices(path string) (*Devices, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return loadConfig(path)
	}
	if cfg := filepath.Join(path, "devices.json"); fileExists(cfg) {
		return loadConfig(cfg)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var list []*Device
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, modelSuffix) {
			continue
		}
		id := strings.ReplaceAll(strings.TrimSuffix(name, modelSuffix), "~", "/")
		d, err := loadDevice(id, filepath.Join(path, name), nil)
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: no *%s files and no devices.json", path, modelSuffix)
	}
	return NewDevices(list...)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func loadConfig(path string) (*Devices, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg DevicesFile
	dec := json.NewDecoder(strings.NewReader(string(bz)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var list []*Device
	for i, dc := range cfg.Devices {
		if dc.Model == "" {
			return nil, fmt.Errorf("%s: device %d (%q) has no model", path, i, dc.ID)
		}
		mp := dc.Model
		if !filepath.IsAbs(mp) {
			mp = filepath.Join(filepath.Dir(path), mp)
		}
		d, err := loadDevice(dc.ID, mp, dc.Channels)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		list = append(list, d)
	}
	ds, err := NewDevices(list...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ds, nil
}

func loadDevice(id, modelPath string, channels []string) (*Device, error) {
	bz, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", id, err)
	}
	m, err := anomaly.Decode(bz)
	if err != nil {
		return nil, fmt.Errorf("device %s: model %s: %w", id, modelPath, err)
	}
	return NewDevice(id, channels, m, modelPath)
}
