package errno

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTextMatchesC compares every errno's text with strerror(3) from a
// C program, the oracle: glibc's words, not Go's.
func TestTextMatchesC(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "s.c")
	os.WriteFile(src, []byte(`#include <stdio.h>
#include <string.h>
int main(void) { for (int i = 0; i <= 140; i++) printf("%d\t%s\n", i, strerror(i)); return 0; }
`), 0o600)
	bin := filepath.Join(dir, "s")
	if out, err := exec.Command(cc, "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("cc: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		num, text, _ := strings.Cut(sc.Text(), "\t")
		i, _ := strconv.Atoi(num)
		if got := Text(unix.Errno(i)); got != text {
			t.Errorf("errno %d: %q, C says %q", i, got, text)
		}
		n++
	}
	if n != 141 {
		t.Fatalf("read %d lines", n)
	}
}

func TestOf(t *testing.T) {
	_, err := os.Open("/nonexistent/x")
	if Of(err) != unix.ENOENT || ErrText(err) != "No such file or directory" {
		t.Errorf("%v: %v %q", err, Of(err), ErrText(err))
	}
	if Exit(unix.EEXIST) != 239 || Exit(os.ErrClosed) != 255 {
		t.Error("exit status")
	}
	if Libbpf(-524) != "ERROR: strerror_r(-524)=22" || Libbpf(-2) != "No such file or directory" {
		t.Errorf("libbpf: %q %q", Libbpf(-524), Libbpf(-2))
	}
}
