package cli

import "testing"

// The expected values are what glibc's strtoul(s, &end, 0) returns, and
// whether *end == '\0' afterwards (bpftool's test for a clean parse).
func TestParseUlong(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"", 0, true},
		{"42", 42, true},
		{"0x2a", 42, true},
		{"0X2A", 42, true},
		{"052", 42, true},
		{"08", 0, false},
		{"0x", 0, false},
		{"  42", 42, true},
		{"+42", 42, true},
		{"-1", ^uint64(0), true},
		{"42 ", 42, false},
		{"4a", 4, false},
		{" ", 0, false},
		{"-", 0, false},
		{"18446744073709551615", ^uint64(0), true},
		{"18446744073709551616", ^uint64(0), true},
		{"99999999999999999999999", ^uint64(0), true},
	} {
		got, ok := ParseUlong(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseUlong(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsPrefix(t *testing.T) {
	for _, tc := range []struct {
		pfx, word string
		want      bool
	}{{"", "show", true}, {"s", "show", true}, {"show", "show", true}, {"shows", "show", false}, {"x", "show", false}} {
		if IsPrefix(tc.pfx, tc.word) != tc.want {
			t.Errorf("IsPrefix(%q, %q) != %v", tc.pfx, tc.word, tc.want)
		}
	}
}
