package controller

import (
	"fmt"
	"sync"
	"time"
)

// The group's health check (HealthCheckType EC2, as AWS's): a member is
// unhealthy when its instance is stopped, or running with its system
// status check impaired (DescribeInstanceStatus: its host stopped
// reporting, or no longer runs its domain), once the grace period since
// its launch is over; at once when its subnet left the group. An impaired
// status counts only once it has lasted impairedFor, counted from when
// this process first judged a member at the earliest: hosts look silent
// after an ec2d restart until their agents reconnect, and a blip of missed
// heartbeats must not replace a fleet.

// healthWatch remembers when this process first ran the health check.
type healthWatch struct {
	once  sync.Once
	since time.Time
}

// impairedFor is how long a member's system status check must have failed
// before the group replaces it: four heartbeat timeouts, at least a minute.
func (s *Service) impairedFor() time.Duration {
	return max(4*s.cfg.HeartbeatTimeout.Duration, time.Minute)
}

// impairedLongEnough reports whether a check impaired since `since` (zero:
// unknown) has failed for impairedFor, counting from the first health
// check of this process at the earliest.
func (s *Service) impairedLongEnough(since time.Time) bool {
	from := since
	if from.Before(s.asgHealth.since) {
		from = s.asgHealth.since
	}
	return s.now().Sub(from) >= s.impairedFor()
}

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
	s.asgHealth.once.Do(func() { s.asgHealth.since = s.now() })
	if !containsString(g.Subnets, m.SubnetID) {
		return healthSubnetRemoved
	}
	if s.now().Sub(m.LaunchTime) < time.Duration(g.HealthCheckGracePeriod)*time.Second {
		return healthOK
	}
	switch {
	case in.State == StateStopped || in.State == StateStopping:
		return healthStateFailed
	case in.State == StateRunning:
		if sys := s.instanceStatus(in, hosts).System; sys.Status == StatusImpaired && s.impairedLongEnough(sys.ImpairedSince) {
			return healthStatusFailed
		}
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
