package hub_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketville/native/hub"
	"socketville/shared/p2p/signal"
)

// peer is a client for goroutines other than the test's: every step
// returns its error instead of failing the test.
type peer struct{ ws *websocket.Conn }

func dialPeer(url string) (*peer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	ws.SetReadLimit(signal.MaxMessage)
	return &peer{ws}, nil
}

func (p *peer) send(m signal.Message) error {
	b, err := signal.Encode(m)
	if err != nil {
		return err
	}
	return p.sendRaw(websocket.MessageText, b)
}

func (p *peer) sendRaw(typ websocket.MessageType, b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.ws.Write(ctx, typ, b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (p *peer) recv() (signal.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, b, err := p.ws.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return signal.Decode(b)
}

// want reads the next message, which must be a T.
func want[T signal.Message](p *peer) (T, error) {
	var zero T
	m, err := p.recv()
	if err != nil {
		return zero, err
	}
	v, ok := m.(T)
	if !ok {
		return zero, fmt.Errorf("got %#v, want a %s", m, zero.Kind())
	}
	return v, nil
}

// meet makes a room of two and has them exchange an offer and an answer,
// as two pages setting up their data channel do.
func meet(url string) (a, b *peer, err error) {
	if a, err = dialPeer(url); err != nil {
		return nil, nil, err
	}
	if err = a.send(signal.Invite{Name: "a"}); err != nil {
		return a, nil, err
	}
	w, err := want[signal.Welcome](a)
	if err != nil {
		return a, nil, err
	}
	if b, err = dialPeer(url); err != nil {
		return a, nil, err
	}
	if err = b.send(signal.Join{Room: w.Room, Name: "b"}); err != nil {
		return a, b, err
	}
	if _, err = want[signal.Welcome](b); err != nil {
		return a, b, err
	}
	if _, err = want[signal.PeerJoined](a); err != nil {
		return a, b, err
	}
	return a, b, talk(a, b)
}

// talk has b offer to a (p1) and a answer b (p2).
func talk(a, b *peer) error {
	if err := b.send(signal.Offer{Peer: "p1", SDP: offerSDP}); err != nil {
		return err
	}
	if o, err := want[signal.Offer](a); err != nil || o.Peer != "p2" || o.SDP != offerSDP {
		return fmt.Errorf("offer: %#v, %v", o, err)
	}
	if err := a.send(signal.Answer{Peer: "p2", SDP: answerSDP}); err != nil {
		return err
	}
	if an, err := want[signal.Answer](b); err != nil || an.Peer != "p1" || an.SDP != answerSDP {
		return fmt.Errorf("answer: %#v, %v", an, err)
	}
	return nil
}

func (p *peer) close() {
	if p != nil {
		_ = p.ws.CloseNow()
	}
}

// TestAThousandClients has 500 pairs meet and talk, all connected at
// once.
func TestAThousandClients(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 clients: not under -short")
	}
	tw := newTown(t, hub.Config{ConnRate: rate.Inf, MaxRooms: 1000})
	start := time.Now()
	const pairs = 500
	var (
		mu    sync.Mutex
		peers []*peer
		errs  []error
		wg    sync.WaitGroup
		next  atomic.Int32
	)
	defer func() {
		for _, p := range peers {
			p.close()
		}
	}()
	for range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= pairs {
				a, b, err := meet(tw.url)
				mu.Lock()
				peers = append(peers, a, b)
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d pairs failed; the first: %v", len(errs), pairs, errs[0])
	}
	s := tw.hub.Stats()
	t.Logf("1,000 clients met in pairs and exchanged offer and answer in %v", time.Since(start).Round(time.Millisecond))
	if s.Conns != 2*pairs || s.Peers != 2*pairs || s.Rooms != pairs || s.Forwarded != 2*pairs || len(s.Refusals) != 0 {
		t.Errorf("stats with every client in: %+v", s)
	}
	for _, p := range peers {
		p.close()
	}
	waitFor(t, "every client to be forgotten", func() bool { s := tw.hub.Stats(); return s.Conns == 0 && s.Peers == 0 })
}

// TestAbuse sends the hub well over 10,000 messages that are malformed,
// oversized, out of order or for rooms that are not there, while a good
// pair talks: nothing crashes, the good pair's exchanges all complete, and
// the hub holds no more memory afterwards than before.
func TestAbuse(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 bad messages: not under -short")
	}
	tw := newTown(t, hub.Config{ConnRate: rate.Inf, MsgRate: rate.Inf})
	a, b, err := meet(tw.url)
	defer a.close()
	defer b.close()
	if err != nil {
		t.Fatal(err)
	}
	_, _, room := tw.pair() // a room for abusers to be out of order in
	before := heap()

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		sent    atomic.Int64
		refused atomic.Int64
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	// Ten connections, each with a thousand messages the hub refuses and
	// carries on after; each reads its refusals as a page would.
	bad := []signal.Message{
		signal.Offer{Peer: "p1", SDP: offerSDP},   // before any join
		signal.Answer{Peer: "p1", SDP: answerSDP}, // to nobody
		signal.Relay{Peer: "p99", Data: []byte{1, 2, 3}},
		signal.Leave{},
		signal.PeerLeft{Peer: "p1"}, // the hub's to send
	}
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := dialPeer(tw.url)
			if err != nil {
				fail(err)
				return
			}
			defer p.close()
			if i%2 == 1 { // half of them inside a room, out of order there
				if err := p.send(signal.Join{Room: room}); err != nil {
					fail(err)
					return
				}
				if _, err := want[signal.Welcome](p); err != nil {
					fail(err)
					return
				}
			}
			// At most 16 refusals outstanding, as a page that reads what
			// it is told (one that does not is TestAFloodIsCutOff's).
			window := make(chan struct{}, 16)
			done := make(chan error, 1)
			go func() {
				for n := 0; n < 1000; {
					m, err := p.recv()
					switch m.(type) {
					case signal.Error:
						refused.Add(1)
						n++
						<-window
						continue
					case signal.PeerJoined, signal.PeerLeft: // the other abusers in the room
						continue
					}
					done <- fmt.Errorf("got %#v, %v; want a refusal", m, err)
					return
				}
				done <- nil
			}()
			for j := range 1000 {
				select {
				case window <- struct{}{}:
				case err := <-done:
					fail(err)
					return
				}
				m := bad[j%len(bad)]
				if i%2 == 1 { // in a room, the messages that would be fine there go wrong
					switch m.Kind() {
					case signal.KindLeave:
						m = signal.Invite{} // while in a room
					case signal.KindOffer:
						m = signal.Offer{Peer: "p99", SDP: offerSDP} // to nobody
					}
				}
				if err := p.send(m); err != nil {
					fail(err)
					return
				}
				sent.Add(1)
			}
			if err := <-done; err != nil {
				fail(err)
			}
		}()
	}
	// Three hundred connections, each with one message the hub will not
	// go on after: each is told why and closed.
	fatal := [][]byte{
		[]byte("garbage"),
		[]byte(`{"v":1,"type":"join","room":"AAAAAAAAAAAAAAAAAAAAAA"}`), // a wrong room id
		[]byte(`{"v":9,"type":"leave"}`),
		[]byte(`{"v":1,"type":"offer","peer":"p1","sdp":"` + strings.Repeat("v", signal.MaxSDP+1) + `"}`),
		[]byte(`{"v":1,"type":"invite","name":"` + strings.Repeat("x", signal.MaxMessage) + `"}`),
		bytes.Repeat([]byte{0xff}, 256),
	}
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 25 {
				msg := fatal[(i*25+j)%len(fatal)]
				if bytes.Contains(msg, []byte("AAAAAAAAAAAAAAAAAAAAAA")) {
					id, _ := signal.NewRoomID(rand.Reader)
					msg = []byte(`{"v":1,"type":"join","room":"` + string(id) + `"}`)
				}
				p, err := dialPeer(tw.url)
				if err != nil {
					fail(err)
					return
				}
				if err := p.sendRaw(websocket.MessageText, msg); err != nil {
					fail(err)
				}
				sent.Add(1)
				if _, err := want[signal.Error](p); err != nil {
					fail(fmt.Errorf("a fatal message: %w", err))
				} else {
					refused.Add(1)
				}
				if _, err := p.recv(); websocket.CloseStatus(err) == -1 {
					fail(fmt.Errorf("after a fatal message's refusal, %v, not a close", err))
				}
				p.close()
			}
		}()
	}
	// Meanwhile the good pair talks on, undisturbed.
	exchanges := 0
	for range 50 {
		if err := talk(a, b); err != nil {
			t.Fatalf("the good pair, after %d exchanges: %v", exchanges, err)
		}
		exchanges++
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d abusers' steps went otherwise than expected; the first: %v", len(errs), errs[0])
	}
	if err := talk(a, b); err != nil {
		t.Fatalf("the good pair, after the abuse: %v", err)
	}
	waitFor(t, "the abusers to be forgotten", func() bool { return tw.hub.Stats().Conns == 4 })
	after := heap()
	s := tw.hub.Stats()
	t.Logf("%d bad messages, %d refusals heard, the good pair's %d exchanges complete; heap %d KiB before, %d KiB after; refusals %v",
		sent.Load(), refused.Load(), exchanges+1, before/1024, after/1024, s.Refusals)
	if sent.Load() < 10000 || refused.Load() != sent.Load() {
		t.Errorf("%d bad messages sent, %d refusals heard", sent.Load(), refused.Load())
	}
	if after > before+4<<20 {
		t.Errorf("the hub's heap grew from %d to %d bytes", before, after)
	}
}

// TestAFloodIsCutOff has one connection send as fast as it can under the
// default limits: the hub cuts it off at its burst, and a pair talking
// meanwhile is unaffected.
func TestAFloodIsCutOff(t *testing.T) {
	tw := newTown(t, hub.Config{})
	a, b, err := meet(tw.url)
	defer a.close()
	defer b.close()
	if err != nil {
		t.Fatal(err)
	}
	f := tw.dial(nil).readAhead()
	msg, _ := signal.Encode(signal.Leave{})
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := f.ws.Write(ctx, websocket.MessageText, msg)
		cancel()
		if err != nil || tw.hub.Stats().Refusals[hub.ReasonMsgRate] > 0 {
			break
		}
		if i > 100000 {
			t.Fatal("100,000 messages and no rate limit")
		}
	}
	for {
		m, err := f.next()
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("the flood ended with %v, want a close for policy", err)
			}
			break
		}
		if e, ok := m.(signal.Error); ok && strings.HasPrefix(e.Text, "too many messages") {
			continue
		}
	}
	if err := talk(a, b); err != nil {
		t.Fatalf("the pair after the flood: %v", err)
	}
}

// heap is the bytes of live heap objects, after a collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkIdleClients measures what 1,000 idle clients cost the hub:
// 500 rooms of two peers each, connected and silent. The clients are
// bare WebSocket connections written by hand, so that what is measured is
// the hub's side (and a net.Conn per client).
func BenchmarkIdleClients(b *testing.B) {
	const n = 1000
	for range b.N {
		h := hub.New(hub.Config{ConnRate: rate.Inf, MaxRooms: n})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := newServer(h, ln)
		runtime.GC()
		var m0 runtime.MemStats
		runtime.ReadMemStats(&m0)
		g0 := runtime.NumGoroutine()
		conns := make([]net.Conn, 0, n)
		for i := 0; i < n; i += 2 {
			a, err := bareDial(ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, a)
			w, err := bareAsk(a, signal.Invite{})
			if err != nil {
				b.Fatal(err)
			}
			c, err := bareDial(ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, c)
			if _, err := bareAsk(c, signal.Join{Room: w.(signal.Welcome).Room}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		if s := h.Stats(); s.Peers != n {
			b.Fatalf("%d peers in, want %d", s.Peers, n)
		}
		b.ReportMetric(float64((m1.HeapInuse+m1.StackInuse)-(m0.HeapInuse+m0.StackInuse))/1024/1024, "MiB/1000clients")
		b.ReportMetric(float64(m1.StackInuse-m0.StackInuse)/1024/1024, "stack-MiB/1000clients")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/n, "goroutines/client")
		for _, c := range conns {
			_ = c.Close()
		}
		_ = h.Close()
		_ = srv.Close()
	}
}

// bareDial opens a WebSocket to the hub at addr by hand (RFC 6455 section
// 4.1), with no client library's buffers.
func bareDial(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "GET /signal HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	r := bufio.NewReaderSize(c, 16) // nothing follows the response before the first message is asked for
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, " 101 ") {
		c.Close()
		return nil, fmt.Errorf("handshake: %q, %v", status, err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, err
		}
		if line == "\r\n" {
			return c, nil
		}
	}
}

// bareAsk sends m in one masked text frame (with a zero mask) and reads the
// hub's answer.
func bareAsk(c net.Conn, m signal.Message) (signal.Message, error) {
	b, err := signal.Encode(m)
	if err != nil || len(b) > 125 {
		return nil, fmt.Errorf("a bare frame of %d bytes: %v", len(b), err)
	}
	frame := append([]byte{0x81, 0x80 | byte(len(b)), 0, 0, 0, 0}, b...)
	if _, err := c.Write(frame); err != nil {
		return nil, err
	}
	var hd [4]byte
	if _, err := io.ReadFull(c, hd[:2]); err != nil {
		return nil, err
	}
	size := int(hd[1] & 0x7f)
	if size == 126 {
		if _, err := io.ReadFull(c, hd[2:4]); err != nil {
			return nil, err
		}
		size = int(binary.BigEndian.Uint16(hd[2:4]))
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(c, body); err != nil {
		return nil, err
	}
	return signal.Decode(body)
}
