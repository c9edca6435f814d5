package btfdump_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/btfdump"
	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/testprog"
)

var update = flag.Bool("update", false, "capture the golden files from bpftool (root)")

// The capture: the BTF of show.c's program, its .rodata value and the
// value's type id, and bpftool's `prog show` of it, plain and JSON.
const (
	btfFile   = "testdata/show.btf"
	valueFile = "testdata/show.rodata"
	plainFile = "testdata/show-plain.golden"
	jsonFile  = "testdata/show-json.golden"
)

// TestMetadataMatchesBpftool dumps every bpf_metadata_ variable of
// show.c (strings, bool, enums in and out of range, a struct, a signed
// char, a byte array, a long, a u64 max) and compares the text with what
// Debian's bpftool printed for the same bytes: the metadata part of its
// plain and JSON `prog show`.
func TestMetadataMatchesBpftool(t *testing.T) {
	if *update {
		capture(t)
	}
	raw, err := os.ReadFile(btfFile)
	if err != nil {
		t.Fatal(err)
	}
	value, err := os.ReadFile(valueFile)
	if err != nil {
		t.Fatal(err)
	}
	typeID := binary.LittleEndian.Uint32(value)
	value = value[4:]
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	vars := metadataVars(t, spec, typeID, value)
	if len(vars) < 9 {
		t.Fatalf("only %d metadata variables", len(vars))
	}

	var plain bytes.Buffer
	w := bufio.NewWriter(&plain)
	w.WriteString("\tmetadata:")
	jw := jsonw.New(w, false)
	d := btfdump.Dumper{W: jw, Plain: true}
	for _, v := range vars {
		fmt.Fprintf(w, "\n\t\t%s = ", v.name)
		jw.Reset()
		if err := d.Value(v.typ, v.data); err != nil {
			t.Fatal(err)
		}
	}
	jw.End()
	w.Flush()
	want := mustRead(t, plainFile)
	i := strings.Index(want, "\tmetadata:")
	if i < 0 || plain.String() != want[i:] {
		t.Errorf("plain metadata:\n%q\nbpftool:\n%q", plain.String(), want[max(i, 0):])
	}

	var js bytes.Buffer
	jw = jsonw.New(&js, false)
	jw.StartObject()
	jw.Name("metadata")
	jw.StartObject()
	d = btfdump.Dumper{W: jw}
	for _, v := range vars {
		jw.Name(v.name)
		if err := d.Value(v.typ, v.data); err != nil {
			t.Fatal(err)
		}
	}
	jw.EndObject()
	jw.EndObject()
	jw.End()
	got := strings.TrimPrefix(strings.TrimSuffix(js.String(), "}"), "{")
	want = strings.TrimSuffix(mustRead(t, jsonFile), "}")
	if i := strings.Index(want, `"metadata":`); i < 0 || got != want[i:] {
		t.Errorf("JSON metadata:\n%s\nbpftool:\n%s", got, want)
	}
}

type metaVar struct {
	name string
	typ  btf.Type
	data []byte
}

func metadataVars(t *testing.T, spec *btf.Spec, id uint32, value []byte) []metaVar {
	typ, err := spec.TypeByID(btf.TypeID(id))
	if err != nil {
		t.Fatal(err)
	}
	ds, ok := typ.(*btf.Datasec)
	if !ok {
		t.Fatalf("type %d is %T", id, typ)
	}
	var vars []metaVar
	for _, vsi := range ds.Vars {
		v := vsi.Type.(*btf.Var)
		if name, ok := strings.CutPrefix(v.Name, "bpf_metadata_"); ok {
			vars = append(vars, metaVar{name, v.Type, value[vsi.Offset:]})
		}
	}
	return vars
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// capture loads show.c and saves what the test reads, with bpftool's
// output for it.
func capture(t *testing.T) {
	testprog.Privileged(t)
	bpftool := testprog.NeedTool(t, "bpftool")
	coll := testprog.Load(t, "show")
	prog := coll.Programs["show_xdp"]
	info, err := prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := info.ID()
	mapIDs, _ := info.MapIDs()
	var value []byte
	var btfID, typeID uint32
	for _, mid := range mapIDs {
		fd, err := kernel.MapFDByID(uint32(mid))
		if err != nil {
			t.Fatal(err)
		}
		mi, err := kernel.GetMapInfo(fd)
		if err == nil && strings.Contains(mi.Name, ".rodata") {
			value = make([]byte, mi.ValueSize)
			if err := kernel.MapLookup(fd, make([]byte, 4), value); err != nil {
				t.Fatal(err)
			}
			btfID, typeID = mi.BTFID, mi.BTFValueTypeID
		}
		kernel.Close(fd)
	}
	if value == nil {
		t.Fatal("no .rodata map")
	}
	raw, err := kernel.BTFRaw(btfID)
	if err != nil {
		t.Fatal(err)
	}
	head := binary.LittleEndian.AppendUint32(nil, typeID)
	sid := strconv.Itoa(int(id))
	plain, err := exec.Command(bpftool, "prog", "show", "id", sid).Output()
	if err != nil {
		t.Fatal(err)
	}
	js, err := exec.Command(bpftool, "-j", "prog", "show", "id", sid).Output()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{btfFile: raw, valueFile: append(head, value...), plainFile: plain, jsonFile: js} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
