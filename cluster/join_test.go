package cluster

import "testing"

func TestSeedClusterAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		seed, want string
		bad        bool
	}{
		{seed: "127.0.0.1:7001", want: "127.0.0.1:17001"},
		{seed: "node1:7001@7101", want: "node1:7101"},
		{seed: "[::1]:6379", want: "[::1]:16379"},
		{seed: "127.0.0.1:60000", bad: true}, // port+10000 out of range
		{seed: "127.0.0.1:60000@16000", want: "127.0.0.1:16000"},
		{seed: "127.0.0.1", bad: true},
		{seed: "127.0.0.1:x", bad: true},
		{seed: "127.0.0.1:7001@", bad: true},
		{seed: "127.0.0.1:7001@70000", bad: true},
	} {
		got, err := SeedClusterAddr(tt.seed)
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("SeedClusterAddr(%q) = %q, %v", tt.seed, got, err)
		}
	}
}
