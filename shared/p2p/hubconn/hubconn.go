// Package hubconn is a peer's connection to the signaling hub
// (native/hub): a WebSocket that carries whole text messages, each at most
// signal.MaxMessage bytes, over github.com/coder/websocket.
package hubconn
