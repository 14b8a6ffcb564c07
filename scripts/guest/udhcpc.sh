#!/bin/sh
# ec2lab tiny guest: busybox udhcpc hook (/etc/ec2lab/udhcpc.sh).
# Applies the lease (address, default route, resolv.conf) and reports it on
# the console as "ec2lab: dhcp <iface> <ip>/<prefix>".
say() { echo "ec2lab: $*" >/dev/console; }

# prefix_len DOTTED-MASK prints the CIDR prefix length.
prefix_len() {
	n=0
	for o in $(echo "$1" | tr . ' '); do
		while [ "$o" -gt 0 ]; do
			n=$((n + (o & 1)))
			o=$((o >> 1))
		done
	done
	echo "$n"
}

case "$1" in
deconfig)
	ip addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound | renew)
	m=${mask:-$(prefix_len "${subnet:-255.255.255.0}")}
	ip addr flush dev "$interface"
	ip addr add "$ip/$m" dev "$interface"
	for r in $router; do
		ip route replace default via "$r" dev "$interface"
		break
	done
	: >/etc/resolv.conf
	for d in $dns; do echo "nameserver $d" >>/etc/resolv.conf; done
	say "dhcp $interface $ip/$m"
	;;
leasefail | nak)
	say "dhcp $interface failed"
	;;
esac
exit 0
