package ctl

import (
	"context"
	"fmt"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addInstanceCommands) }

func addInstanceCommands(root *cobra.Command, a *app) {
	root.AddCommand(newRunInstancesCmd(a), newDescribeInstancesCmd(a),
		newStartInstancesCmd(a), newStopInstancesCmd(a), newRebootInstancesCmd(a),
		newTerminateInstancesCmd(a), newGetConsoleOutputCmd(a), newConsoleCmd(a))
}

type runInstancesFlags struct {
	imageID, instanceType, count, keyName, userData, placement, clientToken string
	bdms, tagSpecs, networkInterfaces                                       []string
	dryRun, disableAPITermination, disableAPIStop                           bool
	subnetID, privateIP, metadataOptions, creditSpec                        string
	securityGroupIDs                                                        []string
	// shutdownBehavior is --instance-initiated-shutdown-behavior.
	shutdownBehavior string
	launchTemplate   string
	publicIP         publicIPFlags
}

func newRunInstancesCmd(a *app) *cobra.Command {
	var fl runInstancesFlags
	cmd := &cobra.Command{
		Use:   "run-instances",
		Short: "Launch instances (RunInstances)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := fl.request()
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "RunInstances", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.RunInstances(ctx, req)
				return docReservation(r), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.imageID, "image-id", "", "AMI to launch")
	f.StringVar(&fl.instanceType, "instance-type", "", "instance type, e.g. t3.micro (default: the smallest general-purpose type, t3.nano in the built-in catalog)")
	f.StringVar(&fl.count, "count", "1", "number of instances: N or MIN:MAX")
	f.StringVar(&fl.keyName, "key-name", "", "key pair to install")
	f.StringVar(&fl.userData, "user-data", "", "user data: literal text, file://path or fileb://path")
	f.StringVar(&fl.placement, "placement", "", "AvailabilityZone=...,GroupName=...")
	f.StringArrayVar(&fl.bdms, "block-device-mappings", nil, `JSON list, e.g. '[{"DeviceName":"/dev/sdf","Ebs":{"VolumeSize":2}}]', or file://`)
	f.StringArrayVar(&fl.tagSpecs, "tag-specifications", nil, "ResourceType=instance,Tags=[{Key=Name,Value=web}] (shorthand or JSON)")
	f.StringVar(&fl.clientToken, "client-token", "", "idempotency token")
	f.BoolVar(&fl.disableAPITermination, "disable-api-termination", false, "protect the instances from termination")
	f.BoolVar(&fl.disableAPIStop, "disable-api-stop", false, "protect the instances from being stopped")
	f.StringVar(&fl.shutdownBehavior, "instance-initiated-shutdown-behavior", "", "what a shutdown from inside the guest does: stop (default) or terminate")
	f.StringVar(&fl.subnetID, "subnet-id", "", "subnet to launch into (default: the AZ's default subnet)")
	f.StringVar(&fl.privateIP, "private-ip-address", "", "primary private IPv4 address (one instance only)")
	f.StringSliceVar(&fl.securityGroupIDs, "security-group-ids", nil, "security group IDs (default: the VPC's default group)")
	f.StringArrayVar(&fl.networkInterfaces, "network-interfaces", nil,
		"the primary interface instead of --subnet-id/--security-group-ids/--private-ip-address: DeviceIndex=0,SubnetId=subnet-...,Groups=sg-...,Description=... (shorthand or JSON)")
	f.StringVar(&fl.metadataOptions, "metadata-options", "", "HttpTokens=required,HttpEndpoint=enabled,HttpPutResponseHopLimit=1 (shorthand or JSON)")
	f.StringVar(&fl.creditSpec, "credit-specification", "", "burstable types: CpuCredits=unlimited (default) or CpuCredits=standard (shorthand or JSON)")
	f.StringVar(&fl.launchTemplate, "launch-template", "", "LaunchTemplateId=lt-...|LaunchTemplateName=...,Version=$Default: the template fills what the other flags leave out")
	fl.publicIP.add(cmd)
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "block-device-mappings", "tag-specifications", "security-group-ids", "network-interfaces")
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

func (fl *runInstancesFlags) request() (*pb.RunInstancesRequest, error) {
	minC, maxC, err := parseCount(fl.count)
	if err != nil {
		return nil, err
	}
	req := &pb.RunInstancesRequest{ImageId: fl.imageID, InstanceType: fl.instanceType,
		MinCount: minC, MaxCount: maxC, KeyName: fl.keyName, ClientToken: fl.clientToken,
		DryRun: fl.dryRun, DisableApiTermination: fl.disableAPITermination, DisableApiStop: fl.disableAPIStop,
		SubnetId: fl.subnetID, PrivateIpAddress: fl.privateIP, SecurityGroupIds: fl.securityGroupIDs,
		InstanceInitiatedShutdownBehavior: fl.shutdownBehavior}
	if fl.userData != "" {
		if req.UserData, err = readParam(fl.userData); err != nil {
			return nil, err
		}
	}
	if req.Placement, err = parsePlacement(fl.placement); err != nil {
		return nil, err
	}
	if req.BlockDeviceMappings, err = parseBlockDeviceMappings(fl.bdms); err != nil {
		return nil, err
	}
	if req.TagSpecifications, err = parseTagSpecs(fl.tagSpecs); err != nil {
		return nil, err
	}
	if req.MetadataOptions, err = parseMetadataOptions(fl.metadataOptions); err != nil {
		return nil, err
	}
	if req.CreditSpecification, err = parseCreditSpecification(fl.creditSpec); err != nil {
		return nil, err
	}
	if req.NetworkInterfaces, err = parseNetworkInterfaces(fl.networkInterfaces); err != nil {
		return nil, err
	}
	if req.LaunchTemplate, err = parseLaunchTemplateSpec(fl.launchTemplate); err != nil {
		return nil, err
	}
	if err := fl.publicIP.apply(req); err != nil {
		return nil, err
	}
	return req, nil
}

// parseLaunchTemplateSpec reads --launch-template (shorthand or JSON).
func parseLaunchTemplateSpec(raw string) (*pb.LaunchTemplateSpecification, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("launch-template", []string{raw})
	if err != nil {
		return nil, err
	}
	if len(ms) != 1 {
		return nil, fmt.Errorf("--launch-template takes one structure, not a list")
	}
	f := newFields("LaunchTemplateSpecification", ms[0], "LaunchTemplateId", "LaunchTemplateName", "Version")
	return &pb.LaunchTemplateSpecification{LaunchTemplateId: f.str("LaunchTemplateId"),
		LaunchTemplateName: f.str("LaunchTemplateName"), Version: f.str("Version")}, f.err
}

// parseCreditSpecification reads --credit-specification CpuCredits=standard
// (shorthand or JSON).
func parseCreditSpecification(raw string) (*pb.CreditSpecificationRequest, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("credit-specification", []string{raw})
	if err != nil || len(ms) != 1 {
		return nil, err
	}
	f := newFields("CreditSpecificationRequest", ms[0], "CpuCredits")
	return &pb.CreditSpecificationRequest{CpuCredits: f.str("CpuCredits")}, f.err
}

func addDryRun(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "dry-run", false, "check permissions and parameters without making the change")
}
