package command

import "github.com/ember-node/ember-node/shard"

// ShardSet gives a command flagged AllShards (read) every shard's keyspace
// of the node, so that DBSIZE, KEYS, SCAN and RANDOMKEY answer for the
// whole node with one reply.
type ShardSet interface {
	// Each calls fn on every shard in slot order, each under its own lock
	// and with its own read guarantee, until fn returns false.
	Each(fn func(ks *shard.Keyspace, now int64) bool) error
}

// eachShard iterates c.Shards, or c.KS alone when the command runs on one
// keyspace (tests, EXEC inside one shard).
func (c *Ctx) eachShard(fn func(ks *shard.Keyspace, now int64) bool) error {
	if c.Shards == nil {
		fn(c.KS, c.Now)
		return nil
	}
	return c.Shards.Each(fn)
}

// shardError writes the reply of a failed ShardSet iteration.
func (c *Ctx) shardError(err error) {
	c.W.Error(AsReply(err))
}
