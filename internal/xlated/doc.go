// Package xlated turns a loaded eBPF program's xlated image into the text of
// "bpftool prog dump xlated": the kernel's disasm.c instruction syntax, the
// callbacks bpftool installs on it (helper and kfunc names from kallsyms,
// bpf-to-bpf call targets, map ids), function headers printed from BTF,
// source lines from line_info, raw opcodes, and the JSON form.
//
// It is pure: callers pass the bytes the kernel returned in bpf_prog_info
// (see Program) and a Symbols table, and get text. Nothing here opens files
// or makes syscalls, except the -update capture step of the tests.
//
// The layout follows the oracle, Debian's bpftool 7.1.0 (built from Linux
// 6.1.y); the instruction text follows the current kernel's disasm.c unless
// DialectLinux61 is asked for (see Dialect).
package xlated
