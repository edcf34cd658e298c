package rpc

// Prefetcher is a Store that can warm the CPU caches for keys about to be
// looked up. A lookup is a chain of dependent cache misses (slot table,
// bucket, node, key, value); run one command after another, a pipeline's
// chains follow one another, while walked together level by level their
// misses overlap. Prefetch must change nothing.
type Prefetcher interface {
	Prefetch(keys [][]byte)
}

// prefetch hands the first keys of a pipeline's commands to the store,
// when it can use them and there is more than one.
func (c *client) prefetch(cmds []parsedCmd) {
	p := c.srv.prefetcher
	if p == nil || len(cmds) < 2 {
		return
	}
	keys := c.keys[:0]
	for _, cmd := range cmds {
		if spec := cmd.spec; spec != nil && cmd.cs == nil && spec.First > 0 && spec.First < len(cmd.argv) {
			keys = append(keys, cmd.argv[spec.First])
		}
	}
	if len(keys) > 1 {
		p.Prefetch(keys)
	}
	clear(keys)
	c.keys = keys[:0]
}
