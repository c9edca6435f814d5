// Package userfile reads the files a user names on the command line
// (objects, BTF, batch files, test-run data, web configurations) with a
// bound, so that an endless input such as /dev/zero or a pipe that never
// closes ends in an error instead of exhausting memory.
package userfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Limits for the kinds of input gobpftool reads. Each is far above any
// real input of its kind and far below what would hurt the machine.
const (
	// ObjectLimit bounds ELF objects and BTF files: vmlinux's BTF is
	// about 6 MiB, a large BPF object with DWARF some tens of MiB.
	ObjectLimit = 256 << 20
	// DataLimit bounds data_in and ctx_in: the kernel refuses test-run
	// buffers beyond a few pages (XDP with fragments: 17 pages).
	DataLimit = 64 << 20
	// ConfigLimit bounds small text configurations (web_config).
	ConfigLimit = 1 << 20
)

// HeadSize is how many leading bytes Read hands to its check function
// before it reads the rest: an ELF header, or a BTF header and more.
const HeadSize = 64

// TooLargeError says an input passed its limit. It unwraps to EFBIG, so
// the errno text of it is "File too large".
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes", e.Path, e.Limit)
}

// Unwrap lets errors.Is(err, unix.EFBIG) hold.
func (e *TooLargeError) Unwrap() error { return unix.EFBIG }

// Read returns the contents of the file at path, at most limit bytes of
// them. check, if not nil, sees the first HeadSize bytes (fewer if the
// input is shorter) before anything else is read; an error from it ends
// the read and is returned as it is. A regular file larger than limit is
// refused before it is read; any other input (a device, a pipe) is read
// until limit and refused past it.
func Read(path string, limit int64, check func(head []byte) error) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return read(f, path, size, limit, check)
}

// ReadAll is Read on an open reader of unknown size, such as standard
// input; name is what errors call it.
func ReadAll(r io.Reader, name string, limit int64, check func(head []byte) error) ([]byte, error) {
	return read(r, name, -1, limit, check)
}

func read(r io.Reader, name string, size, limit int64, check func([]byte) error) ([]byte, error) {
	if size > limit {
		return nil, &TooLargeError{Path: name, Limit: limit}
	}
	headLen := int64(HeadSize)
	if size >= 0 && size < headLen {
		headLen = size
	}
	// A regular file's size plus one byte holds it and the EOF read.
	buf := make([]byte, 0, max(headLen, min(size+1, limit+1), 512))
	head, err := io.ReadFull(r, buf[:headLen])
	buf = buf[:head]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if check != nil {
		if err := check(buf); err != nil {
			return nil, err
		}
	}
	if int64(head) < headLen {
		return buf, nil
	}
	if size >= 0 {
		return readKnown(r, buf, name, limit)
	}
	return readStream(r, buf, name, limit)
}

// readKnown reads the rest of a regular file into buf, whose capacity is
// the file's size plus one: the read that finds EOF, or finds the file
// grew.
func readKnown(r io.Reader, buf []byte, name string, limit int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			// The file grew since it was measured.
			return readStream(r, buf, name, limit)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readStream reads an input of unknown length in chunks and joins them
// once at the end, so that reaching the limit costs the limit and no
// more: doubling one buffer would take half as much again in copies.
func readStream(r io.Reader, first []byte, name string, limit int64) ([]byte, error) {
	const chunkSize = 1 << 20
	chunks := [][]byte{first}
	total := int64(len(first))
	for {
		chunk := make([]byte, min(chunkSize, limit+1-total))
		n, err := io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += int64(n)
		if total > limit {
			return nil, &TooLargeError{Path: name, Limit: limit}
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return bytes.Join(chunks, nil), nil
		}
		if err != nil {
			return nil, err
		}
	}
}
