package xlated

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// specOf round-trips types through the wire format so the IDs are the
// ones a kernel-loaded spec would have.
func specOf(t *testing.T, types ...btf.Type) (*btf.Spec, []btf.TypeID) {
	t.Helper()
	b, err := btf.NewBuilder(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []btf.TypeID
	for _, typ := range types {
		id, err := b.Add(typ)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return spec, ids
}

// TestTypeOnly follows btf_dumper.c's __btf_dumper_type_only: each kind
// prints with a trailing space, pointers append "* ", unnamed parameters
// lose the space before "," or ")", and a FUNC prints as a prototype.
func TestTypeOnly(t *testing.T) {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	long := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	xdpMD := &btf.Struct{Name: "xdp_md", Size: 4, Members: []btf.Member{{Name: "data", Type: i32}}}
	fnproto := func(ret btf.Type, params ...btf.FuncParam) *btf.FuncProto {
		return &btf.FuncProto{Return: ret, Params: params}
	}
	fn := func(name string, proto *btf.FuncProto) *btf.Func {
		return &btf.Func{Name: name, Type: proto, Linkage: btf.GlobalFunc}
	}
	cb := &btf.Pointer{Target: fnproto(i32, btf.FuncParam{Type: i32}, btf.FuncParam{Type: &btf.Pointer{Target: char}})}

	tests := []struct {
		typ  btf.Type
		want string
	}{
		{fn("xdp_prog1", fnproto(i32, btf.FuncParam{Name: "ctx", Type: &btf.Pointer{Target: xdpMD}})), "int xdp_prog1(struct xdp_md * ctx)"},
		{fn("touch", fnproto(&btf.Void{})), "void touch()"},
		{fn("g", fnproto(long, btf.FuncParam{Name: "cb", Type: cb})), "long g(int (int, char *)* cb)"},
		{fn("printk", fnproto(i32, btf.FuncParam{Name: "fmt", Type: &btf.Pointer{Target: &btf.Const{Type: char}}}, btf.FuncParam{Type: &btf.Void{}})),
			"int printk(const char * fmt, ...)"},
		{fn("q", fnproto(&btf.Pointer{Target: &btf.Void{}},
			btf.FuncParam{Name: "a", Type: &btf.Typedef{Name: "u32_t", Type: i32}},
			btf.FuncParam{Name: "c", Type: &btf.Enum{Name: "color", Size: 4}},
			btf.FuncParam{Name: "w", Type: &btf.Pointer{Target: &btf.Union{Name: "word", Size: 4}}},
			btf.FuncParam{Name: "n", Type: &btf.Pointer{Target: &btf.Fwd{Name: "node", Kind: btf.FwdStruct}}},
			btf.FuncParam{Name: "u", Type: &btf.Pointer{Target: &btf.Fwd{Name: "un", Kind: btf.FwdUnion}}},
			btf.FuncParam{Name: "v", Type: &btf.Pointer{Target: &btf.Volatile{Type: i32}}},
			btf.FuncParam{Name: "r", Type: &btf.Restrict{Type: &btf.Pointer{Target: char}}},
			btf.FuncParam{Name: "f", Type: &btf.Float{Name: "float", Size: 4}},
			btf.FuncParam{Name: "buf", Type: &btf.Array{Index: i32, Type: char, Nelems: 4}},
		)), "void * q(u32_t a, enum color c, union word * w, struct node * n, union un * u, volatile int * v, restrict char * r, float f, char [4]buf)"},
		{&btf.Var{Name: "hits", Type: long, Linkage: btf.StaticVar}, "static long  hits"},
		{&btf.Var{Name: "limit", Type: i32, Linkage: btf.GlobalVar}, "int  limit"},
		{&btf.Datasec{Name: ".data"}, `section (".data") `},
		{&btf.Pointer{Target: &btf.TypeTag{Type: i32, Value: "user"}}, ""},
		{fn("f", fnproto(i32, btf.FuncParam{Name: "p", Type: &btf.Pointer{Target: &btf.TypeTag{Type: i32, Value: "rcu"}}})), ""},
		{fn(strings.Repeat("a", 1017), fnproto(i32)), "int " + strings.Repeat("a", 1017) + "()"},
		{fn(strings.Repeat("a", 1018), fnproto(i32)), ""},
		{fnproto(i32, btf.FuncParam{Type: i32}), "int (int)"},
	}
	types := make([]btf.Type, len(tests))
	for i := range tests {
		types[i] = tests[i].typ
	}
	spec, ids := specOf(t, types...)
	for i, tc := range tests {
		if got := TypeOnly(spec, ids[i]); got != tc.want {
			t.Errorf("type %d: got %q, want %q", i, got, tc.want)
		}
	}
	if got := TypeOnly(spec, 0); got != "void " {
		t.Errorf("id 0: got %q", got)
	}
	if got := TypeOnly(spec, 99999); got != "" {
		t.Errorf("unknown id: got %q", got)
	}
	if got := TypeOnly(nil, ids[0]); got != "" {
		t.Errorf("nil spec: got %q", got)
	}
}
