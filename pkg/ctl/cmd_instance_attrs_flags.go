package ctl

import (
	"encoding/base64"
	"fmt"
	"strings"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// modifyInstanceAttrFlags are modify-instance-attribute's flags as given.
type modifyInstanceAttrFlags struct {
	instanceID, attribute, value string
	// text holds the structure flags (Value=string), by flag name.
	text   map[string]*string
	groups []string
	bdms   []string
	dryRun bool
}

// textFlags are the AttributeValue members and their flags.
var textFlags = []struct{ flag, help string }{
	{"instance-type", "Value=t3.small (the instance must be stopped)"},
	{"instance-initiated-shutdown-behavior", "Value=stop or Value=terminate"},
	{"user-data", "Value=<base64>, or file://path / fileb://path with the raw user data (stopped instances only)"},
	{"kernel", "Value=string (refused: instances boot their image's kernel)"},
	{"ramdisk", "Value=string (refused: instances boot their image's ramdisk)"},
	{"sriov-net-support", "Value=simple (refused: virtio interfaces)"},
}

// boolFlags are the AttributeBooleanValue members: --x and --no-x.
var boolFlags = []string{"disable-api-termination", "disable-api-stop", "source-dest-check", "ebs-optimized", "ena-support"}

func (fl *modifyInstanceAttrFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&fl.instanceID, "instance-id", "", "the instance")
	f.StringVar(&fl.attribute, "attribute", "", "the attribute to set with --value: "+strings.Join(instanceAttributeNames, ", "))
	f.StringVar(&fl.value, "value", "", "the new value of --attribute (userData base64-encoded)")
	fl.text = map[string]*string{}
	for _, t := range textFlags {
		fl.text[t.flag] = f.String(t.flag, "", t.help)
	}
	for _, b := range boolFlags {
		f.Bool(b, false, "set "+b)
		f.Bool("no-"+b, false, "clear "+b)
	}
	f.StringSliceVar(&fl.groups, "groups", nil, "security group IDs, replacing the instance's")
	f.StringArrayVar(&fl.bdms, "block-device-mappings", nil,
		"DeviceName=/dev/sda1,Ebs={DeleteOnTermination=false} (shorthand or JSON)")
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "groups", "block-device-mappings")
	_ = cmd.RegisterFlagCompletionFunc("attribute", cobra.FixedCompletions(instanceAttributeNames, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("instance-initiated-shutdown-behavior",
		cobra.FixedCompletions([]string{"Value=stop", "Value=terminate"}, cobra.ShellCompDirectiveNoFileComp))
}

// request builds ModifyInstanceAttribute from the flags given; the
// service holds the call to one attribute.
func (fl *modifyInstanceAttrFlags) request(cmd *cobra.Command) (*pb.ModifyInstanceAttributeRequest, error) {
	if fl.instanceID == "" {
		return nil, usageErrorf("the following arguments are required: --instance-id")
	}
	req := &pb.ModifyInstanceAttributeRequest{InstanceId: fl.instanceID, Attribute: fl.attribute,
		Groups: fl.groups, DryRun: fl.dryRun}
	if cmd.Flags().Changed("value") {
		req.Value = &fl.value
	}
	if err := fl.textMembers(cmd, req); err != nil {
		return nil, &usageError{err}
	}
	if err := boolMembers(cmd, req); err != nil {
		return nil, err
	}
	bdms, err := parseInstanceBDMs(fl.bdms)
	if err != nil {
		return nil, &usageError{err}
	}
	req.BlockDeviceMappings = bdms
	return req, nil
}

// textMembers reads the structure flags given.
func (fl *modifyInstanceAttrFlags) textMembers(cmd *cobra.Command, req *pb.ModifyInstanceAttributeRequest) error {
	for _, t := range textFlags {
		if !cmd.Flags().Changed(t.flag) {
			continue
		}
		raw := *fl.text[t.flag]
		if t.flag == "user-data" {
			ud, err := parseUserDataValue(raw)
			req.UserData = ud
			if err != nil {
				return err
			}
			continue
		}
		v, err := parseAttrValue(t.flag, raw)
		if err != nil {
			return err
		}
		switch t.flag {
		case "instance-type":
			req.InstanceType = v
		case "instance-initiated-shutdown-behavior":
			req.InstanceInitiatedShutdownBehavior = v
		case "kernel":
			req.Kernel = v
		case "ramdisk":
			req.Ramdisk = v
		case "sriov-net-support":
			req.SriovNetSupport = v
		}
	}
	return nil
}

// parseAttrValue reads Value=string or {"Value": "string"}; a bare value
// (no "=", not JSON) is taken as the Value.
func parseAttrValue(flag, raw string) (*pb.AttributeValue, error) {
	if s := strings.TrimSpace(raw); !strings.Contains(s, "=") && !strings.HasPrefix(s, "{") &&
		!strings.HasPrefix(s, "file://") {
		return &pb.AttributeValue{Value: s}, nil
	}
	m, err := oneStruct(flag, raw, "one structure Value=string")
	if err != nil {
		return nil, err
	}
	f := newFields("AttributeValue", m, "Value")
	v := &pb.AttributeValue{Value: f.str("Value")}
	return v, f.err
}

// parseUserDataValue reads --user-data: Value=<base64> (or JSON), as the
// aws CLI takes a blob; file:// and fileb:// give the raw user data.
func parseUserDataValue(raw string) (*pb.BlobAttributeValue, error) {
	if strings.HasPrefix(raw, "file://") || strings.HasPrefix(raw, "fileb://") {
		b, err := readParam(raw)
		return &pb.BlobAttributeValue{Value: b}, err
	}
	m, err := oneStruct("user-data", raw, "one structure Value=<base64>")
	if err != nil {
		return nil, err
	}
	f := newFields("BlobAttributeValue", m, "Value")
	s := f.str("Value")
	if f.err != nil {
		return nil, f.err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("error parsing parameter '--user-data': Value is not valid base64: %w", err)
	}
	return &pb.BlobAttributeValue{Value: b}, nil
}

// boolMembers reads the --x / --no-x pairs given.
func boolMembers(cmd *cobra.Command, req *pb.ModifyInstanceAttributeRequest) error {
	for _, name := range boolFlags {
		set, unset := cmd.Flags().Changed(name), cmd.Flags().Changed("no-"+name)
		if set && unset {
			return usageErrorf("cannot specify both --%s and --no-%s", name, name)
		}
		if !set && !unset {
			continue
		}
		v := &pb.AttributeBooleanValue{Value: set}
		switch name {
		case "disable-api-termination":
			req.DisableApiTermination = v
		case "disable-api-stop":
			req.DisableApiStop = v
		case "source-dest-check":
			req.SourceDestCheck = v
		case "ebs-optimized":
			req.EbsOptimized = v
		case "ena-support":
			req.EnaSupport = v
		}
	}
	return nil
}

// parseInstanceBDMs reads --block-device-mappings of
// InstanceBlockDeviceMappingSpecification.
func parseInstanceBDMs(raws []string) ([]*pb.InstanceBlockDeviceMappingSpecification, error) {
	ms, err := structList("block-device-mappings", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.InstanceBlockDeviceMappingSpecification
	for _, m := range ms {
		f := newFields("InstanceBlockDeviceMappingSpecification", m, "DeviceName", "Ebs", "VirtualName", "NoDevice")
		spec := &pb.InstanceBlockDeviceMappingSpecification{DeviceName: f.str("DeviceName"), VirtualName: f.str("VirtualName")}
		_, spec.NoDevice = m["NoDevice"]
		if ebs := f.sub("Ebs"); ebs != nil {
			e := newFields("EbsInstanceBlockDeviceSpecification", ebs, "VolumeId", "DeleteOnTermination")
			spec.Ebs = &pb.EbsInstanceBlockDeviceSpecification{VolumeId: e.str("VolumeId"),
				DeleteOnTermination: e.boolPtr("DeleteOnTermination")}
			if e.err != nil {
				return nil, e.err
			}
		}
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, spec)
	}
	return out, nil
}
