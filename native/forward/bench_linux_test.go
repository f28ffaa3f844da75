package forward

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

// benchBody is what each fetch of the benchmarks reads.
const benchBody = 10 << 20

// curlFetch runs curl against url and returns how long the transfer took
// and how many bytes came.
func curlFetch(b *testing.B, curl, url string) (time.Duration, int) {
	out, err := exec.Command(curl, "-sS", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", "--max-time", "60", url).Output()
	if err != nil {
		b.Fatalf("curl %s: %v", url, err)
	}
	var n int
	var secs float64
	if _, err := fmt.Sscanf(string(out), "%d %g", &n, &secs); err != nil {
		b.Fatalf("curl said %q", out)
	}
	return time.Duration(secs * float64(time.Second)), n
}

// BenchmarkForwardCurl: curl fetches 10 MiB from a server in the town
// through an inbound forward (the splice), against curl fetching the same
// body from a Go server on plain loopback in the same run. Reported in
// MiB/s of curl's own transfer time.
func BenchmarkForwardCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed")
	}
	body := script.Pattern(benchBody)
	b.Run("loopback", func(b *testing.B) {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })}
		go srv.Serve(ln)
		defer srv.Close()
		var total time.Duration
		for b.Loop() {
			d, n := curlFetch(b, curl, "http://"+ln.Addr().String()+"/")
			if n != benchBody {
				b.Fatalf("curl read %d bytes", n)
			}
			total += d
		}
		b.ReportMetric(float64(benchBody)*float64(b.N)/(1<<20)/total.Seconds(), "MiB/s")
	})
	b.Run("splice", func(b *testing.B) { benchForward(b, curl, Splice) })
	b.Run("tun", func(b *testing.B) {
		if os.Geteuid() != 0 {
			b.Skip("the TUN mode needs CAP_NET_ADMIN")
		}
		benchForward(b, curl, TUN)
	})
}

// benchForward fetches the body b.N times through a forward in mode.
func benchForward(b *testing.B, curl string, mode Mode) {
	{
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		n := b.N
		var src strings.Builder
		src.WriteString(server)
		for i := range n {
			if i > 0 {
				src.WriteString("b/web: accept 3\n")
			}
			fmt.Fprintf(&src, "b/web: recv 4 4096\nb/web: send 4 \"HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n\"\nb/web: send 4 size=%d\nb/web: close 4\n", benchBody, benchBody)
		}
		tw := startTownMode(b, mode, src.String(), addr+"=b:80")
		b.ResetTimer()
		var total time.Duration
		for range n {
			d, got := curlFetch(b, curl, "http://"+addr+"/")
			if got != benchBody {
				b.Fatalf("curl read %d bytes", got)
			}
			total += d
		}
		if err := tw.wait(); err != nil {
			b.Errorf("the town's server: %v", err)
		}
		b.ReportMetric(float64(benchBody)*float64(n)/(1<<20)/total.Seconds(), "MiB/s")
	}
}
