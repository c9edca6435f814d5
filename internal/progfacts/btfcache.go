package progfacts

import (
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// btfCache keeps parsed BTF by id. The lock guards only the table: each
// id is parsed once, by whoever asks first, while other ids are parsed
// and looked up beside it.
type btfCache struct {
	mu    sync.Mutex
	specs map[uint32]*btfEntry
	epoch uint64 // see sweep
}

type btfEntry struct {
	once sync.Once
	spec *btf.Spec
	used uint64 // the epoch of its last get
}

func newBTFCache() *btfCache { return &btfCache{specs: map[uint32]*btfEntry{}} }

// get returns the BTF of id, nil when it cannot be read. A nil cache
// parses every time.
func (bc *btfCache) get(id uint32) *btf.Spec {
	if bc == nil {
		return LoadBTF(id)
	}
	bc.mu.Lock()
	e, ok := bc.specs[id]
	if !ok {
		e = &btfEntry{}
		bc.specs[id] = e
	}
	e.used = bc.epoch
	bc.mu.Unlock()
	e.once.Do(func() { e.spec = LoadBTF(id) })
	return e.spec
}

// sweep drops the BTF no get asked for since the last sweep. A sampler
// that lives for hours on a machine that loads and unloads programs
// would otherwise keep the BTF of every program it ever saw.
func (bc *btfCache) sweep() {
	bc.mu.Lock()
	bc.epoch = sweepIDs(bc.specs, bc.epoch, func(e *btfEntry) uint64 { return e.used })
	bc.mu.Unlock()
}

// sweepIDs deletes the entries of cache last used before epoch and
// returns the next epoch.
func sweepIDs[E any](cache map[uint32]*E, epoch uint64, used func(*E) uint64) uint64 {
	for id, e := range cache {
		if used(e) < epoch {
			delete(cache, id)
		}
	}
	return epoch + 1
}

// LoadBTF reads and parses the kernel's BTF object id; nil when it cannot.
func LoadBTF(id uint32) *btf.Spec {
	spec, err := kernel.BTFSpec(id)
	if err != nil {
		return nil
	}
	return spec
}
