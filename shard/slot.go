package shard

// NumSlots is the number of Redis Cluster hash slots.
const NumSlots = 16384

// crc16tab is CRC16-XMODEM (polynomial 0x1021), the checksum Redis Cluster
// uses to map keys to slots: crc16tab[0] is the byte-at-a-time table, and
// crc16tab[k][b] is the checksum contribution of byte b followed by k zero
// bytes, so that CRC16 can fold eight bytes at a time (slicing-by-8): the
// eight lookups are independent, where byte-at-a-time each waits for the
// one before. Every command hashes its key, often more than once.
var crc16tab = func() (t [8][256]uint16) {
	for i := range t[0] {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[0][i] = crc
	}
	for k := 1; k < len(t); k++ {
		for i := range t[k] {
			prev := t[k-1][i]
			t[k][i] = prev<<8 ^ t[0][byte(prev>>8)]
		}
	}
	return t
}()

// CRC16 returns the CRC16-XMODEM checksum of b.
func CRC16[T string | []byte](b T) uint16 {
	var crc uint16
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		crc = crc16tab[7][byte(crc>>8)^b[i]] ^
			crc16tab[6][byte(crc)^b[i+1]] ^
			crc16tab[5][b[i+2]] ^
			crc16tab[4][b[i+3]] ^
			crc16tab[3][b[i+4]] ^
			crc16tab[2][b[i+5]] ^
			crc16tab[1][b[i+6]] ^
			crc16tab[0][b[i+7]]
	}
	for ; i < len(b); i++ {
		crc = crc<<8 ^ crc16tab[0][byte(crc>>8)^b[i]]
	}
	return crc
}

// KeySlot returns the hash slot of key. As in Redis Cluster, when the key
// holds a non-empty {hash tag}, only the tag is hashed, so that related keys
// can be placed in one slot on purpose.
func KeySlot[T string | []byte](key T) int {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					return int(CRC16(key[i+1:j]) & (NumSlots - 1))
				}
				break
			}
		}
		break
	}
	return int(CRC16(key) & (NumSlots - 1))
}
