package command

// nameIndex finds a command by name in any letter case. Every command
// looks itself up once or twice (dispatch, then the record's apply), so
// this replaces a Go map, whose lookup hashed a folded copy of the name
// with the general string hash: here folding, hashing and probing are
// one pass over a few bytes, and a table of a few hundred entries stays
// in cache.
type nameIndex struct {
	slots []nameSlot
	mask  uint32
}

type nameSlot struct {
	name string // lower case
	spec *Spec
}

// maxNameLen bounds the names the index folds on the stack; no command
// name is longer, so a longer one is simply not found.
const maxNameLen = 32

func foldHash(name []byte, buf *[maxNameLen]byte) uint32 {
	h := uint32(2166136261)
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
		h = (h ^ uint32(c)) * 16777619
	}
	return h ^ h>>15
}

// build indexes specs in a table at most a quarter full.
func (x *nameIndex) build(specs []*Spec) {
	size := 64
	for size < 4*len(specs) {
		size *= 2
	}
	x.slots = make([]nameSlot, size)
	x.mask = uint32(size - 1)
	var buf [maxNameLen]byte
	for _, s := range specs {
		if len(s.Name) > maxNameLen {
			panic("command: name too long " + s.Name)
		}
		i := foldHash([]byte(s.Name), &buf) & x.mask
		for x.slots[i].spec != nil {
			i = (i + 1) & x.mask
		}
		x.slots[i] = nameSlot{string(buf[:len(s.Name)]), s}
	}
}

func (x *nameIndex) lookup(name []byte) *Spec {
	if len(name) > maxNameLen || len(x.slots) == 0 {
		return nil
	}
	var buf [maxNameLen]byte
	i := foldHash(name, &buf) & x.mask
	for {
		e := &x.slots[i]
		if e.spec == nil {
			return nil
		}
		if e.name == string(buf[:len(name)]) {
			return e.spec
		}
		i = (i + 1) & x.mask
	}
}
