package jsonw

import (
	"bytes"
	"testing"
)

// TestEscapes pins the oracle's escaping, quirks included: it writes a
// backslash as \n and leaves the single quote alone (seen in `bpftool -j
// batch` echoing the command words `a\\b` and `it's`).
func TestEscapes(t *testing.T) {
	var b bytes.Buffer
	w := New(&b, false)
	w.String("a\tb\nc\rd\fe\bf\\g\"h'i/j\x01")
	w.End()
	want := "\"a\\tb\\nc\\rd\\fe\\bf\\ng\\\"h'i/j\x01\"\n"
	if b.String() != want {
		t.Errorf("got %q want %q", b.String(), want)
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
