package script_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

var update = flag.Bool("update", false, "rewrite the golden traces under testdata/")

const examplesDir = "../../examples"

func runFile(t *testing.T, path string, sink script.Sink) error {
	t.Helper()
	return script.NewRunner(script.Options{Sink: sink}).Run(parseFile(t, path))
}

// parseFile parses and checks a scenario file.
func parseFile(t *testing.T, path string) *script.Script {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := script.Parse(path, f)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := script.Check(s); err != nil {
		t.Fatalf("check: %v", err)
	}
	return s
}

// TestExamplesGolden runs every scenario under examples/ and compares its
// text trace with testdata/NAME.golden. go test -update rewrites them.
func TestExamplesGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.sv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".sv")
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := runFile(t, path, script.NewTextPrinter(&out)); err != nil {
				t.Fatalf("the example has unexpected errors:\n%v", err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/script -update to create it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("trace differs from %s (go test -update rewrites it):\n%s", golden, firstDiff(string(want), out.String()))
			}
		})
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no difference)"
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestJSONTraceMatchesText checks that the JSON trace holds the same records
// as the text one, each a valid object with the design's fields.
func TestJSONTraceMatchesText(t *testing.T) {
	path := filepath.Join(examplesDir, "hello-udp.sv")
	var text, js bytes.Buffer
	if err := runFile(t, path, script.NewTextPrinter(&text)); err != nil {
		t.Fatal(err)
	}
	if err := runFile(t, path, script.NewJSONPrinter(&js)); err != nil {
		t.Fatal(err)
	}
	textLines := strings.Split(strings.TrimSpace(text.String()), "\n")
	jsonLines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(textLines) != len(jsonLines) {
		t.Fatalf("%d text lines, %d JSON lines", len(textLines), len(jsonLines))
	}
	kinds := map[string]int{}
	for i, l := range jsonLines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		if _, ok := rec["t_ns"].(float64); !ok {
			t.Fatalf("line %d has no t_ns: %s", i+1, l)
		}
		kinds[rec["kind"].(string)]++
	}
	for _, k := range []string{"cmd", "result", "socket", "bind", "sent", "delivered", "dropped", "data", "error"} {
		if kinds[k] == 0 {
			t.Errorf("no %q records in the JSON trace", k)
		}
	}
}

// TestSameSeedSameTrace runs a lossy scenario twice per seed and across
// seeds: the same seed must give the same bytes, another seed other bytes.
func TestSameSeedSameTrace(t *testing.T) {
	path := filepath.Join(examplesDir, "lossy-udp.sv")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	trace := func(seed uint64) string {
		s, err := script.Parse(path, bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		r := script.NewRunner(script.Options{Seed: seed, SeedFixed: true, Sink: script.NewJSONPrinter(&out)})
		_ = r.Run(s)
		return out.String()
	}
	if trace(3) != trace(3) {
		t.Fatal("seed 3 gave two different traces")
	}
	if trace(3) == trace(4) {
		t.Fatal("seeds 3 and 4 gave the same trace over a lossy link")
	}
}

// TestPacedRunMatchesGolden carries out every example the town's way, with
// Advance at a clock's pace in slices of several sizes, and checks that the
// pace changes nothing: the trace is the golden one (without the lines a
// scenario's end abandons) followed by what the world does on its own, and
// every slicing gives the same bytes.
func TestPacedRunMatchesGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.sv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".sv")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimRight(string(want), "\n")
			var kept []string
			for _, l := range strings.Split(golden, "\n") {
				if !strings.Contains(l, "still blocked when the scenario ended") {
					kept = append(kept, l)
				}
			}
			golden = strings.Join(kept, "\n")
			var first string
			for _, slice := range []time.Duration{0, 7 * time.Millisecond, 333 * time.Microsecond} {
				got := pacedTrace(t, path, slice)
				if !strings.HasPrefix(got, golden) {
					t.Fatalf("slice %v: paced trace does not start with the golden one:\n%s", slice, firstDiff(golden, got))
				}
				if first == "" {
					first = got
				} else if got != first {
					t.Fatalf("slice %v gives another trace than one Advance:\n%s", slice, firstDiff(first, got))
				}
			}
		})
	}
}

// pacedTrace advances the scenario until its lines are done, in slices of
// the given size (0: one Advance to the end), then to a fixed time after.
func pacedTrace(t *testing.T, path string, slice time.Duration) string {
	t.Helper()
	var out bytes.Buffer
	r := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&out)})
	r.Enqueue(parseFile(t, path).Lines...)
	const end = 10 * time.Minute // after every example's last line (lan waits out the switch's 300 s ageing)
	if slice == 0 {
		r.Advance(end)
	}
	for r.Now() < end {
		r.Advance(min(r.Now()+slice, end))
	}
	if r.Busy() {
		t.Fatalf("lines still waiting at %v", end)
	}
	return strings.TrimRight(out.String(), "\n")
}
