package shard

// NumSlots is the number of Redis Cluster hash slots.
const NumSlots = 16384

// crc16tab is CRC16-XMODEM (polynomial 0x1021), the checksum Redis Cluster
// uses to map keys to slots.
var crc16tab = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// CRC16 returns the CRC16-XMODEM checksum of b.
func CRC16[T string | []byte](b T) uint16 {
	var crc uint16
	for i := 0; i < len(b); i++ {
		crc = crc<<8 ^ crc16tab[byte(crc>>8)^b[i]]
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
