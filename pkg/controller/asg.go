package controller

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Auto Scaling groups (AWS Auto Scaling, API 2011-01-01): an account's
// group keeps DesiredCapacity instances of a launch template running,
// spread over the zones of its subnets. The API calls (asg_api.go) only
// record what is wanted; the reconciler's sweep (asg_reconcile.go) launches
// and terminates, each as a scaling activity recorded before it acts, so a
// restart finishes what it started instead of doing it twice.

// Store key prefixes of Auto Scaling.
const (
	prefixASG         = "/asgs/"          // + account/name → AutoScalingGroup
	prefixASGActivity = "/asgactivities/" // + account/name/start (19 digits)/ID → ScalingActivity
)

// Lifecycle states and health of a group's instances (AWS's names).
const (
	LifecyclePending     = "Pending"
	LifecycleInService   = "InService"
	LifecycleTerminating = "Terminating"
	HealthHealthy        = "Healthy"
	HealthUnhealthy      = "Unhealthy"
)

// Status codes of scaling activities.
const (
	ActivityInProgress = "InProgress"
	ActivitySuccessful = "Successful"
	ActivityFailed     = "Failed"
)

// AutoScalingGroup is the record of one account's group.
type AutoScalingGroup struct {
	Name        string    `json:"name"`
	Owner       string    `json:"owner"`
	ARN         string    `json:"arn"`
	CreatedTime time.Time `json:"created_time"`
	// LaunchTemplate names the template by ID (the name is read back for
	// answers) and the version as given: a number, $Latest or $Default.
	LaunchTemplate LaunchTemplateSpec `json:"launch_template"`
	MinSize        int                `json:"min_size"`
	MaxSize        int                `json:"max_size"`
	Desired        int                `json:"desired"`
	// DesiredCause says what last set Desired (the start of the causes of
	// the activities it leads to).
	DesiredCause    string `json:"desired_cause,omitempty"`
	DefaultCooldown int    `json:"default_cooldown"`
	// Subnets is VPCZoneIdentifier in the order given; Zones their zones,
	// sorted.
	Subnets                []string      `json:"subnets"`
	Zones                  []string      `json:"zones"`
	HealthCheckType        string        `json:"health_check_type"`
	HealthCheckGracePeriod int           `json:"health_check_grace_period"`
	Tags                   []GroupTag    `json:"tags,omitempty"`
	TerminationPolicies    []string      `json:"termination_policies"`
	Instances              []GroupMember `json:"instances,omitempty"`
	// Deleting: a ForceDelete is under way; the group goes once its
	// instances are gone.
	Deleting bool `json:"deleting,omitempty"`
	// Launch is the launch in flight: recorded, with its activity, before
	// RunInstances is called with the activity's client token.
	Launch *pendingLaunch `json:"launch,omitempty"`
	// Failures counts launches that failed in a row; none is tried again
	// before RetryAt.
	Failures int       `json:"failures,omitempty"`
	RetryAt  time.Time `json:"retry_at,omitzero"`
}

// GroupTag is a tag of a group; PropagateAtLaunch copies it to the
// instances the group launches.
type GroupTag struct {
	Key               string `json:"key"`
	Value             string `json:"value"`
	PropagateAtLaunch bool   `json:"propagate_at_launch,omitempty"`
}

// GroupMember is an instance of a group.
type GroupMember struct {
	ID       string `json:"id"`
	AZ       string `json:"az"`
	SubnetID string `json:"subnet_id"`
	Type     string `json:"type"`
	ImageID  string `json:"image_id,omitempty"`
	// LaunchTemplate is the group's template as it launched the instance
	// (version as given); TemplateVersion the number it resolved to.
	LaunchTemplate  LaunchTemplateSpec `json:"launch_template"`
	TemplateVersion int64              `json:"template_version"`
	LifecycleState  string             `json:"lifecycle_state"`
	HealthStatus    string             `json:"health_status"`
	LaunchTime      time.Time          `json:"launch_time"`
	// Activity is the termination activity of a Terminating member.
	Activity string `json:"activity,omitempty"`
}

// pendingLaunch is a launch recorded before it is made.
type pendingLaunch struct {
	Activity string     `json:"activity"`
	Request  RunRequest `json:"request"`
	AZ       string     `json:"az"`
	Version  int64      `json:"version"`
}

// ScalingActivity is one launch or termination of a group.
type ScalingActivity struct {
	ID            string    `json:"id"`
	Owner         string    `json:"owner"`
	Group         string    `json:"group"`
	GroupARN      string    `json:"group_arn"`
	Description   string    `json:"description"`
	Cause         string    `json:"cause"`
	StartTime     time.Time `json:"start_time"`
	EndTime       time.Time `json:"end_time,omitzero"`
	StatusCode    string    `json:"status_code"`
	StatusMessage string    `json:"status_message,omitempty"`
	Progress      int       `json:"progress"`
	Details       string    `json:"details,omitempty"`
}

// TagGroupName is the tag AWS puts on every instance a group launches.
const TagGroupName = "aws:autoscaling:groupName"

func asgKey(acct, name string) string { return prefixASG + acct + "/" + name }

// activityPrefix holds the activities of acct's group name: the name is
// escaped, since a group name may hold "/" (group "web" must not list
// "web/blue"'s activities, nor delete them with its own).
func activityPrefix(acct, name string) string {
	return prefixASGActivity + acct + "/" + url.PathEscape(name) + "/"
}

func activityKey(a ScalingActivity) string {
	return fmt.Sprintf("%s%019d/%s", activityPrefix(a.Owner, a.Group), a.StartTime.UnixNano(), a.ID)
}

// newUUID is a random (version 4) UUID, as AWS's group and activity IDs.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *Service) groupARN(acct, name string) string {
	return fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s", s.cfg.Region, acct, newUUID(), name)
}

// asgHooks registers the groups' sweep.
func (s *Service) asgHooks(h *hooks) {
	h.sweep("auto-scaling-groups", s.reconcileGroups)
}

// ownASG reads the caller's group name.
func (s *Service) ownASG(ctx context.Context, acct, name string) (AutoScalingGroup, int64, error) {
	if name == "" {
		return AutoScalingGroup{}, 0, missingASGParam("autoScalingGroupName")
	}
	g, rev, err := store.GetJSON[AutoScalingGroup](ctx, s.st, asgKey(acct, name))
	if err != nil {
		return AutoScalingGroup{}, 0, groupNotFound(name)
	}
	return g, rev, nil
}

func groupNotFound(name string) error {
	return ec2err.New(ec2err.ValidationError, "AutoScalingGroup name not found - AutoScalingGroup '%s' not found", name)
}

// missingASGParam is AWS's answer for a required parameter left out.
func missingASGParam(field string) error {
	return ec2err.New(ec2err.ValidationError,
		"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

// asAccount is ctx acting for acct (the sweep launches and terminates as
// the group's owner, through the same calls as the owner's own requests).
func asAccount(ctx context.Context, acct string) context.Context {
	return auth.WithKey(ctx, auth.Key{AccessKeyID: "autoscaling", AccountID: acct})
}

// active are the members not on their way out.
func (g AutoScalingGroup) active() []GroupMember {
	var out []GroupMember
	for _, m := range g.Instances {
		if m.LifecycleState != LifecycleTerminating {
			out = append(out, m)
		}
	}
	return out
}

// member is the index of instance id in g (-1: none).
func (g AutoScalingGroup) member(id string) int {
	for i, m := range g.Instances {
		if m.ID == id {
			return i
		}
	}
	return -1
}

// timestamp formats t as the activities' causes do.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
