package server

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
