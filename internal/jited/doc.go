// Package jited disassembles the native code of JIT-compiled BPF programs
// (x86-64 and arm64) in the notation of GNU objdump 2.40, which is also what
// bpftool built with libbfd prints for `prog dump jited`. It is pure: bytes
// in, text out, no system calls.
//
// A command dumping a program with several functions splits the image by
// jited_func_lens and names each function from its jited_ksyms address:
//
//	arch, ok := jited.HostArch() // else: "No JIT disassembly support"
//	funcs, err := jited.Split(image, arch, funcLens, names)
//	// set funcs[i].Proto from BTF func_info when the program has it
//	err = jited.WriteFuncsPlain(os.Stdout, funcs, jited.Options{Opcodes: opcodes})
//	// or jited.WriteFuncsJSON(jw, funcs, opts)
//
// A program without jited_func_lens is one listing with no header:
// Disassemble(image, arch, 0), then WritePlain or WriteJSON. Where
// NOTATION.md says the text differs from objdump or from bpftool.
package jited
