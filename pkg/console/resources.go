package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// resourceRoutes registers the volume, security group, key pair and
// network pages and the read-only tables.
func (h *Handler) resourceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/volumes", h.authed(h.volumesPage))
	m.HandleFunc("POST /console/volumes", h.authed(h.createVolume))
	m.HandleFunc("POST /console/volumes/{id}/{action}", h.authed(h.volumeAction))
	m.HandleFunc("POST /console/images/{id}/deregister", h.authed(h.deregisterImage))
	m.HandleFunc("POST /console/snapshots/{id}/volume", h.authed(h.volumeFromSnapshot))
	m.HandleFunc("POST /console/snapshots/{id}/delete", h.authed(h.deleteSnapshot))
	m.HandleFunc("GET /console/hosts", h.authed(h.hostsPage))
	h.secGroupRoutes(m)
	h.keyPairRoutes(m)
	h.networkRoutes(m)
	for _, t := range h.tables() {
		m.HandleFunc("GET /console/"+t.nav, h.authed(h.tablePage(t)))
	}
}

// tableView is a read-only page: one or more tables of strings.
type tableView struct{ Sections []tableSection }

// tableSection is one titled table; Actions, when set, are each row's
// buttons and links (parallel to Rows).
type tableSection struct {
	Title   string
	Columns []string
	Rows    [][]string
	Actions [][]rowAction
}

// rowAction is a link (Href) or, with Post, a button POSTing to Href; with
// Zones, the button's form asks for a zone first.
type rowAction struct {
	Label, Href  string
	Post, Danger bool
	Zones        []string
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
		{nav: "zones", title: "Regions and zones", fill: zoneTables},
	}
}

// tablePage renders t; admin pages are refused to other accounts.
func (h *Handler) tablePage(t table) http.HandlerFunc { return h.tablePageWith(t, nil) }

// tablePageWith is tablePage showing the failed action's error e (none
// when nil).
func (h *Handler) tablePageWith(t table, e *uiError) http.HandlerFunc {
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
		if e != nil {
			v.Error, v.Notice, status = e, "", statusOf(e)
		}
		v.Data = tableView{Sections: secs}
		h.pages.render(w, r, status, "table", v)
	}
}

// snapshotTable is the account's snapshots, with create volume and delete.
func snapshotTable(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	res, err := c.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	if err != nil {
		return nil, fmt.Errorf("describe snapshots: %w", err)
	}
	zones, err := zoneNames(ctx, c)
	if err != nil {
		return nil, err
	}
	s := tableSection{Columns: []string{"Snapshot ID", "Name", "Volume", "State", "Progress", "Size (GiB)", "Started (UTC)", "Description"}}
	for _, sn := range res.GetSnapshots() {
		s.Rows = append(s.Rows, []string{sn.GetSnapshotId(), tagValue(sn.GetTags(), "Name"), sn.GetVolumeId(), sn.GetState(),
			sn.GetProgress(), fmt.Sprint(sn.GetVolumeSize()), when(sn.GetStartTime()), sn.GetDescription()})
		var acts []rowAction
		if sn.GetState() == "completed" {
			acts = append(acts, rowAction{Label: "create volume", Href: Prefix + "snapshots/" + sn.GetSnapshotId() + "/volume", Post: true, Zones: zones})
		}
		acts = append(acts, rowAction{Label: "delete", Href: Prefix + "snapshots/" + sn.GetSnapshotId() + "/delete", Post: true, Danger: true})
		s.Actions = append(s.Actions, acts)
	}
	return []tableSection{s}, nil
}

// zoneNames are the region's zone names.
func zoneNames(ctx context.Context, c v1.ComputeServer) ([]string, error) {
	azs, err := c.DescribeAvailabilityZones(ctx, &v1.DescribeAvailabilityZonesRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe zones: %w", err)
	}
	var out []string
	for _, z := range azs.GetAvailabilityZones() {
		out = append(out, z.GetZoneName())
	}
	return out, nil
}

// imageTable is the images the account may launch, with launch and, for
// its own, deregister.
func imageTable(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	res, err := c.DescribeImages(ctx, &v1.DescribeImagesRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe images: %w", err)
	}
	k, _ := auth.FromContext(ctx)
	s := tableSection{Columns: []string{"Image ID", "Name", "State", "Owner", "Public", "Architecture", "Boot mode", "Created (UTC)"}}
	for _, im := range res.GetImages() {
		s.Rows = append(s.Rows, []string{im.GetImageId(), im.GetName(), im.GetState(), im.GetOwnerId(), fmt.Sprint(im.GetPublic()),
			im.GetArchitecture(), im.GetBootMode(), when(im.GetCreationDate())})
		var acts []rowAction
		if im.GetState() == "available" {
			acts = append(acts, rowAction{Label: "launch", Href: Prefix + "launch?" + url.Values{"image_id": {im.GetImageId()}}.Encode()})
		}
		if im.GetOwnerId() == k.AccountID {
			acts = append(acts, rowAction{Label: "deregister", Href: Prefix + "images/" + im.GetImageId() + "/deregister", Post: true, Danger: true})
		}
		s.Actions = append(s.Actions, acts)
	}
	return []tableSection{s}, nil
}

// zoneTables are the regions and the region's zones with their state.
func zoneTables(ctx context.Context, c v1.ComputeServer) ([]tableSection, error) {
	regs, err := c.DescribeRegions(ctx, &v1.DescribeRegionsRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe regions: %w", err)
	}
	rs := tableSection{Title: "Regions", Columns: []string{"Region", "Endpoint", "Opt-in status"}}
	for _, r := range regs.GetRegions() {
		rs.Rows = append(rs.Rows, []string{r.GetRegionName(), r.GetEndpoint(), r.GetOptInStatus()})
	}
	azs, err := c.DescribeAvailabilityZones(ctx, &v1.DescribeAvailabilityZonesRequest{})
	if err != nil {
		return nil, fmt.Errorf("describe zones: %w", err)
	}
	zs := tableSection{Title: "Availability zones", Columns: []string{"Zone", "Zone ID", "Region", "State", "Messages"}}
	for _, z := range azs.GetAvailabilityZones() {
		zs.Rows = append(zs.Rows, []string{z.GetZoneName(), z.GetZoneId(), z.GetRegionName(), z.GetState(), strings.Join(z.GetMessages(), "; ")})
	}
	return []tableSection{rs, zs}, nil
}

// deregisterImage deregisters one of the account's images.
func (h *Handler) deregisterImage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := h.compute.DeregisterImage(r.Context(), &v1.DeregisterImageRequest{ImageId: id})
	h.afterTableAction(w, r, "images", "deregister", id, err)
}

// volumeFromSnapshot creates a volume of the snapshot in the chosen zone.
func (h *Handler) volumeFromSnapshot(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	vol, err := h.compute.CreateVolume(r.Context(), &v1.CreateVolumeRequest{SnapshotId: id, AvailabilityZone: r.PostFormValue("zone")})
	if err != nil {
		h.afterTableAction(w, r, "snapshots", "create volume", id, err)
		return
	}
	redirectDone(w, r, "volumes", "create from "+id, vol.GetVolumeId())
}

// deleteSnapshot deletes one snapshot.
func (h *Handler) deleteSnapshot(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := h.compute.DeleteSnapshot(r.Context(), &v1.DeleteSnapshotRequest{SnapshotId: id})
	h.afterTableAction(w, r, "snapshots", "delete", id, err)
}

// afterTableAction shows a table page's action error on that page, or
// goes back to it.
func (h *Handler) afterTableAction(w http.ResponseWriter, r *http.Request, nav, act, id string, err error) {
	if err == nil {
		redirectDone(w, r, nav, act, id)
		return
	}
	for _, t := range h.tables() {
		if t.nav == nav {
			h.tablePageWith(t, errorOf(err))(w, r)
			return
		}
	}
	http.NotFound(w, r)
}
