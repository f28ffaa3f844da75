//go:build js && wasm

package jsnet

import (
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// The tests run under Node (go test -exec go_js_wasm_exec), with a fake
// WebSocket and fetch whose behaviour the URL picks.
const fakes = `
globalThis.fakeSockets = [];
globalThis.WebSocket = class {
  constructor(url) {
    this.url = url; this.sent = []; this.readyState = 0; fakeSockets.push(this);
    const later = f => setTimeout(f, 1);
    if (url.endsWith("/run")) later(() => {
      this._open();
      this._msg('{"n":1}'); this._msg('{"n":2}');
      this._msg(new TextEncoder().encode('{"n":3}').buffer);
      this._close(1011, "the run failed", true);
    });
    if (url.endsWith("/refused")) later(() => { this._error(); this._close(1006, "", false); });
    if (url.endsWith("/echo")) later(() => this._open());
  }
  send(s) { if (this.readyState === 0) throw new Error("still connecting"); this.sent.push(s); }
  close(code, reason) {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new Error("bad code " + code);
    this.closeCalled = [code, reason];
    const clean = this.readyState === 1;
    this.readyState = 2;
    setTimeout(() => this._close(code ?? 1005, reason ?? "", clean), 1);
  }
  _open() { this.readyState = 1; this.onopen && this.onopen({}); }
  _msg(d) { this.onmessage && this.onmessage({data: d}); }
  _error() { this.onerror && this.onerror({}); }
  _close(code, reason, clean) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose && this.onclose({code, reason, wasClean: clean});
  }
};
globalThis.fetch = (url, opts) => {
  const answer = (status, statusText, body) => Promise.resolve({status, statusText, text: () => Promise.resolve(body)});
  if (url.endsWith("/ok")) return answer(200, "OK", '{"os":true,"why":"because"}');
  if (url.endsWith("/missing")) return answer(404, "Not Found", "404 page not found\n");
  if (url.endsWith("/html")) return answer(200, "", "<html>");
  if (url.endsWith("/down")) return Promise.reject(new TypeError("Failed to fetch"));
  return new Promise((_, reject) => opts.signal.addEventListener("abort", () => reject(new Error("aborted"))));
};
`

func init() { js.Global().Call("eval", fakes) }

func lastSocket() js.Value {
	s := js.Global().Get("fakeSockets")
	return s.Index(s.Length() - 1)
}

func TestReadInOrderThenTheServersClose(t *testing.T) {
	c, err := Dial("ws://t/run", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for want := 1; want <= 3; want++ {
		var m struct{ N int }
		if err := c.ReadJSON(&m); err != nil || m.N != want {
			t.Fatalf("message %d: %+v, %v", want, m, err)
		}
	}
	err = c.ReadJSON(&struct{}{})
	if CloseCode(err) != 1011 || ClosedHere(err) || !strings.Contains(err.Error(), `"the run failed"`) {
		t.Fatalf("after the messages: %v", err)
	}
	t.Log(err)
	select {
	case <-c.Done():
	default:
		t.Error("Done is open after the close")
	}
	ws := lastSocket()
	for _, on := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		if !ws.Get(on).IsNull() {
			t.Errorf("%s still set after the close", on)
		}
	}
	if err := c.WriteJSON(1); err == nil {
		t.Error("a write after the close went")
	}
}

func TestDialFails(t *testing.T) {
	_, err := Dial("ws://t/refused", time.Second)
	if err == nil || !strings.Contains(err.Error(), "connection failed") || CloseCode(err) != 1006 {
		t.Fatalf("dial: %v", err)
	}
	t.Log(err)
	start := time.Now()
	_, err = Dial("ws://t/silent", 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not open after") || time.Since(start) > time.Second {
		t.Fatalf("dial: %v", err)
	}
	ws := lastSocket()
	time.Sleep(20 * time.Millisecond) // the close event
	if !ws.Get("onclose").IsNull() {
		t.Error("the callbacks of a dial that timed out are kept")
	}
}

func TestWriteAndCloseHere(t *testing.T) {
	c, err := Dial("ws://t/echo", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteJSON(map[string]string{"op": "pause"}); err != nil {
		t.Fatal(err)
	}
	ws := lastSocket()
	if got := ws.Get("sent").Index(0).String(); got != `{"op":"pause"}` {
		t.Errorf("sent %s", got)
	}
	read := make(chan error)
	go func() { _, err := c.Read(); read <- err }()
	if err := c.Close(NormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if !ClosedHere(err) || CloseCode(err) != 1000 {
			t.Errorf("read after Close: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Read waits on after Close")
	}
	if cc := ws.Get("closeCalled"); cc.Index(0).Int() != 1000 || cc.Index(1).String() != "bye" {
		t.Errorf("closed with %v %v", cc.Index(0), cc.Index(1))
	}
	if err := c.Close(NormalClosure, ""); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	if !ws.Get("onmessage").IsNull() {
		t.Error("onmessage still set after the close")
	}
}

func TestGetJSON(t *testing.T) {
	var info struct {
		OS  bool
		Why string
	}
	if status, err := GetJSON("http://t/ok", time.Second, &info); err != nil || status != "200 OK" || !info.OS || info.Why != "because" {
		t.Errorf("ok: %q %v %+v", status, err, info)
	}
	for _, c := range []struct{ url, status, says string }{
		{"http://t/missing", "404 Not Found", "answered 404 Not Found"},
		{"http://t/html", "200", "not the JSON"},
		{"http://t/down", "", "the fetch failed: TypeError: Failed to fetch"},
		{"http://t/slow", "", "no answer within 50ms"},
	} {
		status, err := GetJSON(c.url, 50*time.Millisecond, &info)
		if status != c.status || err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %q, %v; want %q, %q", c.url, status, err, c.status, c.says)
		}
		t.Log(err)
	}
}
