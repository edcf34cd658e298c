package server

import "math"

// fastFrame passes on, in one go, a whole frame at r that is canonical RESP
// within every limit: what nearly every client sends, and what the state
// machine would pass through unchanged after walking it byte by byte. It
// reports false, having consumed nothing, for anything else (a partial
// frame, a limit, a non-canonical byte anywhere), which the state machine
// then reads as before: this only decides sooner what it would decide.
func (g *guardConn) fastFrame() bool {
	if !g.alias || g.lf || g.w != g.off+g.r || len(g.spill) > 0 {
		return false
	}
	b := g.in[g.r:]
	n, p := canonNumber(b, '*')
	if p == 0 || n == 0 || n > math.MaxInt32 || n > maxUnauthMulti && g.lim.needAuth {
		return false
	}
	total := int64(p)
	if total > g.lim.maxQuery {
		return false
	}
	for range n {
		size, q := canonNumber(b[p:], '$')
		if q == 0 || size > g.lim.maxBulk || size > maxUnauthBulk && g.lim.needAuth {
			return false
		}
		total += int64(q) + size + 2
		end := int64(p+q) + size
		if total > g.lim.maxQuery || end+2 > int64(len(b)) || b[end] != '\r' || b[end+1] != '\n' {
			return false
		}
		p = int(end) + 2
	}
	g.r += p
	g.w += p
	g.cmds++
	return true
}

// canonNumber reads a header "<kind><digits>\r\n" at the start of b whose
// number is written as Redis's string2ll wants it (no sign, no leading
// zero) and short enough never to overflow: the number and the header's
// length, or length 0.
func canonNumber(b []byte, kind byte) (int64, int) {
	if len(b) < 4 || b[0] != kind {
		return 0, 0
	}
	var n int64
	i := 1
	for ; i < len(b) && i <= 18 && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	switch {
	case i == 1 || i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n':
		return 0, 0
	case b[1] == '0' && i > 2: // a leading zero
		return 0, 0
	}
	return n, i + 2
}
