package command

import "strconv"

// getexPrepare rewrites GETEX's relative EX/PX into GETEX key PXAT at. It
// can only reject bad syntax: Redis checks the key (missing: nil, wrong
// type: WRONGTYPE) before the expiry's value, so an invalid expiry is left
// as is for Exec to judge at the record's time.
func getexPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	o, ok := parseExpireOpts(argv, 2, false)
	if !ok {
		return nil, ReplyError(ErrSyntax)
	}
	if o.flags&(optEX|optPX) == 0 {
		return argv, nil
	}
	at, msg := absExpire(o, c.Now, "getex")
	if msg != "" {
		return argv, nil
	}
	return [][]byte{[]byte("GETEX"), argv[1], []byte("PXAT"), strconv.AppendInt(nil, at, 10)}, nil
}

func getexCmd(c *Ctx, argv [][]byte) {
	o, ok := parseExpireOpts(argv, 2, false)
	if !ok {
		c.W.Error(ErrSyntax)
		return
	}
	key := argv[1]
	obj, ok := writeString(c, key, nullAbsent)
	if !ok {
		return
	}
	at, msg := absExpire(o, c.Now, "getex")
	if failed(c, msg) {
		return
	}
	c.W.Bulk(obj.Str)
	switch {
	case at != 0 && at <= c.Now:
		// An absolute time already past deletes the key, as Redis does.
		c.KS.Delete(key)
	case at != 0:
		c.KS.SetExpire(key, obj, at)
	case o.flags&optPersist != 0:
		c.KS.SetExpire(key, obj, 0)
	}
}
