package jsonw

import (
	"bytes"
	"os"
	"testing"
)

// TestLayoutMatchesBpftool makes the calls `prog show` makes for one
// program; the golden files are Debian bpftool's `-f -j|-p prog show id N`
// output for that program.
func TestLayoutMatchesBpftool(t *testing.T) {
	for _, tc := range []struct {
		golden string
		pretty bool
	}{{"testdata/show-compact.golden", false}, {"testdata/show-pretty.golden", true}} {
		want, err := os.ReadFile(tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		w := New(&b, tc.pretty)
		w.StartObject()
		w.UintField("id", 656)
		w.StringField("type", "xdp")
		w.StringField("name", "show_xdp")
		w.StringField("tag", "197429bcf62b22f2")
		w.BoolField("gpl_compatible", true)
		w.Name("loaded_at")
		w.Raw("1795624958")
		w.UintField("uid", 0)
		w.UintField("bytes_xlated", 272)
		w.BoolField("jited", true)
		w.UintField("bytes_jited", 180)
		w.IntField("bytes_memlock", 4096)
		w.Name("map_ids")
		w.StartArray()
		w.Uint(370)
		w.Uint(368)
		w.EndArray()
		w.IntField("btf_id", 776)
		w.Name("pinned")
		w.StartArray()
		w.String("/sys/fs/bpf/jsonw_golden")
		w.EndArray()
		w.Name("metadata")
		w.StartObject()
		w.StringField("owner", "gobpftool tests")
		w.Name("version")
		w.Printf("%d", 42)
		w.Name("big")
		w.Uint(18446744073709551615)
		w.EndObject()
		w.EndObject()
		w.End()
		if b.String() != string(want) {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.golden, b.String(), want)
		}
	}
}

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
