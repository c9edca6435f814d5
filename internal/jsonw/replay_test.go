package jsonw_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

var update = flag.Bool("update", false, "capture the golden files from bpftool (root)")

// The goldens are Debian bpftool's `-f -j` and `-f -p` `prog show` of
// show.c's show_xdp, pinned: arrays, nested objects (metadata of every
// kind), strings, numbers and booleans.
var goldens = []struct {
	file   string
	pretty bool
	flag   string
}{
	{"testdata/bpftool-show-compact.golden", false, "-j"},
	{"testdata/bpftool-show-pretty.golden", true, "-p"},
}

// TestReplayMatchesBpftool decodes bpftool's JSON and writes the same
// values through jsonw in the same order: the bytes must be bpftool's,
// spaces, newlines and indentation included.
func TestReplayMatchesBpftool(t *testing.T) {
	if *update {
		capture(t)
	}
	for _, g := range goldens {
		want, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		w := jsonw.New(&got, g.pretty)
		dec := json.NewDecoder(bytes.NewReader(want))
		dec.UseNumber()
		replay(t, dec, w)
		w.End()
		if got.String() != string(want) {
			t.Errorf("%s:\n got %q\nwant %q", g.file, got.String(), want)
		}
	}
}

// replay writes one JSON value read from dec, with its nested values.
func replay(t *testing.T, dec *json.Decoder, w *jsonw.Writer) {
	tok, err := dec.Token()
	if err != nil {
		t.Fatal(err)
	}
	switch v := tok.(type) {
	case json.Delim:
		inObject := v == '{'
		if inObject {
			w.StartObject()
		} else {
			w.StartArray()
		}
		for dec.More() {
			if inObject {
				name, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				w.Name(name.(string))
			}
			replay(t, dec, w)
		}
		if _, err := dec.Token(); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if inObject {
			w.EndObject()
		} else {
			w.EndArray()
		}
	case string:
		w.String(v)
	case json.Number:
		w.Raw(v.String())
	case bool:
		w.Bool(v)
	case nil:
		w.Null()
	}
}

func capture(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	coll := testprog.Load(t, "show")
	dir, err := os.MkdirTemp("/sys/fs/bpf", "jsonw_capture_")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	args := []string{"prog", "show"}
	for name, p := range coll.Programs {
		if err := p.Pin(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		info, err := p.Info()
		if err != nil {
			t.Fatal(err)
		}
		// show_xdp has map ids and metadata of every kind.
		if id, ok := info.ID(); ok && name == "show_xdp" {
			args = append(args, "id", strconv.Itoa(int(id)))
		}
	}
	for _, g := range goldens {
		out, err := exec.Command(bpftool, append([]string{"-f", g.flag}, args...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(g.file, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
