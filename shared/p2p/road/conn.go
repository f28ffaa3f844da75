package road

// handlers are what a conn calls back into its road: natively from pion's
// goroutines, in the browser from the page's event loop. Once the conn is
// closed it calls none of them again.
type handlers struct {
	// opened is called once for each of the two channels as it opens.
	opened func()
	// closed is called when a channel closes or the connection fails or
	// closes, with why.
	closed func(error)
	// frame and state are called with each message on the frames and the
	// state channel; text says the peer sent it as a string. The road may
	// keep data.
	frame, state func(data []byte, text bool)
	// drained is called when the frames channel's buffered amount falls to
	// half of Options.HighWater.
	drained func()
}

// A conn is the WebRTC under one road, in the road's own words: one
// PeerConnection with the two pre-negotiated channels, whole SDP in and
// out, and sends that never block. Natively conn_pion.go makes it of
// pion's PeerConnection; in the browser conn_js.go makes it of the page's
// own RTCPeerConnection. Every method of it may be called from any
// goroutine.
//
//	newConn(o Options, h handlers) (*conn, error)
//	offer(ctx) (sdp string, err error)         // a local offer, every candidate gathered
//	answer(ctx, offer string) (string, error)  // the answer to the peer's offer, gathered
//	accept(answer string) error                // the peer's answer to our offer
//	sendFrame(b []byte) error                  // on the frames channel
//	buffered() uint64                          // the frames channel's buffered amount
//	sendState(b []byte) error                  // on the state channel
//	stateBuffered() uint64                     // the state channel's buffered amount
//	close()                                    // handlers off, then channels and connection closed
