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

// crc16Bitwise is CRC16-XMODEM one bit at a time, the reference for the
// sliced tables.
func crc16Bitwise(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

func TestCRC16Sliced(t *testing.T) {
	t.Parallel()
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(i*131 + i>>3)
	}
	for n := range len(b) {
		for _, off := range []int{0, 1, 7} {
			if n+off > len(b) {
				continue
			}
			in := b[off : off+n]
			if got, want := CRC16(in), crc16Bitwise(in); got != want {
				t.Fatalf("CRC16 of %d bytes at %d = %#x, want %#x", n, off, got, want)
			}
			if got, want := CRC16(string(in)), crc16Bitwise(in); got != want {
				t.Fatalf("CRC16 of string of %d bytes = %#x, want %#x", n, got, want)
			}
		}
	}
}

func BenchmarkKeySlot(b *testing.B) {
	key := []byte("key:000000012345") // redis-benchmark's keys
	n := 0
	for b.Loop() {
		n += KeySlot(key)
	}
	_ = n
}
