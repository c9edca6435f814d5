package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestEscapes: every string comes out as valid JSON that decodes to the
// same bytes. The oracle writes a backslash as \n and other control
// characters raw (a deliberate difference, README.md); where it escapes at
// all (\t \n \r \f \b \") our bytes are its bytes, and the single quote and
// the slash stay as they are.
func TestEscapes(t *testing.T) {
	var b bytes.Buffer
	w := New(&b, false)
	in := "a\tb\nc\rd\fe\bf\\g\"h'i/j\x01k\x1f\x00\x7f"
	w.String(in)
	w.End()
	want := "\"a\\tb\\nc\\rd\\fe\\bf\\\\g\\\"h'i/j\\u0001k\\u001f\\u0000\x7f\"\n"
	if b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
	var got string
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || got != in {
		t.Errorf("decoded %q, %v; want %q", got, err, in)
	}
}

// TestEveryByteDecodes: a string of each byte value, in both layouts and
// as a member name, parses and decodes back to itself.
func TestEveryByteDecodes(t *testing.T) {
	for _, pretty := range []bool{false, true} {
		for c := 0; c < 0x80; c++ {
			s := "x" + string(rune(c)) + "y"
			var b bytes.Buffer
			w := New(&b, pretty)
			w.StartObject()
			w.StringField(s, s)
			w.EndObject()
			w.End()
			var m map[string]string
			if err := json.Unmarshal(b.Bytes(), &m); err != nil || m[s] != s {
				t.Errorf("byte %#x: %q decodes to %q, %v", c, b.String(), m, err)
			}
		}
	}
}

// TestEmptyContainers: bpftool writes no newline inside an empty
// container, even when pretty.
func TestEmptyContainers(t *testing.T) {
	var b bytes.Buffer
	w := New(&b, true)
	w.StartObject()
	w.Name("pinned")
	w.StartArray()
	w.EndArray()
	w.Name("o")
	w.StartObject()
	w.EndObject()
	w.EndObject()
	w.End()
	want := "{\n    \"pinned\": [],\n    \"o\": {}\n}\n"
	if b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
	}
}

// TestWantsName follows where a member's name must come next, which is
// where an error met inside an object is written as a member.
func TestWantsName(t *testing.T) {
	var b bytes.Buffer
	w := New(&b, false)
	steps := []struct {
		do   func()
		want bool
	}{
		{func() {}, false},
		{w.StartObject, true},
		{func() { w.Name("a") }, false},
		{func() { w.String("x") }, true},
		{func() { w.Name("l") }, false},
		{w.StartArray, false},
		{w.StartObject, true},
		{w.EndObject, false},
		{w.EndArray, true},
		{w.EndObject, false},
	}
	for i, s := range steps {
		s.do()
		if got := w.WantsName(); got != s.want {
			t.Errorf("step %d: WantsName %v, want %v (%s)", i, got, s.want, b.String())
		}
	}
}

// TestOracleEscapes: our escapes written back as the oracle writes them.
func TestOracleEscapes(t *testing.T) {
	var b bytes.Buffer
	w := New(&b, false)
	w.String("a\\b\x01\"c\n")
	w.End()
	if got, want := OracleEscapes(b.String(), false), "\"a\\nb\x01\\\"c\\n\"\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	if got, want := OracleEscapes(b.String(), true), "\"a\\b\x01\"c\n\"\n"; got != want {
		t.Errorf("raw: got %q want %q", got, want)
	}
}
