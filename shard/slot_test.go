package shard

import "testing"

func TestKeySlot(t *testing.T) {
	t.Parallel()
	// Expected values are those of Redis's CLUSTER KEYSLOT.
	cases := []struct {
		key  string
		slot int
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
		{"foo{bar}{zap}", 5061},
		{"{}foo", 9500},
		{"123456789", 12739},
	}
	for _, c := range cases {
		if got := KeySlot([]byte(c.key)); got != c.slot {
			t.Errorf("KeySlot(%q) = %d, want %d", c.key, got, c.slot)
		}
	}
}
