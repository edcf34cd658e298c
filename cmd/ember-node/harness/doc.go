// Package harness starts real ember-node processes for end-to-end tests,
// in the spirit of hashicorp/raft's testing.go: one place that builds the
// binary, picks ports, starts, signals and restarts nodes, forms clusters,
// runs the operator subcommands and speaks raw RESP, so that every e2e
// package tests the binary operators run, with the same faults.
//
// It is a normal package, not a _test.go file, because three test
// packages (cluster/e2e, cmd/ember-node, rpc/difftest) share it. It
// imports nothing of ember-node but the RESP codec: the process boundary
// is the point.
//
// A package using it calls Main from TestMain; the binary is built on
// first use, once per test binary:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m, harness.Race)) }
//
//	n := harness.StartNode(t, harness.Config{Flags: []string{"--store", "memory"}})
//	c := harness.MustDial(t, n.Addr)
//	c.Expect(t, `+"OK"`, "SET", "k", "v")
//	n.Kill()
//	n.Restart(time.Minute)
package harness
