// Package console owns ec2d's management console: the browser pages served
// under /console/ on the HTTP listener (sign-in with an access key, the
// session cookie and its CSRF token, the instance, launch, volume, network
// (VPCs, subnets, route tables, gateways, Elastic IPs, network ACLs) and
// read-only resource pages, and the serial console bridged over a
// websocket). Every page calls the same v1.ComputeServer as the gRPC and
// Query APIs with the signed-in key in the context (auth.WithKey), so a
// page sees and does exactly what that key may through the APIs. Templates
// and browser libraries (htmx, xterm.js; scripts/vendor-console-assets.sh)
// are embedded: the console needs nothing at run time but ec2d.
package console
