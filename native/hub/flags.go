package hub

import (
	"flag"
	"fmt"
	"strings"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Flags registers on fs the flags that set c: --ice (repeatable), and
// --hub-origins, --hub-max-conns, --hub-max-rooms, --hub-max-peers,
// --hub-room-idle, --hub-join-timeout, --hub-msg-rate, --hub-msg-burst,
// --hub-conn-rate, --hub-conn-burst, each with its default from Defaults.
// Parse fs, then pass *c to New.
func (c *Config) Flags(fs *flag.FlagSet) {
	d := Defaults()
	if c.Random == nil {
		c.Random = d.Random
	}
	fs.Var((*iceFlag)(&c.ICE), "ice", "an ICE server the peers are handed: stun:HOST:PORT, or turn:USER:PASSWORD@HOST:PORT[?transport=udp|tcp] (repeat for more)")
	fs.Var((*listFlag)(&c.Origins), "hub-origins", "other origins whose pages may use the signaling hub, comma-separated: https://class.example, a host pattern such as *.example:8080, or * for any")
	fs.IntVar(&c.MaxConns, "hub-max-conns", d.MaxConns, "the most connections the signaling hub holds")
	fs.IntVar(&c.MaxRooms, "hub-max-rooms", d.MaxRooms, "the most rooms the signaling hub holds")
	fs.IntVar(&c.MaxPeers, "hub-max-peers", d.MaxPeers, "the most peers in one room")
	fs.DurationVar(&c.RoomIdle, "hub-room-idle", d.RoomIdle, "how long an empty room lasts")
	fs.DurationVar(&c.JoinTimeout, "hub-join-timeout", d.JoinTimeout, "how long a connection may be in no room")
	fs.Float64Var((*float64)(&c.MsgRate), "hub-msg-rate", float64(d.MsgRate), "messages a second one connection may send, on average")
	fs.IntVar(&c.MsgBurst, "hub-msg-burst", d.MsgBurst, "messages one connection may send at once")
	fs.Float64Var((*float64)(&c.ConnRate), "hub-conn-rate", float64(d.ConnRate), "new connections a second from one address, on average")
	fs.IntVar(&c.ConnBurst, "hub-conn-burst", d.ConnBurst, "new connections from one address at once")
}

// ParseICE reads an ICE server as --ice gives it: "stun:HOST:PORT", or
// "turn:USER:PASSWORD@HOST:PORT" (turns too, and a ?transport= query),
// whose user and password become the server's user name and credential.
func ParseICE(s string) (signal.ICEServer, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return signal.ICEServer{}, fmt.Errorf("ICE server %q: %w", s, &sock.CallError{Op: "ice", Errno: sock.ErrInval, Note: "not stun:HOST:PORT or turn:USER:PASSWORD@HOST:PORT"})
	}
	var srv signal.ICEServer
	if at := strings.LastIndex(rest, "@"); at >= 0 && (scheme == "turn" || scheme == "turns") {
		user, pass, ok := strings.Cut(rest[:at], ":")
		if !ok || user == "" || pass == "" {
			return signal.ICEServer{}, fmt.Errorf("ICE server %q: %w", s, &sock.CallError{Op: "ice", Errno: sock.ErrInval, Note: "a TURN server's credentials are USER:PASSWORD@"})
		}
		srv.Username, srv.Credential, rest = user, pass, rest[at+1:]
	}
	srv.URLs = []string{scheme + ":" + rest}
	if err := signal.CheckICEServer(srv); err != nil {
		return signal.ICEServer{}, fmt.Errorf("ICE server %q: %w", s, err)
	}
	return srv, nil
}

// iceFlag is --ice: each use adds a server.
type iceFlag []signal.ICEServer

func (f *iceFlag) String() string {
	if f == nil {
		return ""
	}
	var s []string
	for _, srv := range *f {
		s = append(s, strings.Join(srv.URLs, ","))
	}
	return strings.Join(s, " ")
}

func (f *iceFlag) Set(s string) error {
	srv, err := ParseICE(s)
	if err != nil {
		return err
	}
	if len(*f) >= signal.MaxICEServers {
		return fmt.Errorf("--ice: at most %d servers", signal.MaxICEServers)
	}
	*f = append(*f, srv)
	return nil
}

// listFlag is a comma-separated list; each use adds to it.
type listFlag []string

func (f *listFlag) String() string {
	if f == nil {
		return ""
	}
	return strings.Join(*f, ",")
}

func (f *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*f = append(*f, p)
		}
	}
	return nil
}
