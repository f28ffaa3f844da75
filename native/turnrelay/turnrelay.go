// Package turnrelay is the TURN relay that socketville serve --turn embeds
// (RFC 5766, with github.com/pion/turn/v2): on a school network that keeps
// pupils' machines from reaching each other over UDP (Wi-Fi with client
// isolation), each page's road goes to this machine and back instead.
//
// There is no password in the page: every welcome of the signaling hub
// hands its peer a credential of its own, good for a while (the TURN REST
// API's scheme: the user name is "EXPIRY:ID", EXPIRY in Unix seconds, and
// the password base64(HMAC-SHA1(secret, user name)), the secret drawn from
// crypto/rand when the relay starts), and the relay checks the HMAC and the
// expiry of every request. It caps its allocations, in all and per
// credential, keeps pion's lifetimes (10 minutes unless refreshed), relays
// only to the school's own network (private, CGNAT and link-local
// addresses: no open proxy to the Internet) and to this machine only at
// its own relays' ports (not its other services), says every refusal in
// words on Config.Log, and counts allocations and relayed bytes.
package turnrelay

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/logging"
	"github.com/pion/stun"
	"github.com/pion/turn/v2"
	"golang.org/x/time/rate"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Config sets up a relay. Every zero field but Addr has the default its
// comment gives.
type Config struct {
	// Addr is the UDP address to listen on, "HOST:PORT" (port 0 picks
	// one); the relay's allocations listen on the same host. With an
	// unspecified host ("0.0.0.0:3478" or ":3478"), peers are told to
	// reach it at the host they reached the hub at, and relayed addresses
	// are this machine's first IPv4 address beyond loopback.
	Addr string
	// MaxAllocations caps the allocations held at once (1000: a room of 32
	// in a full mesh has 992).
	MaxAllocations int
	// MaxPerCredential caps the allocations of one credential, one peer's
	// (64: a road to each of 31 friends, twice for a browser that
	// allocates from two interfaces).
	MaxPerCredential int
	// TTL is how long a credential lasts from the welcome that hands it
	// out (1 hour); a page open longer loses its relayed roads within
	// pion's 10-minute allocation lifetime after, and a reload gives it a
	// new one.
	TTL time.Duration
	// Realm is the TURN realm ("socketville").
	Realm string
	// Log is where refusals are said, one line each, at most a few a
	// second (nil: nowhere).
	Log io.Writer
	// Random is where the secret comes from (crypto/rand.Reader).
	Random io.Reader
}

// The defaults of Config's zero fields.
const (
	DefaultMaxAllocations   = 1000
	DefaultMaxPerCredential = 64
	DefaultTTL              = time.Hour
	DefaultRealm            = "socketville"
	DefaultPort             = 3478
)

func (c Config) withDefaults() Config {
	if c.MaxAllocations <= 0 {
		c.MaxAllocations = DefaultMaxAllocations
	}
	if c.MaxPerCredential <= 0 {
		c.MaxPerCredential = DefaultMaxPerCredential
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
	return c
}

// Reason names why the relay refused something; Stats counts refusals by
// it.
type Reason string

// The reasons of refusal.
const (
	ReasonMalformed Reason = "malformed" // a user name not of the form EXPIRY:ID
	ReasonExpired   Reason = "expired"   // a credential past its expiry
	ReasonPassword  Reason = "password"  // a wrong password (the request's integrity check failed)
	ReasonFull      Reason = "full"      // the relay holds its most allocations
	ReasonQuota     Reason = "quota"     // the credential holds its most allocations
	ReasonOwnHost   Reason = "own-host"  // a relayed packet to this machine, not to one of its relays
	ReasonPeer      Reason = "peer"      // a permission for a peer beyond the local network
	ReasonOther     Reason = "other"     // any other request pion refused
	ReasonNoPort    Reason = "no-port"   // no port was free to relay on
)

// Server is a running relay; Close ends it.
type Server struct {
	cfg     Config
	secret  []byte
	conn    *listenConn // what pion reads requests from
	turn    *turn.Server
	relayIP net.IP // the relayed addresses' IP
	urlHost string // the turn: URL's host, or "" for the host the peer reached the hub at
	bind    string // the host allocations listen on
	local   []net.IP

	readers sync.WaitGroup // the relays' readers (pion's goroutines)
	closed  sync.Once
	err     error

	allocated, toPeers, fromPeers atomic.Uint64

	mu       sync.Mutex
	live     int
	perCred  map[string]int
	ports    map[int]bool // the relays' ports
	refusals map[Reason]uint64
	last     request // what the auth handler saw last

	logMu  sync.Mutex
	logLim *rate.Limiter
	unsaid int
}

// request is the request pion is handling, as the auth handler saw it.
//
// pion v2 serves one UDP socket's requests one at a time, in one
// goroutine: a request's authentication, its allocation (if it is an
// Allocate) and pion's log line for its refusal follow each other, with
// no other request of that socket in between. So what the auth handler saw
// last is the request whose allocation is being made, or whose refusal is
// being logged: that is how allocations are counted per credential and
// refusals say whose they are. The relay listens on one socket.
type request struct {
	user string
	from net.Addr
	said bool // its refusal has been said already
}

// Listen starts a relay on cfg.Addr.
func Listen(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	addr, err := net.ResolveUDPAddr("udp4", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("turn relay at %q: %w", cfg.Addr, err)
	}
	s := &Server{
		cfg:      cfg,
		secret:   make([]byte, 32),
		perCred:  map[string]int{},
		ports:    map[int]bool{},
		refusals: map[Reason]uint64{},
		logLim:   rate.NewLimiter(5, 20),
	}
	if _, err := io.ReadFull(cfg.Random, s.secret); err != nil {
		return nil, fmt.Errorf("turn relay: a secret: %w", err)
	}
	s.local = localIPs()
	switch {
	case addr.IP == nil || addr.IP.IsUnspecified():
		s.bind, s.relayIP = "0.0.0.0", firstIPv4(s.local)
	default:
		s.bind, s.relayIP, s.urlHost = addr.IP.String(), addr.IP, addr.IP.String()
	}
	pc, err := net.ListenUDP("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("turn relay: %w", err)
	}
	s.conn = &listenConn{PacketConn: pc, done: make(chan struct{})}
	s.turn, err = turn.NewServer(turn.ServerConfig{
		Realm:         cfg.Realm,
		AuthHandler:   s.auth,
		LoggerFactory: loggerFactory{s},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            s.conn,
			RelayAddressGenerator: relays{s},
			PermissionHandler:     s.permit,
		}},
	})
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("turn relay: %w", err)
	}
	return s, nil
}

// Addr is the address the relay listens on.
func (s *Server) Addr() *net.UDPAddr { return s.conn.LocalAddr().(*net.UDPAddr) }

// RelayIP is the IP of the relayed addresses the relay hands out.
func (s *Server) RelayIP() net.IP { return s.relayIP }

// Credential is a user name and password good until expires for the
// relay's peer id (which must not be empty).
func (s *Server) Credential(id string, expires time.Time) (user, password string) {
	user = strconv.FormatInt(expires.Unix(), 10) + ":" + id
	return user, s.password(user)
}

func (s *Server) password(user string) string {
	mac := hmac.New(sha1.New, s.secret)
	mac.Write([]byte(user))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ICEServer is the relay as a welcome hands it to one peer: its turn: URL
// and a credential for id that lasts Config.TTL from now. host is the
// host the peer reached the hub at ("192.168.1.10:8080"), where it is
// told to find a relay that listens on every address.
func (s *Server) ICEServer(host, id string) signal.ICEServer {
	h := s.urlHost
	if h == "" {
		if name, _, err := net.SplitHostPort(host); err == nil {
			host = name
		}
		h = host
		if ip := net.ParseIP(h); h == "" || (ip != nil && ip.To4() == nil) { // the relay is IPv4 only
			h = s.relayIP.String()
		}
	}
	user, pass := s.Credential(id, time.Now().Add(s.cfg.TTL))
	url := func(h string) []string {
		return []string{"turn:" + net.JoinHostPort(h, strconv.Itoa(s.Addr().Port)) + "?transport=udp"}
	}
	srv := signal.ICEServer{URLs: url(h), Username: user, Credential: pass}
	if signal.CheckICEServer(srv) != nil { // a Host no welcome may carry
		srv.URLs = url(s.relayIP.String())
	}
	return srv
}

// Stats is what a relay holds and has done, for GET .../stats.
type Stats struct {
	Addr        string            `json:"addr"`
	Allocations int               `json:"allocations"` // held now
	Allocated   uint64            `json:"allocated"`   // since the start
	ToPeers     uint64            `json:"bytes_to_peers"`
	FromPeers   uint64            `json:"bytes_from_peers"`
	Refusals    map[Reason]uint64 `json:"refusals"`
}

// Stats is the relay's counters now.
func (s *Server) Stats() Stats {
	st := Stats{
		Addr:        s.Addr().String(),
		Allocations: s.turn.AllocationCount(),
		Allocated:   s.allocated.Load(),
		ToPeers:     s.toPeers.Load(),
		FromPeers:   s.fromPeers.Load(),
		Refusals:    map[Reason]uint64{},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.refusals {
		st.Refusals[k] = v
	}
	return st
}

// ServeHTTP answers with the relay's Stats as JSON.
func (s *Server) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(s.Stats())
}

// Close ends the relay and every allocation, and returns once pion's
// goroutines that read its sockets have ended.
func (s *Server) Close() error {
	s.closed.Do(func() {
		if err := s.turn.Close(); err != nil {
			s.err = fmt.Errorf("turn relay: close: %w", err)
		}
		// pion's reader ends, then closes every allocation; wait for
		// both, a while at most.
		done := make(chan struct{})
		go func() {
			<-s.conn.done
			s.readers.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			s.err = errors.Join(s.err, errors.New("turn relay: close: the relays did not end within 5s"))
		}
	})
	return s.err
}

// auth is pion's AuthHandler: the key of a well-formed credential that
// has not expired. A wrong password fails pion's integrity check of the
// request with that key.
func (s *Server) auth(user, realm string, from net.Addr) ([]byte, bool) {
	s.mu.Lock()
	s.last = request{user: user, from: from}
	s.mu.Unlock()
	exp, id, ok := strings.Cut(user, ":")
	t, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || id == "" {
		s.refuse(ReasonMalformed, "refused %s: the user name %s is not one of this relay's (EXPIRY:ID, from the hub's welcome)", from, clip(user))
		return nil, false
	}
	if now := time.Now(); now.Unix() > t {
		s.refuse(ReasonExpired, "refused %s: the credential %s expired %s ago (credentials last %s from the welcome; reloading the page gets a new one)",
			from, clip(user), short(now.Sub(time.Unix(t, 0))), short(s.cfg.TTL))
		return nil, false
	}
	return turn.GenerateAuthKey(user, realm, s.password(user)), true
}

// refuse counts a refusal of the request being handled and says why.
func (s *Server) refuse(why Reason, format string, args ...any) {
	s.mu.Lock()
	s.refusals[why]++
	s.last.said = true
	s.mu.Unlock()
	s.say(format, args...)
}

// say writes one line on the log, unless more than a few have been said
// this second; the next line said tells how many were not.
func (s *Server) say(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if !s.logLim.Allow() {
		s.unsaid++
		return
	}
	line := fmt.Sprintf(format, args...)
	if s.unsaid > 0 {
		line += fmt.Sprintf(" (and %d more not shown)", s.unsaid)
		s.unsaid = 0
	}
	fmt.Fprintf(s.cfg.Log, "turn: %s\n", line)
}

// pionFailed takes pion's log line for a request it refused: counted and
// said in words, unless the relay has done so already.
func (s *Server) pionFailed(line string) {
	s.mu.Lock()
	last := s.last
	s.last.said = false
	why := ReasonOther
	if strings.Contains(line, stun.ErrIntegrityMismatch.Error()) {
		why = ReasonPassword
	}
	if !last.said {
		s.refusals[why]++
	}
	s.mu.Unlock()
	switch {
	case last.said:
	case why == ReasonPassword:
		s.say("refused %s: the password of %s is wrong (not from this relay's welcome, or the relay restarted since)", last.from, clip(last.user))
	default:
		s.say("refused: %s", strings.TrimPrefix(line, "Failed to handle datagram: "))
	}
}

// allocate makes a relay for the request being handled, within the caps.
func (s *Server) allocate(network string, port int) (net.PacketConn, net.Addr, error) {
	s.mu.Lock()
	user, from := s.last.user, s.last.from
	switch {
	case s.live >= s.cfg.MaxAllocations:
		s.mu.Unlock()
		s.refuse(ReasonFull, "refused an allocation to %s (%s): the relay holds its %d (serve --turn-max-allocs)", from, clip(user), s.cfg.MaxAllocations)
		return nil, nil, fmt.Errorf("turn relay: full: %w", sock.ErrAgain)
	case s.perCred[user] >= s.cfg.MaxPerCredential:
		s.mu.Unlock()
		s.refuse(ReasonQuota, "refused an allocation to %s: its credential %s holds its %d (serve --turn-max-per-peer)", from, clip(user), s.cfg.MaxPerCredential)
		return nil, nil, fmt.Errorf("turn relay: quota: %w", sock.ErrAgain)
	}
	s.live++
	s.perCred[user]++
	s.mu.Unlock()
	pc, err := net.ListenPacket(network, net.JoinHostPort(s.bind, strconv.Itoa(port)))
	if err != nil {
		s.release(user, 0)
		s.refuse(ReasonNoPort, "refused an allocation to %s: %v", from, err)
		return nil, nil, fmt.Errorf("turn relay: %w", err)
	}
	a := *pc.LocalAddr().(*net.UDPAddr)
	s.mu.Lock()
	s.ports[a.Port] = true
	s.mu.Unlock()
	s.allocated.Add(1)
	s.readers.Add(1)
	a.IP = s.relayIP
	return &relayConn{PacketConn: pc, s: s, user: user, port: a.Port}, &a, nil
}

// release forgets an allocation of user's on port (0: none yet).
func (s *Server) release(user string, port int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.live--
	if s.perCred[user]--; s.perCred[user] <= 0 {
		delete(s.perCred, user)
	}
	delete(s.ports, port)
}

// cgnat is the shared address space of carrier-grade NAT (RFC 6598),
// which some school networks use inside.
var cgnat = net.IPNet{IP: net.IPv4(100, 64, 0, 0).To4(), Mask: net.CIDRMask(10, 32)}

// permit is pion's PermissionHandler: a client's relay may send to peers
// of the local network and to this machine (whose ports relayConn checks),
// not to the Internet.
func (s *Server) permit(client net.Addr, peer net.IP) bool {
	if peer.IsPrivate() || peer.IsLoopback() || peer.IsLinkLocalUnicast() || cgnat.Contains(peer) || peer.Equal(s.relayIP) {
		return true
	}
	for _, ip := range s.local {
		if peer.Equal(ip) {
			return true
		}
	}
	s.refuse(ReasonPeer, "refused %s a permission to relay to %s: the relay reaches this network's machines and its own relays, not the Internet", client, peer)
	return false
}

// ownHost says whether a relayed packet to to would reach this machine
// somewhere other than one of its relays.
func (s *Server) ownHost(to net.Addr) bool {
	a, ok := to.(*net.UDPAddr)
	if !ok {
		return true
	}
	mine := a.IP.IsLoopback() || a.IP.IsUnspecified() || a.IP.Equal(s.relayIP)
	for _, ip := range s.local {
		mine = mine || a.IP.Equal(ip)
	}
	if !mine {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.ports[a.Port]
}

// relays is the relay's turn.RelayAddressGenerator.
type relays struct{ s *Server }

func (relays) Validate() error { return nil }

func (r relays) AllocatePacketConn(network string, port int) (net.PacketConn, net.Addr, error) {
	return r.s.allocate(network, port)
}

func (relays) AllocateConn(string, int) (net.Conn, net.Addr, error) {
	return nil, nil, fmt.Errorf("turn relay: TCP relays (RFC 6062) are not offered: %w", sock.ErrOpNotSupp)
}

// relayConn is one allocation's socket: it counts what it relays, keeps
// packets from this machine's other services, and frees its place when
// closed.
type relayConn struct {
	net.PacketConn
	s         *Server
	user      string
	port      int
	closeOnce sync.Once
	readOnce  sync.Once
}

func (c *relayConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.PacketConn.ReadFrom(b)
	if err != nil {
		c.readOnce.Do(c.s.readers.Done) // pion's reader of this relay ends
		return n, from, err
	}
	c.s.fromPeers.Add(uint64(n))
	return n, from, nil
}

func (c *relayConn) WriteTo(b []byte, to net.Addr) (int, error) {
	if c.s.ownHost(to) {
		// pion writes to peers as it handles its client's requests,
		// so this refusal is of the request being handled.
		c.s.refuse(ReasonOwnHost, "refused to relay a packet of %s to %s: this machine, but none of its relays", clip(c.user), to)
		return 0, fmt.Errorf("a relayed packet to %s, this machine but none of its relays, is not sent: %w", to, sock.ErrAccess)
	}
	n, err := c.PacketConn.WriteTo(b, to)
	c.s.toPeers.Add(uint64(n))
	return n, err
}

func (c *relayConn) Close() error {
	err := c.PacketConn.Close()
	c.closeOnce.Do(func() { c.s.release(c.user, c.port) })
	return err
}

// listenConn is the socket pion reads requests from; done is closed when
// pion's reader of it ends.
type listenConn struct {
	net.PacketConn
	done chan struct{}
	once sync.Once
}

func (c *listenConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.PacketConn.ReadFrom(b)
	if err != nil {
		c.once.Do(func() { close(c.done) })
	}
	return n, from, err
}

// localIPs is this machine's IPv4 addresses, those of interfaces that
// are up first, bridges and virtual Ethernet of containers and VMs last.
func localIPs() []net.IP {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var first, last []net.IP
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok || n.IP.To4() == nil {
				continue
			}
			if ifc.Flags&net.FlagUp != 0 && !virtual(ifc.Name) {
				first = append(first, n.IP.To4())
			} else {
				last = append(last, n.IP.To4())
			}
		}
	}
	return append(first, last...)
}

// virtual says whether an interface's name is one that container and VM
// software gives its bridges and links: pupils do not reach this machine
// there.
func virtual(name string) bool {
	for _, p := range []string{"docker", "br-", "veth", "virbr", "vnet", "lxc", "lxd", "cni", "flannel", "podman", "tun", "tap", "wg"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// firstIPv4 is the first of ips beyond loopback, or 127.0.0.1.
func firstIPv4(ips []net.IP) net.IP {
	for _, ip := range ips {
		if !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
			return ip
		}
	}
	return net.IPv4(127, 0, 0, 1).To4()
}

// short prints a duration to the second without its zero tails ("1h",
// not "1h0m0s").
func short(d time.Duration) string {
	p := d.Round(time.Second).String()
	if strings.HasSuffix(p, "m0s") {
		p = strings.TrimSuffix(p, "0s")
	}
	if strings.HasSuffix(p, "h0m") {
		p = strings.TrimSuffix(p, "0m")
	}
	return p
}

// clip shortens what a client sent for a log line.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:n]) + "..."
}

// loggerFactory gives pion loggers that hand its warnings and errors to
// the relay: the refusals of requests to pionFailed, the rest said as
// they are.
type loggerFactory struct{ s *Server }

func (f loggerFactory) NewLogger(string) logging.LeveledLogger { return logger(f) }

type logger struct{ s *Server }

func (logger) Trace(string)          {}
func (logger) Tracef(string, ...any) {}
func (logger) Debug(string)          {}
func (logger) Debugf(string, ...any) {}
func (logger) Info(string)           {}
func (logger) Infof(string, ...any)  {}
func (l logger) Warn(msg string)     { l.Error(msg) }
func (l logger) Warnf(format string, args ...any) {
	l.Error(fmt.Sprintf(format, args...))
}
func (l logger) Errorf(format string, args ...any) {
	l.Error(fmt.Sprintf(format, args...))
}

func (l logger) Error(msg string) {
	if strings.HasPrefix(msg, "Failed to handle datagram") {
		l.s.pionFailed(msg)
		return
	}
	l.s.say("pion: %s", msg)
}
