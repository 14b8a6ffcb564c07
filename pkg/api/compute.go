package api

import (
	"context"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Compute serves ec2lab.v1.Compute over the controller.
type Compute struct {
	v1.UnimplementedComputeServer
	svc *controller.Service
}

var _ v1.ComputeServer = (*Compute)(nil)

// NewCompute wraps the controller.
func NewCompute(svc *controller.Service) *Compute { return &Compute{svc: svc} }

// Controller is the controller c serves (for the HTTP edges without a
// gRPC API of their own, such as Auto Scaling's Query API).
func (c *Compute) Controller() *controller.Service { return c.svc }

func page(max int32, next string) controller.Page {
	return controller.Page{MaxResults: int(max), NextToken: next}
}

// RunInstances launches instances.
func (c *Compute) RunInstances(ctx context.Context, r *v1.RunInstancesRequest) (*v1.Reservation, error) {
	if err := runInstancesUnsupported(r); err != nil {
		return nil, err
	}
	req := controller.RunRequest{ImageID: r.GetImageId(), InstanceType: r.GetInstanceType(),
		MinCount: int(r.GetMinCount()), MaxCount: int(r.GetMaxCount()), KeyName: r.GetKeyName(), UserData: r.GetUserData(),
		AZ: r.GetPlacement().GetAvailabilityZone(), Tags: specTags(r.GetTagSpecifications()), ClientToken: r.GetClientToken(),
		DryRun: r.GetDryRun(), DisableAPITermination: r.GetDisableApiTermination(), DisableAPIStop: r.GetDisableApiStop(),
		SubnetID: r.GetSubnetId(), PrivateIP: r.GetPrivateIpAddress(), SecurityGroupIDs: r.GetSecurityGroupIds(),
		MetadataOptions: metadataOptionsIn(r.GetMetadataOptions()), CPUCredits: r.GetCreditSpecification().GetCpuCredits(),
		NetworkInterfaces: interfaceSpecsIn(r.GetNetworkInterfaces()), ShutdownBehavior: r.GetInstanceInitiatedShutdownBehavior(), LaunchTemplate: launchTemplateSpecIn(r.GetLaunchTemplate())}
	req.PlacementGroup, req.PartitionNumber = r.GetPlacement().GetGroupName(), int(r.GetPlacement().GetPartitionNumber())
	for _, m := range r.GetBlockDeviceMappings() {
		d := controller.DeviceOverride{DeviceName: m.GetDeviceName(), NoDevice: m.GetNoDevice()}
		if e := m.GetEbs(); e != nil {
			d.SnapshotID, d.SizeGiB, d.VolumeType = e.GetSnapshotId(), e.GetVolumeSize(), e.GetVolumeType()
			d.IOPS, d.Throughput, d.Encrypted = e.GetIops(), e.GetThroughput(), e.GetEncrypted()
			if e.DeleteOnTermination != nil {
				v := e.GetDeleteOnTermination()
				d.DeleteOnTermination = &v
			}
		}
		req.Devices = append(req.Devices, d)
	}
	res, err := c.svc.RunInstances(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &v1.Reservation{ReservationId: res.ReservationID, OwnerId: res.Owner}
	for _, in := range res.Instances {
		out.Instances = append(out.Instances, instanceOut(in))
	}
	return out, nil
}

// DescribeInstances groups instances by reservation, as EC2.
func (c *Compute) DescribeInstances(ctx context.Context, r *v1.DescribeInstancesRequest) (*v1.DescribeInstancesResponse, error) {
	insts, next, err := c.svc.DescribeInstances(ctx, r.GetInstanceIds(), filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstancesResponse{NextToken: next}
	byRes := map[string]*v1.Reservation{}
	for _, in := range insts {
		res, ok := byRes[in.ReservationID]
		if !ok {
			res = &v1.Reservation{ReservationId: in.ReservationID, OwnerId: in.Owner}
			byRes[in.ReservationID] = res
			out.Reservations = append(out.Reservations, res)
		}
		res.Instances = append(res.Instances, instanceOut(in))
	}
	return out, nil
}

// StartInstances starts stopped instances.
func (c *Compute) StartInstances(ctx context.Context, r *v1.InstanceIdsRequest) (*v1.InstanceStateChanges, error) {
	chs, err := c.svc.StartInstances(ctx, r.GetInstanceIds(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return changesOut(chs), nil
}

// StopInstances stops instances.
func (c *Compute) StopInstances(ctx context.Context, r *v1.StopInstancesRequest) (*v1.InstanceStateChanges, error) {
	chs, err := c.svc.StopInstances(ctx, r.GetInstanceIds(), r.GetForce(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return changesOut(chs), nil
}

// TerminateInstances terminates instances.
func (c *Compute) TerminateInstances(ctx context.Context, r *v1.InstanceIdsRequest) (*v1.InstanceStateChanges, error) {
	chs, err := c.svc.TerminateInstances(ctx, r.GetInstanceIds(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return changesOut(chs), nil
}

// RebootInstances reboots instances.
func (c *Compute) RebootInstances(ctx context.Context, r *v1.InstanceIdsRequest) (*v1.RebootInstancesResponse, error) {
	if err := c.svc.RebootInstances(ctx, r.GetInstanceIds(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.RebootInstancesResponse{}, nil
}

// GetConsoleOutput returns the serial console's last 64 KiB.
func (c *Compute) GetConsoleOutput(ctx context.Context, r *v1.GetConsoleOutputRequest) (*v1.GetConsoleOutputResponse, error) {
	out, at, err := c.svc.ConsoleOutput(ctx, r.GetInstanceId())
	if err != nil {
		return nil, err
	}
	return &v1.GetConsoleOutputResponse{InstanceId: r.GetInstanceId(), Timestamp: ts(at), Output: out}, nil
}

// DescribeInstanceTypes lists the catalog.
func (c *Compute) DescribeInstanceTypes(ctx context.Context, r *v1.DescribeInstanceTypesRequest) (*v1.DescribeInstanceTypesResponse, error) {
	types, next, err := c.svc.InstanceTypes(ctx, r.GetInstanceTypes(), filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstanceTypesResponse{NextToken: next}
	for _, t := range types {
		out.InstanceTypes = append(out.InstanceTypes, &v1.InstanceTypeInfo{InstanceType: t.Name, Family: string(t.Family),
			Vcpus: int32(t.VCPUs), MemoryMib: t.MemoryMiB, Burstable: t.Burstable, BaselinePercent: int32(t.BaselinePercent),
			DedicatedCpu: t.DedicatedCPU, Hugepages: t.Hugepages, InstanceStoreGb: t.InstanceStoreGB,
			InstanceStoreDisks: int32(t.InstanceStoreDisks), InstanceStoreType: t.InstanceStoreType, Gpus: int32(t.GPUs),
			GpuName: t.GPUName, Architectures: t.Architectures, Hypervisor: "kvm", CurrentGeneration: true})
	}
	return out, nil
}

// DescribeRegions lists this region and its peers.
func (c *Compute) DescribeRegions(ctx context.Context, r *v1.DescribeRegionsRequest) (*v1.DescribeRegionsResponse, error) {
	regs, err := c.svc.Regions(ctx, r.GetRegionNames())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeRegionsResponse{}
	for _, g := range regs {
		out.Regions = append(out.Regions, &v1.Region{RegionName: g.Name, Endpoint: g.Endpoint, OptInStatus: "opt-in-not-required"})
	}
	return out, nil
}

// DescribeAvailabilityZones lists AZs with their state.
func (c *Compute) DescribeAvailabilityZones(ctx context.Context, r *v1.DescribeAvailabilityZonesRequest) (*v1.DescribeAvailabilityZonesResponse, error) {
	zones, err := c.svc.Zones(ctx, r.GetZoneNames(), filtersIn(r.GetFilters()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeAvailabilityZonesResponse{}
	for _, z := range zones {
		region := c.svc.Config().Region
		// A regular zone's network border group is its region, its zone
		// group REGION-zg-1 (botocore's AvailabilityZone.GroupName).
		az := &v1.AvailabilityZone{ZoneName: z.Name, ZoneId: z.ID, State: z.State,
			RegionName: region, ZoneType: "availability-zone", NetworkBorderGroup: region,
			GroupName: region + "-zg-1", OptInStatus: "opt-in-not-required"}
		if z.Message != "" {
			az.Messages = []string{z.Message}
		}
		out.AvailabilityZones = append(out.AvailabilityZones, az)
	}
	return out, nil
}

// DescribeHosts lists the region's hypervisor hosts (operator only).
func (c *Compute) DescribeHosts(ctx context.Context, r *v1.DescribeHostsRequest) (*v1.DescribeHostsResponse, error) {
	hs, err := c.svc.DescribeHosts(ctx)
	if err != nil {
		return nil, err
	}
	used, err := c.svc.HostsAllocation(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeHostsResponse{}
	for _, h := range hs {
		if len(r.GetHostIds()) > 0 && !contains(r.GetHostIds(), h.ID) {
			continue
		}
		st := "healthy"
		if !h.Healthy {
			st = "unhealthy"
		}
		out.Hosts = append(out.Hosts, &v1.Host{HostId: h.ID, AvailabilityZone: h.AZ, Address: h.Address, State: st,
			DomainType: h.DomainType, Vcpus: int32(h.VCPUs), MemoryMib: h.MemoryMiB, LastHeartbeat: ts(h.LastHeartbeat),
			AgentVersion: h.AgentVersion, HugepagesFree: h.HugepagesFree, Gpus: int32(h.GPUs), GpusFree: int32(h.FreeGPUs),
			VcpusAllocated: int32(used[h.ID].VCPUs), MemoryMibAllocated: used[h.ID].MemoryMiB, Instances: int32(used[h.ID].Instances)})
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
