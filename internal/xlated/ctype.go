package xlated

import (
	"strconv"

	"github.com/cilium/ebpf/btf"
)

// funcSigSize is bpftool's func_sig buffer: a signature that does not fit
// in it (with its NUL) is dropped entirely, not cut.
const funcSigSize = 1024

// maxTypeDepth stops a malformed spec from recursing forever; bpftool has
// no such limit because the kernel only hands out validated BTF.
const maxTypeDepth = 64

// TypeOnly renders BTF type id as bpftool's btf_dumper_type_only does:
// "int xdp_prog1(struct xdp_md * ctx)" for a FUNC, with bpftool's spacing
// ("struct xdp_md * "). It returns "" when spec is nil, the id is unknown,
// a kind cannot be printed (type and decl tags) or the text would not fit.
func TypeOnly(spec *btf.Spec, id btf.TypeID) string {
	if spec == nil {
		return ""
	}
	var typ btf.Type = (*btf.Void)(nil)
	if id != 0 {
		t, err := spec.TypeByID(id)
		if err != nil {
			return ""
		}
		typ = t
	}
	p := typePrinter{}
	if !p.typ(typ, 0) {
		return ""
	}
	return string(p.b)
}

type typePrinter struct {
	b []byte
}

func (p *typePrinter) put(s ...string) bool {
	for _, x := range s {
		p.b = append(p.b, x...)
	}
	return len(p.b) < funcSigSize
}

func (p *typePrinter) typ(t btf.Type, depth int) bool {
	if depth > maxTypeDepth {
		return false
	}
	depth++
	switch t := t.(type) {
	case nil, *btf.Void:
		return p.put("void ")
	case *btf.Int:
		return p.put(t.Name, " ")
	case *btf.Typedef:
		return p.put(t.Name, " ")
	case *btf.Float:
		return p.put(t.Name, " ")
	case *btf.Struct:
		return p.put("struct ", t.Name, " ")
	case *btf.Union:
		return p.put("union ", t.Name, " ")
	case *btf.Enum:
		return p.put("enum ", t.Name, " ")
	case *btf.Array:
		return p.typ(t.Type, depth) && p.put("[", strconv.Itoa(int(int32(t.Nelems))), "]")
	case *btf.Pointer:
		return p.typ(t.Target, depth) && p.put("* ")
	case *btf.Fwd:
		kind := "struct"
		if t.Kind == btf.FwdUnion {
			kind = "union"
		}
		return p.put(kind, " ", t.Name, " ")
	case *btf.Volatile:
		return p.put("volatile ") && p.typ(t.Type, depth)
	case *btf.Const:
		return p.put("const ") && p.typ(t.Type, depth)
	case *btf.Restrict:
		return p.put("restrict ") && p.typ(t.Type, depth)
	case *btf.FuncProto:
		return p.fn(t, "", false, depth)
	case *btf.Func:
		proto, ok := t.Type.(*btf.FuncProto)
		if !ok {
			return false
		}
		return p.fn(proto, t.Name, true, depth)
	case *btf.Var:
		if t.Linkage == btf.StaticVar && !p.put("static ") {
			return false
		}
		return p.typ(t.Type, depth) && p.put(" ", t.Name)
	case *btf.Datasec:
		return p.put("section (\"", t.Name, "\") ")
	}
	return false
}

func (p *typePrinter) fn(proto *btf.FuncProto, name string, named bool, depth int) bool {
	if !p.typ(proto.Return, depth) {
		return false
	}
	if named && !p.put(name) {
		return false
	}
	if !p.put("(") {
		return false
	}
	for i, param := range proto.Params {
		if i > 0 && !p.put(", ") {
			return false
		}
		if _, void := param.Type.(*btf.Void); void || param.Type == nil {
			// A void parameter is how BTF spells a variadic "...".
			if !p.put("...") {
				return false
			}
			continue
		}
		if !p.typ(param.Type, depth) {
			return false
		}
		switch {
		case param.Name != "":
			if !p.put(param.Name) {
				return false
			}
		case len(p.b) > 0 && p.b[len(p.b)-1] == ' ':
			// An unnamed parameter would leave "int )".
			p.b = p.b[:len(p.b)-1]
		}
	}
	return p.put(")")
}
