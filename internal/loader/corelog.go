package loader

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// A CO-RE relocation that cannot be resolved leaves a call to this
// number in its place (libbpf and cilium/ebpf alike); the verifier then
// rejects the program with "invalid func unknown#195896080".
const corePoison = "unknown#195896080"

// fixupVerifierLog is libbpf's fixup_verifier_log for a failed CO-RE
// relocation: the poisoned call and the verifier's complaint become
// "<invalid CO-RE relocation>" and the relocation that failed. The note
// cilium/ebpf attaches to the poisoned instruction as its source line is
// dropped: libbpf keeps the original line, which the verifier does not
// repeat.
func fixupVerifierLog(log []string, insns asm.Instructions, types *btf.Spec) []string {
	out := make([]string, 0, len(log))
	for _, line := range log {
		if strings.HasPrefix(line, "; instruction poisoned by CO-RE") {
			continue
		}
		out = append(out, line)
	}
	// libbpf looks at the last ten lines only.
	for i := len(out) - 1; i >= 1 && i >= len(out)-10; i-- {
		if out[i] != "invalid func "+corePoison {
			continue
		}
		var idx int
		if _, err := fmt.Sscanf(out[i-1], "%d: (85) call "+corePoison, &idx); err != nil {
			return out
		}
		spec, ok := coreSpecAt(insns, idx, types)
		if !ok {
			return out
		}
		patched := append([]string{}, out[:i-1]...)
		patched = append(patched, fmt.Sprintf("%d: <invalid CO-RE relocation>", idx),
			"failed to resolve CO-RE relocation "+spec)
		return append(patched, out[i+1:]...)
	}
	return out
}

// coreSpecAt formats the CO-RE relocation of the instruction at raw
// offset idx as libbpf's bpf_core_format_spec.
func coreSpecAt(insns asm.Instructions, idx int, types *btf.Spec) (string, bool) {
	off := 0
	for i := range insns {
		if off == idx {
			relo := btf.CORERelocationMetadata(&insns[i])
			if relo == nil || types == nil {
				return "", false
			}
			return formatCORESpec(relo, types)
		}
		off += int(insns[i].Size() / asm.InstructionSize)
	}
	return "", false
}

// formatCORESpec reads kind, local type id and accessor from the
// relocation (cilium/ebpf keeps them unexported, but prints them) and
// walks the accessor through the object's BTF.
func formatCORESpec(relo *btf.CORERelocation, types *btf.Spec) (string, bool) {
	s := relo.String() // CORERelocation(KIND, TYPE[ACCESSOR], local_id=ID)
	s, ok := strings.CutPrefix(s, "CORERelocation(")
	if !ok {
		return "", false
	}
	kind, rest, ok := strings.Cut(s, ", ")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, ", local_id=")
	if i < 0 {
		return "", false
	}
	id, err := strconv.Atoi(strings.TrimSuffix(rest[i+len(", local_id="):], ")"))
	if err != nil {
		return "", false
	}
	head := rest[:i]
	j := strings.LastIndexByte(head, '[')
	if j < 0 || !strings.HasSuffix(head, "]") {
		return "", false
	}
	var acc []int
	for _, f := range strings.Split(head[j+1:len(head)-1], ":") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return "", false
		}
		acc = append(acc, n)
	}
	root, err := types.TypeByID(btf.TypeID(id))
	if err != nil {
		return "", false
	}
	name := root.TypeName()
	if name == "" {
		name = "<anon>"
	}
	b := fmt.Sprintf("<%s> [%d] %s %s", kind, id, btfKindName(root), name)
	switch kind {
	case "byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64":
		path, bits, ok := walkAccessor(root, acc)
		if !ok {
			return "", false
		}
		raw := make([]string, len(acc))
		for k, a := range acc {
			raw[k] = strconv.Itoa(a)
		}
		b += path + " (" + strings.Join(raw, ":")
		if bits%8 != 0 {
			b += fmt.Sprintf(" @ offset %d.%d)", bits/8, bits%8)
		} else {
			b += fmt.Sprintf(" @ offset %d)", bits/8)
		}
	case "enumval_exists", "enumval_value":
		e, ok := btf.UnderlyingType(root).(*btf.Enum)
		if !ok || len(acc) == 0 || acc[0] >= len(e.Values) {
			return "", false
		}
		v := e.Values[acc[0]]
		if e.Signed {
			b += fmt.Sprintf("::%s = %d", v.Name, int64(v.Value))
		} else {
			b += fmt.Sprintf("::%s = %d", v.Name, v.Value)
		}
	}
	return b, true
}

// walkAccessor follows a field accessor from the root type: the names of
// the members it goes through (indexes for array elements; nothing for
// anonymous members) and the bit offset it ends at.
func walkAccessor(root btf.Type, acc []int) (string, int, bool) {
	if len(acc) == 0 {
		return "", 0, false
	}
	size, err := btf.Sizeof(root)
	if err != nil {
		return "", 0, false
	}
	var path strings.Builder
	if acc[0] > 0 {
		fmt.Fprintf(&path, "[%d]", acc[0])
	}
	bits := acc[0] * size * 8
	t := root
	for _, a := range acc[1:] {
		switch u := btf.UnderlyingType(t).(type) {
		case *btf.Struct, *btf.Union:
			var members []btf.Member
			if st, ok := u.(*btf.Struct); ok {
				members = st.Members
			} else {
				members = u.(*btf.Union).Members
			}
			if a >= len(members) {
				return "", 0, false
			}
			m := members[a]
			// libbpf leaves anonymous members out of the spec.
			if m.Name != "" {
				path.WriteString("." + m.Name)
			}
			bits += int(m.Offset)
			t = m.Type
		case *btf.Array:
			es, err := btf.Sizeof(u.Type)
			if err != nil {
				return "", 0, false
			}
			fmt.Fprintf(&path, "[%d]", a)
			bits += a * es * 8
			t = u.Type
		default:
			return "", 0, false
		}
	}
	return path.String(), bits, true
}

// btfKindName is libbpf's btf_kind_str.
func btfKindName(t btf.Type) string {
	switch t := t.(type) {
	case *btf.Void:
		return "void"
	case *btf.Int:
		return "int"
	case *btf.Pointer:
		return "ptr"
	case *btf.Array:
		return "array"
	case *btf.Struct:
		return "struct"
	case *btf.Union:
		return "union"
	case *btf.Enum:
		if t.Size > 4 {
			return "enum64"
		}
		return "enum"
	case *btf.Fwd:
		return "fwd"
	case *btf.Typedef:
		return "typedef"
	case *btf.Volatile:
		return "volatile"
	case *btf.Const:
		return "const"
	case *btf.Restrict:
		return "restrict"
	case *btf.Func:
		return "func"
	case *btf.FuncProto:
		return "func_proto"
	case *btf.Var:
		return "var"
	case *btf.Datasec:
		return "datasec"
	case *btf.Float:
		return "float"
	case *btf.TypeTag:
		return "type_tag"
	}
	return "unknown"
}
