package vpcdns

import (
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

func testZone() Zone {
	return Zone{Support: true, Hostnames: true, Domain: "lab-1.compute.internal",
		CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("100.64.0.0/24")},
		Hosts: map[string]netip.Addr{
			"ip-10-0-0-5.lab-1.compute.internal":   netip.MustParseAddr("10.0.0.5"),
			"ip-10-0-1-9.lab-1.compute.internal":   netip.MustParseAddr("10.0.1.9"),
			"ip-100-64-0-4.lab-1.compute.internal": netip.MustParseAddr("100.64.0.4"),
		}}
}

func query(name string, typ uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, typ)
	return m
}

func TestAnswer(t *testing.T) {
	noNames := testZone()
	noNames.Hostnames = false
	tests := []struct {
		name   string
		zone   Zone
		req    *dns.Msg
		rcode  int
		answer string // the only answer record's data, "" for none
		auth   bool
	}{
		{"A of an instance", testZone(), query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA), dns.RcodeSuccess, "10.0.0.5", true},
		{"A is case-insensitive", testZone(), query("IP-10-0-1-9.Lab-1.Compute.Internal.", dns.TypeA), dns.RcodeSuccess, "10.0.1.9", true},
		{"A in a secondary block", testZone(), query("ip-100-64-0-4.lab-1.compute.internal.", dns.TypeA), dns.RcodeSuccess, "100.64.0.4", true},
		{"AAAA of an instance has no data", testZone(), query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeAAAA), dns.RcodeSuccess, "", true},
		{"unknown name in the zone", testZone(), query("ip-10-0-0-6.lab-1.compute.internal.", dns.TypeA), dns.RcodeNameError, "", true},
		{"the zone's SOA", testZone(), query("lab-1.compute.internal.", dns.TypeSOA), dns.RcodeSuccess, "lab-1.compute.internal.", true},
		{"PTR of an instance", testZone(), query("5.0.0.10.in-addr.arpa.", dns.TypePTR), dns.RcodeSuccess, "ip-10-0-0-5.lab-1.compute.internal.", true},
		{"PTR of a free address of the VPC", testZone(), query("6.0.0.10.in-addr.arpa.", dns.TypePTR), dns.RcodeNameError, "", true},
		{"hostnames off: an instance's name is NXDOMAIN", noNames, query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA), dns.RcodeNameError, "", true},
		{"hostnames off: an instance's address is NXDOMAIN", noNames, query("5.0.0.10.in-addr.arpa.", dns.TypePTR), dns.RcodeNameError, "", true},
		{"hostnames off: other zones are still refused", noNames, query("example.com.", dns.TypeA), dns.RcodeRefused, "", false},
		{"PTR outside the VPC is refused", testZone(), query("5.0.0.192.in-addr.arpa.", dns.TypePTR), dns.RcodeRefused, "", false},
		{"a partial reverse name is refused", testZone(), query("0.10.in-addr.arpa.", dns.TypePTR), dns.RcodeRefused, "", false},
		{"another zone is refused", testZone(), query("example.com.", dns.TypeA), dns.RcodeRefused, "", false},
		{"another region's zone is refused", testZone(), query("ip-10-0-0-5.lab-2.compute.internal.", dns.TypeA), dns.RcodeRefused, "", false},
		{"a zone suffix is not the zone", testZone(), query("xlab-1.compute.internal.", dns.TypeA), dns.RcodeRefused, "", false},
		{"class CH is refused", testZone(), func() *dns.Msg {
			m := query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA)
			m.Question[0].Qclass = dns.ClassCHAOS
			return m
		}(), dns.RcodeRefused, "", false},
		{"two questions are a format error", testZone(), func() *dns.Msg {
			m := query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA)
			m.Question = append(m.Question, m.Question[0])
			return m
		}(), dns.RcodeFormatError, "", false},
		{"an update is not implemented", testZone(), func() *dns.Msg {
			m := query("lab-1.compute.internal.", dns.TypeSOA)
			m.Opcode = dns.OpcodeUpdate
			return m
		}(), dns.RcodeNotImplemented, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := Answer(tt.zone, tt.req)
			if resp == nil {
				t.Fatal("no answer")
			}
			if resp.Rcode != tt.rcode || resp.Authoritative != tt.auth || resp.RecursionAvailable || resp.Id != tt.req.Id {
				t.Errorf("rcode %s aa %v ra %v id %d, want %s aa %v ra false id %d", dns.RcodeToString[resp.Rcode],
					resp.Authoritative, resp.RecursionAvailable, resp.Id, dns.RcodeToString[tt.rcode], tt.auth, tt.req.Id)
			}
			if got := answerData(resp); got != tt.answer {
				t.Errorf("answer %q, want %q (%v)", got, tt.answer, resp.Answer)
			}
			if tt.auth && tt.answer == "" && len(resp.Ns) != 1 {
				t.Errorf("negative answer without the zone's SOA: %v", resp.Ns)
			}
		})
	}
}

// TestAnswerSupportOff: with enableDnsSupport off nothing is answered, not
// even a refusal.
func TestAnswerSupportOff(t *testing.T) {
	z := testZone()
	z.Support = false
	for _, q := range []*dns.Msg{query("ip-10-0-0-5.lab-1.compute.internal.", dns.TypeA),
		query("5.0.0.10.in-addr.arpa.", dns.TypePTR), query("example.com.", dns.TypeA)} {
		if resp := Answer(z, q); resp != nil {
			t.Errorf("support off: %s answered %v", q.Question[0].Name, resp)
		}
	}
}

// answerData is the data of resp's single answer ("" for none, "many"
// for several).
func answerData(resp *dns.Msg) string {
	switch len(resp.Answer) {
	case 0:
		return ""
	case 1:
	default:
		return "many"
	}
	switch rr := resp.Answer[0].(type) {
	case *dns.A:
		return rr.A.String()
	case *dns.PTR:
		return rr.Ptr
	case *dns.SOA:
		return rr.Ns
	}
	return resp.Answer[0].String()
}

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for not an address
	}{
		{"5.0.0.10.in-addr.arpa", "10.0.0.5"},
		{"255.255.31.172.in-addr.arpa", "172.31.255.255"},
		{"0.10.in-addr.arpa", ""},
		{"5.0.0.10.ip6.arpa", ""},
		{"x.0.0.10.in-addr.arpa", ""},
		{"256.0.0.10.in-addr.arpa", ""},
	}
	for _, tt := range tests {
		a, ok := reverseAddr(tt.name)
		if got := map[bool]string{true: a.String(), false: ""}[ok]; got != tt.want {
			t.Errorf("reverseAddr(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
