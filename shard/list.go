package shard

// The collection types. Each family's file fills in its operations; these