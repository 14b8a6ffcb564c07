package ids

import "testing"

func TestNewHasEC2Shape(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New(Instance)
		if !Valid(Instance, id) || len(id) != len("i-")+17 {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		prefix, id string
		want       bool
	}{
		{Instance, "i-0123456789abcdef0", true},
		{Volume, "vol-0123456789abcdef0", true},
		{Instance, "vol-0123456789abcdef0", false},
		{Instance, "i-0123456789ABCDEF0", false},
		{Instance, "i-0123456789abcdef", false},
		{Instance, "i-0123456789abcdef01", false},
		{Image, "ami-", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.prefix, tt.id); got != tt.want {
			t.Errorf("Valid(%q, %q) = %v, want %v", tt.prefix, tt.id, got, tt.want)
		}
	}
	if Prefix("snap-0123456789abcdef0") != Snapshot || Prefix("nonsense") != "" {
		t.Error("Prefix")
	}
}

func TestPrimaryNetworkInterface(t *testing.T) {
	tests := []struct{ instance, eni, attach string }{
		{"i-0123456789abcdef0", "eni-0123456789abcdef0", "eni-attach-0123456789abcdef0"},
		{"vol-0123456789abcdef0", "", ""},
		{"i-nothex", "", ""},
	}
	for _, tt := range tests {
		if got := PrimaryNetworkInterface(tt.instance); got != tt.eni {
			t.Errorf("PrimaryNetworkInterface(%q) = %q, want %q", tt.instance, got, tt.eni)
		}
		if got := PrimaryNetworkInterfaceAttachment(tt.instance); got != tt.attach {
			t.Errorf("PrimaryNetworkInterfaceAttachment(%q) = %q, want %q", tt.instance, got, tt.attach)
		}
	}
	if eni := PrimaryNetworkInterface("i-0123456789abcdef0"); !Valid(NetworkInterface, eni) {
		t.Errorf("%s is not a valid eni- ID", eni)
	}
}

func TestDerivedIDs(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"instance of eni", InstanceOfPrimaryNetworkInterface, "eni-0123456789abcdef0", "i-0123456789abcdef0"},
		{"instance of a malformed eni", InstanceOfPrimaryNetworkInterface, "eni-xyz", ""},
		{"main route table", MainRouteTable, "vpc-0123456789abcdef0", "rtb-0123456789abcdef0"},
		{"main association", MainRouteTableAssociation, "vpc-0123456789abcdef0", "rtbassoc-0123456789abcdef0"},
		{"default acl", DefaultNetworkACL, "vpc-0123456789abcdef0", "acl-0123456789abcdef0"},
		{"acl of a subnet ID", DefaultNetworkACL, "subnet-0123456789abcdef0", ""},
		{"acl association", DefaultNetworkACLAssociation, "subnet-0123456789abcdef0", "aclassoc-0123456789abcdef0"},
		{"acl association of a vpc ID", DefaultNetworkACLAssociation, "vpc-0123456789abcdef0", ""},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	for _, id := range []string{MainRouteTable("vpc-0123456789abcdef0"), DefaultNetworkACL("vpc-0123456789abcdef0"),
		DefaultNetworkACLAssociation("subnet-0123456789abcdef0"), MainRouteTableAssociation("vpc-0123456789abcdef0")} {
		if Prefix(id) == "" {
			t.Errorf("%s is not a well-shaped ID", id)
		}
	}
}
