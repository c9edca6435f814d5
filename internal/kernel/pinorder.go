package kernel

// pin is one pinned path of an object, in walk order.
type pin struct {
	id   uint32
	path string
}

// orderLikeLibbpf groups pins by id in the order bpftool prints an id's
// paths. bpftool appends them to a libbpf hashmap whose buckets are singly
// linked lists with insertion at the head, and every growth of the table
// re-inserts the entries bucket by bucket, reversing each chain again; the
// printed order is the final chain order. We replay the same insertions.
func orderLikeLibbpf(pins []pin) map[uint32][]string {
	const minCapBits = 2
	// The chains as libbpf links them: head[bucket] and next[entry] are
	// indexes into pins, -1 ending a chain. No allocation per entry.
	var head []int32
	next := make([]int32, len(pins))
	capBits := 0
	hash := func(id uint32, bits int) int {
		if bits == 0 {
			return 0
		}
		return int((uint64(id) * 11400714819323198485) >> (64 - bits))
	}
	for i, p := range pins {
		if len(head) == 0 || (i+1)*4/3 > len(head) {
			nb := max(capBits+1, minCapBits)
			grown := make([]int32, 1<<nb)
			for h := range grown {
				grown[h] = -1
			}
			for _, e := range head {
				for e >= 0 {
					after := next[e]
					h := hash(pins[e].id, nb)
					next[e], grown[h] = grown[h], e
					e = after
				}
			}
			head, capBits = grown, nb
		}
		h := hash(p.id, capBits)
		next[i], head[h] = head[h], int32(i)
	}
	table := make(map[uint32][]string, len(pins))
	for _, e := range head {
		for ; e >= 0; e = next[e] {
			table[pins[e].id] = append(table[pins[e].id], pins[e].path)
		}
	}
	return table
}
