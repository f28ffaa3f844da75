// Package hubconn is a peer's connection to the signaling hub
// (native/hub): a WebSocket that carries whole text messages, each at most
// signal.MaxMessage bytes. Natively it is github.com/coder/websocket; in
// the browser it is the page's own WebSocket (through shared/jsnet),
// because coder/websocket's js build links net/http and crypto/tls into
// the page for the types of its options.
package hubconn
