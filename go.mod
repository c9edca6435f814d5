module github.com/gobpftool/gobpftool

go 1.26.8

require (
	github.com/cilium/ebpf v0.22.0
	github.com/cpuguy83/go-md2man/v2 v2.0.7
	golang.org/x/arch v0.33.0
	golang.org/x/sys v0.50.0
)

require github.com/russross/blackfriday/v2 v2.1.0 // indirect
