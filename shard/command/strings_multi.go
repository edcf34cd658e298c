package command

import "github.com/ember-node/ember-node/shard"

// mgetCmd replies nil for a key of another type rather than an error, as
// Redis does.
func mgetCmd(c *Ctx, argv [][]byte) {
	c.W.Array(len(argv) - 1)
	for _, key := range argv[1:] {
		o := c.KS.Lookup(key, c.Now)
		if o == nil || o.Kind != shard.KindString {
			c.W.Null()
			continue
		}
		c.W.Bulk(o.Str)
	}
}

// msetPrepare rejects a key without a value before it is replicated.
func msetPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	if len(argv)%2 == 0 {
		return nil, ReplyError(ArityError(msetName(argv)))
	}
	return argv, nil
}

func msetName(argv [][]byte) string {
	if eq(argv[0], "MSETNX") {
		return "msetnx"
	}
	return "mset"
}

// msetCmd is MSET and MSETNX. Keys are set in order, so a repeated key
// takes its last value; MSETNX sets nothing if any key is live.
func msetCmd(c *Ctx, argv [][]byte) {
	name := msetName(argv)
	if len(argv)%2 == 0 {
		c.W.Error(ArityError(name))
		return
	}
	nx := name == "msetnx"
	if nx {
		for j := 1; j < len(argv); j += 2 {
			if c.KS.LookupWrite(argv[j], c.Now) != nil {
				c.W.Int(0)
				return
			}
		}
	}
	for j := 1; j < len(argv); j += 2 {
		putString(c, argv[j], c.KS.LookupWrite(argv[j], c.Now), argv[j+1], 0)
	}
	if nx {
		c.W.Int(1)
		return
	}
	c.W.Simple("OK")
}
