package console

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// instanceRoutes registers the instance pages, actions, the launch wizard
// and the serial console.
func (h *Handler) instanceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/instances", h.authed(h.instancesPage))
	m.HandleFunc("GET /console/instances/table", h.authed(h.instancesTable))
	m.HandleFunc("GET /console/instances/{id}", h.authed(h.instancePage))
	m.HandleFunc("POST /console/instances/{id}/{action}", h.authed(h.instanceAction))
	m.HandleFunc("POST /console/instances/{id}/image", h.authed(h.createImage))
	m.HandleFunc("POST /console/instances/{id}/groups", h.authed(h.changeGroups))
	m.HandleFunc("GET /console/launch", h.authed(h.launchPage))
	m.HandleFunc("POST /console/launch/preview", h.authed(h.launchPreview))
	m.HandleFunc("POST /console/launch", h.authed(h.launch))
	m.HandleFunc("GET /console/instances/{id}/terminal", h.authed(h.serialPage))
	m.HandleFunc("GET /console/instances/{id}/output", h.authed(h.consoleOutput))
	m.HandleFunc("GET /console/instances/{id}/serial", h.authed(h.serialSocket))
}

// instanceRow is one line of the instances table.
type instanceRow struct {
	ID, Name, State, Type, Zone, PrivateIP, PublicIP, Launched string
}

// actions are the state changes the row's state allows.
func (r instanceRow) Actions() []string {
	switch r.State {
	case "running":
		return []string{"stop", "reboot", "terminate"}
	case "stopped":
		return []string{"start", "terminate"}
	case "pending", "stopping":
		return []string{"terminate"}
	}
	return nil
}

// instancesView is the instances page's and table fragment's data.
type instancesView struct {
	Filter string
	Sort   string // a key of sortKeys
	Desc   bool
	Rows   []instanceRow
	Total  int
	Counts []stateCount // of all instances, filtered or not
}

// stateCount is how many instances are in one state.
type stateCount struct {
	State string
	N     int
}

// countStates counts rows by state, in lifecycle order.
func countStates(states []string) []stateCount {
	order := []string{"pending", "running", "stopping", "stopped", "shutting-down", "terminated"}
	n := map[string]int{}
	for _, s := range states {
		n[s]++
	}
	var out []stateCount
	for _, s := range order {
		if n[s] > 0 {
			out = append(out, stateCount{s, n[s]})
		}
	}
	return out
}

// sortKeys are the table's sortable columns: the value each sorts by.
var sortKeys = map[string]func(instanceRow) string{
	"id": func(r instanceRow) string { return r.ID }, "name": func(r instanceRow) string { return r.Name },
	"state": func(r instanceRow) string { return r.State }, "type": func(r instanceRow) string { return r.Type },
	"zone": func(r instanceRow) string { return r.Zone }, "private": func(r instanceRow) string { return r.PrivateIP },
	"public": func(r instanceRow) string { return r.PublicIP }, "launched": func(r instanceRow) string { return r.Launched },
}

// SortLink is the table's URL sorted by column key: ascending, or
// descending when it is already sorted ascending by key.
func (v instancesView) SortLink(key string) string {
	q := url.Values{"sort": {key}}
	if v.Filter != "" {
		q.Set("q", v.Filter)
	}
	if v.Sort == key && !v.Desc {
		q.Set("desc", "1")
	}
	return Prefix + "instances?" + q.Encode()
}

// SortMark is aria-sort's value for column key.
func (v instancesView) SortMark(key string) string {
	switch {
	case v.Sort != key:
		return "none"
	case v.Desc:
		return "descending"
	}
	return "ascending"
}

// PollQuery is the query the polling table fragment keeps (its sort).
func (v instancesView) PollQuery() string {
	q := url.Values{"sort": {v.Sort}}
	if v.Desc {
		q.Set("desc", "1")
	}
	return q.Encode()
}

// tableQuery reads the table's filter and sort from r (newest launch first
// by default).
func tableQuery(r *http.Request) instancesView {
	q := r.URL.Query()
	v := instancesView{Filter: q.Get("q"), Sort: q.Get("sort"), Desc: q.Get("desc") == "1"}
	if _, ok := sortKeys[v.Sort]; !ok {
		v.Sort, v.Desc = "launched", true
	}
	return v
}

// describeInstances lists every instance the signed-in key sees (ids: only
// those), page by page.
func (h *Handler) describeInstances(ctx context.Context, ids ...string) ([]*v1.Instance, error) {
	var out []*v1.Instance
	req := &v1.DescribeInstancesRequest{InstanceIds: ids}
	for {
		res, err := h.compute.DescribeInstances(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, rv := range res.GetReservations() {
			out = append(out, rv.GetInstances()...)
		}
		if res.GetNextToken() == "" {
			return out, nil
		}
		req.NextToken = res.GetNextToken()
	}
}

// instanceRows are the table rows of the instances matching v's filter (a
// case-insensitive substring of any column), in v's order.
func (h *Handler) instanceRows(ctx context.Context, v instancesView) (instancesView, error) {
	ins, err := h.describeInstances(ctx)
	if err != nil {
		return v, err
	}
	v.Total = len(ins)
	states := make([]string, 0, len(ins))
	for _, in := range ins {
		states = append(states, in.GetState().GetName())
	}
	v.Counts = countStates(states)
	f := strings.ToLower(strings.TrimSpace(v.Filter))
	for _, in := range ins {
		r := instanceRow{ID: in.GetInstanceId(), Name: tagValue(in.GetTags(), "Name"), State: in.GetState().GetName(),
			Type: in.GetInstanceType(), Zone: in.GetPlacement().GetAvailabilityZone(), PrivateIP: in.GetPrivateIpAddress(),
			PublicIP: in.GetPublicIpAddress(), Launched: when(in.GetLaunchTime())}
		if f == "" || strings.Contains(strings.ToLower(strings.Join([]string{r.ID, r.Name, r.State, r.Type, r.Zone,
			r.PrivateIP, r.PublicIP}, " ")), f) {
			v.Rows = append(v.Rows, r)
		}
	}
	key := sortKeys[v.Sort]
	if key == nil {
		key = sortKeys["launched"]
	}
	slices.SortStableFunc(v.Rows, func(a, b instanceRow) int {
		c := cmp.Or(strings.Compare(key(a), key(b)), strings.Compare(a.ID, b.ID))
		if v.Desc {
			return -c
		}
		return c
	})
	return v, nil
}

// instancesPage is the instances table with the last action's notice.
func (h *Handler) instancesPage(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Instances", "instances")
	v.Notice = doneNotice(r)
	h.renderInstances(w, r, http.StatusOK, v)
}

// renderInstances renders the instances page with v's messages.
func (h *Handler) renderInstances(w http.ResponseWriter, r *http.Request, status int, v view) {
	data, err := h.instanceRows(r.Context(), tableQuery(r))
	if err != nil && v.Error == nil {
		v.Error, status = errorOf(err), http.StatusInternalServerError
	}
	v.Data = data
	h.pages.render(w, r, status, "instances", v)
}

// instancesTable is the table fragment htmx polls and the filter box asks.
func (h *Handler) instancesTable(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Instances", "instances")
	data, err := h.instanceRows(r.Context(), tableQuery(r))
	if err != nil {
		v.Error = errorOf(err)
	}
	v.Data = data
	h.pages.renderTemplate(w, http.StatusOK, "instances", "table", v)
}

// instanceCalls are the state changes the table's buttons make.
var instanceCalls = map[string]func(context.Context, v1.ComputeServer, string) error{
	"start": func(ctx context.Context, c v1.ComputeServer, id string) error {
		_, err := c.StartInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}})
		return err
	},
	"stop": func(ctx context.Context, c v1.ComputeServer, id string) error {
		_, err := c.StopInstances(ctx, &v1.StopInstancesRequest{InstanceIds: []string{id}})
		return err
	},
	"reboot": func(ctx context.Context, c v1.ComputeServer, id string) error {
		_, err := c.RebootInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}})
		return err
	},
	"terminate": func(ctx context.Context, c v1.ComputeServer, id string) error {
		_, err := c.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}})
		return err
	},
}

// instanceAction starts, stops, reboots or terminates one instance; a
// failure shows the EC2 code and message above the table.
func (h *Handler) instanceAction(w http.ResponseWriter, r *http.Request) {
	id, act := r.PathValue("id"), r.PathValue("action")
	call, ok := instanceCalls[act]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := call(r.Context(), h.compute, id); err != nil {
		v := h.baseView(r, "Instances", "instances")
		v.Error = errorOf(err)
		h.renderInstances(w, r, statusOf(v.Error), v)
		return
	}
	redirectDone(w, r, "instances", act, id)
}

// instanceDetail is the detail page's data.
type instanceDetail struct {
	In        *v1.Instance
	Name      string
	Host      string
	VpcGroups []*v1.SecurityGroup // the groups of the instance's VPC
	Current   []string            // the instance's group IDs
}

// instancePage is one instance's detail page: its placement, volumes,
// security groups (which it can change), interfaces and tags, and a form
// to create an image of it.
func (h *Handler) instancePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := h.baseView(r, "Instance "+id, "instances")
	ins, err := h.describeInstances(r.Context(), id)
	if err != nil || len(ins) != 1 {
		if err == nil {
			err = ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", id)
		}
		v.Error = errorOf(err)
		h.renderInstances(w, r, statusOf(v.Error), v)
		return
	}
	in := ins[0]
	host := in.GetHostId()
	if host == "" {
		host = in.GetPlacement().GetHostId()
	}
	d := instanceDetail{In: in, Name: tagValue(in.GetTags(), "Name"), Host: host}
	for _, g := range in.GetSecurityGroups() {
		d.Current = append(d.Current, g.GetGroupId())
	}
	if vpc := in.GetVpcId(); vpc != "" {
		gs, err := h.compute.DescribeSecurityGroups(r.Context(), &v1.DescribeSecurityGroupsRequest{
			Filters: []*v1.Filter{{Name: "vpc-id", Values: []string{vpc}}}})
		if err != nil {
			v.Error = errorOf(fmt.Errorf("describe security groups: %w", err))
		}
		d.VpcGroups = gs.GetSecurityGroups()
	}
	v.Data = d
	h.pages.render(w, r, http.StatusOK, "instance", v)
}

// changeGroups replaces the instance's security groups with the detail
// page's choice (ModifyInstanceAttribute groups).
func (h *Handler) changeGroups(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := h.compute.ModifyInstanceAttribute(r.Context(), &v1.ModifyInstanceAttributeRequest{InstanceId: id,
		Groups: r.PostForm["group_ids"]})
	if err != nil {
		v := h.baseView(r, "Instances", "instances")
		v.Error = errorOf(err)
		h.renderInstances(w, r, statusOf(v.Error), v)
		return
	}
	http.Redirect(w, r, Prefix+"instances/"+url.PathEscape(id), http.StatusSeeOther)
}

// createImage makes an AMI of the instance from the detail page's form.
func (h *Handler) createImage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	res, err := h.compute.CreateImage(r.Context(), &v1.CreateImageRequest{InstanceId: id, Name: r.PostFormValue("name"),
		Description: r.PostFormValue("description"), NoReboot: r.PostFormValue("no_reboot") == "on"})
	if err != nil {
		v := h.baseView(r, "Instances", "instances")
		v.Error = errorOf(err)
		h.renderInstances(w, r, statusOf(v.Error), v)
		return
	}
	redirectDone(w, r, "images", "create image", res.GetImageId())
}
