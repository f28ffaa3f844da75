package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// printed is a running watch --print: its output so far and its stderr.
type printed struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    strings.Builder
	stderr bytes.Buffer
	done   chan struct{}
}

// watchPrint starts watch --print on ns with args, under the command wrap
// (such as setpriv) when set; Ctrl-C ends it when the test ends, if it is
// still running.
func watchPrint(t *testing.T, wrap []string, ns string, args ...string) *printed {
	t.Helper()
	argv := append(append(append([]string{}, wrap...), binary(t), "watch", "--print", "--netns", ns, "--every", "100ms"), args...)
	p := &printed{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() { p.stop() })
	return p
}

// waitLine waits for a printed line with every word in it.
func (p *printed) waitLine(t *testing.T, d time.Duration, words ...string) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		p.mu.Lock()
		text := p.out.String()
		p.mu.Unlock()
		for _, l := range strings.Split(text, "\n") {
			all := true
			for _, w := range words {
				all = all && strings.Contains(l, w)
			}
			if all {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Fatalf("no line with %q within %v; printed:\n%s", words, d, p.out.String())
}

// waitStarted waits until the watch says it watches (it has taken its
// first look: what starts after it is a change it prints).
func (p *printed) waitStarted(t *testing.T) {
	t.Helper()
	end := time.Now().Add(30 * time.Second)
	for time.Now().Before(end) {
		p.mu.Lock()
		ok := strings.Contains(p.stderr.String(), "Ctrl-C stops")
		p.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("watch --print did not start: %s", p.stderrText())
}

func (p *printed) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// lockedWriter writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// stop ends it with Ctrl-C, as a user would, and waits.
func (p *printed) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	<-p.done
	return p.cmd.Wait()
}

func (p *printed) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// TestWatchPcap: with CAP_NET_RAW (root), a curl to python3's
// http.server in a namespace the test makes is letters in watch --print,
// and --pcap records them, each packet once (loopback carries it out and
// in): tshark, which nobody here wrote, reads the handshake, the GET and
// the close, with no malformed packet.
func TestWatchPcap(t *testing.T) {
	needNamespaces(t)
	if _, err := exec.LookPath("tshark"); err != nil {
		need(t, "tshark is not installed (./build.sh deps installs it)")
	}
	ns := testNetns(t, "svwatchpcap")
	pcap := filepath.Join(t.TempDir(), "watch.pcap")
	w := watchPrint(t, nil, ns, "--pcap", pcap)
	w.waitStarted(t)
	pid := httpServer(t, ns, 8000)
	w.waitLine(t, 30*time.Second, fmt.Sprintf("/python3[%d]:", pid), " listen ")
	if out, err := exec.Command("ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "http://127.0.0.1:8000/").CombinedOutput(); err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	w.waitLine(t, 15*time.Second, "sent", "["+ns+"/lo]", "> 127.0.0.1:8000 SYN ")
	w.waitLine(t, 15*time.Second, "sent", "127.0.0.1:8000 >", "FIN")
	if err := w.stop(); err != nil {
		t.Fatalf("watch --print: %v\n%s", err, w.stderrText())
	}
	if !strings.Contains(w.stderrText(), "with the packets on loopback") {
		t.Errorf("stderr says %q, want the packets said", w.stderrText())
	}
	if n := strings.Count(w.text(), "delivered TCP"); n == 0 || n != strings.Count(w.text(), "sent      [") {
		t.Errorf("%d delivered lines for %d sent: want one of each a packet", n, strings.Count(w.text(), "sent      ["))
	}

	out, err := exec.Command("tshark", "-r", pcap, "-T", "fields", "-e", "tcp.flags.str", "-e", "http.request.method").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	text := string(out)
	syns, synacks := 0, 0
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "··········S·":
			syns++
		case "·······A··S·":
			synacks++
		}
	}
	if syns != 1 || synacks != 1 || !strings.Contains(text, "GET") || !strings.Contains(text, "F") {
		t.Errorf("tshark read %d SYNs and %d SYN|ACKs (want one each: one copy a packet), GET %v:\n%s",
			syns, synacks, strings.Contains(text, "GET"), text)
	}
	if bad, _ := exec.Command("tshark", "-r", pcap, "-Y", "_ws.malformed").Output(); len(bytes.TrimSpace(bad)) > 0 {
		t.Errorf("tshark finds malformed packets:\n%s", bad)
	}
}

// TestWatchWithoutRawCapture: without CAP_NET_RAW (dropped with setpriv)
// the watch goes on with doors and states, and says why there are no
// packets.
func TestWatchWithoutRawCapture(t *testing.T) {
	needNamespaces(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		need(t, "setpriv (util-linux) is not installed")
	}
	ns := testNetns(t, "svwatchnoraw")
	w := watchPrint(t, []string{"setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw"}, ns)
	w.waitStarted(t)
	pid := httpServer(t, ns, 8000)
	w.waitLine(t, 30*time.Second, fmt.Sprintf("/python3[%d]:", pid), " listen ")
	if out, err := exec.Command("ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "http://127.0.0.1:8000/").CombinedOutput(); err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	w.waitLine(t, 15*time.Second, "TIME-WAIT")
	if err := w.stop(); err != nil {
		t.Fatalf("watch --print: %v\n%s", err, w.stderrText())
	}
	if !strings.Contains(w.stderrText(), "no packets: needs CAP_NET_RAW") {
		t.Errorf("stderr says %q, want why there are no packets", w.stderrText())
	}
	if strings.Contains(w.text(), " sent ") {
		t.Errorf("packets printed without CAP_NET_RAW:\n%s", w.text())
	}
}
