package command

import "github.com/ember-node/ember-node/shard"

// stringMaxLen is Redis's default proto-max-bulk-len, the largest string
// APPEND and SETRANGE may build.
const stringMaxLen = 512 << 20

// strFits reports whether a string of n bytes may grow by add bytes.
func strFits(n, add int) bool { return add <= stringMaxLen-n }

// appendCmd grows the string in its own storage, so repeated APPENDs are
// amortised O(1) per byte as with Redis's sds.
func appendCmd(c *Ctx, argv [][]byte) {
	key, val := argv[1], argv[2]
	o, ok := writeString(c, key, keepAbsent)
	if !ok {
		return
	}
	switch {
	case o == nil:
		o = c.KS.Create(key, shard.KindString, c.Now)
		o.Str = clone(val)
	case !strFits(len(o.Str), len(val)):
		c.W.Error(ErrStringTooLong)
		return
	default:
		o.Str = append(o.Str, val...)
	}
	c.W.Int(int64(len(o.Str)))
}

func strlenCmd(c *Ctx, argv [][]byte) {
	if o, ok := readString(c, argv[1], zeroAbsent); ok {
		c.W.Int(int64(len(o.Str)))
	}
}

// getrangeCmd is GETRANGE and SUBSTR. Redis parses both indexes before
// looking at the key, and a missing key is an empty string.
func getrangeCmd(c *Ctx, argv [][]byte) {
	start, end, ok := intPair(c, argv[2], argv[3])
	if !ok {
		return
	}
	o, ok := readString(c, argv[1], keepAbsent)
	if !ok {
		return
	}
	var s []byte
	if o != nil {
		s = o.Str
	}
	c.W.Bulk(getrangeSlice(s, start, end))
}

// getrangeSlice applies GETRANGE's index rules: negative indexes count from the
// end and are clamped to 0, end is clamped to the last byte, and a
// negative range given backwards is empty.
func getrangeSlice(s []byte, start, end int64) []byte {
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		return nil
	}
	if start < 0 {
		start = max(start+n, 0)
	}
	if end < 0 {
		end = max(end+n, 0)
	}
	end = min(end, n-1)
	if start > end {
		return nil
	}
	return s[start : end+1]
}

// setrangeOffset parses SETRANGE's offset; Redis rejects a bad one before
// looking at the key.
func setrangeOffset(arg []byte) (int, string) {
	off, ok := ParseInt(arg)
	if !ok {
		return 0, ErrNotInt
	}
	if off < 0 {
		return 0, "ERR offset is out of range"
	}
	if off > stringMaxLen {
		// Too far for any value; the length check below says so.
		off = stringMaxLen + 1
	}
	return int(off), ""
}

func setrangePrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	if _, msg := setrangeOffset(argv[2]); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

// setrangeCmd checks in Redis's order: offset, type, empty value (which
// changes nothing, not even a missing key), then the size limit.
func setrangeCmd(c *Ctx, argv [][]byte) {
	off, msg := setrangeOffset(argv[2])
	if failed(c, msg) {
		return
	}
	key, val := argv[1], argv[3]
	o, ok := writeString(c, key, keepAbsent)
	if !ok {
		return
	}
	if len(val) == 0 {
		if o == nil {
			c.W.Int(0)
		} else {
			c.W.Int(int64(len(o.Str)))
		}
		return
	}
	if !strFits(off, len(val)) {
		c.W.Error(ErrStringTooLong)
		return
	}
	if o == nil {
		o = c.KS.Create(key, shard.KindString, c.Now)
	}
	if end := off + len(val); end > len(o.Str) {
		o.Str = append(o.Str, make([]byte, end-len(o.Str))...)
	}
	copy(o.Str[off:], val)
	c.W.Int(int64(len(o.Str)))
}
