package console

import (
	"net/http"
	"strings"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// nameTags is the tag specification of a Name tag for resource type rt
// (none when name is blank).
func nameTags(rt, name string) []*v1.TagSpecification {
	if name = strings.TrimSpace(name); name == "" {
		return nil
	}
	return []*v1.TagSpecification{{ResourceType: rt, Tags: []*v1.Tag{{Key: "Name", Value: name}}}}
}

// allocateAddress allocates an Elastic IP from the region's pool.
func (h *Handler) allocateAddress(w http.ResponseWriter, r *http.Request) {
	res, err := h.compute.AllocateAddress(r.Context(), &v1.AllocateAddressRequest{Domain: "vpc",
		TagSpecifications: nameTags("elastic-ip", r.PostFormValue("name"))})
	h.afterNetwork(w, r, "allocate", res.GetPublicIp(), err)
}

// addressAction associates (with the form's instance), disassociates (the
// form's association) or releases the Elastic IP with allocation ID id.
func (h *Handler) addressAction(w http.ResponseWriter, r *http.Request) {
	id, act := r.PathValue("id"), r.PathValue("action")
	ctx := r.Context()
	var err error
	switch act {
	case "associate":
		_, err = h.compute.AssociateAddress(ctx, &v1.AssociateAddressRequest{AllocationId: id,
			InstanceId: r.PostFormValue("instance_id")})
	case "disassociate":
		_, err = h.compute.DisassociateAddress(ctx, &v1.DisassociateAddressRequest{AssociationId: r.PostFormValue("association_id")})
	case "release":
		_, err = h.compute.ReleaseAddress(ctx, &v1.ReleaseAddressRequest{AllocationId: id})
	default:
		http.NotFound(w, r)
		return
	}
	h.afterNetwork(w, r, act, id, err)
}

// createNatGateway creates a public NAT gateway in the form's subnet with
// the form's Elastic IP.
func (h *Handler) createNatGateway(w http.ResponseWriter, r *http.Request) {
	res, err := h.compute.CreateNatGateway(r.Context(), &v1.CreateNatGatewayRequest{SubnetId: r.PostFormValue("subnet_id"),
		AllocationId: r.PostFormValue("allocation_id"), TagSpecifications: nameTags("natgateway", r.PostFormValue("name"))})
	h.afterNetwork(w, r, "create NAT gateway", res.GetNatGateway().GetNatGatewayId(), err)
}

// deleteNatGateway deletes one NAT gateway.
func (h *Handler) deleteNatGateway(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := h.compute.DeleteNatGateway(r.Context(), &v1.DeleteNatGatewayRequest{NatGatewayId: id})
	h.afterNetwork(w, r, "delete", id, err)
}

// createInternetGateway creates a detached internet gateway.
func (h *Handler) createInternetGateway(w http.ResponseWriter, r *http.Request) {
	res, err := h.compute.CreateInternetGateway(r.Context(), &v1.CreateInternetGatewayRequest{
		TagSpecifications: nameTags("internet-gateway", r.PostFormValue("name"))})
	h.afterNetwork(w, r, "create internet gateway", res.GetInternetGateway().GetInternetGatewayId(), err)
}

// internetGatewayAction attaches the gateway to the form's VPC, detaches
// it from the form's VPC, or deletes it.
func (h *Handler) internetGatewayAction(w http.ResponseWriter, r *http.Request) {
	id, act := r.PathValue("id"), r.PathValue("action")
	ctx, vpc := r.Context(), r.PostFormValue("vpc_id")
	var err error
	switch act {
	case "attach":
		_, err = h.compute.AttachInternetGateway(ctx, &v1.AttachInternetGatewayRequest{InternetGatewayId: id, VpcId: vpc})
	case "detach":
		_, err = h.compute.DetachInternetGateway(ctx, &v1.DetachInternetGatewayRequest{InternetGatewayId: id, VpcId: vpc})
	case "delete":
		_, err = h.compute.DeleteInternetGateway(ctx, &v1.DeleteInternetGatewayRequest{InternetGatewayId: id})
	default:
		http.NotFound(w, r)
		return
	}
	h.afterNetwork(w, r, act, id, err)
}

// afterNetwork shows an action's EC2 error on the network page (the
// action changed nothing) or goes back to the page with a notice.
func (h *Handler) afterNetwork(w http.ResponseWriter, r *http.Request, act, id string, err error) {
	if err != nil {
		v := h.baseView(r, "Network", "network")
		v.Error = errorOf(err)
		h.renderNetwork(w, r, statusOf(v.Error), v)
		return
	}
	redirectDone(w, r, "network", act, id)
}
