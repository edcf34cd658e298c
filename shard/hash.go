package shard

// Hash is a Redis hash: field → value.
type Hash struct {
	d   Dict[[]byte]
	mem int
}

func newHash() *Hash { return &Hash{} }

// Len returns the number of fields.
func (h *Hash) Len() int { return h.d.Len() }

// Mem returns the approximate bytes held by the hash.
func (h *Hash) Mem() int { return h.mem + 64*h.d.Len() }
