package agent

import (
	"encoding/json"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ec2lab/ec2lab/pkg/imds"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

func metadataReq(id string, nics ...*agentv1.Nic) *agentv1.CreateInstanceRequest {
	return &agentv1.CreateInstanceRequest{InstanceId: id, OwnerId: "123456789012", InstanceType: "t3.nano",
		ImageId: "ami-1", UserData: []byte("#!/bin/sh\necho hi\n"), PublicKeys: []string{"ssh-ed25519 AAAA k"}, Nics: nics}
}

func bridgeOfSubnet(n *agentv1.Nic) string { return or(n.GetBridge(), "br-"+n.GetSubnetId()) }

// TestMetadataRecordOf: the request maps onto what the guest is told; the
// primary NIC (device index 0) gives the address, MAC and hostname, every
// NIC address answers on its bridge, and an instance without an address
// gets no record.
func TestMetadataRecordOf(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC)
	for _, tc := range []struct {
		name                string
		req                 *agentv1.CreateInstanceRequest
		ok                  bool
		ip, mac, host, az   string
		nics                int
		firstBridge, region string
	}{
		{"no nics", metadataReq("i-1"), false, "", "", "", "az-a", 0, "", "r-1"},
		{"one nic", metadataReq("i-2", &agentv1.Nic{SubnetId: "s1", Mac: "02:AB:00:00:00:01", PrivateIp: "172.31.0.4"}),
			true, "172.31.0.4", "02:ab:00:00:00:01", "ip-172-31-0-4.r-1.compute.internal", "az-a", 1, "br-s1", "r-1"},
		{"device 0 listed second, explicit bridge", metadataReq("i-3",
			&agentv1.Nic{SubnetId: "s2", Mac: "02:00:00:00:00:02", PrivateIp: "10.0.2.5", DeviceIndex: 1, Bridge: "virbr9"},
			&agentv1.Nic{SubnetId: "s1", Mac: "02:00:00:00:00:03", PrivateIp: "10.0.1.5"}),
			true, "10.0.1.5", "02:00:00:00:00:03", "ip-10-0-1-5.r-1.compute.internal", "az-a", 2, "virbr9", "r-1"},
	} {
		rec, ok, err := metadataRecordOf(tc.req, bridgeOfSubnet, "az-a", "r-1", now)
		if err != nil || ok != tc.ok {
			t.Errorf("%s: ok %v err %v, want ok %v", tc.name, ok, err, tc.ok)
			continue
		}
		in := rec.Instance
		if in.LocalIPv4 != tc.ip || in.MAC != tc.mac || in.Hostname != tc.host || in.AZ != tc.az || in.Region != tc.region ||
			len(rec.NICs) != tc.nics || in.AccountID != "123456789012" || in.AMIID != "ami-1" || string(in.UserData) != "#!/bin/sh\necho hi\n" ||
			!in.LaunchTime.Equal(now.Truncate(time.Second)) || len(in.PublicKeys) != 1 {
			t.Errorf("%s: %+v", tc.name, rec)
		}
		if tc.nics > 0 && rec.NICs[0].Bridge != tc.firstBridge {
			t.Errorf("%s: first NIC on %s, want %s", tc.name, rec.NICs[0].Bridge, tc.firstBridge)
		}
	}
	if _, _, err := metadataRecordOf(metadataReq("i-4", &agentv1.Nic{PrivateIp: "bogus"}), bridgeOfSubnet, "", "", now); err == nil {
		t.Error("accepted a malformed NIC address")
	}
}

// TestMetadataInterfaces: every NIC with an address is served as an
// interface of its own (network/interfaces/macs/<mac>/), with its device
// index, address, private DNS name and subnet.
func TestMetadataInterfaces(t *testing.T) {
	req := metadataReq("i-5",
		&agentv1.Nic{SubnetId: "subnet-2", Mac: "02:00:00:00:00:0A", PrivateIp: "10.0.2.5", DeviceIndex: 1},
		&agentv1.Nic{SubnetId: "subnet-9", Mac: "02:00:00:00:00:0B"}, // no address yet: not served
		&agentv1.Nic{SubnetId: "subnet-1", Mac: "02:00:00:00:00:0C", PrivateIp: "10.0.1.5"})
	rec, _, err := metadataRecordOf(req, bridgeOfSubnet, "az-a", "eu-west-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []imds.Interface{
		{MAC: "02:00:00:00:00:0a", DeviceNumber: 1, PrivateIPv4s: []string{"10.0.2.5"},
			Hostname: "ip-10-0-2-5.eu-west-1.compute.internal", SubnetID: "subnet-2"},
		{MAC: "02:00:00:00:00:0c", DeviceNumber: 0, PrivateIPv4s: []string{"10.0.1.5"},
			Hostname: "ip-10-0-1-5.eu-west-1.compute.internal", SubnetID: "subnet-1"},
	}
	if got := rec.Instance.Interfaces; !reflect.DeepEqual(got, want) {
		t.Errorf("interfaces:\n got %+v\nwant %+v", got, want)
	}
}

// TestMetadataLookupAndRecover: an address answers only on its own bridge
// and only for its own instance; records survive a restart for live
// instances, and the files of gone instances are removed.
func TestMetadataLookupAndRecover(t *testing.T) {
	dir := t.TempDir()
	a := &Agent{cfg: Config{StateDir: dir, AZ: "az-a", Region: "r-1"}, log: slog.Default()}
	put := func(a *Agent, id, ip string) {
		rec, _, err := metadataRecordOf(metadataReq(id, &agentv1.Nic{SubnetId: "s1", Mac: "02:00:00:00:00:01", PrivateIp: ip}),
			bridgeOfSubnet, "az-a", "r-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := writePrivate(a.metadataPath(id), mustJSON(t, rec)); err != nil {
			t.Fatal(err)
		}
		a.md.put(id, rec)
	}
	put(a, "i-a", "10.0.0.4")
	put(a, "i-b", "10.0.0.5")
	check := func(a *Agent, what, bridge, ip, want string) {
		t.Helper()
		in, ok := a.md.lookupOn(bridge)(netip.MustParseAddr(ip))
		if ok != (want != "") || in.InstanceID != want {
			t.Errorf("%s: lookup %s on %s = %q %v, want %q", what, ip, bridge, in.InstanceID, ok, want)
		}
	}
	check(a, "a", "br-s1", "10.0.0.4", "i-a")
	check(a, "b", "br-s1", "10.0.0.5", "i-b")
	check(a, "unknown address", "br-s1", "10.0.0.6", "")
	check(a, "a's address on another bridge", "br-s2", "10.0.0.4", "")

	if fi, err := os.Stat(a.metadataPath("i-a")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("record file: %v %v, want mode 0600", fi, err)
	}
	os.WriteFile(filepath.Join(a.metadataDir(), "i-c.json.tmp"), []byte("{"), 0o600)

	restarted := &Agent{cfg: a.cfg, log: slog.Default()}
	if err := restarted.recoverMetadata(map[string]bool{"i-a": true}); err != nil {
		t.Fatal(err)
	}
	check(restarted, "a after restart", "br-s1", "10.0.0.4", "i-a")
	check(restarted, "b (no domain) after restart", "br-s1", "10.0.0.5", "")
	if left, _ := os.ReadDir(a.metadataDir()); len(left) != 1 || left[0].Name() != "i-a.json" {
		t.Errorf("files after recover: %v, want only i-a.json", left)
	}
	if err := restarted.dropMetadata("i-a"); err != nil {
		t.Fatal(err)
	}
	check(restarted, "a after destroy", "br-s1", "10.0.0.4", "")
	if _, err := os.Stat(a.metadataPath("i-a")); !os.IsNotExist(err) {
		t.Errorf("record file after destroy: %v", err)
	}

	s1, err := a.metadataSecret()
	if err != nil || len(s1) != 32 {
		t.Fatalf("secret: %x %v", s1, err)
	}
	if s2, _ := restarted.metadataSecret(); string(s2) != string(s1) {
		t.Error("the token secret changed across a restart")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMetadataSameAddressTwoVPCs: two VPCs reuse 10.0.0.4 on two bridges;
// each bridge answers for its own instance only, and forgetting one
// leaves the other.
func TestMetadataSameAddressTwoVPCs(t *testing.T) {
	a := &Agent{cfg: Config{StateDir: t.TempDir()}, log: slog.Default()}
	for id, subnet := range map[string]string{"i-a": "s1", "i-x": "s2"} {
		rec, _, err := metadataRecordOf(metadataReq(id, &agentv1.Nic{SubnetId: subnet, Mac: "02:00:00:00:00:01", PrivateIp: "10.0.0.4"}),
			bridgeOfSubnet, "az-a", "r-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		a.md.put(id, rec)
	}
	who := func(bridge string) string {
		in, _ := a.md.lookupOn(bridge)(netip.MustParseAddr("10.0.0.4"))
		return in.InstanceID
	}
	if who("br-s1") != "i-a" || who("br-s2") != "i-x" {
		t.Errorf("10.0.0.4 is %q on br-s1 and %q on br-s2, want i-a and i-x", who("br-s1"), who("br-s2"))
	}
	if err := a.dropMetadata("i-a"); err != nil {
		t.Fatal(err)
	}
	if who("br-s1") != "" || who("br-s2") != "i-x" {
		t.Errorf("after dropping i-a: %q on br-s1, %q on br-s2, want none and i-x", who("br-s1"), who("br-s2"))
	}
}

// TestMetadataRecordOfKeyLaunchHops: the controller's key name, launch time
// and hop limit reach the record; without a launch time the agent's clock
// stands in, and an out-of-range hop limit is refused.
func TestMetadataRecordOfKeyLaunchHops(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	launched := now.Add(-48 * time.Hour)
	req := metadataReq("i-5", &agentv1.Nic{SubnetId: "s1", Mac: "02:00:00:00:00:05", PrivateIp: "10.0.1.6"})
	req.KeyName, req.LaunchTime, req.MetadataHttpPutResponseHopLimit = "lab-key", timestamppb.New(launched), 2
	rec, _, err := metadataRecordOf(req, bridgeOfSubnet, "az-a", "r-1", now)
	if err != nil {
		t.Fatal(err)
	}
	if in := rec.Instance; in.KeyName != "lab-key" || !in.LaunchTime.Equal(launched) || in.PutResponseHopLimit != 2 {
		t.Errorf("record %+v, want key lab-key, launch %v, hop limit 2", in, launched)
	}
	req.LaunchTime = nil
	if rec, _, _ := metadataRecordOf(req, bridgeOfSubnet, "az-a", "r-1", now); !rec.Instance.LaunchTime.Equal(now) {
		t.Errorf("launch time without the controller's: %v, want the agent's %v", rec.Instance.LaunchTime, now)
	}
	req.MetadataHttpPutResponseHopLimit = 65
	if _, _, err := metadataRecordOf(req, bridgeOfSubnet, "az-a", "r-1", now); err == nil {
		t.Error("accepted hop limit 65")
	}
}

// TestGuestSeenByMetadataService: a guest counts as seen once it asked the
// metadata service from its own address on its bridge, until its domain
// boots again or the instance goes; a request from an unknown address
// marks nobody.
func TestGuestSeenByMetadataService(t *testing.T) {
	a := &Agent{cfg: Config{StateDir: t.TempDir()}, log: slog.Default()}
	for id, ip := range map[string]string{"i-a": "10.0.0.4", "i-b": "10.0.0.5"} {
		rec, _, err := metadataRecordOf(metadataReq(id, &agentv1.Nic{SubnetId: "s1", Mac: "02:00:00:00:00:01", PrivateIp: ip}),
			bridgeOfSubnet, "az-a", "r-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		a.md.put(id, rec)
	}
	ask := func(ip string) { a.md.lookupOn("br-s1")(netip.MustParseAddr(ip)) }
	ask("10.0.0.9")
	if a.md.guestSeen("i-a") || a.md.guestSeen("i-b") {
		t.Fatal("seen before either guest asked")
	}
	ask("10.0.0.4")
	if !a.md.guestSeen("i-a") || a.md.guestSeen("i-b") {
		t.Errorf("after i-a asked: seen i-a %v, i-b %v", a.md.guestSeen("i-a"), a.md.guestSeen("i-b"))
	}
	a.md.booting("i-a")
	if a.md.guestSeen("i-a") {
		t.Error("still seen after the domain booted again")
	}
	ask("10.0.0.5")
	if err := a.dropMetadata("i-b"); err != nil {
		t.Fatal(err)
	}
	if a.md.guestSeen("i-b") {
		t.Error("a destroyed instance is still seen")
	}
}
