package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// rawChannelJS connects two RTCPeerConnections of one page with the
// roads' own channel (pre-negotiated, unordered, no retransmissions) and
// sends 1160-byte messages for ms milliseconds, as fast as the channel's
// buffer lets (below 1 MiB buffered), then says how many were sent and
// how many arrived: the browser's own data channel, without Socketville,
// as the baseline a shared town's roads are measured against.
const rawChannelJS = `(async (ms) => {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  const opts = {negotiated: true, id: 0, ordered: false, maxRetransmits: 0};
  const ca = a.createDataChannel("frames", opts), cb = b.createDataChannel("frames", opts);
  const gathered = pc => new Promise(r => { if (pc.iceGatheringState === "complete") r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r(); });
  await a.setLocalDescription(await a.createOffer()); await gathered(a);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer()); await gathered(b);
  await a.setRemoteDescription(b.localDescription);
  await new Promise(r => { if (ca.readyState === "open") r(); ca.onopen = r; });
  let got = 0, bytes = 0;
  cb.onmessage = e => { got++; bytes += e.data.byteLength || e.data.size || 0; };
  const msg = new Uint8Array(1160);
  let sent = 0;
  const end = performance.now() + ms;
  ca.bufferedAmountLowThreshold = 256 << 10;
  while (performance.now() < end) {
    while (ca.bufferedAmount < (1 << 20) && performance.now() < end) { ca.send(msg); sent++; }
    await new Promise(r => { ca.onbufferedamountlow = r; setTimeout(r, 5); });
  }
  await new Promise(r => setTimeout(r, 300));
  a.close(); b.close();
  return {sent, got, bytes};
})`

// rawResult is what rawChannelJS says.
type rawResult struct{ Sent, Got, Bytes float64 }

// BenchmarkBrowserDataChannel measures the raw data channel in headless
// Chromium, one page to itself over loopback: messages a second and
// Mbit/s delivered, and the share of those sent that arrived.
func BenchmarkBrowserDataChannel(b *testing.B) {
	url := serve(b)
	ctx := browser(b, 800, 600, peerFlags)
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/?scenario=hello-tcp")); err != nil {
		b.Fatal(err)
	}
	const ms = 3000
	for range b.N {
		start := time.Now()
		r, err := chromedp.Run(ctx, chromedp.Evaluate[rawResult](rawChannelJS+"("+strconv.Itoa(ms)+")",
			func(p *runtime.EvaluateParams) { p.AwaitPromise = ptrTrue() }))
		if err != nil {
			b.Fatal(err)
		}
		if r.Got == 0 {
			b.Fatalf("no message arrived (%v sent) in %v", r.Sent, time.Since(start))
		}
		b.ReportMetric(r.Got/(ms/1000.0), "msgs/s")
		b.ReportMetric(r.Bytes*8/(ms/1000.0)/1e6, "Mbit/s")
		b.ReportMetric(r.Got/r.Sent, "delivered")
	}
}
