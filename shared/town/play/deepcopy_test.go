package play

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

type node struct {
	name string
	next *node
	peer *node
}

type frameish struct {
	b, l3 []byte
}

type graph struct {
	nodes  []node
	first  *node // into nodes
	ring   *node
	frames []frameish
	byPtr  map[*node]int
	err    error
	addr   netip.AddrPort
	call   func() int
	ifc    any
	hidden struct{ n []int }
	kept   []byte
}

var errSentinel = errors.New("sentinel")

func TestDeepCopyKeepsTheGraphsShape(t *testing.T) {
	g := &graph{nodes: make([]node, 3, 5), err: errSentinel, addr: netip.MustParseAddrPort("10.0.0.1:80")}
	g.nodes[0].name, g.nodes[1].name, g.nodes[2].name = "a", "b", "c"
	g.first = &g.nodes[1]
	a, b := &node{name: "x"}, &node{name: "y"}
	a.next, b.next = b, a
	g.ring = a
	buf := []byte("0123456789abcdefghij")
	g.frames = []frameish{{b: buf[:10:10], l3: buf[4:10]}, {b: buf[10:], l3: buf[14:]}}
	g.byPtr = map[*node]int{a: 1, b: 2}
	n := 7
	g.call = func() int { return n }
	g.ifc = &g.nodes[2]
	g.hidden.n = []int{1, 2, 3}
	g.kept = []byte("big and never written")

	c := deepCopy(g, nil, []field{{reflect.TypeFor[graph](), "kept"}})

	if c == g || &c.nodes[0] == &g.nodes[0] {
		t.Fatal("the copy shares the original's memory")
	}
	if c.first != &c.nodes[1] {
		t.Error("a pointer into an array does not point into the copy's array")
	}
	if c.ring.next.next != c.ring || c.ring == g.ring {
		t.Error("a cycle is not the copy's own")
	}
	c.frames[0].b[5] = 'X'
	if c.frames[0].l3[1] != 'X' || g.frames[0].l3[1] == 'X' {
		t.Errorf("a view into bytes does not see the copy's bytes: %q, original %q", c.frames[0].l3, g.frames[0].l3)
	}
	if len(c.byPtr) != 2 || c.byPtr[c.ring] != 1 || c.byPtr[c.ring.next] != 2 {
		t.Error("a map keyed by pointers is not keyed by the copy's")
	}
	if c.err != errSentinel || !errors.Is(c.err, errSentinel) {
		t.Error("an error is not the same error")
	}
	if c.addr != g.addr {
		t.Error("an address is not equal to itself")
	}
	if c.call() != 7 {
		t.Error("a func is not the same func")
	}
	if p, ok := c.ifc.(*node); !ok || p != &c.nodes[2] {
		t.Error("a pointer in an interface does not point into the copy")
	}
	c.hidden.n[0] = 9
	if g.hidden.n[0] != 1 {
		t.Error("an unexported slice is shared")
	}
	if &c.kept[0] != &g.kept[0] {
		t.Error("a field kept as it is was copied")
	}
	if cap(c.nodes) != 5 || len(c.nodes) != 3 {
		t.Errorf("the slice is %d of %d, want 3 of 5", len(c.nodes), cap(c.nodes))
	}
}
