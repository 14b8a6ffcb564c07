package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// secGroupRoutes registers the security groups page and its forms.
func (h *Handler) secGroupRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/security-groups", h.authed(h.secGroupsPage))
	m.HandleFunc("POST /console/security-groups", h.authed(h.createSecGroup))
	m.HandleFunc("POST /console/security-groups/{id}/authorize", h.authed(h.authorizeRule))
	m.HandleFunc("POST /console/security-groups/{id}/revoke", h.authed(h.revokeRule))
	m.HandleFunc("POST /console/security-groups/{id}/delete", h.authed(h.deleteSecGroup))
}

// secGroupView is one group with its rules.
type secGroupView struct {
	Group *v1.SecurityGroup
	Rules []ruleView
}

// ruleView is one rule as the page shows it.
type ruleView struct {
	ID, Direction, Protocol, Ports, Source, Description string
	Egress                                              bool
}

// secGroupsView is the page's data.
type secGroupsView struct {
	Groups []secGroupView
	Vpcs   []*v1.Vpc
}

// secGroupsPage lists the account's security groups with their rules and
// forms to add, revoke, create and delete.
func (h *Handler) secGroupsPage(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Security groups", "security-groups")
	v.Notice = doneNotice(r)
	h.renderSecGroups(w, r, http.StatusOK, v)
}

// renderSecGroups renders the page with v's messages.
func (h *Handler) renderSecGroups(w http.ResponseWriter, r *http.Request, status int, v view) {
	data, err := h.secGroups(r.Context())
	if err != nil && v.Error == nil {
		v.Error, status = errorOf(err), http.StatusInternalServerError
	}
	v.Data = data
	h.pages.render(w, r, status, "secgroups", v)
}

// secGroups are the account's groups, their rules and its VPCs.
func (h *Handler) secGroups(ctx context.Context) (secGroupsView, error) {
	var sv secGroupsView
	gs, err := h.compute.DescribeSecurityGroups(ctx, &v1.DescribeSecurityGroupsRequest{})
	if err != nil {
		return sv, fmt.Errorf("describe security groups: %w", err)
	}
	rs, err := h.compute.DescribeSecurityGroupRules(ctx, &v1.DescribeSecurityGroupRulesRequest{})
	if err != nil {
		return sv, fmt.Errorf("describe security group rules: %w", err)
	}
	byGroup := map[string][]ruleView{}
	for _, ru := range rs.GetSecurityGroupRules() {
		byGroup[ru.GetGroupId()] = append(byGroup[ru.GetGroupId()], viewRule(ru))
	}
	for _, g := range gs.GetSecurityGroups() {
		sv.Groups = append(sv.Groups, secGroupView{Group: g, Rules: byGroup[g.GetGroupId()]})
	}
	vpcs, err := h.compute.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{})
	if err != nil {
		return sv, fmt.Errorf("describe VPCs: %w", err)
	}
	sv.Vpcs = vpcs.GetVpcs()
	return sv, nil
}

// viewRule is ru in the page's words.
func viewRule(ru *v1.SecurityGroupRule) ruleView {
	v := ruleView{ID: ru.GetSecurityGroupRuleId(), Direction: "inbound", Protocol: ru.GetIpProtocol(),
		Source: ru.GetCidrIpv4(), Description: ru.GetDescription(), Egress: ru.GetIsEgress()}
	if v.Egress {
		v.Direction = "outbound"
	}
	if g := ru.GetReferencedGroupInfo().GetGroupId(); g != "" {
		v.Source = g
	}
	switch {
	case v.Protocol == "-1":
		v.Protocol, v.Ports = "all", "all"
	case ru.GetFromPort() == ru.GetToPort():
		v.Ports = strconv.Itoa(int(ru.GetFromPort()))
	default:
		v.Ports = fmt.Sprintf("%d-%d", ru.GetFromPort(), ru.GetToPort())
	}
	return v
}

// createSecGroup makes a group from the page's form.
func (h *Handler) createSecGroup(w http.ResponseWriter, r *http.Request) {
	res, err := h.compute.CreateSecurityGroup(r.Context(), &v1.CreateSecurityGroupRequest{GroupName: r.PostFormValue("name"),
		Description: r.PostFormValue("description"), VpcId: r.PostFormValue("vpc_id")})
	h.afterSecGroup(w, r, "create", res.GetGroupId(), err)
}

// authorizeRule adds one inbound or outbound rule from the group's form.
func (h *Handler) authorizeRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	perm, err := permissionOf(r)
	if err == nil {
		req := &v1.SecurityGroupRulesRequest{GroupId: id, IpPermissions: []*v1.IpPermission{perm}}
		if r.PostFormValue("direction") == "outbound" {
			_, err = h.compute.AuthorizeSecurityGroupEgress(r.Context(), req)
		} else {
			_, err = h.compute.AuthorizeSecurityGroupIngress(r.Context(), req)
		}
	}
	h.afterSecGroup(w, r, "add rule", id, err)
}

// permissionOf is the rule the add-rule form describes.
func permissionOf(r *http.Request) (*v1.IpPermission, error) {
	p := &v1.IpPermission{IpProtocol: r.PostFormValue("protocol")}
	if src := strings.TrimSpace(r.PostFormValue("source")); strings.HasPrefix(src, "sg-") {
		p.UserIdGroupPairs = []*v1.UserIdGroupPair{{GroupId: src, Description: r.PostFormValue("description")}}
	} else {
		p.IpRanges = []*v1.IpRange{{CidrIp: src, Description: r.PostFormValue("description")}}
	}
	if p.IpProtocol == "-1" {
		return p, nil
	}
	from, to, err := portRange(r.PostFormValue("ports"))
	if err != nil {
		return nil, err
	}
	p.FromPort, p.ToPort = from, to
	return p, nil
}

// portRange reads "22", "8000-8080" or, for ICMP, "type-code" ("-1": all).
func portRange(s string) (int32, int32, error) {
	s = strings.TrimSpace(s)
	if s == "-1" || s == "" {
		return -1, -1, nil
	}
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	from, err1 := strconv.Atoi(strings.TrimSpace(lo))
	to, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil {
		return 0, 0, ec2err.New(ec2err.InvalidParameterValue, "port range %q: want a port, FROM-TO, or -1 for all", s)
	}
	return int32(from), int32(to), nil
}

// revokeRule removes one rule by its ID.
func (h *Handler) revokeRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req := &v1.RevokeSecurityGroupRulesRequest{GroupId: id, SecurityGroupRuleIds: []string{r.PostFormValue("rule_id")}}
	var err error
	if r.PostFormValue("egress") == "true" {
		_, err = h.compute.RevokeSecurityGroupEgress(r.Context(), req)
	} else {
		_, err = h.compute.RevokeSecurityGroupIngress(r.Context(), req)
	}
	h.afterSecGroup(w, r, "revoke rule", id, err)
}

// deleteSecGroup deletes one group.
func (h *Handler) deleteSecGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := h.compute.DeleteSecurityGroup(r.Context(), &v1.DeleteSecurityGroupRequest{GroupId: id})
	h.afterSecGroup(w, r, "delete", id, err)
}

// afterSecGroup shows an action's error or goes back to the page.
func (h *Handler) afterSecGroup(w http.ResponseWriter, r *http.Request, act, id string, err error) {
	if err != nil {
		v := h.baseView(r, "Security groups", "security-groups")
		v.Error = errorOf(err)
		h.renderSecGroups(w, r, statusOf(v.Error), v)
		return
	}
	redirectDone(w, r, "security-groups", act, id)
}
