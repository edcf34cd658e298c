package shard

// Capture is a point-in-time view of a keyspace for a snapshot, taken in
// O(slots) and without copying data up front: a slot is copied only when a
// write is about to change it before the snapshot has read it, or when the
// snapshot reads it. Memory grows by the slots written during the
// snapshot, not by the keyspace; the owner's lock is held for one slot's
// copy at a time.
type Capture struct {
	ks      *Keyspace
	pending []bool // slot not yet handed to the snapshot
	copies  map[int]*Dict[Object]
	slots   []int // occupied slots at capture time, in order
	next    int
	Keys    int // keys at capture time
}

// BeginCapture starts a capture. Only one may be active at a time.
func (ks *Keyspace) BeginCapture() *Capture {
	c := &Capture{ks: ks, pending: make([]bool, NumSlots), copies: map[int]*Dict[Object]{}, Keys: ks.keys}
	for slot := range NumSlots {
		if ks.slots[slot].Len() > 0 {
			c.pending[slot] = true
			c.slots = append(c.slots, slot)
		}
	}
	ks.capture = c
	return c
}

// NextSlot returns a private copy of the next slot's keys as they were at
// capture time, or false when all slots were delivered. Call it under the
// owner's lock; use the copy outside it.
func (c *Capture) NextSlot() (int, *Dict[Object], bool) {
	for c.next < len(c.slots) {
		slot := c.slots[c.next]
		c.next++
		if d := c.copies[slot]; d != nil {
			delete(c.copies, slot)
			return slot, d, true
		}
		if !c.pending[slot] {
			continue
		}
		c.pending[slot] = false
		if d := &c.ks.slots[slot].Dict; d.Len() > 0 {
			return slot, cloneSlot(d), true
		}
	}
	return 0, nil, false
}

// Release ends the capture.
func (c *Capture) Release() {
	if c.ks.capture == c {
		c.ks.capture = nil
	}
	c.copies = nil
}

// beforeWrite copies slot into the active capture before it changes.
func (ks *Keyspace) beforeWrite(slot int) {
	c := ks.capture
	if c == nil || !c.pending[slot] {
		return
	}
	c.pending[slot] = false
	if d := &ks.slots[slot].Dict; d.Len() > 0 {
		c.copies[slot] = cloneSlot(d)
	}
}

// beforeFlushAll hands every undelivered slot to the capture as is: the
// tables are being dropped, so they need no copy.
func (ks *Keyspace) beforeFlushAll() {
	c := ks.capture
	if c == nil {
		return
	}
	for _, slot := range c.slots {
		if c.pending[slot] {
			c.pending[slot] = false
			if d := ks.slots[slot].Dict; d.Len() > 0 {
				c.copies[slot] = &d // the table itself, not a copy
			}
		}
	}
}

func cloneSlot(d *Dict[Object]) *Dict[Object] {
	c := d.CloneLayout(cloneObject)
	return &c
}

// cloneObject deep-copies a value, keeping hash and set layouts so random
// picks from a restored copy match.
func cloneObject(o Object) Object {
	n := o
	n.flags = 0
	switch o.Kind {
	case KindString:
		n.Str = append([]byte(nil), o.Str...)
	case KindList:
		n.coll = o.List().Clone()
	case KindHash:
		h := o.Hash()
		n.coll = &Hash{d: h.d.CloneLayout(func(v []byte) []byte { return v }), mem: h.mem}
		// Values are shared with the live hash, which may overwrite a
		// value in place: copy them.
		n.Hash().d.Range(func(_ string, v *[]byte) bool {
			*v = append([]byte(nil), *v...)
			return true
		})
	case KindSet:
		s := o.Set()
		n.coll = &Set{d: s.d.CloneLayout(func(v struct{}) struct{} { return v }), mem: s.mem}
	case KindZSet:
		n.coll = o.ZSet().Clone()
	}
	return n
}
