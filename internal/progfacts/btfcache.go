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
}

type btfEntry struct {
	once sync.Once
	spec *btf.Spec
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
	bc.mu.Unlock()
	e.once.Do(func() { e.spec = LoadBTF(id) })
	return e.spec
}

// LoadBTF reads and parses the kernel's BTF object id; nil when it cannot.
func LoadBTF(id uint32) *btf.Spec {
	spec, err := kernel.BTFSpec(id)
	if err != nil {
		return nil
	}
	return spec
}
