package xlated

// CallTargets lists what the callbacks of a Formatter will look up for
// insns: absolute addresses (bpf-to-bpf calls through jited_ksyms) and
// addresses relative to __bpf_call_base (helpers, kfuncs, kernel calls).
func CallTargets(insns []Insn, jitedKsyms []uint64) (abs []uint64, rel []int64) {
	for _, ins := range insns {
		if ins.Code != 0x85 {
			continue
		}
		if ins.Src == PseudoCall && uint64(uint32(ins.Imm)) < uint64(len(jitedKsyms)) {
			abs = append(abs, jitedKsyms[uint32(ins.Imm)])
			continue
		}
		rel = append(rel, int64(ins.Imm))
	}
	return abs, rel
}
