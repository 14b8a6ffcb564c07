package console

import (
	"context"
	"fmt"
	"net/http"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// resourceRoutes registers the volume page and the read-only tables.
func (h *Handler) resourceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/volumes", h.authed(h.volumesPage))
	m.HandleFunc("POST /console/volumes", h.authed(h.createVolume))
	m.HandleFunc("POST /console/volumes/{id}/{action}", h.authed(h.volumeAction))
	h.secGroupRoutes(m)
	h.keyPairRoutes(m)
	for _, t := range h.tables() {
		m.HandleFunc("GET /console/"+t.nav, h.authed(h.tablePage(t)))
	}
}

// tableView is a read-only page: one or more tables of strings.
type tableView struct{ Sections []tableSection }

// tableSection is one titled table.
type tableSection struct {
	Title   string
	Columns []string
	Rows    [][]string
}

// table is a read-only page: its nav entry, title and how to fill it.
type table struct {
	nav, title string
	admin      bool
	fill       func(context.Context, v1.ComputeServer) ([]tableSection, error)
}

// tables are the read-only pages.
func (h *Handler) tables() []table {
	return []table{
		{nav: "snapshots", title: "Snapshots", fill: snapshotTable},
		{nav: "images", title: "Images", fill: imageTable},
		{nav: "vpcs", title: "VPCs and subnets", fill: vpcTables},
		{nav: "hosts", title: "Hosts", admin: true, fill: hostTable},
	}
}

// tablePage renders t; admin pages are refused to other accounts.
func (h *Handler) tablePage(t table) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.baseView(r, t.title, t.nav)
		v.Notice = doneNotice(r)
		if t.admin && !v.Admin {
			http.Error(w, "Forbidden: the admin account's page", http.StatusForbidden)
			return
		}
		secs, err := t.fill(r.Context(), h.compute)
		status := http.StatusOK
		if err != nil {
			v.Error = errorOf(err)
			status = statusOf(v.Error)
		}
		v.Data = tableView{Sections: secs}
		h.pages.render(w, r, status, "table", v)
	}
}

func snapshotTable(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	res, err := c.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	if err != nil {
		return nil, fmt.Errorf("describe snapshots: %w", err)
	}
	s := tableSection{Columns: []string{"Snapshot ID", "Name", "Volume", "State", "Progress", "Size (GiB)", "Started (UTC)", "Description"}}
	for _, sn := range res.GetSnapshots() {
		s.Rows = append(s.Rows, []string{sn.GetSnapshotId(), tagValue(sn.GetTags(), "Name"), sn.GetVolumeId(), sn.GetState(),
			sn.GetProgress(), fmt.Sprint(sn.GetVolumeSize()), when(sn.GetStartTime()), sn.GetDescription()})
	}
	return []tableSection{s}, nil
}

func imageTable(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	res, err := c.DescribeImages(ctx, &v1.DescribeImagesRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe images: %w", err)
	}
	s := tableSection{Columns: []string{"Image ID", "Name", "State", "Owner", "Public", "Architecture", "Boot mode", "Created (UTC)"}}
	for _, im := range res.GetImages() {
		s.Rows = append(s.Rows, []string{im.GetImageId(), im.GetName(), im.GetState(), im.GetOwnerId(), fmt.Sprint(im.GetPublic()),
			im.GetArchitecture(), im.GetBootMode(), when(im.GetCreationDate())})
	}
	return []tableSection{s}, nil
}

func vpcTables(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	vpcs, err := c.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe VPCs: %w", err)
	}
	vs := tableSection{Title: "VPCs", Columns: []string{"VPC ID", "Name", "CIDR", "State", "Default"}}
	for _, v := range vpcs.GetVpcs() {
		vs.Rows = append(vs.Rows, []string{v.GetVpcId(), tagValue(v.GetTags(), "Name"), v.GetCidrBlock(), v.GetState(), fmt.Sprint(v.GetIsDefault())})
	}
	subs, err := c.DescribeSubnets(ctx, &v1.DescribeSubnetsRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe subnets: %w", err)
	}
	ss := tableSection{Title: "Subnets", Columns: []string{"Subnet ID", "Name", "VPC", "Zone", "CIDR", "Free addresses", "Default for zone", "Public IP on launch"}}
	for _, s := range subs.GetSubnets() {
		ss.Rows = append(ss.Rows, []string{s.GetSubnetId(), tagValue(s.GetTags(), "Name"), s.GetVpcId(), s.GetAvailabilityZone(), s.GetCidrBlock(),
			fmt.Sprint(s.GetAvailableIpAddressCount()), fmt.Sprint(s.GetDefaultForAz()), fmt.Sprint(s.GetMapPublicIpOnLaunch())})
	}
	return []tableSection{vs, ss}, nil
}

func hostTable(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	res, err := c.DescribeHosts(ctx, &v1.DescribeHostsRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe hosts: %w", err)
	}
	s := tableSection{Columns: []string{"Host", "Zone", "State", "Domain type", "vCPUs used/total", "Memory MiB used/total", "GPUs free/total", "Instances", "Last heartbeat (UTC)"}}
	for _, h := range res.GetHosts() {
		s.Rows = append(s.Rows, []string{h.GetHostId(), h.GetAvailabilityZone(), h.GetState(), h.GetDomainType(),
			fmt.Sprintf("%d/%d", h.GetVcpusAllocated(), h.GetVcpus()), fmt.Sprintf("%d/%d", h.GetMemoryMibAllocated(), h.GetMemoryMib()),
			fmt.Sprintf("%d/%d", h.GetGpusFree(), h.GetGpus()), fmt.Sprint(h.GetInstances()), when(h.GetLastHeartbeat())})
	}
	return []tableSection{s}, nil
}
