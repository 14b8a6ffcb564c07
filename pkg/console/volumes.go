package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// volumesView is the volumes page's data.
type volumesView struct {
	Volumes   []*v1.Volume
	Zones     []string
	Instances []instanceRow // attach targets: not terminated
}

// volumesPage is the volumes table with its create, attach, detach,
// snapshot and delete forms.
func (h *Handler) volumesPage(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Volumes", "volumes")
	v.Notice = doneNotice(r)
	h.renderVolumes(w, r, http.StatusOK, v)
}

// renderVolumes renders the volumes page with v's messages.
func (h *Handler) renderVolumes(w http.ResponseWriter, r *http.Request, status int, v view) {
	data, err := h.volumes(r.Context())
	if err != nil && v.Error == nil {
		v.Error, status = errorOf(err), http.StatusInternalServerError
	}
	v.Data = data
	h.pages.render(w, r, status, "volumes", v)
}

// volumes are the signed-in key's volumes, zones and attachable instances.
func (h *Handler) volumes(ctx context.Context) (volumesView, error) {
	var vv volumesView
	res, err := h.compute.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{})
	if err != nil {
		return vv, fmt.Errorf("describe volumes: %w", err)
	}
	vv.Volumes = res.GetVolumes()
	azs, err := h.compute.DescribeAvailabilityZones(ctx, &v1.DescribeAvailabilityZonesRequest{})
	if err != nil {
		return vv, fmt.Errorf("describe zones: %w", err)
	}
	for _, z := range azs.GetAvailabilityZones() {
		vv.Zones = append(vv.Zones, z.GetZoneName())
	}
	rows, err := h.instanceRows(ctx, instancesView{Sort: "id"})
	if err != nil {
		return vv, err
	}
	for _, r := range rows.Rows {
		if r.State != "terminated" && r.State != "shutting-down" {
			vv.Instances = append(vv.Instances, r)
		}
	}
	return vv, nil
}

// createVolume makes a volume from the page's form.
func (h *Handler) createVolume(w http.ResponseWriter, r *http.Request) {
	size, _ := strconv.Atoi(r.PostFormValue("size"))
	req := &v1.CreateVolumeRequest{AvailabilityZone: r.PostFormValue("zone"), Size: int32(size),
		VolumeType: r.PostFormValue("type")}
	if name := r.PostFormValue("name"); name != "" {
		req.TagSpecifications = []*v1.TagSpecification{{ResourceType: "volume", Tags: []*v1.Tag{{Key: "Name", Value: name}}}}
	}
	vol, err := h.compute.CreateVolume(r.Context(), req)
	h.afterVolume(w, r, "create", vol.GetVolumeId(), err)
}

// volumeAction attaches, detaches or snapshots one volume.
func (h *Handler) volumeAction(w http.ResponseWriter, r *http.Request) {
	id, act := r.PathValue("id"), r.PathValue("action")
	var err error
	ctx := r.Context()
	switch act {
	case "attach":
		_, err = h.compute.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: id, InstanceId: r.PostFormValue("instance_id"),
			Device: r.PostFormValue("device")})
	case "detach":
		_, err = h.compute.DetachVolume(ctx, &v1.DetachVolumeRequest{VolumeId: id})
	case "snapshot":
		_, err = h.compute.CreateSnapshot(ctx, &v1.CreateSnapshotRequest{VolumeId: id, Description: r.PostFormValue("description")})
	case "delete":
		_, err = h.compute.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: id})
	default:
		http.NotFound(w, r)
		return
	}
	h.afterVolume(w, r, act, id, err)
}

// afterVolume shows a volume action's error or goes back to the page.
func (h *Handler) afterVolume(w http.ResponseWriter, r *http.Request, act, id string, err error) {
	if err != nil {
		v := h.baseView(r, "Volumes", "volumes")
		v.Error = errorOf(err)
		h.renderVolumes(w, r, statusOf(v.Error), v)
		return
	}
	redirectDone(w, r, "volumes", act, id)
}
