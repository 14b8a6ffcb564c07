package ec2query

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/auth"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// networkedCompute answers DescribeInstances with an instance in a subnet.
type networkedCompute struct{ *fakeCompute }

func networkedInstance() *ec2labv1.Instance {
	in := cannedInstance()
	in.SubnetId, in.VpcId, in.MacAddress = fakeSubnet, fakeVPC, "02:00:0a:00:00:05"
	in.SecurityGroups = []*ec2labv1.GroupIdentifier{{GroupId: fakeGroup, GroupName: "default"}}
	in.NetworkInterfaces = []*ec2labv1.NetworkInterface{cannedENI()}
	return in
}

func (n networkedCompute) DescribeInstances(ctx context.Context, r *ec2labv1.DescribeInstancesRequest) (*ec2labv1.DescribeInstancesResponse, error) {
	if err := n.record(ctx, r); err != nil {
		return nil, err
	}
	res := cannedReservation()
	res.Instances = []*ec2labv1.Instance{networkedInstance()}
	return &ec2labv1.DescribeInstancesResponse{Reservations: []*ec2labv1.Reservation{res}}, nil
}

// TestInstanceNetworkInterfaceXML checks the primary interface's elements
// (the InstanceNetworkInterface shape: no zone, tags or attached instance),
// and that an instance without interfaces has none.
func TestInstanceNetworkInterfaceXML(t *testing.T) {
	out, err := xml.Marshal(instance(networkedInstance()))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		"<sourceDestCheck>true</sourceDestCheck>",
		"<networkInterfaceSet><item><attachment><attachTime>2026-11-26T10:11:12.345Z</attachTime><attachmentId>eni-attach-0123456789abcdef0</attachmentId><deleteOnTermination>true</deleteOnTermination><deviceIndex>0</deviceIndex><status>attached</status>",
		"<description>web eni</description>",
		"<groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>default</groupName></item></groupSet>",
		"<macAddress>02:00:0a:00:00:05</macAddress><networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId>",
		"<privateIpAddress>10.0.0.5</privateIpAddress><privateIpAddressesSet><item><privateDnsName>ip-10-0-0-5.lab-1.compute.internal</privateDnsName><privateIpAddress>10.0.0.5</privateIpAddress><primary>true</primary></item></privateIpAddressesSet>",
		"<status>in-use</status><subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("instance XML lacks %s:\n%s", want, s)
		}
	}
	eni, _ := xml.Marshal(networkInterfaces(networkedInstance()))
	for _, absent := range []string{"<availabilityZone>", "<tagSet>", "<instanceId>", "<requesterManaged>"} {
		if strings.Contains(string(eni), absent) {
			t.Errorf("instance's interface has %s, not in InstanceNetworkInterface:\n%s", absent, eni)
		}
	}
	out, _ = xml.Marshal(instance(cannedInstance()))
	if strings.Contains(string(out), "<networkInterfaceSet><item>") || strings.Contains(string(out), "sourceDestCheck") {
		t.Errorf("instance without interfaces has one:\n%s", out)
	}
}

// TestInstanceNetworkInterfaceClients reads the interface with boto3
// (checked against botocore's model) and with the AWS CLI's --query.
func TestInstanceNetworkInterfaceClients(t *testing.T) {
	needBoto3(t)
	needTool(t, "aws", "--version")
	f := networkedCompute{&fakeCompute{}}
	srv := httptest.NewServer(NewHandler(Options{Compute: f, Keys: auth.StaticKeys{testKey.AccessKeyID: testKey},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	if out := runClient(t, srv, "", "python3", "testdata/eni_check.py"); !strings.Contains(out, "ENI OK") {
		t.Fatalf("eni_check.py:\n%s", out)
	}
	out := runClient(t, srv, "", "aws", "--endpoint-url", srv.URL, "ec2", "describe-instances", "--output", "text",
		"--query", "Reservations[].Instances[].NetworkInterfaces[].[NetworkInterfaceId,PrivateIpAddress,MacAddress]")
	if got, want := strings.Join(strings.Fields(out), " "), "eni-0123456789abcdef0 10.0.0.5 02:00:0a:00:00:05"; got != want {
		t.Errorf("aws ec2 describe-instances --query NetworkInterfaces: %q, want %q", got, want)
	}
}
