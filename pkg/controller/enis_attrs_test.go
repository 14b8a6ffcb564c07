package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestModifyNetworkInterfaceAttributeRefusals: bad input answers EC2's
// code and changes nothing; a description is recorded on the instance.
func TestModifyNetworkInterfaceAttributeRefusals(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192}).wired(t)
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	eni := ids.PrimaryNetworkInterface(id)
	before := r.get(t, id)
	no, desc := false, "web"
	for _, tc := range []struct {
		name string
		c    NetworkInterfaceChange
		want string
	}{
		{"nothing", NetworkInterfaceChange{NetworkInterfaceID: eni}, ec2err.MissingParameter},
		{"two", NetworkInterfaceChange{NetworkInterfaceID: eni, Description: &desc, SourceDestCheck: &no}, ec2err.InvalidParameterCombination},
		{"unknown", NetworkInterfaceChange{NetworkInterfaceID: "eni-00000000000000000", Description: &desc}, ec2err.InvalidNetworkInterfaceIDNotFound},
		{"attachment", NetworkInterfaceChange{NetworkInterfaceID: eni, Attachment: &InterfaceAttachmentChange{AttachmentID: "eni-attach-00000000000000000"}},
			ec2err.InvalidAttachmentIDNotFound},
		{"keep", NetworkInterfaceChange{NetworkInterfaceID: eni, Attachment: &InterfaceAttachmentChange{
			AttachmentID: ids.PrimaryNetworkInterfaceAttachment(id), DeleteOnTermination: &no}}, ec2err.UnsupportedOperation},
		{"group", NetworkInterfaceChange{NetworkInterfaceID: eni, Groups: []string{"sg-00000000000000000"}}, ec2err.InvalidGroupNotFound},
	} {
		if got := errCode(r.svc.ModifyNetworkInterfaceAttribute(ctxFor(acct1), tc.c)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if after := r.get(t, id); after.ENIDescription != before.ENIDescription || after.SourceDestCheckOff != before.SourceDestCheckOff {
		t.Errorf("a refused change changed the instance: %+v", after)
	}
	if err := r.svc.ModifyNetworkInterfaceAttribute(ctxFor(acct1), NetworkInterfaceChange{NetworkInterfaceID: eni, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if got := r.get(t, id).NetworkInterfaces()[0].Description; got != desc {
		t.Errorf("description %q", got)
	}
}
