package ctl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shapeModel is testdata/botocore-ec2-shapes.json: for each EC2 output
// shape, its members in model order with the structure each one holds
// ("" for scalars). The AWS CLI prints members in this order.
type shapeModel map[string][][2]string

func loadShapes(t *testing.T) shapeModel {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "botocore-ec2-shapes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Shapes shapeModel `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f.Shapes
}

func (m shapeModel) member(shape, name string) (child string, index int, ok bool) {
	for i, mem := range m[shape] {
		if mem[0] == name {
			return mem[1], i, true
		}
	}
	return "", 0, false
}

// ec2labExtras are members ec2lab adds; they must not shadow AWS names.
var ec2labExtras = map[string]bool{
	"Instance.DomainType": true, "Instance.HostId": true, "Snapshot.StoredBytes": true,
	"Image.KernelCommandLine": true, "InstanceTypeInfo.Family": true,
	"InstanceTypeInfo.BaselineCpuPercent": true, "InstanceTypeInfo.DedicatedCpu": true,
	"InstanceTypeInfo.Hugepages": true,
}

// TestMemberNamesMatchBotocore checks every key ec2ctl prints, and its
// position, against the EC2 model's output shape, so that --output json
// matches `aws ec2` key for key and in the same order.
func TestMemberNamesMatchBotocore(t *testing.T) {
	model := loadShapes(t)
	tests := []struct {
		shape string
		args  []string
	}{
		{"DescribeInstancesResult", []string{"describe-instances"}},
		{"Reservation", []string{"run-instances", "--image-id", "ami-1"}},
		{"DescribeVolumesResult", []string{"describe-volumes"}},
		{"GetConsoleOutputResult", []string{"get-console-output", "--instance-id", "i-1"}},
		{"KeyPair", []string{"create-key-pair", "--key-name", "k"}},
		{"DescribeKeyPairsResult", []string{"describe-key-pairs"}},
		{"DescribeSnapshotsResult", []string{"describe-snapshots"}},
		{"DescribeImagesResult", []string{"describe-images"}},
		{"DescribeInstanceTypesResult", []string{"describe-instance-types"}},
		{"DescribeRegionsResult", []string{"describe-regions"}},
		{"DescribeAvailabilityZonesResult", []string{"describe-availability-zones"}},
		{"StopInstancesResult", []string{"stop-instances", "--instance-ids", "i-1"}},
		{"ModifyInstanceMetadataOptionsResult", []string{"modify-instance-metadata-options", "--instance-id", "i-1"}},
		{"VolumeAttachment", []string{"attach-volume", "--volume-id", "vol-1", "--instance-id", "i-1", "--device", "/dev/sdf"}},
		{"DescribeNetworkInterfacesResult", []string{"describe-network-interfaces"}},
		{"DescribeRouteTablesResult", []string{"describe-route-tables"}},
		{"DescribeNetworkAclsResult", []string{"describe-network-acls"}},
		{"DescribeSecurityGroupsResult", []string{"describe-security-groups"}},
		{"CreateSecurityGroupResult", []string{"create-security-group", "--group-name", "web", "--description", "web servers"}},
		{"DescribePlacementGroupsResult", []string{"describe-placement-groups"}},
		{"CreatePlacementGroupResult", []string{"create-placement-group", "--group-name", "rack-1", "--strategy", "spread"}},
		{"DescribeSecurityGroupRulesResult", []string{"describe-security-group-rules"}},
		{"AuthorizeSecurityGroupIngressResult", []string{"authorize-security-group-ingress", "--group-id", "sg-1",
			"--protocol", "tcp", "--port", "22", "--cidr", "10.0.0.0/8"}},
		{"RevokeSecurityGroupEgressResult", []string{"revoke-security-group-egress", "--group-id", "sg-1",
			"--security-group-rule-ids", "sgr-1"}},
		{"ModifySecurityGroupRulesResult", []string{"modify-security-group-rules", "--group-id", "sg-1",
			"--security-group-rules", "SecurityGroupRuleId=sgr-1,SecurityGroupRule={IpProtocol=-1,CidrIpv4=10.0.0.0/8}"}},
		{"DescribeVpcsResult", []string{"describe-vpcs"}},
		{"DescribeSubnetsResult", []string{"describe-subnets"}},
		{"DescribeVpcAttributeResult", []string{"describe-vpc-attribute", "--vpc-id", "vpc-1", "--attribute", "enableDnsSupport"}},
		{"AssociateVpcCidrBlockResult", []string{"associate-vpc-cidr-block", "--vpc-id", "vpc-1", "--cidr-block", "10.2.0.0/16"}},
		{"DisassociateVpcCidrBlockResult", []string{"disassociate-vpc-cidr-block", "--association-id", sampleAssocID}},
		{"DescribeVpcClassicLinkResult", []string{"describe-vpc-classic-link"}},
		{"DescribeVpcClassicLinkDnsSupportResult", []string{"describe-vpc-classic-link-dns-support"}},
		{"DescribeInstanceTypeOfferingsResult", []string{"describe-instance-type-offerings"}},
		{"ModifyInstanceCreditSpecificationResult", []string{"modify-instance-credit-specification",
			"--instance-credit-specifications", "InstanceId=i-0123456789abcdef0,CpuCredits=standard", "InstanceId=i-2,CpuCredits=standard"}},
		{"DescribeInstanceCreditSpecificationsResult", []string{"describe-instance-credit-specifications"}},
		{"GetInstanceUefiDataResult", []string{"get-instance-uefi-data", "--instance-id", "i-1"}},
		{"DescribeInstanceTopologyResult", []string{"describe-instance-topology"}},
		{"CreateDefaultVpcResult", []string{"create-default-vpc"}},
		{"CreateDefaultSubnetResult", []string{"create-default-subnet", "--availability-zone", "lab-1a"}},
	}
	for _, tt := range tests {
		t.Run(tt.shape, func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(append(tt.args, "--output", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var doc orderedJSON
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			model.check(t, tt.shape, tt.shape, doc.v)
		})
	}
}

func (m shapeModel) check(t *testing.T, shape, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			m.check(t, shape, path+"[]", e)
		}
	case []kv:
		if _, ok := m[shape]; !ok {
			t.Fatalf("%s: shape %s not in testdata", path, shape)
		}
		last := -1
		for _, e := range x {
			child, idx, known := m.member(shape, e.k)
			switch {
			case !known && !ec2labExtras[shape+"."+e.k]:
				t.Errorf("%s.%s is not a member of EC2 shape %s", path, e.k, shape)
			case !known:
				continue
			case idx < last:
				t.Errorf("%s.%s is out of the model's member order", path, e.k)
			}
			last = max(last, idx)
			if child != "" {
				m.check(t, child, path+"."+e.k, e.v)
			} else if _, isObj := e.v.([]kv); isObj {
				t.Errorf("%s.%s is an object but a scalar in EC2", path, e.k)
			}
		}
	}
}

// orderedJSON decodes JSON keeping object member order ([]kv).
type orderedJSON struct{ v any }

type kv struct {
	k string
	v any
}

func (o *orderedJSON) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	v, err := decodeOrdered(dec)
	o.v = v
	return err
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		var out []kv
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			out = append(out, kv{k.(string), v})
		}
		_, err = dec.Token()
		return out, err
	case json.Delim('['):
		out := []any{}
		for dec.More() {
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		_, err = dec.Token()
		return out, err
	}
	return tok, nil
}
