// A function outside any program section: libbpf sees no program.
int only_text(void *ctx) { return 0; }
char LICENSE[] __attribute__((section("license"))) = "GPL";
