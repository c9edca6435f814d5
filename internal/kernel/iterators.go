package kernel

// Iterators keeps the bpf_prog and task_file iterator programs loaded
// between reads, for a consumer that reads every program again and again
// (top, every second): the verifier checks each once, not every sample.
// While it is open both programs are loaded, as bpftop's is while it
// runs; neither lists itself.
type Iterators struct {
	prep  *IterPrep
	progs *progIter
	pids  int // the task_file iterator's fd, or -1
	pidID uint32
	err   error // why the task_file iterator cannot load
}

// OpenIterators prepares to read with both iterators; they load on first
// use.
func OpenIterators(prep *IterPrep) *Iterators {
	return &Iterators{prep: prep, pids: -1}
}

// Programs reads every program's record, as ProgIterate does.
func (it *Iterators) Programs(fn func(*IterProg) error) error {
	if it.progs == nil {
		p, err := openProgIter(it.prep)
		if err != nil {
			return err
		}
		it.progs = p
	}
	return it.progs.iterate(fn)
}

// Holders finds the processes holding each program, as FindProgHolders
// does, and the id of the iterator that found them.
func (it *Iterators) Holders(own OwnFDs) (Holders, uint32) {
	<-it.prep.done
	if it.pids < 0 && it.err == nil && it.prep.err == nil {
		it.pids, it.pidID, it.err = loadPidsIter(it.prep.facts)
	}
	if it.pids >= 0 {
		if h, id, err := readHolders(it.pids, it.pidID, own); err == nil {
			return h, id
		}
	}
	return FindHolders(FDProg, own), 0
}

// Close unloads what the iterators loaded.
func (it *Iterators) Close() {
	if it.progs != nil {
		it.progs.close()
		it.progs = nil
	}
	if it.pids >= 0 {
		Close(it.pids)
		it.pids = -1
	}
}
