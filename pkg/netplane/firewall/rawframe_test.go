package firewall

import (
	"encoding/binary"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// sendTaggedGratuitousARP sends from g's eth0 a gratuitous ARP claiming
// ip, in an 802.1Q frame with VLAN ID 0 (a priority tag): Linux takes such
// frames as untagged, so they must not slip past checks of the Ethernet
// type.
func (g guest) sendTaggedGratuitousARP(ip string) error {
	return inNS(g.ns, func() error {
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		proto := int(binary.BigEndian.Uint16(binary.NativeEndian.AppendUint16(nil, unix.ETH_P_ALL)))
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, proto)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		addr := netip.MustParseAddr(ip).AsSlice()
		frame := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		frame = append(frame, ifi.HardwareAddr...)
		frame = append(frame, 0x81, 0x00, 0x00, 0x00) // 802.1Q, priority 0, VLAN 0
		frame = append(frame, 0x08, 0x06)             // ARP
		frame = append(frame, 0, 1, 0x08, 0x00, 6, 4, 0, 1)
		frame = append(frame, ifi.HardwareAddr...)
		frame = append(frame, addr...)
		frame = append(frame, 0, 0, 0, 0, 0, 0)
		frame = append(frame, addr...)
		for len(frame) < 64 {
			frame = append(frame, 0)
		}
		to := &unix.SockaddrLinklayer{Ifindex: ifi.Index, Halen: 6}
		copy(to.Addr[:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		for i := 0; i < 2; i++ {
			if err := unix.Sendto(fd, frame, 0, to); err != nil {
				return err
			}
		}
		return nil
	})
}
