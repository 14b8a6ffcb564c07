package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// familyNames explain each instance family in the wizard.
var familyNames = map[string]string{
	"burstable":   "Burstable general purpose: a baseline share of each vCPU, with credits to burst above it",
	"general":     "General purpose: balanced vCPUs and memory",
	"compute":     "Compute optimized: more vCPUs per GiB of memory",
	"memory":      "Memory optimized: more memory per vCPU",
	"storage":     "Storage optimized: local instance-store disks",
	"accelerated": "Accelerated computing: GPUs passed through from the host",
}

// familyOrder is the order of the wizard's type groups.
var familyOrder = []string{"burstable", "general", "compute", "memory", "storage", "accelerated"}

// typeGroup is one family's instance types in the wizard.
type typeGroup struct {
	Family, Explained string
	Types             []typeChoice
}

// typeChoice is one instance type in the wizard.
type typeChoice struct{ Name, Label string }

// launchForm is what the wizard submits.
type launchForm struct {
	Name, ImageID, InstanceType, SubnetID, KeyName, UserData string
	SecurityGroupIDs                                         []string
	Count                                                    int
}

// launchView is the wizard's data: the choices and the form as filled.
type launchView struct {
	Form           launchForm
	Images         []*v1.Image
	TypeGroups     []typeGroup
	Subnets        []*v1.Subnet
	KeyPairs       []*v1.KeyPair
	SecurityGroups []*v1.SecurityGroup
	Commands       commandLines
}

// commandLines are the wizard's equivalents on the command line.
type commandLines struct{ EC2ctl, AWS string }

// readLaunchForm reads the wizard's fields from r's form.
func readLaunchForm(r *http.Request) launchForm {
	f := launchForm{Name: strings.TrimSpace(r.PostFormValue("name")), ImageID: r.PostFormValue("image_id"),
		InstanceType: r.PostFormValue("instance_type"), SubnetID: r.PostFormValue("subnet_id"),
		KeyName: r.PostFormValue("key_name"), UserData: r.PostFormValue("user_data"),
		SecurityGroupIDs: r.PostForm["security_group_ids"], Count: 1}
	if n, err := strconv.Atoi(r.PostFormValue("count")); err == nil {
		f.Count = n
	}
	return f
}

// launchPage is the wizard, with the image of ?image_id= chosen (the
// images table's launch links).
func (h *Handler) launchPage(w http.ResponseWriter, r *http.Request) {
	f := launchForm{Count: 1, ImageID: r.URL.Query().Get("image_id")}
	h.renderLaunch(w, r, http.StatusOK, h.baseView(r, "Launch instances", "launch"), f)
}

// renderLaunch renders the wizard with f filled in.
func (h *Handler) renderLaunch(w http.ResponseWriter, r *http.Request, status int, v view, f launchForm) {
	lv, err := h.launchChoices(r.Context())
	if err != nil && v.Error == nil {
		v.Error, status = errorOf(err), http.StatusInternalServerError
	}
	if f.ImageID == "" && len(lv.Images) > 0 {
		f.ImageID = lv.Images[0].GetImageId()
	}
	if f.InstanceType == "" {
		f.InstanceType = "t3.nano"
	}
	lv.Form, lv.Commands = f, h.commands(r, f)
	v.Data = lv
	h.pages.render(w, r, status, "launch", v)
}

// launchPreview answers the command-line fragment for the form so far.
func (h *Handler) launchPreview(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "", "launch")
	v.Data = launchView{Commands: h.commands(r, readLaunchForm(r))}
	h.pages.renderTemplate(w, http.StatusOK, "launch", "commands", v)
}

// launch calls RunInstances with the wizard's form.
func (h *Handler) launch(w http.ResponseWriter, r *http.Request) {
	f := readLaunchForm(r)
	res, err := h.compute.RunInstances(r.Context(), runRequest(f))
	if err != nil {
		v := h.baseView(r, "Launch instances", "launch")
		v.Error = errorOf(err)
		h.renderLaunch(w, r, statusOf(v.Error), v, f)
		return
	}
	var ids []string
	for _, in := range res.GetInstances() {
		ids = append(ids, in.GetInstanceId())
	}
	redirectDone(w, r, "instances", "launch", strings.Join(ids, ","))
}

// runRequest is the RunInstances request of f.
func runRequest(f launchForm) *v1.RunInstancesRequest {
	req := &v1.RunInstancesRequest{ImageId: f.ImageID, InstanceType: f.InstanceType, MinCount: int32(f.Count),
		MaxCount: int32(f.Count), KeyName: f.KeyName, SubnetId: f.SubnetID, SecurityGroupIds: f.SecurityGroupIDs,
		UserData: []byte(f.UserData)}
	if f.Name != "" {
		req.TagSpecifications = []*v1.TagSpecification{{ResourceType: "instance", Tags: []*v1.Tag{{Key: "Name", Value: f.Name}}}}
	}
	return req
}

// launchChoices are the images, types, subnets, key pairs and security
// groups the signed-in key may launch with.
func (h *Handler) launchChoices(ctx context.Context) (launchView, error) {
	var lv launchView
	imgs, err := h.compute.DescribeImages(ctx, &v1.DescribeImagesRequest{})
	if err != nil {
		return lv, fmt.Errorf("describe images: %w", err)
	}
	for _, im := range imgs.GetImages() {
		if im.GetState() == "available" {
			lv.Images = append(lv.Images, im)
		}
	}
	types, err := h.compute.DescribeInstanceTypes(ctx, &v1.DescribeInstanceTypesRequest{})
	if err != nil {
		return lv, fmt.Errorf("describe instance types: %w", err)
	}
	lv.TypeGroups = groupTypes(types.GetInstanceTypes())
	subs, err := h.compute.DescribeSubnets(ctx, &v1.DescribeSubnetsRequest{})
	if err != nil {
		return lv, fmt.Errorf("describe subnets: %w", err)
	}
	lv.Subnets = subs.GetSubnets()
	kps, err := h.compute.DescribeKeyPairs(ctx, &v1.DescribeKeyPairsRequest{})
	if err != nil {
		return lv, fmt.Errorf("describe key pairs: %w", err)
	}
	lv.KeyPairs = kps.GetKeyPairs()
	sgs, err := h.compute.DescribeSecurityGroups(ctx, &v1.DescribeSecurityGroupsRequest{})
	if err != nil {
		return lv, fmt.Errorf("describe security groups: %w", err)
	}
	lv.SecurityGroups = sgs.GetSecurityGroups()
	return lv, nil
}

// groupTypes sorts instance types into the wizard's families, smallest
// first.
func groupTypes(types []*v1.InstanceTypeInfo) []typeGroup {
	by := map[string][]*v1.InstanceTypeInfo{}
	for _, t := range types {
		fam := t.GetFamily()
		if t.GetBurstable() {
			fam = "burstable"
		}
		by[fam] = append(by[fam], t)
	}
	var out []typeGroup
	for _, fam := range familyOrder {
		ts := by[fam]
		if len(ts) == 0 {
			continue
		}
		slices.SortFunc(ts, func(a, b *v1.InstanceTypeInfo) int {
			if a.GetVcpus() != b.GetVcpus() {
				return int(a.GetVcpus() - b.GetVcpus())
			}
			return int(a.GetMemoryMib() - b.GetMemoryMib())
		})
		g := typeGroup{Family: fam, Explained: familyNames[fam]}
		for _, t := range ts {
			g.Types = append(g.Types, typeChoice{Name: t.GetInstanceType(), Label: typeLabel(t)})
		}
		out = append(out, g)
	}
	return out
}

// typeLabel is an instance type's option text: its size and specials.
func typeLabel(t *v1.InstanceTypeInfo) string {
	s := fmt.Sprintf("%s: %d vCPU, %d MiB", t.GetInstanceType(), t.GetVcpus(), t.GetMemoryMib())
	if t.GetBurstable() {
		s += fmt.Sprintf(", %d%% baseline", t.GetBaselinePercent())
	}
	if t.GetInstanceStoreGb() > 0 {
		s += fmt.Sprintf(", %d GB %s instance store", t.GetInstanceStoreGb(), t.GetInstanceStoreType())
	}
	if t.GetGpus() > 0 {
		s += fmt.Sprintf(", %d × %s", t.GetGpus(), t.GetGpuName())
	}
	return s
}

// commands are the ec2ctl and aws command lines that launch f.
func (h *Handler) commands(r *http.Request, f launchForm) commandLines {
	var args []string
	add := func(flag, val string) {
		if val != "" {
			args = append(args, flag, shellQuote(val))
		}
	}
	add("--image-id", f.ImageID)
	add("--instance-type", f.InstanceType)
	add("--count", strconv.Itoa(f.Count))
	add("--subnet-id", f.SubnetID)
	add("--key-name", f.KeyName)
	if f.Name != "" {
		add("--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value="+f.Name+"}]")
	}
	add("--user-data", f.UserData)
	common := strings.Join(args, " ")
	ctl, aws := "ec2ctl run-instances "+common, "aws --endpoint-url "+endpointURL(r)+" ec2 run-instances "+common
	if len(f.SecurityGroupIDs) > 0 {
		ctl += " --security-group-ids " + shellQuote(strings.Join(f.SecurityGroupIDs, ","))
		aws += " --security-group-ids"
		for _, g := range f.SecurityGroupIDs {
			aws += " " + shellQuote(g)
		}
	}
	return commandLines{EC2ctl: ctl, AWS: aws}
}

// endpointURL is the Query API's URL as the browser reached ec2d.
func endpointURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/=@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
