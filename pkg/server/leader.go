package server

import (
	"context"
	"log/slog"
	"os"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/leader"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// electorFor is the leader election over st: several ec2d replicas share
// an etcd store and campaign on it; a bbolt store has one ec2d, always the
// leader. name identifies this replica in the election.
func electorFor(st store.Store, name string, log *slog.Logger) leader.Elector {
	if e, ok := st.(*store.Etcd); ok {
		return leader.NewEtcd(e, leader.EtcdOptions{Name: name, Log: log})
	}
	return leader.Always{}
}

// replicaName names this ec2d in the election: host and gRPC address.
func replicaName(grpcAddr string) string {
	host, _ := os.Hostname()
	return host + " " + grpcAddr
}

// runBackground runs svc's background work (the reconciler and what its
// passes start) only while this replica leads, until ctx ends, and logs
// every transition. The lead ctx carries the leadership's fencing guard,
// so the work's writes fail once leadership is lost.
func runBackground(ctx context.Context, el leader.Elector, svc *controller.Service, log *slog.Logger) {
	if _, always := el.(leader.Always); !always {
		svc.SetFollower(true)
		log.Info("follower: campaigning for leadership of the region")
	}
	err := el.Run(ctx, func(lctx context.Context) {
		svc.SetFollower(false)
		log.Info("leader: this replica runs the region's reconciler, GC and compactor")
		svc.Run(lctx)
		if ctx.Err() == nil {
			svc.SetFollower(true)
			log.Warn("follower: leadership lost; background work stopped, campaigning again")
		}
	})
	if err != nil {
		log.Error("leader election ended; this replica stays a follower", "err", err)
	}
}
