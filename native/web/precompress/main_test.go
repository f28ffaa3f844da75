package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestTwinsDecodeToTheFile: both twins written into the folder decode to
// the file, no temporary file is left where go:embed would see it, and
// the sizes are said.
func TestTwinsDecodeToTheFile(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	raw := bytes.Repeat([]byte("\x00asm the town, "), 5000)
	name := filepath.Join(src, "socketville.wasm")
	if err := os.WriteFile(name, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(name, dir, 5, &out); err != nil {
		t.Fatal(err)
	}
	decoders := map[string]func(io.Reader) (io.Reader, error){
		"socketville.wasm.gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"socketville.wasm.br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	}
	for twin, decode := range decoders {
		b, err := os.ReadFile(filepath.Join(dir, twin))
		if err != nil {
			t.Fatal(err)
		}
		r, err := decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", twin, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s decodes to %d bytes (%v), want the file's %d", twin, len(got), err, len(raw))
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the folder holds %d files, want the two twins", len(entries))
	}
	if !strings.Contains(out.String(), "75000 bytes") {
		t.Errorf("said %q, want the file's size", out.String())
	}
}

func TestBadInputIsSaid(t *testing.T) {
	dir := t.TempDir()
	if err := run(filepath.Join(dir, "missing.wasm"), dir, 9, io.Discard); err == nil {
		t.Error("a missing file gave no error")
	}
	name := filepath.Join(dir, "x.wasm")
	if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(name, dir, 12, io.Discard); err == nil || !strings.Contains(err.Error(), "quality 12") {
		t.Errorf("quality 12: %v, want an error that names it", err)
	}
}
