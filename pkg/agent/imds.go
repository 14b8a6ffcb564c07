package agent

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/imds"
	"github.com/ec2lab/ec2lab/pkg/network"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// metadataService is the agent's side of the instance metadata service
// (pkg/imds): what each local instance is told, indexed by the bridge and
// address its requests arrive from, and one listener per subnet bridge
// (imds_serve.go). Records persist in StateDir/imds/<id>.json (0600: they
// hold user data) from CreateInstance to DestroyInstance.
type metadataService struct {
	mu      sync.Mutex                       // guards records and index
	records map[string]metadataRecord        // instance ID → record
	index   map[string]map[netip.Addr]string // bridge → NIC address → instance ID
	// seen holds the instances whose guest asked the service something
	// since their domain last booted: the guest is up with its network
	// configured (the instance status check, guestSeen).
	seen map[string]bool
	// serveMu guards servers and secret (never held by request handlers).
	serveMu sync.Mutex
	servers map[string]*bridgeListener // bridge → listener
	secret  []byte                     // token key, StateDir/imds.secret
}

// metadataRecord is one instance's metadata and the NICs it answers on.
type metadataRecord struct {
	Instance imds.Instance `json:"instance"`
	NICs     []metadataNIC `json:"nics"`
}

// metadataNIC is an address of the instance on a bridge of this host.
type metadataNIC struct {
	Bridge string     `json:"bridge"`
	IP     netip.Addr `json:"ip"`
}

func (a *Agent) metadataDir() string { return filepath.Join(a.cfg.StateDir, "imds") }

func (a *Agent) metadataPath(id string) string { return filepath.Join(a.metadataDir(), id+".json") }

// metadataRecordOf is what req's instance is told; bridgeOf names the
// bridge a NIC plugs into. ok is false for an instance without an address
// (nothing could reach the service).
func metadataRecordOf(req *agentv1.CreateInstanceRequest, bridgeOf func(*agentv1.Nic) string,
	az, region string, now time.Time) (rec metadataRecord, ok bool, err error) {
	inst := imds.Instance{InstanceID: req.GetInstanceId(), AMIID: req.GetImageId(), InstanceType: req.GetInstanceType(),
		AZ: or(req.GetAvailabilityZone(), az), Region: or(req.GetRegion(), region), AccountID: req.GetOwnerId(),
		PublicKeys: req.GetPublicKeys(), KeyName: req.GetKeyName(), UserData: req.GetUserData(),
		LaunchTime: now.UTC().Truncate(time.Second)}
	if lt := req.GetLaunchTime(); lt != nil && lt.IsValid() {
		inst.LaunchTime = req.GetLaunchTime().AsTime().UTC().Truncate(time.Second)
	}
	primary := -1
	for i, n := range req.GetNics() {
		if n.GetPrivateIp() == "" {
			continue
		}
		ip, err := netip.ParseAddr(n.GetPrivateIp())
		if err != nil {
			return metadataRecord{}, false, fmt.Errorf("metadata of %s: nic %d: %w", inst.InstanceID, i, err)
		}
		rec.NICs = append(rec.NICs, metadataNIC{Bridge: bridgeOf(n), IP: ip})
		inst.Interfaces = append(inst.Interfaces, imds.Interface{MAC: strings.ToLower(n.GetMac()),
			DeviceNumber: int(n.GetDeviceIndex()), PrivateIPv4s: []string{ip.String()},
			Hostname: network.PrivateDNSName(ip, inst.Region), SubnetID: n.GetSubnetId()})
		if primary < 0 || n.GetDeviceIndex() == 0 && req.GetNics()[primary].GetDeviceIndex() != 0 {
			primary = i
			inst.LocalIPv4, inst.MAC = ip.String(), strings.ToLower(n.GetMac())
			inst.Hostname = network.PrivateDNSName(ip, inst.Region)
		}
	}
	if err := setMetadataOptions(&inst, req.GetMetadataHttpTokens(), req.GetMetadataHttpEndpoint(),
		req.GetMetadataHttpPutResponseHopLimit()); err != nil {
		return metadataRecord{}, false, err
	}
	rec.Instance = inst
	return rec, len(rec.NICs) > 0, nil
}

// addMetadata records (and persists) what the new instance is told.
func (a *Agent) addMetadata(req *agentv1.CreateInstanceRequest) error {
	if len(req.GetNics()) == 0 {
		return nil
	}
	p, err := a.Plane()
	if err != nil {
		return err
	}
	bridgeOf := func(n *agentv1.Nic) string { return or(n.GetBridge(), p.BridgeName(n.GetSubnetId())) }
	rec, ok, err := metadataRecordOf(req, bridgeOf, a.cfg.AZ, a.cfg.Region, time.Now())
	if err != nil || !ok {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("metadata of %s: %w", req.GetInstanceId(), err)
	}
	if err := writePrivate(a.metadataPath(req.GetInstanceId()), b); err != nil {
		return fmt.Errorf("metadata of %s: %w", req.GetInstanceId(), err)
	}
	a.md.put(req.GetInstanceId(), rec)
	return nil
}

// dropMetadata forgets a destroyed instance.
func (a *Agent) dropMetadata(id string) error {
	a.md.put(id, metadataRecord{})
	if err := os.Remove(a.metadataPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("metadata of %s: %w", id, err)
	}
	return nil
}

// recoverMetadata reloads the records of live instances and removes the
// others (and unreadable ones).
func (a *Agent) recoverMetadata(live map[string]bool) error {
	entries, err := os.ReadDir(a.metadataDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("recover metadata: %w", err)
	}
	for _, e := range entries {
		path := filepath.Join(a.metadataDir(), e.Name())
		id, isRecord := strings.CutSuffix(e.Name(), ".json")
		var rec metadataRecord
		if isRecord && live[id] {
			b, err := os.ReadFile(path)
			if err == nil && json.Unmarshal(b, &rec) == nil && rec.Instance.InstanceID == id {
				a.md.put(id, rec)
				continue
			}
			a.log.Warn("recover: unreadable metadata record", "instance", id, "err", err)
		}
		if err := os.RemoveAll(path); err != nil {
			return fmt.Errorf("recover metadata: %w", err)
		}
		a.log.Info("recover: removed leftover", "file", path)
	}
	return nil
}

// put stores rec for id (a zero rec deletes) and rebuilds the index.
func (m *metadataService) put(id string, rec metadataRecord) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.records == nil {
		m.records = map[string]metadataRecord{}
	}
	if rec.Instance.InstanceID == "" {
		delete(m.records, id)
		delete(m.seen, id)
	} else {
		m.records[id] = rec
	}
	m.index = map[string]map[netip.Addr]string{}
	for id, r := range m.records {
		for _, n := range r.NICs {
			if m.index[n.Bridge] == nil {
				m.index[n.Bridge] = map[netip.Addr]string{}
			}
			m.index[n.Bridge][n.IP] = id
		}
	}
}

// lookupOn answers for requests arriving on bridge only: an address on
// another bridge (another VPC may reuse it) never matches.
func (m *metadataService) lookupOn(bridge string) imds.Lookup {
	return func(remote netip.Addr) (imds.Instance, bool) {
		m.mu.Lock()
		defer m.mu.Unlock()
		id, ok := m.index[bridge][remote]
		if !ok {
			return imds.Instance{}, false
		}
		if m.seen == nil {
			m.seen = map[string]bool{}
		}
		m.seen[id] = true
		return m.records[id].Instance, true
	}
}

// metadataSecret is the agent's token key, made once and kept in
// StateDir/imds.secret so tokens survive an agent restart.
func (a *Agent) metadataSecret() ([]byte, error) {
	path := filepath.Join(a.cfg.StateDir, "imds.secret")
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("metadata secret: %w", err)
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := writePrivate(path, b); err != nil {
		return nil, fmt.Errorf("metadata secret: %w", err)
	}
	return b, nil
}

// writePrivate writes b to path (mode 0600, parent 0700) atomically.
func writePrivate(path string, b []byte) error {
	if err := fsmode.MkdirAll(filepath.Dir(path), fsmode.PrivateDir); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := fsmode.WriteFile(tmp, b, fsmode.File); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// guestSeen reports whether id's guest reached the metadata service since
// its domain last booted.
func (m *metadataService) guestSeen(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[id]
}

// booting forgets that id's guest was seen: its domain boots anew.
func (m *metadataService) booting(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, id)
}
