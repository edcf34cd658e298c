package command

func hscanCmd(c *Ctx, argv [][]byte) {
	h, r, ok := scanStart(c, argv, hashKind)
	if !ok {
		return
	}
	out, cursor := scanPage(r, h.Len() <= smallScanLen, 2, h.Range, h.Scan)
	writeCursor(c, cursor)
	c.W.Array(2 * len(out))
	for _, e := range out {
		c.W.BulkString(e.key)
		c.W.Bulk(e.val)
	}
}
