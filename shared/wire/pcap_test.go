package wire_test

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"socketville/shared/wire"
)

func TestPcapLayout(t *testing.T) {
	var buf bytes.Buffer
	w, err := wire.NewPcapWriter(&buf, wire.LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	pkt := mustHex(t, udpPacketHex)
	if err := w.WritePacket(5*time.Second+1234*time.Nanosecond, pkt); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	le := binary.LittleEndian
	if le.Uint32(b) != 0xa1b23c4d || le.Uint16(b[4:]) != 2 || le.Uint16(b[6:]) != 4 || le.Uint32(b[20:]) != 101 {
		t.Fatalf("file header %x", b[:24])
	}
	rec := b[24:]
	if le.Uint32(rec) != 5 || le.Uint32(rec[4:]) != 1234 || le.Uint32(rec[8:]) != uint32(len(pkt)) || le.Uint32(rec[12:]) != uint32(len(pkt)) {
		t.Fatalf("record header %x", rec[:16])
	}
	if !bytes.Equal(rec[16:], pkt) {
		t.Fatal("packet bytes differ")
	}
	if err := w.WritePacket(-1, pkt); err == nil {
		t.Fatal("a negative timestamp must be refused")
	}
}
