package shard

// Match reports whether s matches the glob pattern, with Redis's rules
// (stringmatchlen): * ? [abc] [^a-z] and backslash escapes. Matching is
// bounded: patterns with many stars give up instead of running for ever, as
// Redis does since 7.0.
func Match(pattern, s []byte, nocase bool) bool {
	skip := 0
	return match(pattern, s, nocase, &skip, 0)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func match(p, s []byte, nocase bool, skipLongerMatches *int, nesting int) bool {
	if nesting > 1000 {
		return false
	}
	for len(p) > 0 && len(s) > 0 || len(p) > 0 && p[0] == '*' {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLongerMatches, nesting+1) {
					return true
				}
				if *skipLongerMatches != 0 {
					return false
				}
				s = s[1:]
			}
			*skipLongerMatches = 1
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			p, ok = matchClass(p, s[0], nocase)
			if !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if nocase {
				if lower(p[0]) != lower(s[0]) {
					return false
				}
			} else if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the [...] class at the start of p and
// returns p positioned on the class's last byte.
func matchClass(p []byte, c byte, nocase bool) ([]byte, bool) {
	p = p[1:]
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	matched := false
	for {
		if len(p) == 0 {
			// Unterminated class: Redis treats the end as closing it.
			p = []byte{']'}
			break
		}
		if p[0] == '\\' && len(p) >= 2 {
			p = p[1:]
			if p[0] == c {
				matched = true
			}
		} else if p[0] == ']' {
			break
		} else if len(p) >= 3 && p[1] == '-' {
			start, end := p[0], p[2]
			if start > end {
				start, end = end, start
			}
			cc := c
			if nocase {
				start, end, cc = lower(start), lower(end), lower(c)
			}
			p = p[2:]
			if cc >= start && cc <= end {
				matched = true
			}
		} else if nocase {
			if lower(p[0]) == lower(c) {
				matched = true
			}
		} else if p[0] == c {
			matched = true
		}
		p = p[1:]
	}
	if not {
		matched = !matched
	}
	return p, matched
}
