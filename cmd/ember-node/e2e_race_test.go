//go:build race

package main

// raceEnabled builds the node under test with -race too.
const raceEnabled = true
