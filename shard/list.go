package shard

import "bytes"

// List is a Redis list: a deque of byte strings kept in a ring buffer whose
// capacity is a power of two, so that both ends push and pop in O(1)
// amortized and any index is one mask away. The buffer doubles when full and
// halves when a quarter full, which bounds wasted slots without thrashing at
// the boundary.
//
// Stored element slices are owned by the list: callers hand over slices they
// will not touch again (command code copies argv first), and the list never
// writes into an element, so a popped element can move to another list as is.
type List struct {
	items [][]byte // ring buffer storage; len(items) is 0 or a power of two
	head  int      // index of the first element in items
	n     int      // number of elements
	mem   int      // bytes of element payloads
}

// listMinCap is the smallest non-empty buffer: tiny lists are common and
// four slots cost no more than the allocation header.
const listMinCap = 4

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// Mem returns the approximate bytes held by the list.
func (l *List) Mem() int { return l.mem + 24*len(l.items) }

// slot maps logical index i (0 ≤ i < cap) to its buffer position.
func (l *List) slot(i int) int { return (l.head + i) & (len(l.items) - 1) }

// At returns element i, 0 ≤ i < Len(). The slice must not be modified.
func (l *List) At(i int) []byte { return l.items[l.slot(i)] }

// Set replaces element i with v (owned by the list from now on).
func (l *List) Set(i int, v []byte) {
	p := l.slot(i)
	l.mem += len(v) - len(l.items[p])
	l.items[p] = v
}

// PushFront adds v at the head.
func (l *List) PushFront(v []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.items) - 1)
	l.items[l.head] = v
	l.n++
	l.mem += len(v)
}

// PushBack adds v at the tail.
func (l *List) PushBack(v []byte) {
	l.grow()
	l.items[l.slot(l.n)] = v
	l.n++
	l.mem += len(v)
}

// PopFront removes and returns the head; the list must not be empty.
func (l *List) PopFront() []byte {
	v := l.items[l.head]
	l.items[l.head] = nil
	l.head = (l.head + 1) & (len(l.items) - 1)
	l.n--
	l.mem -= len(v)
	l.shrink()
	return v
}

// PopBack removes and returns the tail; the list must not be empty.
func (l *List) PopBack() []byte {
	p := l.slot(l.n - 1)
	v := l.items[p]
	l.items[p] = nil
	l.n--
	l.mem -= len(v)
	l.shrink()
	return v
}

// Insert puts v at index i (0 ≤ i ≤ Len()), moving the shorter side.
func (l *List) Insert(i int, v []byte) {
	l.grow()
	if i < l.n/2 {
		l.head = (l.head - 1) & (len(l.items) - 1)
		for j := 0; j < i; j++ {
			l.items[l.slot(j)] = l.items[l.slot(j+1)]
		}
	} else {
		for j := l.n; j > i; j-- {
			l.items[l.slot(j)] = l.items[l.slot(j-1)]
		}
	}
	l.items[l.slot(i)] = v
	l.n++
	l.mem += len(v)
}

// Index returns the first index ≥ from whose element equals v, or -1.
func (l *List) Index(v []byte, from int) int {
	for i := from; i < l.n; i++ {
		if bytes.Equal(l.At(i), v) {
			return i
		}
	}
	return -1
}

// Trim keeps the count elements starting at index start, dropping the
// rest (0 ≤ start, start+count ≤ Len()). Dropped slots are cleared so the
// collector can reclaim the payloads.
func (l *List) Trim(start, count int) {
	for i := 0; i < start; i++ {
		l.release(i)
	}
	for i := start + count; i < l.n; i++ {
		l.release(i)
	}
	if len(l.items) > 0 {
		l.head = l.slot(start)
	}
	l.n = count
	l.shrink()
}

func (l *List) release(i int) {
	p := l.slot(i)
	l.mem -= len(l.items[p])
	l.items[p] = nil
}

// Remove deletes up to limit elements equal to v (limit ≤ 0: all of them),
// scanning from the head, or from the tail when fromTail, and returns how
// many it deleted. Survivors keep their order; one pass moves each at most
// once.
func (l *List) Remove(v []byte, limit int, fromTail bool) int {
	removed, w := 0, 0
	for r := 0; r < l.n; r++ {
		ri := r
		if fromTail {
			ri = l.n - 1 - r
		}
		e := l.At(ri)
		if (limit <= 0 || removed < limit) && bytes.Equal(e, v) {
			l.release(ri)
			removed++
			continue
		}
		wi := w
		if fromTail {
			wi = l.n - 1 - w
		}
		if wi != ri {
			l.items[l.slot(wi)] = e
			l.items[l.slot(ri)] = nil
		}
		w++
	}
	if fromTail && len(l.items) > 0 {
		l.head = l.slot(removed)
	}
	l.n -= removed
	l.shrink()
	return removed
}

// Clone returns a deep copy, sized to fit, for COPY.
func (l *List) Clone() *List {
	c := &List{n: l.n, mem: l.mem}
	if l.n == 0 {
		return c
	}
	// One allocation per element, not one shared buffer: an element that
	// later moves to another list (LMOVE) must not pin its neighbours.
	c.items = make([][]byte, capFor(l.n))
	for i := 0; i < l.n; i++ {
		e := l.At(i)
		c.items[i] = append(make([]byte, 0, len(e)), e...)
	}
	return c
}

// capFor returns the smallest power-of-two capacity ≥ n, at least listMinCap.
func capFor(n int) int {
	c := listMinCap
	for c < n {
		c <<= 1
	}
	return c
}

// grow makes room for one more element.
func (l *List) grow() {
	if l.n == len(l.items) {
		l.resize(capFor(l.n + 1))
	}
}

// shrink halves the buffer (or more, after bulk removals) once it is at
// most a quarter full, and frees it when empty.
func (l *List) shrink() {
	if l.n == 0 {
		l.items, l.head = nil, 0
		return
	}
	if len(l.items) > listMinCap && l.n <= len(l.items)/4 {
		l.resize(capFor(2 * l.n))
	}
}

// resize moves the elements to a new buffer of capacity c, head at 0.
func (l *List) resize(c int) {
	items := make([][]byte, c)
	if l.n > 0 {
		k := copy(items, l.items[l.head:min(l.head+l.n, len(l.items))])
		copy(items[k:], l.items[:l.n-k])
	}
	l.items, l.head = items, 0
}
