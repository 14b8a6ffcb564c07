package controller

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// InstanceAttributeChange is ModifyInstanceAttribute's input: exactly one
// attribute, either as Attribute and Value (EC2's legacy form) or as one
// of the structured members (nil or empty: not given).
type InstanceAttributeChange struct {
	InstanceID string
	Attribute  string
	Value      *string
	// Text members: instanceType, kernel, ramdisk,
	// instanceInitiatedShutdownBehavior, sriovNetSupport.
	InstanceType, Kernel, Ramdisk, ShutdownBehavior, SriovNetSupport *string
	// UserData is the new user data (decoded).
	UserData *[]byte
	// Boolean members.
	DisableAPITermination, DisableAPIStop, SourceDestCheck, EbsOptimized, EnaSupport *bool
	// Groups are the new security group IDs (groupSet).
	Groups []string
	// BlockDevices change DeleteOnTermination of attached volumes.
	BlockDevices []DeviceChange
	DryRun       bool
}

// DeviceChange is one BlockDeviceMapping of ModifyInstanceAttribute.
type DeviceChange struct {
	DeviceName, VolumeID string
	// DeleteOnTermination: nil reads as true, as EC2 reads it.
	DeleteOnTermination *bool
	// VirtualName and NoDevice would add or suppress devices, which EC2
	// allows at launch only.
	VirtualName string
	NoDevice    bool
}

// attrEdit is the one attribute a change sets, normalised: text, flag,
// data, groups or devices, by attribute.
type attrEdit struct {
	name    string
	text    string
	flag    bool
	data    []byte
	groups  []string
	devices []DeviceChange
	refs    []GroupRef // groups, resolved (prepareEdit)
	credits string     // a new type's CPU credit mode (prepareEdit)
}

// given lists the attributes c's structured members set, with their edit.
func (c InstanceAttributeChange) given() []attrEdit {
	var out []attrEdit
	texts := []struct {
		name string
		v    *string
	}{{"instanceType", c.InstanceType}, {"kernel", c.Kernel}, {"ramdisk", c.Ramdisk},
		{"instanceInitiatedShutdownBehavior", c.ShutdownBehavior}, {"sriovNetSupport", c.SriovNetSupport}}
	for _, t := range texts {
		if t.v != nil {
			out = append(out, attrEdit{name: t.name, text: *t.v})
		}
	}
	flags := []struct {
		name string
		v    *bool
	}{{"disableApiTermination", c.DisableAPITermination}, {"disableApiStop", c.DisableAPIStop},
		{"sourceDestCheck", c.SourceDestCheck}, {"ebsOptimized", c.EbsOptimized}, {"enaSupport", c.EnaSupport}}
	for _, f := range flags {
		if f.v != nil {
			out = append(out, attrEdit{name: f.name, flag: *f.v})
		}
	}
	if c.UserData != nil {
		out = append(out, attrEdit{name: "userData", data: *c.UserData})
	}
	if len(c.Groups) > 0 {
		out = append(out, attrEdit{name: "groupSet", groups: c.Groups})
	}
	if len(c.BlockDevices) > 0 {
		out = append(out, attrEdit{name: "blockDeviceMapping", devices: c.BlockDevices})
	}
	return out
}

// edit is the one attribute c changes: EC2 takes exactly one per call.
func (c InstanceAttributeChange) edit() (attrEdit, error) {
	given := c.given()
	if c.Attribute == "" && c.Value != nil {
		return attrEdit{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter attribute")
	}
	if c.Attribute != "" {
		e, err := c.attributeForm(given)
		if err != nil {
			return attrEdit{}, err
		}
		given = []attrEdit{e}
	}
	switch len(given) {
	case 0:
		return attrEdit{}, ec2err.New(ec2err.InvalidParameterCombination, "No attributes specified.")
	case 1:
		return given[0], nil
	}
	names := make([]string, len(given))
	for i, e := range given {
		names[i] = e.name
	}
	return attrEdit{}, ec2err.New(ec2err.InvalidParameterCombination,
		"Fields for multiple attribute types specified: %s", strings.Join(names, ", "))
}

// attributeForm reads Attribute and Value. groupSet and blockDeviceMapping
// take their own members (GroupId.N, BlockDeviceMapping.N) instead of a
// Value; any other structured member alongside is a second attribute.
func (c InstanceAttributeChange) attributeForm(given []attrEdit) (attrEdit, error) {
	if !contains(InstanceAttributeNames, c.Attribute) {
		return attrEdit{}, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Unknown attribute.", c.Attribute)
	}
	if c.Attribute == "groupSet" || c.Attribute == "blockDeviceMapping" {
		if len(given) == 1 && given[0].name == c.Attribute && c.Value == nil {
			return given[0], nil
		}
		return attrEdit{}, ec2err.New(ec2err.InvalidParameterCombination,
			"Attribute %s takes %s and no Value", c.Attribute, map[string]string{"groupSet": "GroupId.N",
				"blockDeviceMapping": "BlockDeviceMapping.N"}[c.Attribute])
	}
	if len(given) > 0 {
		return attrEdit{}, ec2err.New(ec2err.InvalidParameterCombination,
			"Fields for multiple attribute types specified: %s, %s", c.Attribute, given[0].name)
	}
	if c.Value == nil {
		return attrEdit{}, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter value")
	}
	return valueEdit(c.Attribute, *c.Value)
}

// valueEdit reads Value for attribute name: booleans as true or false,
// userData base64-encoded (as UserData.Value travels).
func valueEdit(name, v string) (attrEdit, error) {
	e := attrEdit{name: name, text: v}
	switch name {
	case "disableApiTermination", "disableApiStop", "sourceDestCheck", "ebsOptimized", "enaSupport":
		switch strings.ToLower(v) {
		case "true":
			e.flag = true
		case "false":
		default:
			return attrEdit{}, ec2err.New(ec2err.InvalidParameterValue,
				"Value (%s) for parameter %s is invalid. Expected 'true' or 'false'.", v, name)
		}
	case "userData":
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return attrEdit{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid BASE64 encoding of user data")
		}
		e.data = b
	}
	return e, nil
}

// ModifyInstanceAttribute changes one attribute of one of the caller's
// instances, under EC2's rules (instance_modify_rules.go), and makes it
// take effect: groups reach the hosts' firewalls at once, type and user
// data the domain defined at the next start.
func (s *Service) ModifyInstanceAttribute(ctx context.Context, c InstanceAttributeChange) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	e, err := c.edit()
	if err != nil {
		return err
	}
	in, err := s.instance(ctx, c.InstanceID)
	if err != nil {
		return err
	}
	if err := s.prepareEdit(ctx, acct, in, &e); err != nil {
		return err
	}
	if err := checkEdit(in, e); err != nil {
		return err
	}
	if c.DryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
		if err := checkEdit(*r, e); err != nil {
			return err
		}
		applyEdit(r, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("modify %s of %s: %w", e.name, in.ID, err)
	}
	s.log.Info("instance attribute modified", "instance", in.ID, "attribute", e.name)
	s.editTakesEffect(ctx, in, e)
	return nil
}

// editTakesEffect carries a recorded change beyond the instance's record.
func (s *Service) editTakesEffect(ctx context.Context, in Instance, e attrEdit) {
	switch e.name {
	case "groupSet", "sourceDestCheck":
		s.firewallChanged(ctx)
	case "blockDeviceMapping":
		s.mirrorDeleteOnTermination(ctx, in, e.devices)
	}
}
