package cli

// ParseUlong parses s as C's strtoul(s, &end, 0) and reports whether the
// whole string was consumed. bpftool takes ids and sizes this way, so
// "0x10", "020" and " +16" are all 16 and a trailing byte is an error.
// The result wraps like an unsigned long: "-1" is 2^64-1.
func ParseUlong(s string) (uint64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i < len(s) && s[i] == '0' {
		base = 8
		if i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && HexDigit(s[i+2]) >= 0 {
			base = 16
			i += 2
		}
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) {
		d := HexDigit(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		nv := v*base + uint64(d)
		if nv/base != v && !overflow {
			overflow = true
		}
		if v > (^uint64(0)-uint64(d))/base {
			overflow = true
		}
		v = nv
		i++
	}
	if i == start {
		// No digits: strtoul leaves end at the start of the string.
		return 0, len(s) == 0
	}
	if overflow {
		v = ^uint64(0)
	} else if neg {
		v = -v
	}
	return v, i == len(s)
}

// ParseUint32 is ParseUlong truncated to 32 bits, as bpftool stores the
// result in an unsigned int.
func ParseUint32(s string) (uint32, bool) {
	v, ok := ParseUlong(s)
	return uint32(v), ok
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r'
}

// HexDigit is the value of a hex digit, or -1.
func HexDigit(b byte) int {
	switch {
	case b >= '0' && b <= '9':
		return int(b - '0')
	case b >= 'a' && b <= 'f':
		return int(b-'a') + 10
	case b >= 'A' && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}
