package script

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// TextPrinter prints a run as a readable trace: one line per event or shell
// line, with the virtual time in milliseconds first.
type TextPrinter struct {
	w   io.Writer
	err error
}

// NewTextPrinter prints to w.
func NewTextPrinter(w io.Writer) *TextPrinter { return &TextPrinter{w: w} }

// Err is the first error writing to the output.
func (p *TextPrinter) Err() error { return p.err }

func (p *TextPrinter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// Stamp formats a virtual time as milliseconds with nanosecond digits.
func Stamp(t time.Duration) string {
	return fmt.Sprintf("%7d.%06d", t/time.Millisecond, t%time.Millisecond)
}

// Event prints one event.
func (p *TextPrinter) Event(e sock.Event) {
	p.printf("%s  %-20s %-9s %s\n", Stamp(e.Time), Where(e), e.Kind, Describe(e))
}

// Line prints a shell line: "$ call" when issued, "=> result" when done.
// A result of several lines (help's) keeps one record a line: each further
// line has the time and place again, indented under the first.
func (p *TextPrinter) Line(r LineRecord) {
	switch r.Phase {
	case PhaseWorld:
		p.printf("%s  %-20s $ %s\n", Stamp(r.Time), "", r.Text)
	case PhaseIssued:
		bg := ""
		if r.Background {
			bg = " &"
		}
		p.printf("%s  %-20s $ %s%s\n", Stamp(r.Time), r.Who, r.Text, bg)
	case PhaseDone:
		mark := "=>"
		if r.Unexpected {
			mark = "=> !"
		}
		via := ""
		if r.Background {
			via = "  (" + r.Text + " &)"
		}
		first, rest, _ := strings.Cut(r.Result, "\n")
		p.printf("%s  %-20s %s %s%s\n", Stamp(r.Time), r.Who, mark, first, via)
		for _, l := range strings.Split(rest, "\n") {
			if l != "" {
				p.printf("%s  %-20s %s %s\n", Stamp(r.Time), r.Who, strings.Repeat(" ", len(mark)), l)
			}
		}
	}
}

// Where names the place of an event: "host/proc:fd", "host/proc" or "host".
func Where(e sock.Event) string {
	switch {
	case e.Proc != "" && e.FD > 0:
		return fmt.Sprintf("%s/%s:%d", e.Host, e.Proc, e.FD)
	case e.Proc != "":
		return e.Host + "/" + e.Proc
	}
	return e.Host
}

// Describe says what an event is about, in one line.
func Describe(e sock.Event) string {
	switch e.Kind {
	case sock.KindSocket:
		return e.Sock.String()
	case sock.KindBind:
		return withReason(e.Local.String(), e.Reason)
	case sock.KindConnect, sock.KindAccept:
		return withReason(fmt.Sprintf("%v -> %v", e.Local, e.Remote), e.Reason)
	case sock.KindState:
		s := e.From.String() + " -> " + e.To.String()
		if e.FD == 0 && e.Local.IsValid() {
			// No fd names the connection (not accepted yet, or closed):
			// its addresses do; a listener has no peer to name.
			s += " " + e.Local.String()
			if e.Remote.IsValid() {
				s += " <-> " + e.Remote.String()
			}
		}
		return withReason(s, e.Reason)
	case sock.KindSent, sock.KindForwarded:
		return withReason(fmt.Sprintf("[%s] %s", e.Link, PacketSummary(e)), e.Reason)
	case sock.KindDelivered:
		return withReason(PacketSummary(e), e.Reason)
	case sock.KindDropped:
		where := ""
		if !e.Link.IsZero() {
			where = "[" + e.Link.String() + "] "
		}
		return fmt.Sprintf("%s%s: %s", where, PacketSummary(e), e.Reason)
	case sock.KindNeigh:
		if e.Neigh != nil {
			return e.Neigh.String()
		}
	case sock.KindFDB:
		if e.FDB != nil {
			return withReason(e.FDB.String(), e.Reason)
		}
	case sock.KindData:
		dir := "to"
		if e.Op == "read" {
			dir = "from"
		}
		return fmt.Sprintf("%s %d bytes %s %v", e.Op, e.Len, dir, e.Remote)
	case sock.KindPoll:
		parts := make([]string, len(e.Ready))
		for i, f := range e.Ready {
			parts[i] = fmt.Sprintf("%d:%v", f.FD, f.Revents)
		}
		return fmt.Sprintf("%s => %d ready", strings.Join(parts, " "), e.Len)
	case sock.KindShutdown:
		return e.Op
	case sock.KindClose:
		if !e.Local.IsValid() {
			return "(never bound)"
		}
		return e.Local.String()
	case sock.KindError:
		if e.Err != nil {
			return e.Err.Error()
		}
	}
	return e.Reason
}

// PacketSummary describes an event's packet in one line: from its frame
// when the event has one (so that ARP reads as ARP), else from the packet.
func PacketSummary(e sock.Event) string {
	if e.Frame != nil {
		return wire.FrameSummary(e.Frame)
	}
	return wire.Summary(e.Packet)
}

func withReason(s, reason string) string {
	if reason == "" {
		return s
	}
	return s + " (" + reason + ")"
}

// JSONPrinter prints a run as one JSON object a line: events with the
// fields the design names (t_ns, kind, host, proc, fd, local, remote, ...),
// and shell lines as kind "cmd" (issued) and "result" (done).
type JSONPrinter struct {
	enc *json.Encoder
	err error
}

// NewJSONPrinter prints to w.
func NewJSONPrinter(w io.Writer) *JSONPrinter { return &JSONPrinter{enc: json.NewEncoder(w)} }

// Err is the first error writing to the output.
func (p *JSONPrinter) Err() error { return p.err }

// Record is the JSON form of an event or shell line. Empty fields are left out.
type Record struct {
	TNs        int64      `json:"t_ns"`
	Kind       string     `json:"kind"`
	Host       string     `json:"host,omitempty"`
	Proc       string     `json:"proc,omitempty"`
	FD         int        `json:"fd,omitempty"`
	Sock       string     `json:"sock,omitempty"`
	Local      string     `json:"local,omitempty"`
	Remote     string     `json:"remote,omitempty"`
	From       string     `json:"from,omitempty"`
	To         string     `json:"to,omitempty"`
	Link       string     `json:"link,omitempty"`
	Proto      string     `json:"proto,omitempty"`
	Src        string     `json:"src,omitempty"`
	Dst        string     `json:"dst,omitempty"`
	Op         string     `json:"op,omitempty"`
	Len        *int       `json:"len,omitempty"`
	Flags      string     `json:"flags,omitempty"`
	Seq        *uint32    `json:"seq,omitempty"`
	Ack        *uint32    `json:"ack,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Err        string     `json:"err,omitempty"`
	Ready      []JSONPoll `json:"ready,omitempty"`
	Summary    string     `json:"summary,omitempty"`
	Line       int        `json:"line,omitempty"`
	Cmd        string     `json:"cmd,omitempty"`
	Result     string     `json:"result,omitempty"`
	Background bool       `json:"background,omitempty"`
	Unexpected bool       `json:"unexpected,omitempty"`
}

// JSONPoll is one entry of a poll event.
type JSONPoll struct {
	FD      int    `json:"fd"`
	Events  string `json:"events"`
	Revents string `json:"revents"`
}

func addr(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return ""
	}
	return ap.String()
}

// EventRecord converts an event to its JSON form.
func EventRecord(e sock.Event) Record {
	r := Record{
		TNs: int64(e.Time), Kind: e.Kind.String(), Host: e.Host, Proc: e.Proc, FD: e.FD,
		Local: addr(e.Local), Remote: addr(e.Remote), Link: e.Link.String(), Op: e.Op, Reason: e.Reason,
	}
	if e.Kind == sock.KindState {
		r.From, r.To = e.From.String(), e.To.String()
	}
	if e.FD > 0 {
		r.Sock = e.Sock.String()
	}
	if e.Kind == sock.KindData || e.Kind == sock.KindPoll {
		n := e.Len
		r.Len = &n
	}
	if errno := sock.ErrnoOf(e.Err); errno != nil {
		r.Err = errno.Name()
	}
	if e.Kind == sock.KindError && e.Err != nil {
		r.Reason = e.Err.Error()
	}
	for _, f := range e.Ready {
		r.Ready = append(r.Ready, JSONPoll{FD: f.FD, Events: f.Events.String(), Revents: f.Revents.String()})
	}
	if e.Kind == sock.KindNeigh || e.Kind == sock.KindFDB {
		r.Summary = Describe(e)
	}
	if e.Packet != nil {
		r.Summary = PacketSummary(e)
		if ip, err := wire.ParseIPv4Quote(e.Packet); err == nil {
			r.Proto, r.Src, r.Dst = ip.Protocol().String(), ip.Src().String(), ip.Dst().String()
			n := len(ip.Payload())
			r.Len = &n
			if t, err := wire.ParseTCP(ip.Payload()); err == nil && ip.Protocol() == wire.ProtocolTCP {
				seq, n := uint32(t.Seq()), len(t.Payload())
				r.Flags, r.Seq, r.Len = t.Flags().String(), &seq, &n
				if t.Flags()&wire.TCPAck != 0 {
					ack := uint32(t.Ack())
					r.Ack = &ack
				}
			}
		}
	}
	return r
}

func (p *JSONPrinter) write(r Record) {
	if p.err == nil {
		p.err = p.enc.Encode(r)
	}
}

// Event prints one event.
func (p *JSONPrinter) Event(e sock.Event) { p.write(EventRecord(e)) }

// Line prints a shell line.
func (p *JSONPrinter) Line(l LineRecord) {
	r := Record{TNs: int64(l.Time), Line: l.Line, Cmd: l.Text, Background: l.Background, Unexpected: l.Unexpected}
	if host, proc, ok := strings.Cut(l.Who, "/"); ok {
		r.Host, r.Proc = host, proc
	}
	switch l.Phase {
	case PhaseWorld, PhaseIssued:
		r.Kind = "cmd"
	case PhaseDone:
		r.Kind, r.Result = "result", l.Result
		if errno := sock.ErrnoOf(l.Err); errno != nil {
			r.Err = errno.Name()
		}
	}
	p.write(r)
}
