// Package e2e tests ember-node end to end: real processes on loopback,
// driven by go-redis, redis-cli, redis-benchmark and the ember-node ops
// subcommands. The processes come from package cmd/ember-node/harness,
// which builds the binary once per `go test ./cluster/e2e` and starts and
// kills only its own processes.
package e2e
