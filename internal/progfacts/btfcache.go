package progfacts

import (
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// idCache keeps what was read of kernel objects by id: the parsed BTF of
// programs (btfCache) and what a gathering learned of maps (mapCache).
// Programs share both, so the kernel is asked once per id. The lock
// guards only the table: each id is read once, by whoever asks first,
// while other ids are read and looked up beside it.
type idCache[V any] struct {
	mu    sync.Mutex
	ids   map[uint32]*idEntry[V]
	epoch uint64 // see sweep
	read  func(id uint32) V
}

type idEntry[V any] struct {
	once sync.Once
	v    V
	used uint64 // the epoch of its last get
}

func newIDCache[V any](read func(uint32) V) *idCache[V] {
	return &idCache[V]{ids: map[uint32]*idEntry[V]{}, read: read}
}

// get returns what was read of id, reading it the first time.
func (c *idCache[V]) get(id uint32) V {
	c.mu.Lock()
	e, ok := c.ids[id]
	if !ok {
		e = &idEntry[V]{}
		c.ids[id] = e
	}
	e.used = c.epoch
	c.mu.Unlock()
	e.once.Do(func() { e.v = c.read(id) })
	return e.v
}

// sweep drops what no get asked for since the last sweep. A sampler that
// lives for hours on a machine that loads and unloads programs would
// otherwise keep the BTF and maps of every program it ever saw.
func (c *idCache[V]) sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.ids {
		if e.used < c.epoch {
			delete(c.ids, id)
		}
	}
	c.epoch++
}

// btfCache keeps parsed BTF by id; a nil one parses every time.
type btfCache struct{ *idCache[*btf.Spec] }

func newBTFCache() *btfCache { return &btfCache{newIDCache(LoadBTF)} }

// get returns the BTF of id, nil when it cannot be read.
func (bc *btfCache) get(id uint32) *btf.Spec {
	if bc == nil {
		return LoadBTF(id)
	}
	return bc.idCache.get(id)
}

// LoadBTF reads and parses the kernel's BTF object id; nil when it cannot.
func LoadBTF(id uint32) *btf.Spec {
	spec, err := kernel.BTFSpec(id)
	if err != nil {
		return nil
	}
	return spec
}
