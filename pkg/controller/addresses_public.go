package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// elasticIPsByInstance maps an instance ID to its primary interface's private → public (Elastic IP)
// address pairs, for every instance with at least one associated Elastic IP.
func (s *Service) elasticIPsByInstance(ctx context.Context) (map[string]map[string]string, error) {
	byInst, err := s.associationsByInstance(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for inst, as := range byInst {
		for _, a := range as {
			if a.NetworkInterfaceID != ids.PrimaryNetworkInterface(inst) {
				continue
			}
			if out[inst] == nil {
				out[inst] = map[string]string{}
			}
			out[inst][a.PrivateIP] = a.PublicIP
		}
	}
	return out, nil
}
