// Package difftest holds the differential tests that run the same command
// streams against ember-node and a real Redis 7 and require the same
// replies, byte for byte except where Redis leaves the server free (order
// of set-like replies, random picks, scan cursors, clock-derived values).
//
// The tests need /usr/bin/redis-server. Without it they skip, unless
// EMBER_REQUIRE_REDIS=1 (as in CI), where they fail instead.
//
// Knobs (environment):
//
//	EMBER_DIFF_SEED      master seed of the random sequences (printed on failure)
//	EMBER_DIFF_FAMILIES  comma list of strings,lists,hashes,sets,zsets,keys,conn (default all)
//	EMBER_DIFF_SEQ       run only this sequence index (to replay a failure)
//	EMBER_DIFF_SEQS      number of sequences; EMBER_DIFF_OPS commands per sequence
//	EMBER_DIFF_VERBOSE=1 report every mismatch, not only the first of each command
//	EMBER_DIFF_STATS=1   log how often each command ran and how often Redis refused it
//	EMBER_DIFF_SELF=1    a second redis-server instead of ember-node: checks the test itself
package difftest
