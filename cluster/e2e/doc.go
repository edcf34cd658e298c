// Package e2e tests ember-node end to end: real processes on loopback,
// driven by go-redis, redis-cli, redis-benchmark and the ember-node ops
// subcommands. Everything is in _test.go files; `go test ./cluster/e2e`
// builds the binary once and starts and kills only its own processes.
package e2e
