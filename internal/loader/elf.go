package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/userfile"
)

// elfObject is an ELF object as libbpf sees it after bpf_object__open:
// cilium/ebpf's spec, plus the order and names libbpf gives programs and
// maps, which bpftool's output and its `map idx` depend on.
type elfObject struct {
	path  string
	name  string // libbpf's obj->name: the file's base name up to its first dot
	spec  *ebpf.CollectionSpec
	progs []*loadProg // entry programs, by section index then offset
	maps  []*loadMap  // .maps variables, then data sections by index
	// btf is the .BTF libbpf would load into the kernel, or nil.
	btf *rawBTF
	// badLines are the sections whose programs the kernel would refuse
	// for their line info, which cilium/ebpf could not read.
	badLines map[string]bool
}

type loadProg struct {
	name string // the function's symbol
	sec  string
	spec *ebpf.ProgramSpec
}

type loadMap struct {
	name   string // bpf_map__name: the variable, or libbpf's internal name
	key    string // the map's key in spec.Maps
	spec   *ebpf.MapSpec
	data   bool // a global data section
	rodata bool
	reuse  int // fd of the map that replaces it, or -1
	// pinPath is where a map pinned by name lives; autoPinned says this
	// load pinned it there, to undo if the load fails.
	pinPath    string
	autoPinned bool
	// slots are initial values naming programs (prog arrays) or maps
	// (maps of maps): filled once those exist, as libbpf's init_slots.
	slots []ebpf.MapKV
}

// Section types and flags of the ELF specification that libbpf tests.
const (
	shtLLVMAddrsig = 0x6fff4c03
	bpfInsnSize    = 8
)

// openObject reads path as libbpf's bpf_object__open_file does, printing
// its warnings through warn, and returns what cilium/ebpf makes of it.
func openObject(path string, relaxed bool, warn func(string, ...any)) (*elfObject, error) {
	raw, err := userfile.Read(path, userfile.ObjectLimit, func(head []byte) error {
		// An endless or huge non-ELF input (/dev/zero) is refused on its
		// first bytes, as libelf refuses it on its header.
		if !elfIdentOK(head) {
			return checkELFHeader(path, head, warn)
		}
		return nil
	})
	if errors.Is(err, ErrOpen) {
		return nil, err
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Err == syscall.EISDIR {
			// open(2) succeeds on a directory; libelf then fails to read it.
			warn("elf: failed to open %s as ELF file: invalid file descriptor\n", path)
			return nil, ErrOpen
		}
		warn("elf: failed to open %s: %s\n", path, errno.Libbpf(-int(errno.Of(err))))
		return nil, ErrOpen
	}
	return parseObject(path, raw, relaxed, warn)
}

// parseObject is openObject on the object's bytes: no kernel involved, so
// hostile input can be fuzzed. relaxed is -m: map definitions may hold
// fields libbpf does not know.
func parseObject(path string, raw []byte, relaxed bool, warn func(string, ...any)) (obj *elfObject, err error) {
	defer func() {
		// debug/elf and cilium/ebpf are meant not to panic on hostile
		// input; if one does, the object is just not loadable.
		if r := recover(); r != nil {
			warn("elf: %s: malformed object: %v\n", path, r)
			obj, err = nil, ErrOpen
		}
	}()
	if err := checkELFHeader(path, raw, warn); err != nil {
		return nil, err
	}
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		warn("elf: failed to get section names strings from %s: invalid `Elf' handle\n", path)
		return nil, ErrOpen
	}
	obj = &elfObject{path: path, name: objName(path)}
	progs, err := collectSections(obj, f, warn)
	if err != nil {
		return nil, err
	}
	syms, _ := f.Symbols()
	hide, err := libbpfBTF(obj, raw, f, syms, warn)
	if err != nil {
		return nil, err
	}
	types := objectBTF(raw)
	if err := checkMapFields(types, relaxed, warn); err != nil {
		return nil, err
	}
	if relaxed {
		if patched := relaxMapFields(raw, f); patched != nil {
			raw = patched
		}
	}
	spec, err := loadSpec(hideSections(raw, f, hide...))
	if err != nil && obj.btf != nil && len(hide) == 0 && f.Section(".BTF.ext") != nil {
		// cilium/ebpf refuses line and function info that libbpf hands
		// to the kernel: without them, failing the programs the kernel
		// would have refused.
		if s, err2 := loadSpec(hideSections(raw, f, ".BTF.ext")); err2 == nil {
			ext, _ := f.Section(".BTF.ext").Data()
			spec, err, hide = s, nil, []string{".BTF.ext"}
			obj.badLines = badLineInfo(obj.btf, ext, f)
		}
	}
	if err != nil && obj.btf != nil && len(hide) < 2 && f.Section(".maps") == nil {
		// BTF that libbpf reads and cilium/ebpf does not: without it,
		// as libbpf goes on when the kernel refuses it.
		if s, err2 := loadSpec(hideSections(raw, f, ".BTF", ".BTF.ext")); err2 == nil {
			spec, err = s, nil
		}
	}
	if err != nil {
		warn("elf: %s: %v\n", path, err)
		return nil, ErrOpen
	}
	obj.spec = spec
	// Functions in .text are code that programs call, never programs,
	// even alone (the oracle's libbpf says the object has no program).
	for _, p := range progs {
		if p.sec == ".text" {
			continue
		}
		if p.spec = spec.Programs[p.name]; p.spec == nil {
			warn("elf: %s: program '%s' in section '%s' not found\n", path, p.name, p.sec)
			return nil, ErrOpen
		}
		obj.progs = append(obj.progs, p)
	}
	obj.maps = mapOrder(obj, f)
	return obj, nil
}

// libbpfBTF reads .BTF and .BTF.ext as libbpf's bpf_object__init_btf and
// bpf_object__finalize_btf, with their messages. It sets obj.btf and
// returns the sections cilium/ebpf must not see because libbpf ignores
// them; an error if libbpf fails the open.
func libbpfBTF(obj *elfObject, raw []byte, f *elf.File, syms []elf.Symbol, warn func(string, ...any)) ([]string, error) {
	code := -int(syscall.ENOENT)
	var hide []string
	if s := f.Section(".BTF"); s != nil {
		data, err := s.Data()
		if err != nil {
			data = nil
		}
		if obj.btf, code = parseRawBTF(data, warn); code != 0 {
			warn("Error loading ELF section .BTF: %d.\n", code)
			hide = []string{".BTF", ".BTF.ext"}
		}
	}
	if s := f.Section(".BTF.ext"); s != nil && obj.btf != nil {
		data, err := s.Data()
		if code = checkRawBTFExt(data, warn); err == nil && code != 0 {
			warn("Error loading ELF section .BTF.ext: %d. Ignored and continue.\n", code)
			hide = []string{".BTF.ext"}
		}
	}
	if code != 0 && needsBTF(f, syms) {
		warn("BTF is required, but is missing or corrupted.\n")
		return nil, ErrOpen
	}
	if obj.btf != nil {
		if code := obj.btf.finalize(f, syms); code != 0 {
			warn("Error finalizing .BTF: %d.\n", code)
			return nil, ErrOpen
		}
	}
	return hide, nil
}

// needsBTF is libbpf's libbpf_needs_btf: BTF maps, struct_ops or externs.
func needsBTF(f *elf.File, syms []elf.Symbol) bool {
	if f.Section(".maps") != nil || f.Section(".struct_ops") != nil {
		return true
	}
	for _, s := range syms {
		bind := elf.ST_BIND(s.Info)
		if s.Section == elf.SHN_UNDEF && s.Name != "" && (bind == elf.STB_GLOBAL || bind == elf.STB_WEAK) {
			return true
		}
	}
	return false
}

// loadSpec runs cilium/ebpf's ELF reader, turning its panics on hostile
// input into errors.
func loadSpec(raw []byte) (spec *ebpf.CollectionSpec, err error) {
	defer func() {
		if r := recover(); r != nil {
			spec, err = nil, fmt.Errorf("malformed object: %v", r)
		}
	}()
	return ebpf.LoadCollectionSpecFromReader(bytes.NewReader(raw))
}

// checkELFHeader gives libelf's and libbpf's verdicts on the ELF header:
// which files are not ELF at all, not 64-bit, cut short, or not BPF.
// elfIdentOK tells whether raw starts with an ELF identification libelf
// accepts.
func elfIdentOK(raw []byte) bool {
	const identSize = 16
	return len(raw) >= identSize && bytes.Equal(raw[:4], []byte(elf.ELFMAG)) &&
		raw[elf.EI_CLASS] != 0 && raw[elf.EI_CLASS] <= 2 &&
		raw[elf.EI_DATA] != 0 && raw[elf.EI_DATA] <= 2 &&
		raw[elf.EI_VERSION] == 1
}

func checkELFHeader(path string, raw []byte, warn func(string, ...any)) error {
	const ehdrSize, shdrSize = 64, 64
	if !elfIdentOK(raw) {
		warn("elf: '%s' is not a proper ELF object\n", path)
		return ErrOpen
	}
	if raw[elf.EI_CLASS] != byte(elf.ELFCLASS64) {
		if len(raw) < 52 {
			warn("elf: '%s' is not a proper ELF object\n", path)
		} else {
			warn("elf: '%s' is not a 64-bit ELF object\n", path)
		}
		return ErrOpen
	}
	if len(raw) < ehdrSize {
		warn("elf: '%s' is not a proper ELF object\n", path)
		return ErrOpen
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if raw[elf.EI_DATA] == byte(elf.ELFDATA2MSB) {
		bo = binary.BigEndian
	}
	typ := bo.Uint16(raw[16:])
	machine := bo.Uint16(raw[18:])
	shoff := bo.Uint64(raw[40:])
	shentsize := uint64(bo.Uint16(raw[58:]))
	shnum := uint64(bo.Uint16(raw[60:]))
	shstrndx := uint64(bo.Uint16(raw[62:]))
	size := uint64(len(raw))
	truncated := shoff == 0 || shnum == 0 || shentsize != shdrSize ||
		shoff > size || shnum > (size-shoff)/shdrSize || shstrndx >= shnum
	if !truncated {
		sh := raw[shoff+shstrndx*shdrSize:]
		shType := bo.Uint32(sh[4:])
		off, sz := bo.Uint64(sh[24:]), bo.Uint64(sh[32:])
		if shType != uint32(elf.SHT_NOBITS) && (off > size || sz > size-off) {
			truncated = true
		}
	}
	if truncated {
		warn("elf: failed to get section names strings from %s: invalid `Elf' handle\n", path)
		return ErrOpen
	}
	if typ != uint16(elf.ET_REL) || (machine != 0 && machine != uint16(elf.EM_BPF)) {
		warn("elf: %s is not a valid eBPF object file\n", path)
		return ErrOpen
	}
	if raw[elf.EI_DATA] != byte(elf.ELFDATA2LSB) {
		warn("elf: endianness mismatch in %s.\n", path)
		return ErrOpen
	}
	return nil
}

// objName is libbpf's object name: the base name cut to 15 bytes, then at
// its first dot.
func objName(path string) string {
	base := path
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	if len(base) > 15 {
		base = base[:15]
	}
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return base
}

// collectSections walks the sections as libbpf's bpf_object__elf_collect:
// it finds the programs and prints what libbpf says about the sections it
// skips.
func collectSections(obj *elfObject, f *elf.File, warn func(string, ...any)) ([]*loadProg, error) {
	var symtab *elf.Section
	for _, s := range f.Sections {
		if s.Type == elf.SHT_SYMTAB {
			if symtab != nil {
				warn("elf: multiple symbol tables in %s\n", obj.path)
				return nil, ErrOpen
			}
			symtab = s
		}
	}
	if symtab == nil {
		warn("elf: couldn't find symbol table in %s, stripped object file?\n", obj.path)
		return nil, ErrOpen
	}
	syms, err := f.Symbols()
	if err != nil {
		warn("elf: %s: %v\n", obj.path, err)
		return nil, ErrOpen
	}
	var progs []*loadProg
	for idx, s := range f.Sections {
		if idx == 0 || ignoreSection(s) {
			continue
		}
		name := s.Name
		switch {
		case name == "license", name == "version", name == ".maps",
			name == ".BTF", name == ".BTF.ext", s.Type == elf.SHT_SYMTAB:
		case name == "maps":
			warn("elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+\n")
			return nil, ErrOpen
		case s.Type == elf.SHT_PROGBITS && s.Size > 0:
			switch {
			case s.Flags&elf.SHF_EXECINSTR != 0:
				p, err := sectionPrograms(obj, syms, idx, s, warn)
				if err != nil {
					return nil, err
				}
				progs = append(progs, p...)
			case isDataSec(name, ".data"), isDataSec(name, ".rodata"), name == ".struct_ops":
			default:
				warn("elf: skipping unrecognized data section(%d) %s\n", idx, name)
			}
		case s.Type == elf.SHT_REL:
			target := int(s.Info)
			if target >= len(f.Sections) {
				warn("elf: %s: relocation section %s targets no section\n", obj.path, name)
				return nil, ErrOpen
			}
			t := f.Sections[target]
			if t.Flags&elf.SHF_EXECINSTR == 0 && name != ".rel.struct_ops" && name != ".rel.maps" {
				warn("elf: skipping relo section(%d) %s for section(%d) %s\n", idx, name, target, t.Name)
			}
		case s.Type == elf.SHT_NOBITS && isDataSec(name, ".bss"):
		default:
			warn("elf: skipping section(%d) %s (size %d)\n", idx, name, s.Size)
		}
	}
	return progs, nil
}

// isDataSec is libbpf's test for a global data section: the name or the
// name followed by a dot and more.
func isDataSec(name, base string) bool {
	return name == base || strings.HasPrefix(name, base+".")
}

// ignoreSection is libbpf's ignore_elf_section.
func ignoreSection(s *elf.Section) bool {
	name := s.Name
	switch {
	case s.Type == elf.SHT_STRTAB, uint32(s.Type) == shtLLVMAddrsig:
		return true
	case s.Type == elf.SHT_PROGBITS && s.Size == 0 && name == ".text":
		return true
	case strings.HasPrefix(name, ".debug_"):
		return true
	case strings.HasPrefix(name, ".rel"):
		rest := name[len(".rel"):]
		return strings.HasPrefix(rest, ".debug_") || rest == ".BTF" || rest == ".BTF.ext"
	}
	return false
}

// sectionPrograms lists the functions of an executable section in symbol
// table order, then by offset as libbpf sorts them.
func sectionPrograms(obj *elfObject, syms []elf.Symbol, idx int, s *elf.Section, warn func(string, ...any)) ([]*loadProg, error) {
	type found struct {
		p   *loadProg
		off uint64
	}
	var fs []found
	for _, sym := range syms {
		if int(sym.Section) != idx || elf.ST_TYPE(sym.Info) != elf.STT_FUNC {
			continue
		}
		if sym.Value+sym.Size > s.Size || sym.Value+sym.Size < sym.Value {
			warn("sec '%s': program at offset %d crosses section boundary\n", s.Name, sym.Value)
			return nil, ErrOpen
		}
		if s.Name != ".text" && elf.ST_BIND(sym.Info) == elf.STB_LOCAL {
			warn("sec '%s': program '%s' is static and not supported\n", s.Name, sym.Name)
			return nil, ErrOpen
		}
		fs = append(fs, found{&loadProg{name: sym.Name, sec: s.Name}, sym.Value / bpfInsnSize})
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].off < fs[j].off })
	out := make([]*loadProg, len(fs))
	for i := range fs {
		out[i] = fs[i].p
	}
	return out, nil
}

// mapOrder lists the maps in libbpf's order: the variables of .maps as
// BTF lists them, then one map per non-empty data section by index.
func mapOrder(obj *elfObject, f *elf.File) []*loadMap {
	var maps []*loadMap
	seen := map[string]bool{}
	if obj.spec.Types != nil {
		var ds *btf.Datasec
		if err := obj.spec.Types.TypeByName(".maps", &ds); err == nil {
			for _, v := range ds.Vars {
				vr, ok := v.Type.(*btf.Var)
				if !ok {
					continue
				}
				if ms := obj.spec.Maps[vr.Name]; ms != nil && !seen[vr.Name] {
					seen[vr.Name] = true
					maps = append(maps, &loadMap{name: vr.Name, key: vr.Name, spec: ms, reuse: -1})
				}
			}
		}
	}
	for _, s := range f.Sections {
		data := s.Type == elf.SHT_PROGBITS && s.Flags&elf.SHF_EXECINSTR == 0 &&
			(isDataSec(s.Name, ".data") || isDataSec(s.Name, ".rodata"))
		bss := s.Type == elf.SHT_NOBITS && isDataSec(s.Name, ".bss")
		if !(data || bss) || s.Size == 0 || seen[s.Name] {
			continue
		}
		ms := obj.spec.Maps[s.Name]
		if ms == nil {
			continue
		}
		seen[s.Name] = true
		maps = append(maps, &loadMap{
			name:   internalMapName(obj.name, s.Name),
			key:    s.Name,
			spec:   ms,
			data:   true,
			rodata: isDataSec(s.Name, ".rodata"),
			reuse:  -1,
		})
	}
	// Maps cilium/ebpf knows and libbpf would list elsewhere (.kconfig,
	// struct_ops) keep a stable place at the end.
	var rest []string
	for k := range obj.spec.Maps {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		maps = append(maps, &loadMap{name: k, key: k, spec: obj.spec.Maps[k], reuse: -1})
	}
	return maps
}

// internalMapName is libbpf's internal_map_name: the object name's head
// and the section name within the kernel's 15 bytes.
func internalMapName(objName, sec string) string {
	const maxName = 15
	sfx := len(sec)
	if sfx < 7 {
		sfx = 7
	}
	if sfx > maxName {
		sfx = maxName
	}
	pfx := 0
	if !strings.Contains(sec[1:], ".") {
		pfx = maxName - sfx
		if pfx > len(objName) {
			pfx = len(objName)
		}
	}
	name := objName[:pfx]
	if len(sec) > sfx {
		name += sec[:sfx]
	} else {
		name += sec
	}
	b := []byte(name)
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

// mmapable is libbpf's map_is_mmapable: a data section with a variable
// that is not static.
func mmapable(ms *ebpf.MapSpec) bool {
	ds, ok := ms.Value.(*btf.Datasec)
	if !ok {
		return false
	}
	for _, v := range ds.Vars {
		if vr, ok := v.Type.(*btf.Var); ok && vr.Linkage != btf.StaticVar {
			return true
		}
	}
	return false
}

// libbpfMapFields are the members of a BTF map definition libbpf 1.1
// knows; others fail the open unless -m (relaxed_maps).
var libbpfMapFields = map[string]bool{
	"type": true, "max_entries": true, "map_flags": true, "numa_node": true,
	"key_size": true, "key": true, "value_size": true, "value": true,
	"values": true, "pinning": true, "map_extra": true,
}

// checkMapFields is libbpf's strict check of the .maps definitions; with
// -m unknown fields pass.
func checkMapFields(spec *btf.Spec, relaxed bool, warn func(string, ...any)) error {
	if spec == nil {
		return nil
	}
	var ds *btf.Datasec
	if spec.TypeByName(".maps", &ds) != nil {
		return nil
	}
	for _, v := range ds.Vars {
		vr, ok := v.Type.(*btf.Var)
		if !ok {
			continue
		}
		st, ok := btf.UnderlyingType(vr.Type).(*btf.Struct)
		if !ok {
			continue
		}
		for _, m := range st.Members {
			if libbpfMapFields[m.Name] {
				continue
			}
			if relaxed {
				// libbpf skips it (relaxMapFields does the same for
				// cilium/ebpf), saying so only in its debug output.
				continue
			}
			warn("map '%s': unknown field '%s'.\n", vr.Name, m.Name)
			return ErrOpen
		}
	}
	return nil
}

// objectBTF is the object's .BTF, or nil if it has none or it cannot be
// read.
func objectBTF(raw []byte) (spec *btf.Spec) {
	defer func() {
		if recover() != nil {
			spec = nil
		}
	}()
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	return spec
}
