// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * One raw_tp program per kind of load-time value (issue #12): CO-RE
 * field, type and enum relocations whose local values differ from the
 * running kernel's, __kconfig and __ksym externs, a .rodata constant a
 * skeleton would set before load, map and function addresses.  Each
 * program works on the value right after the relocated instruction, in
 * code the optimizer rewrites, and stores what it computed in .bss, so
 * a value taken for its local one shows as a different result once the
 * real loader has relocated both builds.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Local flavours of kernel types, laid out unlike the kernel's. */
/* Not in libbpf 1.1's bpf_core_read.h. */
#define field_info(type, field, kind) \
	__builtin_preserve_field_info(((type *)0)->field, kind)

struct task_struct___kinds {
	long pid;			/* int in the kernel, not first */
	unsigned int tgid;		/* signed in the kernel */
	unsigned int pad:3;
	unsigned int flags:29;		/* a full u32 in the kernel */
	int no_such_field___kinds;
} __attribute__((preserve_access_index));

struct no_such_type___kinds {
	int x;
} __attribute__((preserve_access_index));

enum pid_type___kinds {
	PIDTYPE_SID = 7,		/* 3 in the kernel */
	PIDTYPE_NO_SUCH___kinds = 9,
};

extern int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern const void schedule __ksym;		/* untyped: an address */
extern const void bpf_fentry_test1 __ksym;

const volatile unsigned long cfg_mul = 3;	/* set by a skeleton */
const volatile unsigned long cfg_add = 5;

unsigned long out[8];

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} kinds_map SEC(".maps");

static __always_inline void put(int i, unsigned long v)
{
	out[i & 7] = v;
}

SEC("raw_tp/sys_enter")
int field_size(void *ctx)
{
	unsigned long sz = bpf_core_field_size(struct task_struct___kinds, pid);

	put(0, sz * 16 + 1);
	put(1, sz | 0x100);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_exists(void *ctx)
{
	unsigned long e = bpf_core_field_exists(struct task_struct___kinds,
						no_such_field___kinds);

	put(0, e + 41);
	put(1, e << 3);
	return e ? 1 : 0;
}

SEC("raw_tp/sys_enter")
int field_signed(void *ctx)
{
	unsigned long s = field_info(struct task_struct___kinds, tgid, BPF_FIELD_SIGNED);

	put(0, s ^ 0x55);
	put(1, s + s);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_shifts(void *ctx)
{
	struct task_struct___kinds *t = (void *)bpf_get_current_task();

	put(0, BPF_CORE_READ_BITFIELD_PROBED(t, flags));
	put(1, field_info(struct task_struct___kinds, flags, BPF_FIELD_LSHIFT_U64) * 8);
	put(2, field_info(struct task_struct___kinds, flags, BPF_FIELD_RSHIFT_U64) + 2);
	return 0;
}

SEC("raw_tp/sys_enter")
int field_offset(void *ctx)
{
	struct task_struct___kinds *t = (void *)bpf_get_current_task();
	long pid = 0;

	bpf_probe_read_kernel(&pid, 4, &t->pid);
	put(0, pid);
	put(1, bpf_core_field_offset(struct task_struct___kinds, pid) + 8);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_ids(void *ctx)
{
	unsigned long local = bpf_core_type_id_local(struct task_struct___kinds);
	unsigned long kern = bpf_core_type_id_kernel(struct task_struct___kinds);

	put(0, local + 1);
	put(1, kern + 1);
	put(2, kern - local);
	return 0;
}

SEC("raw_tp/sys_enter")
int type_info(void *ctx)
{
	unsigned long ex = bpf_core_type_exists(struct no_such_type___kinds);
	unsigned long sz = bpf_core_type_size(struct task_struct___kinds);

	put(0, ex + 7);
	put(1, sz * 2);
	put(2, sz & 0xff0);
	return 0;
}

SEC("raw_tp/sys_enter")
int enum_values(void *ctx)
{
	unsigned long v = bpf_core_enum_value(enum pid_type___kinds, PIDTYPE_SID);
	unsigned long ex = bpf_core_enum_value_exists(enum pid_type___kinds,
						      PIDTYPE_NO_SUCH___kinds);

	put(0, v * 3);
	put(1, v + 10);
	put(2, ex + 20);
	return 0;
}

SEC("raw_tp/sys_enter")
int kconfig(void *ctx)
{
	unsigned long v = LINUX_KERNEL_VERSION;

	put(0, v >> 8);
	put(1, v & 0xff);
	put(2, CONFIG_HZ + 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int ksym(void *ctx)
{
	unsigned long a = (unsigned long)&schedule;
	unsigned long b = (unsigned long)&bpf_fentry_test1;

	put(0, a != 0);
	put(1, b != 0);
	put(2, (a ^ b) != 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int rodata(void *ctx)
{
	unsigned long m = cfg_mul, a = cfg_add;

	put(0, m * 10 + a);
	put(1, m + 1);
	return 0;
}

static long cb(__u32 i, void *data)
{
	*(unsigned long *)data += i;
	return 0;
}

SEC("raw_tp/sys_enter")
int addresses(void *ctx)
{
	unsigned long sum = 0;
	__u32 k = 1;
	__u64 v = 77, *p;

	bpf_map_update_elem(&kinds_map, &k, &v, 0);
	p = bpf_map_lookup_elem(&kinds_map, &k);
	bpf_loop(4, cb, &sum, 0);
	put(0, p ? *p : 1);
	put(1, sum);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
