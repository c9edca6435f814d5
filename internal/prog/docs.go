package prog

// The man page's description of each command (Markdown, for
// docs/man/gobpftool-prog.8; see Commands). A blank line starts a new
// paragraph.

const docShow = `Lists the loaded programs, or only those *PROG* names; a **tag** or
a **name** may name several programs, which are all listed. Each program
starts with its id and type, followed by what the kernel tells of it: name,
tag, GPL compatibility, load time and owner, instruction sizes, locked
memory, the ids of its maps and of its BTF, **bpf\_metadata\_**\* variables and,
with **-f**, the paths where it is pinned.

When the **kernel.bpf_stats_enabled** sysctl is on (Linux 5.1 and later), the
run count and total run time of each program are shown too. The processes
holding a file descriptor of the program follow, as **pids** *comm*(*pid*).`

const docHelp = `Prints a short help message.`

const docDump = `**xlated** prints the instructions of the programs as the kernel
translated them, in the kernel's disassembler syntax, with the source lines
of the program's line info above them. **opcodes** adds the raw bytes of each
instruction, **linum** the file, line and column of each source line, and
**visual** prints the control-flow graph in DOT format instead. **jited**
disassembles the image the JIT compiler produced (x86-64 and arm64).

A **tag** or **name** may match several programs, which are all dumped,
except with **file** or **visual**, which need exactly one. **file** writes
the raw image to *FILE* instead of disassembling it.`

const docPin = `Pins *PROG* at *FILE*, which must be on a bpffs mount and must not
contain a dot. bpffs is mounted at /sys/fs/bpf when needed, unless **-n**
is given.`

const docLoad = `Loads the programs of the ELF object *OBJ*. **load** pins the first
program at *PATH*; **loadall** pins each program under the directory *PATH*
by its name. Without **type**, each program's type comes from its section
name, as libbpf names them.

**map** reuses an existing *MAP* for the object's map with index *IDX*
(counting from 0) or named *NAME*, instead of creating it; it may be given
once per map. **dev** or **offload_dev** loads the programs for offload to
the network device *NAME*; **xdpmeta_dev** binds XDP programs to *NAME* for
device metadata. **pinmaps** pins every map of the object under *MAP_DIR*.
**autoattach** attaches the programs as their section names say and pins
the links instead. **kernel_btf** takes the kernel's BTF from *BTF_FILE* for
CO-RE relocations.

*PATH* and *MAP_DIR* must be on a bpffs mount and must not contain a dot.`

const docAttach = `Attaches *PROG* to *MAP* as *ATTACH_TYPE*. Every type but
**flow_dissector** needs the *MAP*; a flow dissector is attached to the
current network namespace.`

const docDetach = `Detaches *PROG* of type *ATTACH_TYPE* from *MAP*, or, for
**flow_dissector**, from the current network namespace.`

const docTracelog = `Without arguments, copies the kernel's trace pipe, where programs
write with **bpf_trace_printk**(), to standard output until interrupted
(Ctrl-C). With **stdout** or **stderr**, prints that BPF stream of *PROG*
instead (Linux 6.17 and later). Meant for debugging: programs that send data
to user space should use a ring buffer or perf events.`

const docRun = `Runs *PROG* once or **repeat** *N* times in the kernel's test
infrastructure, on the packet read from the **data_in** *FILE* and the
context read from the **ctx_in** *FILE*, and prints its return value and the
average duration of a run. "**-**" as an input file is standard input, used
at most once.

**data_out** and **ctx_out** write the output packet and context of the last
run to *FILE*, or as a hex dump (or JSON) to standard output for "**-**".
**data_size_out** and **ctx_size_out** size the kernel's output buffers
(32 KiB by default). Not every program type can be test-run, and not every
one takes a context.`

const docProfile = `Measures *METRICs* of *PROG* while it runs, for *DURATION* seconds
or until interrupted, and prints each total with a derived ratio.
**run_cnt** and **run_time_ns** come from the kernel's run statistics and
work on any kernel since 5.8; **cycles**, **instructions**, **l1d_loads**,
**llc_misses**, **itlb_misses** and **dtlb_misses** are hardware counters read
around each run through fentry and fexit programs, at most four at once;
**cpu_clock** and **page_faults** are software counters read the same way.

*METRIC* := { **cycles** | **instructions** | **l1d_loads** | **llc_misses** |
**itlb_misses** | **dtlb_misses** | **run_cnt** | **run_time_ns** | **cpu_clock** |
**page_faults** }`

const docTop = `Shows, refreshed every **interval** *SECONDS* (1 by default), what
the loaded programs, or only *PROG*, cost the CPUs: a row per program with
its ID, TYPE, NAME, average run time in ns, events (runs) per second, CPU %,
total run time, and the comm of the processes holding it. **count** *N*
stops after *N* refreshes. Run statistics are turned on while it runs. With
**-j**, each refresh is printed as one JSON line. On a terminal, the holders
are looked up again every 5 seconds, or at once when a new program appears;
printed refreshes look them up every time.`

const docMetrics = `Prints the loaded programs' facts and run statistics in the
Prometheus exposition format, once to standard output, or, with **listen**
*ADDR*, serves them over HTTP at *ADDR* for scraping. **stats on** keeps the
kernel's run statistics enabled while serving (**off** leaves the sysctl
alone); **web_config** *FILE* configures TLS and authentication as the
Prometheus exporter toolkit does.

The series are **bpf_prog_info**, **bpf_prog_runs_total**,
**bpf_prog_run_seconds_total**, **bpf_prog_recursion_misses_total**,
**bpf_prog_verified_insns**, **bpf_prog_xlated_bytes**,
**bpf_prog_jited_bytes**, **bpf_prog_memlock_bytes**,
**bpf_prog_load_time_seconds**, **bpf_prog_holder_info**, **bpf_progs** and
**bpf_stats_enabled**.`
