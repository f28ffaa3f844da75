package share_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"socketville/examples"
	"socketville/wasm/share"
)

// TestPcapOfHelloTCP: the pcap of hello-tcp up to a moment holds the
// frames sent until then, and tshark reads it (when it is installed).
func TestPcapOfHelloTCP(t *testing.T) {
	ex, ok := examples.Find("hello-tcp")
	if !ok {
		t.Fatal("no hello-tcp example")
	}
	all, n, err := share.Pcap(ex.Name, ex.Source, 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	early, m, err := share.Pcap(ex.Name, ex.Source, 0, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if n < 6 || m >= n || len(early) >= len(all) {
		t.Errorf("hello-tcp: %d frames in all, %d in its first 5 ms: want a handshake, data and a close, and fewer early", n, m)
	}
	if magic := binary.LittleEndian.Uint32(all); magic != 0xa1b23c4d {
		t.Errorf("magic %#x, want a nanosecond pcap", magic)
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (./build.sh deps installs it)")
	}
	path := filepath.Join(t.TempDir(), "hello.pcap")
	if err := os.WriteFile(path, all, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "tcp.flags.str")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output() // one line a packet; an ARP's has no TCP flags
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.Bytes())
	}
	if got := strings.Count(string(out), "\n"); got != n || !bytes.Contains(out, []byte("S")) {
		t.Errorf("tshark read %d packets of %d:\n%s", got, n, out)
	}
}

func TestPcapOfABadScenario(t *testing.T) {
	if _, _, err := share.Pcap("typo", "frobnicate\n", 0, time.Second); err == nil || !strings.Contains(err.Error(), "typo") {
		t.Errorf("Pcap of a scenario that does not parse: %v", err)
	}
}
