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
	var buckets [][]int // chain of indexes into pins, head first
	capBits := 0
	hash := func(id uint32, bits int) int {
		if bits == 0 {
			return 0
		}
		return int((uint64(id) * 11400714819323198485) >> (64 - bits))
	}
	for i, p := range pins {
		if len(buckets) == 0 || (i+1)*4/3 > len(buckets) {
			nb := capBits + 1
			if nb < minCapBits {
				nb = minCapBits
			}
			grown := make([][]int, 1<<nb)
			for _, chain := range buckets {
				for _, e := range chain {
					h := hash(pins[e].id, nb)
					grown[h] = append([]int{e}, grown[h]...)
				}
			}
			buckets, capBits = grown, nb
		}
		h := hash(p.id, capBits)
		buckets[h] = append([]int{i}, buckets[h]...)
	}
	table := map[uint32][]string{}
	for _, chain := range buckets {
		for _, e := range chain {
			table[pins[e].id] = append(table[pins[e].id], pins[e].path)
		}
	}
	return table
}
