package userfile

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
	"github.com/gobpftool/gobpftool/internal/errno"
	"golang.org/x/sys/unix"
)

// libelfError is libbpf's LIBBPF_ERRNO__LIBELF: libelf could not read the
// file as ELF.
const libelfError = -4001

// BTFError is a failure of libbpf's btf__parse on a user's file. Code is
// the negative number bpftool prints ("failed to parse base BTF at 'F':
// -2"); Warning, if not empty, is the line libbpf logs first.
type BTFError struct {
	Code    int
	Warning string
	Err     error
}

func (e *BTFError) Error() string { return fmt.Sprintf("BTF: %d: %v", e.Code, e.Err) }
func (e *BTFError) Unwrap() error { return e.Err }

// LoadBTF reads the raw BTF or ELF object at path as libbpf's btf__parse
// does (raw BTF first, then an ELF's .BTF section), with ObjectLimit as
// its bound: input that is neither is refused after its first bytes.
func LoadBTF(path string) (*btf.Spec, error) {
	fail := func(code int, warn string, err error) (*btf.Spec, error) {
		return nil, &BTFError{Code: code, Warning: warn, Err: err}
	}
	errNotBTF := errors.New("neither raw BTF nor ELF")
	raw, err := Read(path, ObjectLimit, func(h []byte) error {
		if len(h) >= 2 && (binary.LittleEndian.Uint16(h) == btfMagic || binary.BigEndian.Uint16(h) == btfMagic) {
			return nil
		}
		if len(h) < 4 || !bytes.Equal(h[:4], []byte(elf.ELFMAG)) {
			return errNotBTF
		}
		return nil
	})
	switch {
	case errors.Is(err, errNotBTF):
		return fail(libelfError, fmt.Sprintf("libbpf: failed to get EHDR from %s\n", path), err)
	case err != nil:
		return fail(-int(errno.Of(err)), "", err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	switch {
	case err == nil:
		return spec, nil
	case errors.Is(err, btf.ErrNotFound):
		// An ELF file without a .BTF section.
		return fail(-int(unix.ENOENT), "", err)
	default:
		return fail(-int(errno.Of(err)), "", err)
	}
}

const btfMagic = 0xeB9F
