package userfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, HeadSize - 1, HeadSize, HeadSize + 1, 5000, 70000} {
		want := bytes.Repeat([]byte{'a'}, n)
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Read(p, 70000, nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("size %d: got %d bytes, %v", n, len(got), err)
		}
	}
}

func TestReadRefusesLargeRegularFileUnread(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	called := false
	_, err := Read(p, 99, func([]byte) error { called = true; return nil })
	var tl *TooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, unix.EFBIG) || called {
		t.Fatalf("err %v, check called %v", err, called)
	}
}

func TestReadEndlessDevice(t *testing.T) {
	// /dev/zero never ends: the limit does.
	_, err := Read("/dev/zero", 1<<20, nil)
	if !errors.Is(err, unix.EFBIG) {
		t.Fatalf("got %v, want EFBIG", err)
	}
	// A check on the head ends it at once.
	bad := errors.New("not an ELF object")
	var seen []byte
	_, err = Read("/dev/zero", ObjectLimit, func(h []byte) error { seen = h; return bad })
	if err != bad || len(seen) != HeadSize {
		t.Fatalf("got %v after %d bytes", err, len(seen))
	}
}

func TestReadAllStream(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 100; i++ {
			pw.Write(make([]byte, 1000))
		}
		pw.Close()
	}()
	got, err := ReadAll(pr, "pipe", 100000, nil)
	if err != nil || len(got) != 100000 {
		t.Fatalf("got %d, %v", len(got), err)
	}
	_, err = ReadAll(io.LimitReader(zero{}, 100001), "pipe", 100000, nil)
	if !errors.Is(err, unix.EFBIG) {
		t.Fatalf("got %v", err)
	}
}

type zero struct{}

func (zero) Read(p []byte) (int, error) { clear(p); return len(p), nil }
