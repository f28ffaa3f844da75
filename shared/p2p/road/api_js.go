package road

import "github.com/pion/webrtc/v3"

// newAPI is pion's API in the browser, where it wraps the page's
// RTCPeerConnection: its SettingEngine has no network knobs there (the
// browser chooses interfaces and hides them behind mDNS), so Options.Loopback
// means nothing.
func newAPI(Options) *webrtc.API {
	return webrtc.NewAPI()
}

// closeChannel does nothing in the browser: closing a DataChannel there and
// then its PeerConnection lets the browser call handlers pion has already
// released (pion #3432); the PeerConnection's Close closes its channels.
func closeChannel(*webrtc.DataChannel) {}
