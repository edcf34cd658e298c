package cluster

import "github.com/ember-node/ember-node/shard"

type shardKeyspace = shard.Keyspace
