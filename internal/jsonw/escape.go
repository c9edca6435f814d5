package jsonw

import "strconv"

// appendEscaped escapes s as JSON (RFC 8259) requires: \" \\ and the short
// escapes \b \f \n \r \t, and \u00XX for every other control character.
//
// This departs from Debian's bpftool 7.1.0 (json_writer.c of Linux 6.1, our
// oracle) on purpose: it writes a backslash as "\n" and other control
// characters raw, so a pin name with \x01 in it or a C source line with
// "\n" in it (every bpf_printk) gives JSON that parsers reject or misread.
// For every string without a backslash or a control character other than
// \t \n \r \f \b, the bytes are bpftool's. Bytes of 0x7f and above are
// written as they come, as bpftool does.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\f':
			b = append(b, '\\', 'f')
		case '\b':
			b = append(b, '\\', 'b')
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
				continue
			}
			b = append(b, c)
		}
	}
	return b
}

// OracleEscapes rewrites JSON written by this package with the escapes of
// Debian's bpftool (a backslash as \n, control characters raw), for tests
// that compare bytes with it. raw undoes every escape, as in the messages
// bpftool's p_err prints between quotes. In our output a backslash in a
// string always starts an escape.
func OracleEscapes(s string, raw bool) string {
	short := map[byte]byte{'\\': '\\', '"': '"', 'n': '\n', 't': '\t', 'r': '\r', 'f': '\f', 'b': '\b'}
	var b []byte
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != '\\' || i+1 == len(s):
			b = append(b, s[i])
		case raw && short[s[i+1]] != 0:
			b = append(b, short[s[i+1]])
			i++
		case s[i+1] == '\\':
			b = append(b, '\\', 'n')
			i++
		case s[i+1] == 'u' && i+5 < len(s):
			v, _ := strconv.ParseUint(s[i+2:i+6], 16, 8)
			b = append(b, byte(v))
			i += 5
		default:
			b = append(b, s[i], s[i+1])
			i++
		}
	}
	return string(b)
}
