package ctl

// The waiters, transcribed from botocore's ec2 waiters-2.json.

const (
	instanceStates = "Reservations[].Instances[].State.Name"
	instanceRows   = "Reservations[].Instances[].[InstanceId, State.Name]"
	statusRows     = "InstanceStatuses[].[InstanceId, SystemStatus.Status, InstanceStatus.Status]"
)

func pathAll(arg, want string) acceptor {
	return acceptor{state: "success", matcher: "pathAll", argument: arg, expected: want}
}

func failAny(arg, want string) acceptor {
	return acceptor{state: "failure", matcher: "pathAny", argument: arg, expected: want}
}

var waiters = []struct {
	use, short string
	spec       *waiterSpec
	flags      describeFlags
}{
	{"instance-running", "Wait until all instances are running", &waiterSpec{
		name: "InstanceRunning", op: "DescribeInstances", progress: instanceRows,
		acceptors: []acceptor{pathAll(instanceStates, "running"),
			failAny(instanceStates, "shutting-down"), failAny(instanceStates, "terminated"),
			failAny(instanceStates, "stopping"),
			{state: "retry", matcher: "error", expected: "InvalidInstanceID.NotFound"}},
	}, instancesFlags},
	{"instance-stopped", "Wait until all instances are stopped", &waiterSpec{
		name: "InstanceStopped", op: "DescribeInstances", progress: instanceRows,
		acceptors: []acceptor{pathAll(instanceStates, "stopped"),
			failAny(instanceStates, "pending"), failAny(instanceStates, "terminated")},
	}, instancesFlags},
	{"instance-terminated", "Wait until all instances are terminated", &waiterSpec{
		name: "InstanceTerminated", op: "DescribeInstances", progress: instanceRows,
		acceptors: []acceptor{pathAll(instanceStates, "terminated"),
			failAny(instanceStates, "pending"), failAny(instanceStates, "stopping")},
	}, instancesFlags},
	{"volume-available", "Wait until all volumes are available", &waiterSpec{
		name: "VolumeAvailable", op: "DescribeVolumes", progress: "Volumes[].[VolumeId, State]",
		acceptors: []acceptor{pathAll("Volumes[].State", "available"), failAny("Volumes[].State", "deleted")},
	}, volumesFlags},
	{"volume-in-use", "Wait until all volumes are in use", &waiterSpec{
		name: "VolumeInUse", op: "DescribeVolumes", progress: "Volumes[].[VolumeId, State]",
		acceptors: []acceptor{pathAll("Volumes[].State", "in-use"), failAny("Volumes[].State", "deleted")},
	}, volumesFlags},
	{"snapshot-completed", "Wait until all snapshots are completed", &waiterSpec{
		name: "SnapshotCompleted", op: "DescribeSnapshots", progress: "Snapshots[].[SnapshotId, State, Progress]",
		acceptors: []acceptor{pathAll("Snapshots[].State", "completed"), failAny("Snapshots[].State", "error")},
	}, snapshotsFlags},
	{"instance-status-ok", "Wait until all instances' status checks (the guest's) are ok", &waiterSpec{
		name: "InstanceStatusOk", op: "DescribeInstanceStatus", progress: statusRows,
		acceptors: []acceptor{pathAll("InstanceStatuses[].InstanceStatus.Status", "ok"),
			{state: "retry", matcher: "error", expected: "InvalidInstanceID.NotFound"}},
	}, instanceStatusFlags},
	{"system-status-ok", "Wait until all instances' system status checks (the host's) are ok", &waiterSpec{
		name: "SystemStatusOk", op: "DescribeInstanceStatus", progress: statusRows,
		acceptors: []acceptor{pathAll("InstanceStatuses[].SystemStatus.Status", "ok")},
	}, instanceStatusFlags},
	{"image-available", "Wait until all images are available", &waiterSpec{
		name: "ImageAvailable", op: "DescribeImages", progress: "Images[].[ImageId, State]",
		acceptors: []acceptor{pathAll("Images[].State", "available"), failAny("Images[].State", "failed")},
	}, imagesFlags},
}
