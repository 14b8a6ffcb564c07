// Package vpcdns is the Amazon-provided DNS server of ec2lab's VPCs: a
// small authoritative responder (github.com/miekg/dns) for one VPC's
// internal zone, served by the agent on every subnet bridge at
// 169.254.169.253 and at the VPC's base address + 2.
//
// It answers A queries for the instances' private DNS names
// (ip-10-0-0-5.<region>.compute.internal, ec2.internal in us-east-1) and
// PTR queries for their addresses, NXDOMAIN for other names in the zone
// and for unknown addresses of the VPC, and REFUSED for everything else:
// guests have no route out, so nothing is ever forwarded or recursed. While
// the VPC's enableDnsSupport is off it does not answer at all, as EC2's
// resolver does not; while enableDnsHostnames is off the instances' names
// and addresses are NXDOMAIN (EC2 resolves them only with both on).
//
// The Lookup a Handler is built with is read on every query, so a changed
// zone (ModifyVpcAttribute, a launched or terminated instance) applies to
// the next query without restarting anything. A Handler serves one bridge:
// the agent binds each listener to its bridge (SO_BINDTODEVICE), so two
// VPCs that reuse a CIDR, and so the same base + 2 address, each get their
// own zone's answers.
package vpcdns
