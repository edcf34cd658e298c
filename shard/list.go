package shard

// List is a Redis list: a deque of byte strings.
type List struct {
	items [][]byte // ring buffer storage
	head  int      // index of the first element in items
	n     int      // number of elements
	mem   int      // bytes of element payloads
}

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// Mem returns the approximate bytes held by the list.
func (l *List) Mem() int { return l.mem + 24*len(l.items) }
