package ec2query

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// The fake's answers to the instance and account operations
// (testdata/instanceops.py asserts the same).

// DescribeInstanceTypeOfferings answers two zone offerings, one per page
// when MaxResults is given.
func (f *fakeCompute) DescribeInstanceTypeOfferings(ctx context.Context, r *ec2labv1.DescribeInstanceTypeOfferingsRequest) (*ec2labv1.DescribeInstanceTypeOfferingsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	lt := r.GetLocationType()
	if lt == "" {
		lt = "region"
	}
	all := []*ec2labv1.InstanceTypeOffering{{InstanceType: "t3.micro", LocationType: lt, Location: fakeZone},
		{InstanceType: "g4dn.xlarge", LocationType: lt, Location: "lab-1b"}}
	switch {
	case r.GetNextToken() == "page-2":
		return &ec2labv1.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all[1:]}, nil
	case r.GetMaxResults() > 0:
		return &ec2labv1.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all[:1], NextToken: "page-2"}, nil
	}
	return &ec2labv1.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all}, nil
}

// DescribeInstanceCreditSpecifications answers the fake instance, which
// runs with unlimited credits.
func (f *fakeCompute) DescribeInstanceCreditSpecifications(ctx context.Context, r *ec2labv1.DescribeInstanceCreditSpecificationsRequest) (*ec2labv1.DescribeInstanceCreditSpecificationsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	for _, id := range r.GetInstanceIds() {
		if id != fakeInstance {
			return nil, notFound(id)
		}
	}
	return &ec2labv1.DescribeInstanceCreditSpecificationsResponse{InstanceCreditSpecifications: []*ec2labv1.InstanceCreditSpecification{
		{InstanceId: fakeInstance, CpuCredits: "unlimited"}}}, nil
}

// ModifyInstanceCreditSpecification changes the fake instance; a missing
// one is not found, any other is not burstable.
func (f *fakeCompute) ModifyInstanceCreditSpecification(ctx context.Context, r *ec2labv1.ModifyInstanceCreditSpecificationRequest) (*ec2labv1.ModifyInstanceCreditSpecificationResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	out := &ec2labv1.ModifyInstanceCreditSpecificationResponse{}
	for _, s := range r.GetInstanceCreditSpecifications() {
		code := map[string]string{fakeInstance: "", missingID: "InvalidInstanceID.NotFound"}[s.GetInstanceId()]
		switch _, known := map[string]bool{fakeInstance: true, missingID: true}[s.GetInstanceId()]; {
		case !known:
			code = "InstanceCreditSpecification.NotSupported"
		case code == "":
			out.SuccessfulInstanceCreditSpecifications = append(out.SuccessfulInstanceCreditSpecifications,
				&ec2labv1.SuccessfulInstanceCreditSpecification{InstanceId: s.GetInstanceId()})
			continue
		}
		out.UnsuccessfulInstanceCreditSpecifications = append(out.UnsuccessfulInstanceCreditSpecifications,
			&ec2labv1.UnsuccessfulInstanceCreditSpecification{InstanceId: s.GetInstanceId(),
				Error: &ec2labv1.ValidationError{Code: code, Message: "not changed: " + code}})
	}
	return out, nil
}

// ResetInstanceAttribute resets any attribute of the fake instance.
func (f *fakeCompute) ResetInstanceAttribute(ctx context.Context, r *ec2labv1.ResetInstanceAttributeRequest) (*ec2labv1.ResetInstanceAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetInstanceId() != fakeInstance {
		return nil, notFound(r.GetInstanceId())
	}
	return &ec2labv1.ResetInstanceAttributeResponse{}, nil
}

// CreateDefaultVpc answers a new default VPC.
func (f *fakeCompute) CreateDefaultVpc(ctx context.Context, r *ec2labv1.CreateDefaultVpcRequest) (*ec2labv1.Vpc, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.Vpc{VpcId: fakeVpc, OwnerId: fakeAccount, CidrBlock: "172.31.0.0/16", State: "available", IsDefault: true,
		CidrBlockAssociations: []*ec2labv1.VpcCidrBlockAssociation{{AssociationId: "vpc-cidr-assoc-0123456789abcdef0",
			CidrBlock: "172.31.0.0/16", State: "associated"}}}, nil
}

// CreateDefaultSubnet answers the default subnet of the zone asked for
// (lab-1a by name or ID); another zone has one already.
func (f *fakeCompute) CreateDefaultSubnet(ctx context.Context, r *ec2labv1.CreateDefaultSubnetRequest) (*ec2labv1.Subnet, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetAvailabilityZone() != fakeZone && r.GetAvailabilityZoneId() != "lab-1-az1" {
		return nil, ec2err.New(ec2err.DefaultSubnetAlreadyExistsInAZ, "'subnet-0fedcba9876543210' is already the default subnet in lab-1b.")
	}
	return &ec2labv1.Subnet{SubnetId: "subnet-0123456789abcdef0", VpcId: fakeVpc, OwnerId: fakeAccount, AvailabilityZone: fakeZone,
		AvailabilityZoneId: "lab-1-az1", CidrBlock: "172.31.0.0/20", AvailableIpAddressCount: 4091, DefaultForAz: true,
		State: "available", SubnetArn: "arn:aws:ec2:lab-1:" + fakeAccount + ":subnet/subnet-0123456789abcdef0",
		PrivateDnsHostnameType: "ip-name"}, nil
}

// fakeUefiData is the fake instance's UEFI variable store: no variables
// (uefivars.EncodeAWS(nil), base64).
const fakeUefiData = "QU1aTlVFRkmxVslUAAAAAHjaYoACQAAAAP//AAgAAQ=="

// GetInstanceUefiData answers the fake instance's store.
func (f *fakeCompute) GetInstanceUefiData(ctx context.Context, r *ec2labv1.GetInstanceUefiDataRequest) (*ec2labv1.GetInstanceUefiDataResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetInstanceId() != fakeInstance {
		return nil, notFound(r.GetInstanceId())
	}
	return &ec2labv1.GetInstanceUefiDataResponse{InstanceId: fakeInstance, UefiData: fakeUefiData}, nil
}

// DescribeInstanceTopology answers the fake instance under three nodes.
func (f *fakeCompute) DescribeInstanceTopology(ctx context.Context, r *ec2labv1.DescribeInstanceTopologyRequest) (*ec2labv1.DescribeInstanceTopologyResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeInstanceTopologyResponse{Instances: []*ec2labv1.InstanceTopology{{InstanceId: fakeInstance,
		InstanceType: "t3.micro", GroupName: "tight", AvailabilityZone: fakeZone, ZoneId: "lab-1-az1",
		NetworkNodes: []string{"nn-0123456789abcdef0", "nn-1123456789abcdef0", "nn-2123456789abcdef0"}}}}, nil
}

// TestInstanceOpsParameters checks what the wire forms botocore sends
// become.
func TestInstanceOpsParameters(t *testing.T) {
	tests := []struct{ form, want string }{
		{"Action=DescribeInstanceTypeOfferings&LocationType=availability-zone&Filter.1.Name=location&Filter.1.Value.1=lab-1a&MaxResults=5&NextToken=abc&DryRun=true",
			`location_type:"availability-zone" filters:{name:"location" values:"lab-1a"} max_results:5 next_token:"abc" dry_run:true`},
		{"Action=ModifyInstanceCreditSpecification&InstanceCreditSpecification.1.InstanceId=" + fakeInstance +
			"&InstanceCreditSpecification.1.CpuCredits=standard&InstanceCreditSpecification.2.InstanceId=i-2&ClientToken=tok",
			`instance_credit_specifications:{instance_id:"` + fakeInstance + `" cpu_credits:"standard"} instance_credit_specifications:{instance_id:"i-2"} client_token:"tok"`},
		{"Action=ResetInstanceAttribute&InstanceId=" + fakeInstance + "&Attribute=sourceDestCheck",
			`instance_id:"` + fakeInstance + `" attribute:"sourceDestCheck"`},
		{"Action=CreateDefaultVpc&DryRun=false", ``},
		{"Action=DescribeInstanceTopology&InstanceId.1=i-1&GroupName.1=tight&Filter.1.Name=zone-id&Filter.1.Value.1=lab-1-az1&MaxResults=10",
			`instance_ids:"i-1" group_names:"tight" filters:{name:"zone-id" values:"lab-1-az1"} max_results:10`},
		{"Action=GetInstanceUefiData&InstanceId=" + fakeInstance + "&DryRun=true", `instance_id:"` + fakeInstance + `" dry_run:true`},
		{"Action=CreateDefaultSubnet&AvailabilityZoneId=lab-1-az1&Ipv6Native=false", `availability_zone_id:"lab-1-az1"`},
		{"Action=DescribeInstanceCreditSpecifications&InstanceId.1=" + fakeInstance + "&Filter.1.Name=instance-id&Filter.1.Value.1=i-*",
			`instance_ids:"` + fakeInstance + `" filters:{name:"instance-id" values:"i-*"}`},
	}
	for _, tt := range tests {
		f := &fakeCompute{}
		rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
		if len(f.calls) == 0 {
			t.Errorf("%s: %d %s, no call", tt.form, rep.status, rep.body)
			continue
		}
		if got := f.calls[len(f.calls)-1]; !equalsText(t, got, tt.want) {
			t.Errorf("%s: Compute got\n%s\nwant\n%s", tt.form, prototext.Format(got), tt.want)
		}
	}
}

// TestInstanceOpsDocuments checks the answers' elements.
func TestInstanceOpsDocuments(t *testing.T) {
	tests := []struct{ form, want string }{
		{"Action=DescribeInstanceTypeOfferings&LocationType=availability-zone",
			"<instanceTypeOfferingSet><item><instanceType>t3.micro</instanceType><locationType>availability-zone</locationType><location>lab-1a</location></item>"},
		{"Action=DescribeInstanceTypeOfferings&MaxResults=5", "</instanceTypeOfferingSet><nextToken>page-2</nextToken>"},
		{"Action=ModifyInstanceCreditSpecification&InstanceCreditSpecification.1.InstanceId=" + fakeInstance +
			"&InstanceCreditSpecification.1.CpuCredits=standard&InstanceCreditSpecification.2.InstanceId=i-2&InstanceCreditSpecification.2.CpuCredits=standard",
			"<successfulInstanceCreditSpecificationSet><item><instanceId>" + fakeInstance + "</instanceId></item></successfulInstanceCreditSpecificationSet>" +
				"<unsuccessfulInstanceCreditSpecificationSet><item><instanceId>i-2</instanceId><error><code>InstanceCreditSpecification.NotSupported</code>" +
				"<message>not changed: InstanceCreditSpecification.NotSupported</message></error></item></unsuccessfulInstanceCreditSpecificationSet>"},
		{"Action=ResetInstanceAttribute&InstanceId=" + fakeInstance + "&Attribute=kernel", "<return>true</return>"},
		{"Action=GetInstanceUefiData&InstanceId=" + fakeInstance,
			"<instanceId>" + fakeInstance + "</instanceId><uefiData>" + fakeUefiData + "</uefiData>"},
		{"Action=DescribeInstanceTopology", "<instanceSet><item><instanceId>" + fakeInstance + "</instanceId><instanceType>t3.micro</instanceType>" +
			"<groupName>tight</groupName><networkNodeSet><item>nn-0123456789abcdef0</item><item>nn-1123456789abcdef0</item>" +
			"<item>nn-2123456789abcdef0</item></networkNodeSet><availabilityZone>lab-1a</availabilityZone><zoneId>lab-1-az1</zoneId></item></instanceSet>"},
		{"Action=CreateDefaultVpc", "<vpc><vpcId>" + fakeVpc + "</vpcId>"},
		{"Action=CreateDefaultSubnet&AvailabilityZone=lab-1a", "<subnet><subnetId>subnet-0123456789abcdef0</subnetId>"},
		{"Action=DescribeInstanceCreditSpecifications",
			"<instanceCreditSpecificationSet><item><instanceId>" + fakeInstance + "</instanceId><cpuCredits>unlimited</cpuCredits></item></instanceCreditSpecificationSet>"},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
		if rep.status != 200 || !strings.Contains(rep.body, tt.want) {
			t.Errorf("%s: got %d %s, want it to contain %s", tt.form, rep.status, rep.body, tt.want)
		}
	}
}

// TestBotoInstanceOps runs boto3's calls of the instance and account
// operations against the handler, each answer checked against botocore's
// model (testdata/instanceops.py).
func TestBotoInstanceOps(t *testing.T) {
	needBoto3(t)
	srv, _ := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/instanceops.py")
	if !strings.Contains(out, "INSTANCE OPS OK") {
		t.Fatalf("instanceops.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
}
