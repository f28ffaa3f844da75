package play

import (
	"net/netip"
	"reflect"
	"sort"
	"time"
	"unsafe"
)

// A checkpoint is a copy of the runner's whole graph (the runner, its
// kernel, every host, socket and letter in flight) taken as it is, so
// that going back starts from the nearest one instead of from the
// beginning. The copy must behave as the original would, which a plain
// field-by-field clone does not promise: a netsim frame keeps its bytes
// and a view into them (its IP packet), a pointer may point into an
// array of structs, and two slices may share one array. So deepCopy
// copies memory, not values: it first finds every piece of memory the
// graph reaches (what each pointer points to, each slice's whole array),
// merges the pieces that overlap into one block, copies each block once,
// and points every pointer and slice of the copy at the same offset in
// the copied block. What the copy shares with the original, by design:
// strings (immutable), funcs (the kernel's observers call the player,
// which is the same), errors (immutable values, some compared by
// identity, like sock.ErrConnRefused), channels, and values of the types
// given in shared.

// copier copies one graph.
type copier struct {
	shared map[reflect.Type]bool
	// sharedFields are fields of structs shared as they are: see
	// keptFields.
	sharedFields map[reflect.Type][]bool
	// blocks are the memory the graph reaches, sorted by start, merged
	// where they overlap.
	blocks  []*block
	seen    map[seenKey]bool
	hasPtrs map[reflect.Type]bool
}

// block is a piece of memory of the original and its copy.
type block struct {
	start, end uintptr
	// typ is the element type and n the count of an array block; a
	// pointer's target is an array of one.
	typ reflect.Type
	n   int
	// dst is the copy's first element.
	dst unsafe.Pointer
	src unsafe.Pointer
}

type seenKey struct {
	addr uintptr
	typ  reflect.Type
	n    int
}

var errorType = reflect.TypeFor[error]()

// valueTypes are copied as the values they are, not followed: their
// pointers are to interned or immutable data (an address's zone, a
// time's location) that equality compares by identity.
var valueTypes = []reflect.Type{reflect.TypeFor[netip.Addr](), reflect.TypeFor[time.Time](), reflect.TypeFor[time.Location]()}

// field names a struct's field that deepCopy shares rather than copies.
type field struct {
	in   reflect.Type
	name string
}

// deepCopy copies the graph p points to (see above). p must be a non-nil
// pointer; values of the types in shared, and the fields in fields, are
// not copied.
func deepCopy[T any](p *T, shared []reflect.Type, fields []field) *T {
	cp, _ := deepCopySized(p, shared, fields)
	return cp
}

// deepCopySized is deepCopy, and how many bytes it copied.
func deepCopySized[T any](p *T, shared []reflect.Type, fields []field) (*T, uintptr) {
	c := newCopier(shared, fields)
	root := reflect.ValueOf(p)
	c.findBlocks(root)
	var size uintptr
	for _, b := range c.blocks {
		b.dst = reflect.MakeSlice(reflect.SliceOf(b.typ), b.n, b.n).UnsafePointer()
		size += b.end - b.start
	}
	for _, b := range c.blocks {
		c.copyBlock(b)
	}
	return (*T)(c.ptr(root).UnsafePointer()), size
}

// copySize is how many bytes deepCopy would copy of the graph p points
// to, shared and fields as for deepCopy.
func copySize[T any](p *T, shared []reflect.Type, fields []field) uintptr {
	c := newCopier(shared, fields)
	c.findBlocks(reflect.ValueOf(p))
	var n uintptr
	for _, b := range c.blocks {
		n += b.end - b.start
	}
	return n
}

// findBlocks finds the blocks of the graph root reaches.
func (c *copier) findBlocks(root reflect.Value) {
	var found []*block
	c.scan(root, &found)
	c.merge(found)
}

func newCopier(shared []reflect.Type, fields []field) *copier {
	c := &copier{shared: map[reflect.Type]bool{}, sharedFields: map[reflect.Type][]bool{}, seen: map[seenKey]bool{}, hasPtrs: map[reflect.Type]bool{}}
	for _, t := range append(valueTypes, shared...) {
		c.shared[t] = true
	}
	for _, f := range fields {
		if sf, ok := f.in.FieldByName(f.name); ok && len(sf.Index) == 1 {
			if c.sharedFields[f.in] == nil {
				c.sharedFields[f.in] = make([]bool, f.in.NumField())
			}
			c.sharedFields[f.in][sf.Index[0]] = true
		}
	}
	return c
}

// pointers reports whether values of t hold pointers (to memory the
// copier must follow).
func (c *copier) pointers(t reflect.Type) bool {
	if v, ok := c.hasPtrs[t]; ok {
		return v
	}
	c.hasPtrs[t] = true // a type that refers to itself holds pointers
	v := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.String:
		v = true
	case reflect.Array:
		v = t.Len() > 0 && c.pointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if c.pointers(t.Field(i).Type) {
				v = true
				break
			}
		}
	}
	c.hasPtrs[t] = v
	return v
}

// rw is v without the read-only mark reflect gives unexported fields, so
// the copier can read through them; v must be addressable.
func rw(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// scan finds the memory v reaches.
func (c *copier) scan(v reflect.Value, found *[]*block) {
	t := v.Type()
	if c.shared[t] || !c.pointers(t) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() || t.Elem().Size() == 0 || c.shared[t.Elem()] {
			return
		}
		c.note(v.UnsafePointer(), t.Elem(), 1, found, func() { c.scan(rw(v.Elem()), found) })
	case reflect.Slice:
		if v.IsNil() || v.Cap() == 0 || t.Elem().Size() == 0 {
			return
		}
		all := v.Slice(0, v.Cap())
		c.note(v.UnsafePointer(), t.Elem(), v.Cap(), found, func() {
			if c.pointers(t.Elem()) {
				for i := range all.Len() {
					c.scan(rw(all.Index(i)), found)
				}
			}
		})
	case reflect.Array:
		for i := range v.Len() {
			c.scan(c.elem(v, i), found)
		}
	case reflect.Struct:
		kept := c.sharedFields[t]
		for i := range v.NumField() {
			if kept == nil || !kept[i] {
				c.scan(c.field(v, i), found)
			}
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		it := v.MapRange()
		for it.Next() {
			c.scan(it.Key(), found)
			c.scan(it.Value(), found)
		}
	case reflect.Interface:
		if v.IsNil() || t == errorType || c.shared[v.Elem().Type()] {
			return
		}
		c.scan(v.Elem(), found)
	}
}

// elem and field are v's parts, readable even when unexported.
func (c *copier) elem(v reflect.Value, i int) reflect.Value {
	e := v.Index(i)
	if e.CanAddr() {
		return rw(e)
	}
	return e
}

func (c *copier) field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	if f.CanAddr() {
		return rw(f)
	}
	if !f.CanInterface() {
		// A field of a value held in an interface: copy the value
		// to memory of its own to read it.
		tmp := reflect.New(v.Type()).Elem()
		tmp.Set(v)
		return rw(tmp.Field(i))
	}
	return f
}

// note records n elements of type t at addr as memory the graph reaches,
// and scans them the first time.
func (c *copier) note(p unsafe.Pointer, t reflect.Type, n int, found *[]*block, inside func()) {
	addr := uintptr(p)
	k := seenKey{addr, t, n}
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	*found = append(*found, &block{start: addr, end: addr + uintptr(n)*t.Size(), typ: t, n: n, src: p})
	inside()
}

// merge makes the blocks: pieces that overlap are one block, typed by the
// piece that spans it (an array holds the structs pointed into it; a
// struct holds the array in one of its fields).
func (c *copier) merge(found []*block) {
	sort.Slice(found, func(i, j int) bool {
		if found[i].start != found[j].start {
			return found[i].start < found[j].start
		}
		return found[i].end > found[j].end
	})
	for _, b := range found {
		if n := len(c.blocks); n > 0 && b.start < c.blocks[n-1].end {
			last := c.blocks[n-1]
			if b.end > last.end {
				// Two slices of one array, the second reaching
				// further: one array from the first's start.
				size := last.typ.Size()
				last.end = b.end
				last.n = int((last.end - last.start) / size)
			}
			continue
		}
		c.blocks = append(c.blocks, b)
	}
}

// find is the block holding addr.
func (c *copier) find(addr uintptr) *block {
	i := sort.Search(len(c.blocks), func(i int) bool { return c.blocks[i].end > addr })
	if i < len(c.blocks) && c.blocks[i].start <= addr {
		return c.blocks[i]
	}
	return nil
}

// moved is where addr's copy is.
func (c *copier) moved(addr uintptr) unsafe.Pointer {
	b := c.find(addr)
	return unsafe.Add(b.dst, addr-b.start)
}

// ptr is pointer v of the original as the copy's.
func (c *copier) ptr(v reflect.Value) reflect.Value {
	t := v.Type()
	if v.IsNil() || t.Elem().Size() == 0 || c.shared[t] || c.shared[t.Elem()] {
		return v
	}
	return reflect.NewAt(t.Elem(), c.moved(v.Pointer()))
}

// slice is slice v of the original as the copy's.
func (c *copier) slice(v reflect.Value) reflect.Value {
	t := v.Type()
	switch {
	case v.IsNil():
		return v
	case v.Cap() == 0 || t.Elem().Size() == 0:
		return reflect.MakeSlice(t, v.Len(), v.Cap())
	}
	s := reflect.SliceAt(t.Elem(), c.moved(v.Pointer()), v.Cap()).Slice(0, v.Len())
	return s.Convert(t) // a named slice type keeps its name
}

// copyBlock copies a block's memory into its copy, pointers moved.
func (c *copier) copyBlock(b *block) {
	size := uintptr(b.n) * b.typ.Size()
	if !c.pointers(b.typ) {
		copy(unsafe.Slice((*byte)(b.dst), size), unsafe.Slice((*byte)(b.src), size))
		return
	}
	src := reflect.SliceAt(b.typ, b.src, b.n)
	dst := reflect.SliceAt(b.typ, b.dst, b.n)
	for i := range b.n {
		c.copyInto(rw(dst.Index(i)), rw(src.Index(i)))
	}
}

// copyInto sets dst, settable, to the copy of src.
func (c *copier) copyInto(dst, src reflect.Value) {
	t := src.Type()
	if c.shared[t] || !c.pointers(t) {
		dst.Set(src)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		dst.Set(c.ptr(src))
	case reflect.Slice:
		dst.Set(c.slice(src))
	case reflect.Array:
		for i := range src.Len() {
			c.copyInto(rw(dst.Index(i)), c.elem(src, i))
		}
	case reflect.Struct:
		kept := c.sharedFields[t]
		for i := range src.NumField() {
			if kept != nil && kept[i] {
				rw(dst.Field(i)).Set(c.field(src, i))
				continue
			}
			c.copyInto(rw(dst.Field(i)), c.field(src, i))
		}
	case reflect.Map:
		if src.IsNil() {
			dst.Set(src)
			return
		}
		m := reflect.MakeMapWithSize(t, src.Len())
		it := src.MapRange()
		for it.Next() {
			m.SetMapIndex(c.copyOf(it.Key()), c.copyOf(it.Value()))
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() || t == errorType || c.shared[src.Elem().Type()] {
			dst.Set(src)
			return
		}
		dst.Set(c.copyOf(src.Elem()))
	default: // strings, funcs, channels: shared
		dst.Set(src)
	}
}

// copyOf is the copy of src as a value of its own.
func (c *copier) copyOf(src reflect.Value) reflect.Value {
	v := reflect.New(src.Type()).Elem()
	c.copyInto(v, src)
	return v
}
