package imds

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// versions is what GET / lists; any date-shaped version is served like
// "latest" (cloud-init asks for e.g. /2009-04-04/meta-data/).
var versions = []string{"1.0", "2009-04-04", "2016-09-02", "2018-09-24", "2021-03-23", "latest"}

var versionRE = regexp.MustCompile(`^(latest|1\.0|\d{4}-\d{2}-\d{2})$`)

// services/ as in EC2's commercial partition (cloud-init and SDKs build
// endpoint names from them).
const (
	servicesDomain    = "amazonaws.com"
	servicesPartition = "aws"
)

const (
	textPlain   = "text/plain"
	octetStream = "application/octet-stream"
)

type file struct {
	body  []byte
	ctype string
}

// tree is one instance's metadata below a version ("meta-data/mac",
// "dynamic/instance-identity/document"): files and directory listings.
type tree struct {
	files map[string]file
	dirs  map[string][]string
}

// add puts a file at path and lists it in every parent directory; an
// empty body adds nothing (the key does not exist).
func (t *tree) add(path string, body []byte, ctype string) {
	if len(body) == 0 {
		return
	}
	t.files[path] = file{body, ctype}
	for entry := path; path != ""; {
		i := strings.LastIndexByte(path, '/')
		parent, name := path[:max(i, 0)], path[i+1:]
		if entry != path {
			name += "/"
		}
		if !slices.Contains(t.dirs[parent], name) {
			t.dirs[parent] = append(t.dirs[parent], name)
			slices.Sort(t.dirs[parent])
		}
		path = parent
	}
}

func (t *tree) text(path, value string) { t.add(path, []byte(value), textPlain) }

// buildTree lays out inst as EC2 does.
func buildTree(inst Instance) *tree {
	t := &tree{files: map[string]file{}, dirs: map[string][]string{}}
	host := hostname(inst)
	t.text("meta-data/instance-id", inst.InstanceID)
	t.text("meta-data/ami-id", inst.AMIID)
	t.text("meta-data/instance-type", inst.InstanceType)
	t.text("meta-data/local-ipv4", inst.LocalIPv4)
	t.text("meta-data/local-hostname", host)
	t.text("meta-data/hostname", host)
	t.text("meta-data/mac", inst.MAC)
	t.text("meta-data/placement/availability-zone", inst.AZ)
	t.text("meta-data/placement/region", inst.Region)
	keys := make([]string, len(inst.PublicKeys))
	for i, key := range inst.PublicKeys {
		n := strconv.Itoa(i)
		t.text("meta-data/public-keys/"+n+"/openssh-key", key)
		keys[i] = n + "=" + keyName(inst, i)
	}
	if len(keys) > 0 {
		t.dirs["meta-data/public-keys"] = keys // "0=name", not "0/"
	}
	for _, nic := range inst.Interfaces {
		addInterface(t, inst, nic)
	}
	t.text("meta-data/services/domain", servicesDomain)
	t.text("meta-data/services/partition", servicesPartition)
	t.add("user-data", inst.UserData, octetStream)
	t.text("dynamic/instance-identity/document", identityDocument(inst))
	// EC2 lists a version's top level without trailing slashes.
	for i, name := range t.dirs[""] {
		t.dirs[""][i] = strings.TrimSuffix(name, "/")
	}
	return t
}

// addInterface lays out nic below meta-data/network/interfaces/macs/, as
// EC2 does for an interface in a VPC.
func addInterface(t *tree, inst Instance, nic Interface) {
	if nic.MAC == "" {
		return
	}
	dir := "meta-data/network/interfaces/macs/" + strings.ToLower(nic.MAC) + "/"
	t.text(dir+"mac", strings.ToLower(nic.MAC))
	t.text(dir+"device-number", strconv.Itoa(nic.DeviceNumber))
	t.text(dir+"local-ipv4s", strings.Join(nic.PrivateIPv4s, "\n"))
	t.text(dir+"local-hostname", nic.Hostname)
	t.text(dir+"subnet-id", nic.SubnetID)
	t.text(dir+"owner-id", inst.AccountID)
}

func keyName(inst Instance, i int) string {
	if i == 0 && inst.KeyName != "" {
		return inst.KeyName
	}
	return "key"
}

// hostname is inst.Hostname or EC2's ip-name from the private address.
func hostname(inst Instance) string {
	if inst.Hostname != "" || inst.LocalIPv4 == "" {
		return inst.Hostname
	}
	domain := inst.Region + ".compute.internal"
	if inst.Region == "us-east-1" || inst.Region == "" {
		domain = "ec2.internal"
	}
	return "ip-" + strings.ReplaceAll(inst.LocalIPv4, ".", "-") + "." + domain
}

// serveTree answers GET/HEAD below "/" for inst: a file, a directory
// listing (with or without the trailing slash) or 404.
func (h *handler) serveTree(w http.ResponseWriter, r *http.Request, inst Instance) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	if p == "" {
		write(w, textPlain, []byte(strings.Join(versions, "\n")))
		return
	}
	version, rest, _ := strings.Cut(p, "/")
	if !versionRE.MatchString(version) {
		fail(w, http.StatusNotFound)
		return
	}
	t := buildTree(inst)
	rest = strings.TrimSuffix(rest, "/")
	if f, ok := t.files[rest]; ok {
		write(w, f.ctype, f.body)
		return
	}
	if list, ok := t.dirs[rest]; ok {
		write(w, textPlain, []byte(strings.Join(list, "\n")))
		return
	}
	fail(w, http.StatusNotFound)
}

func write(w http.ResponseWriter, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
