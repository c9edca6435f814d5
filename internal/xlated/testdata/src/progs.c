// Test programs for the xlated dumper's golden files. Compiled with
// clang -O2 -g -target bpf -mcpu=v3 -c progs.c -o progs.o
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __ksym __attribute__((section(".ksyms")))
#define noinline __attribute__((noinline))

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, unsigned long long flags) = (void *)2;
static unsigned long long (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, unsigned int fmt_size, ...) = (void *)6;
static unsigned int (*bpf_get_prandom_u32)(void) = (void *)7;
static unsigned int (*bpf_get_smp_processor_id)(void) = (void *)8;
static long (*bpf_skb_load_bytes)(const void *skb, unsigned int offset, void *to, unsigned int len) = (void *)26;
static long (*bpf_xdp_adjust_head)(struct xdp_md *xdp_md, int delta) = (void *)44;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, unsigned int);
	__type(value, struct pair { long a; long b; });
} pairs SEC(".maps");

unsigned long long hits = 0;
int limit = 7;
const char greeting[] = "hello %d\n";

typedef unsigned int u32_t;
enum color { RED, GREEN };
union word { int i; float f; };
struct node { struct node *next; int v; };

static noinline int add_pair(struct pair *p, long x, const volatile int *cv)
{
	p->a += x;
	p->b -= x >> 3;
	return p->a > *cv ? 1 : 0;
}

static noinline long mix(u32_t a, enum color c, union word *w, struct node *n, char buf[4])
{
	long r = a * 3 + c;
	if (w)
		r ^= w->i;
	if (n && n->next)
		r += n->next->v;
	return r + buf[1];
}

static noinline void touch(void) { hits++; }

SEC("xdp")
int xdp_prog1(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned int key = 0, k2 = bpf_get_prandom_u32() & 63;
	unsigned long long *cnt;
	struct pair *p, np = { 1, 2 };
	union word w = { .i = 5 };
	struct node n2 = { 0, 9 }, n1 = { &n2, 3 };
	char buf[4] = { 1, 2, 3, 4 };
	int i, acc = 0;

	if (data + 14 > data_end)
		return XDP_DROP;
	cnt = bpf_map_lookup_elem(&counters, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	p = bpf_map_lookup_elem(&pairs, &k2);
	if (!p) {
		bpf_map_update_elem(&pairs, &k2, &np, BPF_ANY);
		return XDP_PASS;
	}
	acc = add_pair(p, (long)bpf_ktime_get_ns(), &limit);
	for (i = 0; i < 8; i++) {
		if (((unsigned char *)data)[i & 7] == 0xff)
			acc += i;
		else if ((unsigned int)acc > 100)
			break;
	}
	acc += mix(k2, GREEN, &w, &n1, buf);
	touch();
	if (acc == 42)
		bpf_trace_printk(greeting, sizeof(greeting), acc);
	return acc & 1 ? XDP_PASS : XDP_TX;
}

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
	unsigned int key = 1;
	unsigned long long *v = bpf_map_lookup_elem(&counters, &key);
	unsigned int *w32;
	long old;

	if (!v)
		return XDP_ABORTED;
	old = __sync_fetch_and_add(v, 2);
	old += __sync_fetch_and_or(v, 4);
	old += __sync_fetch_and_and(v, ~8ULL);
	old += __sync_fetch_and_xor(v, 16);
	__sync_fetch_and_or(v, 32);
	__sync_fetch_and_and(v, ~64ULL);
	__sync_fetch_and_xor(v, 128);
	old += __sync_val_compare_and_swap(v, 5, 6);
	old += __sync_lock_test_and_set(v, 9);
	w32 = (unsigned int *)v;
	old += __sync_fetch_and_add(w32, 3);
	old += __sync_val_compare_and_swap(w32, 1, 2);
	old += __sync_lock_test_and_set(w32 + 1, 7);
	return old > 1000 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	unsigned short proto = 0;
	unsigned int x = skb->len, hash = 0;
	unsigned char b[2];
	int i;

	if (bpf_skb_load_bytes(skb, 12, b, 2) < 0)
		return 2;
	proto = __builtin_bswap16(*(unsigned short *)b);
	hash = __builtin_bswap32(skb->mark) ^ __builtin_bswap64(skb->tstamp);
	for (i = 0; i < 4; i++) {
		if ((int)x < -5)
			x = -x;
		x = (x << 3) | (x >> 29);
		x %= 1000003;
		x /= 3;
		if ((signed char)skb->cb[i] < 0)
			hash -= x;
	}
	if (skb->len == 7) {
		char fmt[] = "q\"\\%d\n";	/* quote, backslash, tab */
		bpf_trace_printk(fmt, sizeof(fmt), x);
	}
	skb->mark = hash + proto + bpf_get_smp_processor_id();
	return (x & 1) ? 0 : 2;
}

static long (*bpf_loop)(unsigned int nr_loops, void *callback_fn, void *callback_ctx, unsigned long long flags) = (void *)181;

struct loop_ctx { unsigned int sum; };

static int loop_step(unsigned int i, struct loop_ctx *c)
{
	c->sum += i * i;
	return c->sum > 1000;
}

SEC("tc")
int tc_loop(struct __sk_buff *skb)
{
	struct loop_ctx c = { .sum = skb->len };

	bpf_loop(16, loop_step, &c, 0);
	return c.sum & 1;
}

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int tc_kfunc(struct __sk_buff *skb)
{
	int r;

	bpf_rcu_read_lock();
	r = skb->len > 100;
	bpf_rcu_read_unlock();
	return r;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	unsigned long long a = skb->len;
	long long s = (long long)a - 1000;

	if (s < 0)
		return 0;
	if ((long long)a > 50000)
		return -1;
	return (int)((unsigned long long)s / 7) + (int)((unsigned int)a % 13);
}

char _license[] SEC("license") = "GPL";
