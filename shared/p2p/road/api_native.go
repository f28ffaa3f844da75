//go:build !js

package road

import (
	"net"

	"github.com/pion/ice/v2"
	"github.com/pion/webrtc/v3"
)

// newAPI is pion's API as this road wants it natively: IPv4 UDP only (the
// browsers' host candidates a LAN needs), no mDNS (a native peer resolves
// nobody's .local names and needs none of its own), and with Loopback only
// the loopback interface, so that tests and two peers on one machine stay
// on 127.0.0.1 (pion leaves loopback candidates out unless told).
func newAPI(o Options) *webrtc.API {
	var se webrtc.SettingEngine
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if o.Loopback {
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetIncludeLoopbackCandidate(true)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// closeChannel closes a data channel before its PeerConnection, which
// natively tells the peer at once (an SCTP stream reset).
func closeChannel(dc *webrtc.DataChannel) {
	_ = dc.Close()
}
