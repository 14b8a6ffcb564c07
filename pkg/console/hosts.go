package console

import (
	"fmt"
	"net/http"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// hostsPage is the admin account's view of the region's hosts: each one's
// health and its vCPUs, memory and GPUs used against its capacity, drawn as
// bars. Other accounts are refused.
func (h *Handler) hostsPage(w http.ResponseWriter, r *http.Request) {
	v := h.baseView(r, "Hosts", "hosts")
	if !v.Admin {
		http.Error(w, "Forbidden: the admin account's page", http.StatusForbidden)
		return
	}
	res, err := h.compute.DescribeHosts(r.Context(), &v1.DescribeHostsRequest{})
	status := http.StatusOK
	if err != nil {
		v.Error = errorOf(fmt.Errorf("describe hosts: %w", err))
		status = statusOf(v.Error)
	}
	v.Data = res.GetHosts()
	h.pages.render(w, r, status, "hosts", v)
}
