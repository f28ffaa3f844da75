#!/usr/bin/env bash
# build.sh: the one entry point for building, running and testing Socketville.
#
#   ./build.sh serve     build everything and serve the town on http://127.0.0.1:8080
#   ./build.sh desktop   build everything and open the town in a window
#   ./build.sh test      install what the tests need, vet, all tests with -race
#                        (headless Chromium and Xvfb included), a short fuzz pass
#   ./build.sh deps      install the tests' Debian packages (chromium, xvfb, tshark, ...)
#   ./build.sh native    build bin/socketville with the web build inside
#   ./build.sh wasm      build the browser town (native/web/static/socketville.wasm.gz)
#   ./build.sh demo      build, then run examples/hello-tcp.sv and print its trace
#   ./build.sh bench     run the benchmarks and print their numbers
#   ./build.sh property  the TCP property test over 10,000 seeds (CI runs 1,000)
set -euo pipefail
cd "$(dirname "$0")"

go_env() {
  export CGO_ENABLED=${CGO_ENABLED:-0}
}

# Debian packages the tests use: tshark reads our pcaps; chromium runs the
# browser build; xvfb and the GL/X libraries run the desktop build headless
# (Ebitengine loads them at run time, no cgo) and xdotool clicks in it;
# imagemagick reads the screen;
# iproute2's ip and ss look inside the namespaces of a run on Linux, where
# the watch tests start python3's http.server, curl and netcat-openbsd's nc.
DEPS_PACKAGES="iproute2 python3 curl netcat-openbsd tshark chromium xvfb xauth xdotool libgl1 libgl1-mesa-dri libegl1 libx11-6 libxrandr2 libxcursor1 libxi6 libxinerama1 libxext6 libxrender1 imagemagick fonts-liberation"

deps() {
  local missing=()
  local p
  for p in $DEPS_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all test packages are installed"
    return
  fi
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "deps: missing ${missing[*]} and I cannot install without root; tests that need them will fail" >&2
    return
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The web build goes into native/web/static, where the native binary embeds
# it: one binary serves the whole playground.
WEB_DIR=native/web/static

# The WebAssembly is embedded twice compressed, gzip and brotli, so that
# the server sends each browser the smaller one it takes without
# compressing on a request. BROTLI_QUALITY=11 saves another 0.6 MB for a
# release at a minute's more build.
wasm() {
  local tmp
  tmp=$(mktemp -d)
  GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s -o "$tmp/socketville.wasm" ./wasm
  go run ./native/web/precompress -brotli "${BROTLI_QUALITY:-9}" "$tmp/socketville.wasm" "$WEB_DIR"
  cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$WEB_DIR/wasm_exec.js"
  rm -rf "$tmp"
}

native() {
  go_env
  wasm
  mkdir -p bin
  go build -trimpath -o bin/socketville ./native
  echo "built bin/socketville"
}

serve() {
  native
  exec bin/socketville serve "$@"
}

desktop() {
  native
  exec bin/socketville desktop "$@"
}

demo() {
  native
  bin/socketville run examples/hello-tcp.sv
}

test_all() {
  deps
  go_env
  echo "== go vet (native and js/wasm)"
  go vet ./...
  GOOS=js GOARCH=wasm go vet ./shared/... ./wasm/...
  echo "== gofmt"
  local unformatted
  unformatted=$(gofmt -l . | grep -v '^bin/' || true)
  if [ -n "$unformatted" ]; then
    echo "gofmt would change: $unformatted" >&2
    exit 1
  fi
  echo "== the binary, with the web build inside (the browser and desktop tests run it)"
  native
  echo "== go test -race"
  SOCKETVILLE_E2E_REQUIRED=1 CGO_ENABLED=1 go test -race -count=1 -timeout 25m $(go list ./... | grep -v /native/ossock)
  # Runs on Linux's real sockets depend on a few milliseconds of real
  # delay: alone, so that Chromium and Xvfb do not take the cores from them.
  echo "== go test -race: the town on Linux (namespaces as root, loopback as nobody)"
  CGO_ENABLED=1 go test -race -count=1 ./native/ossock
  echo "== every example on Linux at its real pace (without -race, which stretches it)"
  go test -count=1 -run '^TestExamplesOnLinux$' ./native/ossock
  echo "== fuzz (a short pass over each parser)"
  local target
  for target in FuzzParseIPv4 FuzzParseUDP FuzzParseICMPv4 FuzzParseTCP FuzzParseEthernet FuzzParseARP; do
    fuzz_pass ./shared/wire "$target" 100000
  done
  fuzz_pass ./shared/wire FuzzDissect 50000
  fuzz_pass ./shared/wire FuzzDissectFrame 50000
  fuzz_pass ./shared/script FuzzParse 40000
  fuzz_pass ./shared/lessons FuzzParse 20000
  fuzz_pass ./shared/script FuzzCode 20000
  fuzz_pass ./shared/script/export FuzzProgram 10000
  fuzz_pass ./shared/netsim FuzzReceive 40000
  fuzz_pass ./shared/netsim FuzzTCPInject 40000
  fuzz_pass ./shared/netsim FuzzHostFrames 40000
  fuzz_pass ./shared/netsim FuzzSwitchFrames 20000
}

# fuzz_pass PKG TARGET EXECS runs one fuzz target for a fixed number of
# executions. A count, not a duration: with -fuzztime=5s Go's coordinator can
# race its own deadline and fail with "context deadline exceeded" having found
# nothing (it did in CI while a worker was minimizing a new input).
fuzz_pass() {
  go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$3x" -fuzzminimizetime 500x
}

bench() {
  go_env
  local out
  out=$(mktemp)
  # The core is single-threaded: its benchmarks run on one core (-cpu 1).
  # The baselines get the whole machine, their best: gVisor's stack and
  # the kernel's loopback use several goroutines and threads.
  go test -run '^$' -bench . -benchmem -count=1 -cpu 1 ./shared/netsim ./shared/wire | tee "$out"
  go test -run '^$' -bench . -benchmem -count=1 ./shared/interop ./shared/simnet | tee -a "$out"
  # The OS kernel against the simulator, and a town of namespaces built
  # and taken down (root only; skipped otherwise).
  go test -run '^$' -bench 'Calls|BuildTown' -benchtime 2s ./native/ossock | tee -a "$out"
  # The watch: one look at 0, 1,000 and 10,000 sockets against ss -tanp
  # on the same sockets, and the CPU of 10 looks a second at 10,000 (root
  # only; skipped otherwise).
  go test -run '^$' -bench 'Refresh' -benchmem ./native/watch | tee -a "$out"
  # curl through a forward into the town, against curl on plain loopback.
  go test -run '^$' -bench ForwardCurl -benchtime 5x ./native/forward | tee -a "$out"
  # The learner's pace: wall time at 1x, ticked at 60 frames a second.
  go test -run '^$' -bench Pace -benchtime 1x ./shared/town/play | tee -a "$out"
  # The town: the real binary under Xvfb and in headless Chromium; each op
  # is a whole run, so one is enough.
  native
  go test -run '^$' -bench . -benchtime 1x ./native/e2e | tee -a "$out"
  echo
  echo "== summary (one run; compare runs with benchstat)"
  awk '
    function metric(unit,   i) { for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i; return "" }
    /^BenchmarkScheduler\/pending=/ { split($1, a, "="); sched[a[2]] = $3 }
    /^BenchmarkContainerHeapBaseline\/pending=/ { split($1, a, "="); base[a[2]] = $3 }
    /^BenchmarkUDPDatagram\// { udp[$1] = $5 " datagrams/s, " $7 " B/op, " $9 " allocs/op" }
    /^BenchmarkTCPBulk\/mtu=/ { split($1, a, "="); mtu = a[2] + 0; ours[mtu] = metric("Gbit/s"); ev[mtu] = metric("events/s"); aps[mtu] = metric("allocs/segment") }
    /^BenchmarkGVisorBulk\/mtu=/ { split($1, a, "="); mtu = a[2] + 0; gv[mtu] = metric("Gbit/s") }
    /^BenchmarkTCPConnections/ { conns = metric("conns/s") }
    /^BenchmarkTCPBulkPath\/direct/ { pdir = metric("Gbit/s") }
    /^BenchmarkTCPBulkPath\/switches/ { ppath = metric("Gbit/s") }
    /^BenchmarkSwitchFrames/ { swf = metric("frames/s") }
    /^BenchmarkHTTP\/simnet/ { hs = metric("req/s") }
    /^BenchmarkHTTP\/loopback/ { hl = metric("req/s") }
    /^BenchmarkCalls\/simulator/ { csim = metric("conns/s"); csimc = metric("ns/call") }
    /^BenchmarkCalls\/linux-namespaces/ { cns = metric("conns/s"); cnsc = metric("ns/call") }
    /^BenchmarkCalls\/linux-loopback/ { clo = metric("conns/s"); cloc = metric("ns/call") }
    /^BenchmarkBuildTown/ { btown = metric("s/town") }
    /^BenchmarkRefresh\/sockets=/ { split($1, a, "="); sub(/-[0-9]+$/, "", a[2]); wr[a[2]] = metric("refresh-ms"); wss[a[2]] = metric("ss-ms"); wx[a[2]] = metric("ss/refresh") }
    /^BenchmarkRefreshCPU\// { split($1, a, "[=/]"); sub(/-[0-9]+$/, "", a[5]); wc[++nwc] = sprintf("%s sockets every %s: %s%% of one core (slowest look %s ms)", a[3], a[5], metric("cpu-%-of-core"), metric("slowest-look-ms")) }
    /^BenchmarkForwardCurl\/loopback/ { fwl = metric("MiB/s") }
    /^BenchmarkForwardCurl\/splice/ { fws = metric("MiB/s") }
    /^BenchmarkForwardCurl\/tun/ { fwt = metric("MiB/s") }
    /^BenchmarkPace/ { pst = metric("hello-tcp-syn-to-close-s"); pht = metric("hello-tcp-story-s"); phu = metric("hello-udp-story-s"); per = metric("errors-story-s"); ppu = metric("poll-udp-story-s") }
    /^BenchmarkDesktopFrame/ { cf = metric("crowd-ms/frame"); cd = metric("crowd-doors"); cl = metric("crowd-letters"); hf = metric("hello-ms/frame") }
    /^BenchmarkBrowser/ { wm = metric("wasm-MB"); wg = metric("wasm-gzip-MB"); ff = metric("first-frame-ms"); hfps = metric("hello-fps"); cfps = metric("crowd-fps"); efps = metric("empty-page-fps"); fe = metric("fetched-ms"); ins = metric("instantiated-ms"); mn = metric("main-ms"); tn = metric("town-ms") }
    END {
      printf "%-14s %16s %16s %8s\n", "pending", "scheduler ns/op", "container/heap", "speedup"
      n = split("100 10000 1000000", sizes, " ")
      for (i = 1; i <= n; i++) {
        p = sizes[i]
        if (p in sched && p in base) printf "%-14s %16s %16s %7.2fx\n", p, sched[p], base[p], base[p] / sched[p]
      }
      for (k in udp) printf "%s: %s\n", k, udp[k]
      print ""
      printf "%-28s %12s %12s %8s\n", "TCP bulk (wall clock)", "ours Gbit/s", "gVisor", "ratio"
      for (m = 1500; m <= 9000; m += 7500)
        if (m in ours && m in gv) printf "%-28s %12s %12s %7.2fx\n", "mtu " m, ours[m], gv[m], ours[m] / gv[m]
      for (m = 1500; m <= 9000; m += 7500)
        if (m in ev) printf "mtu %-5s events/s %s, allocs/segment %s\n", m, ev[m], aps[m]
      if (conns != "") printf "TCP connections set up and torn down: %s per second\n", conns
      if (pdir != "" && ppath != "") printf "TCP bulk over two switches and three routers %s Gbit/s, over one direct link %s: %.2fx\n", ppath, pdir, ppath / pdir
      if (swf != "") printf "frames through a switch: %s per second\n", swf
      if (hs != "" && hl != "") printf "net/http: %s req/s over simnet, %s over loopback: %.2fx\n", hs, hl, hs / hl
      if (csim != "") printf "socket calls, a whole connection (10 calls): simulator %s conns/s (%s ns/call)", csim, csimc
      if (cns != "") printf "; Linux namespaces %s conns/s (%s ns/call, %.1fx)", cns, cnsc, cnsc / csimc
      if (clo != "") printf "; Linux loopback %s conns/s (%s ns/call, %.1fx)", clo, cloc, cloc / csimc
      if (csim != "") printf "\n"
      if (fws != "" && fwl != "") printf "curl, 10 MiB: through a forward into the town %s MiB/s (splice), plain loopback %s MiB/s: %.2fx\n", fws, fwl, fws / fwl
      if (fwt != "" && fwl != "") printf "curl, 10 MiB: through a forward with the Linux TCP in the town (tun) %s MiB/s: %.2fx of plain loopback\n", fwt, fwt / fwl
      if (btown != "") printf "a 10-host, 12-link town of namespaces and wires: built and removed in %s s\n", btown
      for (k = 1000; k <= 10000; k *= 10)
        if (k in wr) printf "watch: one look at %d sockets %s ms, ss -tanp %s ms (ss takes %sx as long)\n", k, wr[k], wss[k], wx[k]
      for (k = 1; k <= nwc; k++) printf "watch, CPU (goal: 5%% at 10000 every 100ms): %s\n", wc[k]
      if (pst != "") printf "pace at 1x (wall s): hello-tcp first SYN to the server closing %s, whole story %s; hello-udp %s, errors %s, poll-udp %s\n", pst, pht, phu, per, ppu
      if (cf != "") printf "town, native (Xvfb): %s ms/frame Update+Draw with %s doors and %s letters (hello-tcp %s ms)\n", cf, cd, cl, hf
      if (wm != "") printf "town, browser: wasm %s MB, %s MB gzip-compressed; first frame %s ms; %s fps hello-tcp, %s fps crowd, %s fps empty page\n", wm, wg, ff, hfps, cfps, efps
      if (fe != "") printf "  start-up (ms after navigation): downloaded and compiled %s, instantiated %s, main %s, town made %s, first frame drawn %s\n", fe, ins, mn, tn, ff
    }' "$out"
  rm -f "$out"
}

property() {
  go_env
  SOCKETVILLE_SEEDS="${SEEDS:-10000}" go test -count=1 -run '^TestTCPDeliversEveryByteOnce$' ./shared/netsim -v |
    grep -E '^(property:|--- |ok|FAIL)|seed [0-9]+'
}

case "${1:-}" in
  deps) deps ;;
  native) native ;;
  wasm) wasm ;;
  demo) demo ;;
  test) test_all ;;
  bench) bench ;;
  property) property ;;
  serve) shift; serve "$@" ;;
  desktop) shift; desktop "$@" ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
