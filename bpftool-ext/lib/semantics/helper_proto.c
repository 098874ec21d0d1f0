// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Helpers by prototype; see helper_proto.h.  The argument kinds follow
 * the kernel's bpf_func_proto of each helper (ARG_ANYTHING and
 * ARG_CONST_SIZE* are scalars, ARG_PTR_TO_MEM | MEM_RDONLY an input
 * buffer, ARG_PTR_TO_UNINIT_MEM an output buffer, ARG_PTR_TO_MEM one
 * read and written (bpf_fib_lookup's parameters), ARG_PTR_TO_CTX and
 * BTF pointers opaque pointers, ARG_CONST_MAP_PTR a map).
 */
#include "util/util.h"
#include "semantics/helper_proto.h"

#define S	HARG_SCALAR
#define P	HARG_PTR
#define M	HARG_MAP
#define I	HARG_IN
#define O	HARG_OUT
#define X	HARG_INOUT

/* Helper @fn with @n arguments of kinds @...; IN/OUT sizes in SIZE(). */
#define H(fn, n, ...)	{ .id = BPF_FUNC_##fn, .nargs = n, .arg = { __VA_ARGS__ }
#define SIZE(...)	.size_arg = { __VA_ARGS__ }
#define END		}

static const struct bpfext_helper_proto protos[] = {
	/* time, randomness, the current task */
	H(ktime_get_ns, 0) END,
	H(ktime_get_boot_ns, 0) END,
	H(ktime_get_coarse_ns, 0) END,
	H(ktime_get_tai_ns, 0) END,
	H(jiffies64, 0) END,
	H(get_prandom_u32, 0) END,
	H(get_numa_node_id, 0) END,
	H(get_current_pid_tgid, 0) END,
	H(get_current_uid_gid, 0) END,
	H(get_current_task, 0) END,
	H(get_current_task_btf, 0) END,
	H(get_current_cgroup_id, 0) END,
	H(get_current_ancestor_cgroup_id, 1, S) END,
	H(current_task_under_cgroup, 2, M, S) END,
	H(get_current_comm, 2, O, S), SIZE(2) END,
	H(get_ns_current_pid_tgid, 4, S, S, O, S), SIZE(0, 0, 4) END,
	H(task_pt_regs, 1, P) END,
	/* kernel and user memory */
	H(probe_read, 3, O, S, S), SIZE(2), .copy = true, .deref = 4 END,
	H(probe_read_kernel, 3, O, S, S), SIZE(2), .copy = true, .deref = 4 END,
	H(probe_read_user, 3, O, S, S), SIZE(2), .deref = 4 END,
	H(copy_from_user, 3, O, S, S), SIZE(2), .deref = 4 END,
	H(probe_read_str, 3, O, S, S), SIZE(2), .str = true, .deref = 4 END,
	H(probe_read_kernel_str, 3, O, S, S), SIZE(2), .str = true, .deref = 4 END,
	H(probe_read_user_str, 3, O, S, S), SIZE(2), .str = true, .deref = 4 END,
	H(probe_write_user, 3, S, I, S), SIZE(0, 3), .deref = 1 END,
	/* the attachment */
	H(get_func_ip, 1, P) END,
	H(get_attach_cookie, 1, P) END,
	H(get_func_arg_cnt, 1, P) END,
	H(get_stackid, 3, P, M, S) END,
	H(get_stack, 4, P, O, S, S), SIZE(0, 3) END,
	H(get_task_stack, 4, S, O, S, S), SIZE(0, 3), .deref = 1 END,
	/* output and effects */
	H(trace_printk, 5, I, S, S, S, S), SIZE(2), .deref = 4 | 8 | 16 END,
	H(perf_event_output, 5, P, M, S, I, S), SIZE(0, 0, 0, 5) END,
	H(ringbuf_output, 4, M, I, S, S), SIZE(0, 3) END,
	H(seq_printf, 5, S, I, S, I, S), SIZE(0, 3, 0, 5), .deref = 1 END,
	H(seq_write, 3, S, I, S), SIZE(0, 3), .deref = 1 END,
	H(send_signal, 1, S) END,
	H(send_signal_thread, 1, S) END,
	/* networking: the routing tables and the socket's cgroup are the world */
	H(fib_lookup, 4, P, X, S, S), SIZE(0, 3) END,
	H(get_cgroup_classid, 1, P) END,
};

const struct bpfext_helper_proto *bpfext_helper_proto(int32_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].id == id)
			return &protos[i];
	return NULL;
}

uint64_t bpfext_call_key_bytes(uint64_t key, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		key = (key ^ p[i]) * 0x100000001b3ull;
	return key;
}

uint64_t bpfext_call_key_u64(uint64_t key, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return bpfext_call_key_bytes(key, b, 8);
}

uint64_t bpfext_call_default(uint64_t key, uint64_t j)
{
	uint64_t x = key ^ (j * 0x9e3779b97f4a7c15ull);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}
