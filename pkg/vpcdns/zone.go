package vpcdns

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// LinkLocalAddr is the Amazon DNS server's address in every VPC.
var LinkLocalAddr = netip.MustParseAddr("169.254.169.253")

// Port is the DNS port.
const Port = 53

// TTL is the time to live of the answers, in seconds.
const TTL = 60

// Zone is what one VPC's resolver knows.
type Zone struct {
	// Support is the VPC's enableDnsSupport: off, nothing is answered.
	Support bool
	// Hostnames is the VPC's enableDnsHostnames: off, the instances' names
	// and addresses do not resolve (NXDOMAIN), as EC2's server "cannot
	// resolve Amazon-provided private DNS hostnames" unless both are on.
	Hostnames bool
	// Domain is the zone's suffix (lab-1.compute.internal), without a
	// trailing dot.
	Domain string
	// CIDRs are the VPC's IPv4 blocks: the reverse names it answers for.
	CIDRs []netip.Prefix
	// Hosts maps the instances' names (lower case, no trailing dot) to
	// their private addresses.
	Hosts map[string]netip.Addr
}

// Lookup returns the zone of the bridge a Handler serves; ok is false when
// the bridge has none (nothing is answered).
type Lookup func() (z Zone, ok bool)

// Answer is zone z's reply to req, or nil when z does not answer it (DNS
// support is off).
func Answer(z Zone, req *dns.Msg) *dns.Msg {
	if !z.Support {
		return nil
	}
	resp := new(dns.Msg)
	if req.Opcode != dns.OpcodeQuery {
		return resp.SetRcode(req, dns.RcodeNotImplemented)
	}
	if len(req.Question) != 1 {
		return resp.SetRcode(req, dns.RcodeFormatError)
	}
	resp.SetReply(req)
	resp.RecursionAvailable = false
	q := req.Question[0]
	name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
	switch {
	case q.Qclass != dns.ClassINET:
		resp.Rcode = dns.RcodeRefused
	case z.inForward(name):
		z.answerForward(resp, q, name)
	case z.inReverse(name):
		z.answerReverse(resp, q, name)
	default:
		resp.Rcode = dns.RcodeRefused
	}
	return resp
}

func (z Zone) inForward(name string) bool {
	d := strings.ToLower(z.Domain)
	return d != "" && (name == d || strings.HasSuffix(name, "."+d))
}

// inReverse reports whether name is the reverse name of an address of
// one of the VPC's blocks.
func (z Zone) inReverse(name string) bool {
	a, ok := reverseAddr(name)
	if !ok {
		return false
	}
	for _, p := range z.CIDRs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// answerForward answers a name of the zone: the instance's A record,
// no data for other types, NXDOMAIN for a name no instance has.
func (z Zone) answerForward(resp *dns.Msg, q dns.Question, name string) {
	resp.Authoritative = true
	a, ok := z.Hosts[name]
	ok = ok && z.Hostnames
	switch {
	case name == strings.ToLower(z.Domain):
		if q.Qtype == dns.TypeSOA {
			resp.Answer = append(resp.Answer, z.soa())
			return
		}
	case !ok:
		resp.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY:
		resp.Answer = append(resp.Answer, &dns.A{Hdr: header(q.Name, dns.TypeA), A: a.AsSlice()})
		return
	}
	resp.Ns = append(resp.Ns, z.soa())
}

// answerReverse answers an address of the VPC: the PTR of the instance
// holding it, NXDOMAIN for an address no instance holds.
func (z Zone) answerReverse(resp *dns.Msg, q dns.Question, name string) {
	resp.Authoritative = true
	a, _ := reverseAddr(name)
	host, ok := z.hostOf(a)
	ok = ok && z.Hostnames
	switch {
	case !ok:
		resp.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypePTR || q.Qtype == dns.TypeANY:
		resp.Answer = append(resp.Answer, &dns.PTR{Hdr: header(q.Name, dns.TypePTR), Ptr: dns.Fqdn(host)})
		return
	}
	resp.Ns = append(resp.Ns, z.soa())
}

func (z Zone) hostOf(a netip.Addr) (string, bool) {
	for name, ip := range z.Hosts {
		if ip == a {
			return name, true
		}
	}
	return "", false
}

// soa is the zone's start of authority, sent with negative answers so
// resolvers may cache them (minimum TTL = TTL).
func (z Zone) soa() dns.RR {
	d := dns.Fqdn(strings.ToLower(z.Domain))
	return &dns.SOA{Hdr: header(d, dns.TypeSOA), Ns: d, Mbox: "hostmaster." + d,
		Serial: 1, Refresh: 7200, Retry: 900, Expire: 1209600, Minttl: TTL}
}

func header(name string, typ uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: typ, Class: dns.ClassINET, Ttl: TTL}
}

// reverseAddr parses d.c.b.a.in-addr.arpa into a.b.c.d.
func reverseAddr(name string) (netip.Addr, bool) {
	rest, ok := strings.CutSuffix(name, ".in-addr.arpa")
	if !ok {
		return netip.Addr{}, false
	}
	labels := strings.Split(rest, ".")
	if len(labels) != 4 {
		return netip.Addr{}, false
	}
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	a, err := netip.ParseAddr(strings.Join(labels, "."))
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}
