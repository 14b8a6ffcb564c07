package api

import (
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestImageAttributeChange: both request forms reach the controller as
// given, and an empty Description (clear it) stays apart from none.
func TestImageAttributeChange(t *testing.T) {
	empty := ""
	tests := []struct {
		name string
		in   *v1.ModifyImageAttributeRequest
		want controller.ImageAttributeChange
	}{
		{"lists", &v1.ModifyImageAttributeRequest{ImageId: "ami-1", LaunchPermission: &v1.LaunchPermissionModifications{
			Add: []*v1.LaunchPermission{{UserId: "222222222222"}}, Remove: []*v1.LaunchPermission{{Group: "all"}}}},
			controller.ImageAttributeChange{ImageID: "ami-1", Add: []controller.LaunchPermission{{UserID: "222222222222"}},
				Remove: []controller.LaunchPermission{{Group: "all"}}}},
		{"legacy", &v1.ModifyImageAttributeRequest{ImageId: "ami-1", Attribute: "launchPermission", OperationType: "remove",
			UserIds: []string{"222222222222"}, UserGroups: []string{"all"}, DryRun: true},
			controller.ImageAttributeChange{ImageID: "ami-1", Attribute: "launchPermission", OperationType: "remove",
				UserIDs: []string{"222222222222"}, UserGroups: []string{"all"}, DryRun: true}},
		{"clear description", &v1.ModifyImageAttributeRequest{ImageId: "ami-1", Description: &v1.AttributeValue{}},
			controller.ImageAttributeChange{ImageID: "ami-1", Description: &empty}},
		{"legacy description", &v1.ModifyImageAttributeRequest{ImageId: "ami-1", Attribute: "description", Value: "x"},
			controller.ImageAttributeChange{ImageID: "ami-1", Attribute: "description", Value: "x"}},
	}
	for _, tt := range tests {
		if got := imageAttributeChange(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
