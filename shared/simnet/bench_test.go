package simnet_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
)

// benchHTTP serves a small page on ln and fetches it b.N times through a
// kept-alive connection made by dial.
func benchHTTP(b *testing.B, ln net.Listener, dial func(ctx context.Context, network, addr string) (net.Conn, error), url string) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, town")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	tr := &http.Transport{DialContext: dial, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := hc.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHTTP compares net/http over the town (a link with no delay) with
// net/http over the machine's real loopback, in the same run.
func BenchmarkHTTP(b *testing.B) {
	b.Run("simnet", func(b *testing.B) {
		n := town(b, 0)
		defer n.Close()
		ln, err := stack(b, n, "b", "web").Listen("tcp", ":80")
		if err != nil {
			b.Fatal(err)
		}
		benchHTTP(b, ln, stack(b, n, "a", "client").DialContext, "http://b/")
	})
	b.Run("loopback", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		var d net.Dialer
		benchHTTP(b, ln, d.DialContext, "http://"+ln.Addr().String()+"/")
	})
}
