// Command precompress writes a file's two compressed twins into a folder,
// once at build time, so that the server never compresses on a request:
// NAME.gz (gzip, best compression, which every browser takes) and NAME.br
// (brotli, smaller again, which browsers take over HTTPS and on
// localhost). build.sh's wasm step runs it on the town's WebAssembly:
//
//	go run ./native/web/precompress [-brotli Q] FILE DIR
//
// and it prints the three sizes. The binary embeds only the twins; the
// server gives a client that takes neither the gzip one decompressed.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

func main() {
	fs := flag.NewFlagSet("precompress", flag.ContinueOnError)
	// Quality 9 gives 4.5 MB for the 24 MB town in 5 s here; 11 gives
	// 3.9 MB but takes 70 s, too long for every build on two cores
	// (BROTLI_QUALITY=11 ./build.sh native for a release).
	quality := fs.Int("brotli", 9, "brotli quality, 0 to 11")
	if err := fs.Parse(os.Args[1:]); err != nil || fs.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress [-brotli Q] FILE DIR")
		os.Exit(2)
	}
	if err := run(fs.Arg(0), fs.Arg(1), *quality, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "precompress: %v\n", err)
		os.Exit(1)
	}
}

func run(name, dir string, quality int, out io.Writer) error {
	if quality < brotli.BestSpeed || quality > brotli.BestCompression {
		return fmt.Errorf("brotli quality %d: want %d to %d", quality, brotli.BestSpeed, brotli.BestCompression)
	}
	raw, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	gz, err := gzipped(raw)
	if err != nil {
		return fmt.Errorf("gzip %s: %w", name, err)
	}
	br, err := brotlied(raw, quality)
	if err != nil {
		return fmt.Errorf("brotli %s: %w", name, err)
	}
	base := filepath.Join(dir, filepath.Base(name))
	if err := writeAtomic(base+".gz", gz); err != nil {
		return err
	}
	if err := writeAtomic(base+".br", br); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d bytes, %d gzip, %d brotli (quality %d)\n", filepath.Base(name), len(raw), len(gz), len(br), quality)
	return nil
}

func gzipped(raw []byte) ([]byte, error) {
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func brotlied(raw []byte, quality int) ([]byte, error) {
	var b bytes.Buffer
	// A 16 MB window (the format's largest) finds repeats across the
	// whole of a big wasm; browsers decode any window size.
	w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: quality, LGWin: 24})
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeAtomic writes through a temporary file and a rename, so that a
// build that is stopped halfway never leaves a truncated twin to embed.
// The temporary name starts with a dot, which go:embed leaves out, so a
// native build running alongside never embeds half a file.
func writeAtomic(name string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), name)
}
