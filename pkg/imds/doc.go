// Package imds owns the EC2 instance metadata service: the HTTP handler
// that answers a guest's requests to 169.254.169.254 (meta-data, user-data,
// the instance identity document and IMDSv2 session tokens) and the
// listener that serves it on a host address.
//
// The handler identifies the caller ONLY by the TCP source address of the
// connection (http.Request.RemoteAddr), never by anything in the request:
// the host's data plane binds each guest's address to its MAC, so the
// source address names the instance. A caller the Lookup does not know gets
// 403 and nothing else.
//
// # Wiring into the agent
//
// How pkg/agent (imds.go, imds_serve.go, imds_options.go) and pkg/netplane
// serve it; this package was built and tested for it (see
// TestServeOnBridgeInNetNS).
//
// Network path. The tiny guest's DHCP lease (pkg/netplane's dnsmasq,
// option:router = the subnet gateway .1 on the bridge) gives it a default
// route via the bridge. A request to 169.254.169.254 leaves the guest to
// the gateway MAC; the host accepts it locally because 169.254.169.254/32
// is an address of that bridge. No IP forwarding, no NAT, no extra route.
// The reply goes back on the bridge (connected route; with a device-bound
// listener the socket forces the bridge). A guest with an on-link
// 169.254.0.0/16 route ARPs for 169.254.169.254 and the bridge answers,
// since the address is its own. On a VXLAN subnet every host's bridge
// owns the gateway MAC and the /32, so a guest always reaches its own
// host's service.
//
// Steps for the agent:
//
//  1. netplane: every subnet bridge gets 169.254.169.254/32 besides its
//     gateway. Plane.ensureAddr today removes every other IPv4 address,
//     so this must be done there (e.g. Config.MetadataAddr netip.Addr,
//     kept by ensureAddr), not by the agent after Reconcile.
//  2. pkg/agent/imds.go: an index bridge → (address → imds.Instance),
//     built from each local instance's CreateInstanceRequest (instance_id,
//     image_id, instance_type, owner_id → AccountID, availability_zone,
//     region, hostname, public_keys, user_data, nics[i].mac/private_ip,
//     the NIC with device_index 0 giving LocalIPv4/MAC; every NIC address
//     maps to the instance), saved as StateDir/imds/<id>.json (0600: user
//     data), reloaded by Recover and dropped by DestroyInstance. Only
//     local instances: NICs with another host's VTEP never enter it.
//  3. After each Plane.Reconcile in SyncNetwork (and recoverNetwork), for
//     every desired subnet's bridge (Plane.BridgeName) without a listener:
//     ln, err := imds.Listen(ctx, imds.Addr, bridge) — synchronously, so a
//     missing address is an error of SyncNetwork — then go
//     imds.ServeListener(bctx, ln, h) with
//     h = imds.NewHandler(index.lookupOn(bridge), imds.Options{Secret: s}).
//     Cancel bctx for bridges no longer desired (before Reconcile deletes
//     them) and all of them when the agent stops. With Config.NetNS set,
//     create the listener on a thread switched into that namespace (as
//     inNetNS in the tests); sockets keep their namespace afterwards.
//     Always bind to the bridge: several agents share one host (3-AZ
//     all-in-one) and bridges of different VPCs may reuse addresses; an
//     unbound Serve would collide with them and answer across bridges.
//  4. Secret: 32 random bytes in StateDir/imds.secret (0600), so tokens
//     survive an agent restart; one per agent, shared by its handlers.
//  5. Per-instance options (EC2 MetadataOptions, done): the controller
//     sends HttpTokens / HttpEndpoint as CreateInstanceRequest's
//     metadata_http_tokens / metadata_http_endpoint, and pushes a
//     ModifyInstanceMetadataOptions to the running instance's agent with
//     the Host RPC SetMetadataOptions (pkg/agent/imds_options.go), which
//     changes the record in place. Lookup runs on every request, so the
//     next request sees the change. HttpTokens=required is
//     Instance.TokensRequired: a request without a token gets 401, PUT
//     /latest/api/token still works. HttpEndpoint=disabled is
//     Instance.EndpointDisabled: every request from the instance, the
//     token PUT included, gets 404 (the listener is per bridge and shared
//     with the neighbours, so the connection itself is not refused).
//     HttpPutResponseHopLimit is Instance.PutResponseHopLimit: the token
//     PUT's response leaves with it as its IP TTL (hoplimit.go), and that
//     connection is closed after it, so a process more routers away than
//     the limit (a container behind a bridge in the guest) gets no token;
//     IMDSv1 GETs are not limited, as on EC2.
//  6. The controller sends the key pair's name (the "0=name" listing) and
//     the instance's launch time (the identity document's pendingTime)
//     with CreateInstanceRequest.
//
// Security dependency: the service trusts the source address, so the data
// plane must stop a guest from sending from any address but its own
// (pkg/netplane/firewall drops IPv4 and ARP with a foreign sender address
// from each tap at bridge prerouting). Without it a guest could read a
// same-subnet neighbour's metadata, user data included.
package imds
