package jsonw

// appendEscaped escapes s the way the json_writer.c of Debian's bpftool
// 7.1.0 (built from Linux 6.1, our oracle) does: only \t \n \r \f \b \\ and
// \", nothing else. That version writes a backslash as "\n"; newer upstream
// writes "\\". (The GitHub v7.1.0 tag also escapes ' as "\'", the oracle
// does not.) We follow the oracle; this is the one place that knows.
func appendEscaped(b []byte, s string) []byte {
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
			b = append(b, '\\', 'n')
		case '"':
			b = append(b, '\\', '"')
		default:
			b = append(b, c)
		}
	}
	return b
}
