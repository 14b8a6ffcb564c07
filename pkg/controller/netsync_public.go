package controller

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/host"
)

// publicIPs maps an instance ID to the public address its host answers
// for it (host.SubnetNIC.PublicIP): the Elastic IP or auto-assigned
// address of its primary private address, while the instance is pending
// or running in a subnet whose route table sends 0.0.0.0/0 to an attached
// internet gateway (public: the public subnets, subnetRoutes.public).
// Without the route, the gateway or a running instance no host holds the
// address.
func (s *Service) publicIPs(ctx context.Context, insts []*Instance, public map[string]bool) (map[string]string, error) {
	eips, err := s.elasticIPsByInstance(ctx)
	if err != nil || len(eips) == 0 {
		return nil, err
	}
	out := map[string]string{}
	for _, in := range insts {
		if pub := eips[in.ID][in.PrivateIP]; pub != "" && public[in.SubnetID] && (in.State == StateRunning || in.State == StatePending) {
			out[in.ID] = pub
		}
	}
	return out, nil
}

// subnetACLs are the subnets' network ACLs as the hosts enforce them
// (host.SubnetACL), by subnet ID.
func (s *Service) subnetACLs(ctx context.Context) (map[string]*host.SubnetACL, error) {
	bySubnet, err := s.networkACLBySubnet(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*host.SubnetACL, len(bySubnet))
	for id, entries := range bySubnet {
		acl := &host.SubnetACL{Ingress: []host.ACLRule{}, Egress: []host.ACLRule{}}
		for _, e := range entries {
			r, err := hostACLRule(e)
			if err != nil {
				return nil, fmt.Errorf("network ACL of %s: %w", id, err)
			}
			if e.Egress {
				acl.Egress = append(acl.Egress, r)
			} else {
				acl.Ingress = append(acl.Ingress, r)
			}
		}
		out[id] = acl
	}
	return out, nil
}

// hostACLRule is one entry as the data plane takes it.
func hostACLRule(e ACLEntry) (host.ACLRule, error) {
	proto, err := strconv.Atoi(e.Protocol)
	if err != nil {
		return host.ACLRule{}, fmt.Errorf("rule %d: protocol %q", e.RuleNumber, e.Protocol)
	}
	r := host.ACLRule{Number: e.RuleNumber, Allow: e.RuleAction == ACLAllow, Protocol: proto, CIDR: e.CIDR,
		ICMPType: -1, ICMPCode: -1}
	if e.HasPorts() {
		r.PortFrom, r.PortTo = e.PortFrom, e.PortTo
	}
	if e.HasIcmp() {
		r.ICMPType, r.ICMPCode = e.IcmpType, e.IcmpCode
	}
	return r, nil
}
