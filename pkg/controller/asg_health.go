package controller

import (
	"fmt"
	"time"
)

// The group's health check (HealthCheckType EC2, as AWS's): a member is
// unhealthy when its instance is stopped, or running with its system
// status check impaired (DescribeInstanceStatus: its host stopped
// reporting, or no longer runs its domain), once the grace period since
// its launch is over; at once when its subnet left the group.

// Verdicts of the group's health check on a member.
const (
	healthOK            = iota
	healthStateFailed   // terminated, stopped or stopping (EC2 health check)
	healthStatusFailed  // running, its system status check impaired (EC2 health check)
	healthSubnetRemoved // its subnet left the group
)

// unhealthy is the health check's verdict on m: AWS's EC2 health check
// after the grace period (an instance stopped, or one whose system status
// check fails: its host stopped reporting or no longer runs its domain),
// or at once when the member's subnet left the group.
func (s *Service) unhealthy(g AutoScalingGroup, m GroupMember, in Instance, hosts map[string]HostRecord) int {
	if !containsString(g.Subnets, m.SubnetID) {
		return healthSubnetRemoved
	}
	if s.now().Sub(m.LaunchTime) < time.Duration(g.HealthCheckGracePeriod)*time.Second {
		return healthOK
	}
	switch {
	case in.State == StateStopped || in.State == StateStopping:
		return healthStateFailed
	case in.State == StateRunning && s.instanceStatus(in, hosts).System.Status == StatusImpaired:
		return healthStatusFailed
	}
	return healthOK
}

// healthCause is the cause of the termination of an unhealthy member, in
// AWS's words.
func (s *Service) healthCause(g AutoScalingGroup, m GroupMember, in Instance, hosts map[string]HostRecord) string {
	at := timestamp(s.now())
	switch s.unhealthy(g, m, in, hosts) {
	case healthSubnetRemoved:
		return fmt.Sprintf("At %s an instance was taken out of service because its subnet %s is no longer one of the group's subnets.", at, m.SubnetID)
	case healthStatusFailed:
		return fmt.Sprintf("At %s an instance was taken out of service in response to an EC2 instance status checks failure (system status check impaired on host %s).", at, in.HostID)
	}
	state := in.State
	if state == "" {
		state = StateTerminated
	}
	return fmt.Sprintf("At %s an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped (state %s).", at, state)
}
