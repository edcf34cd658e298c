package shard

import "unsafe"

// unsafeString views b as a string without copying. The caller must not
// keep the string past the lifetime of b's contents, nor change b meanwhile.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
