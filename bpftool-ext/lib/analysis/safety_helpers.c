// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The safety analysis's helper rules: arguments of the map helpers and
 * of helpers taking memory, what a call clobbers and returns, and the
 * packet pointers a helper that changes packet data invalidates.
 */
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "analysis/safety.h"

static bool changes_pkt_data(int id)
{
	switch (id) {
	case BPF_FUNC_skb_store_bytes: case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace: case BPF_FUNC_clone_redirect:
	case BPF_FUNC_skb_vlan_push: case BPF_FUNC_skb_vlan_pop:
	case BPF_FUNC_skb_change_proto: case BPF_FUNC_skb_change_type:
	case BPF_FUNC_skb_change_tail: case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_skb_change_head: case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_xdp_adjust_tail: case BPF_FUNC_msg_pull_data:
	case BPF_FUNC_msg_push_data: case BPF_FUNC_msg_pop_data:
	case BPF_FUNC_lwt_push_encap: case BPF_FUNC_lwt_seg6_store_bytes:
	case BPF_FUNC_lwt_seg6_adjust_srh: case BPF_FUNC_lwt_seg6_action:
		return true;
	default:
		return false;
	}
}

/* Helpers whose result is a pointer (or may be): not modelled. */
static bool returns_ptr(int id)
{
	switch (id) {
	case BPF_FUNC_get_local_storage: case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_sk_fullsock:
	case BPF_FUNC_tcp_sock: case BPF_FUNC_get_listener_sock:
	case BPF_FUNC_skc_lookup_tcp: case BPF_FUNC_sk_storage_get:
	case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_skc_to_tcp6_sock:
	case BPF_FUNC_skc_to_tcp_sock: case BPF_FUNC_skc_to_tcp_timewait_sock:
	case BPF_FUNC_skc_to_tcp_request_sock: case BPF_FUNC_skc_to_udp6_sock:
	case BPF_FUNC_inode_storage_get: case BPF_FUNC_per_cpu_ptr:
	case BPF_FUNC_this_cpu_ptr: case BPF_FUNC_task_storage_get:
	case BPF_FUNC_get_current_task_btf: case BPF_FUNC_sock_from_file:
	case BPF_FUNC_task_pt_regs: case BPF_FUNC_skc_to_unix_sock:
	case BPF_FUNC_kptr_xchg: case BPF_FUNC_map_lookup_percpu_elem:
	case BPF_FUNC_skc_to_mptcp_sock: case BPF_FUNC_dynptr_data:
		return true;
	default:
		return false;
	}
}

/* Maps whose lookup gives a map, a socket or an xsk, not a value. */
static bool map_of_maps_or_socks(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	       type == BPF_MAP_TYPE_SOCKMAP || type == BPF_MAP_TYPE_SOCKHASH ||
	       type == BPF_MAP_TYPE_XSKMAP || type == BPF_MAP_TYPE_DEVMAP ||
	       type == BPF_MAP_TYPE_CPUMAP || type == BPF_MAP_TYPE_PROG_ARRAY;
}

/* @r must point to @size readable, initialized bytes (a key or value). */
static void check_mem_arg(struct ctx *c, struct state *s, size_t i, int n,
			  uint32_t size, const char *what, int depth)
{
	const struct reg *r = &s->r[n];
	int64_t off;
	uint32_t b;

	if (!bpfext_safety_check_read(c, s, i, n))
		return;
	switch (r->type) {
	case T_STACK:
		if (r->frame != depth && var_zero(r)) {
			struct reg ignored;
			int64_t at;

			/* byte by byte, so that no alignment is asked for */
			for (at = 0; at < size && !c->stop; at++)
				bpfext_safety_check_caller_stack(c, i, r, n, r->off + at, 1, false, &ignored);
			return;
		}
		if (r->frame != depth || !var_zero(r)) {
			bpfext_safety_verdict(c, i, false, "R%d %s on a stack the analysis does not track",
				n, what);
			return;
		}
		off = r->off;
		if (off < -STACK_SIZE || off + (int64_t)size > 0) {
			VIOLATION(c, i, r, "invalid indirect access to stack R%d off=%lld size=%u",
				  n, (long long)off, size);
			return;
		}
		for (b = 0; b < size; b++) {
			uint8_t st = s->stk[off + b + STACK_SIZE];

			if (st == B_UNINIT) {
				VIOLATION(c, i, r,
					  "invalid indirect read from stack R%d off %lld+%u size %u (%s)",
					  n, (long long)off, b, size, what);
				return;
			}
			if (st == B_MAYBE) {
				bpfext_safety_verdict(c, i, false, "R%d %s may be uninitialized", n, what);
				return;
			}
		}
		return;
	case T_PKT:
	case T_MAP_VALUE:
		/* bounds are checked like a load of the whole key */
		{
			struct bpf_insn ld = {
				.code = BPF_LDX | BPF_MEM | BPF_B, .src_reg = n,
			};
			struct reg ignored;
			uint32_t last = size ? size - 1 : 0;

			ld.off = (int16_t)(last < 0x7fff ? last : 0x7fff);
			if (r->type == T_PKT)
				bpfext_safety_check_pkt_access(c, s, i, &ld, n, 1, false, &ignored);
			else
				bpfext_safety_check_map_access(c, s, i, &ld, n, 1, false, &ignored);
		}
		return;
	case T_SCALAR:
	case T_MAP_VALUE_OR_NULL:
	case T_CTX:
	case T_PKT_END:
	case T_MAP_PTR:
		VIOLATION(c, i, r, "R%d type=%s expected=fp (%s)", n, type_name(r->type), what);
		return;
	default:
		bpfext_safety_verdict(c, i, false, "R%d %s of a type the analysis does not model", n, what);
		return;
	}
}

void bpfext_safety_helper(struct ctx *c, struct state *s, size_t i,
		      const struct bpf_insn *x, int depth)
{
	int id = x->imm, n;
	struct reg *r0 = &s->r[0];
	const struct bpfext_map_desc *m = NULL;
	long local_storage = -1;

	if (id == BPF_FUNC_get_local_storage && s->r[1].type == T_MAP_PTR &&
	    !s->r[1].approx && bpfext_safety_map_of(c, &s->r[1]))
		local_storage = (long)s->r[1].map;

	if (id == BPF_FUNC_map_lookup_elem || id == BPF_FUNC_map_update_elem ||
	    id == BPF_FUNC_map_delete_elem) {
		const struct reg *r1 = &s->r[1];

		if (!bpfext_safety_check_read(c, s, i, 1))
			goto out;
		if (r1->type != T_MAP_PTR) {
			if (r1->type == T_UNKNOWN)
				bpfext_safety_verdict(c, i, false, "R1 of %s may not be a map", bpfext_helper_name(id));
			else
				VIOLATION(c, i, r1, "R1 type=%s expected=map_ptr", type_name(r1->type));
			goto out;
		}
		m = bpfext_safety_map_of(c, r1);
		if (!m) {
			bpfext_safety_verdict(c, i, false, "unknown map");
			goto out;
		}
		check_mem_arg(c, s, i, 2, m->key_size, "map key", depth);
		if (id == BPF_FUNC_map_update_elem) {
			check_mem_arg(c, s, i, 3, m->value_size, "map value", depth);
			bpfext_safety_check_read(c, s, i, 4);
		}
	} else {
		/* other helpers: stack buffers they are handed may be written */
		for (n = 1; n <= 5; n++) {
			const struct reg *r = &s->r[n];
			int64_t lo, hi = 0;

			if (r->type != T_STACK || !var_zero(r) || r->frame != depth ||
			    r->off >= 0 || r->off < -STACK_SIZE)
				continue;
			lo = r->off;
			if (n < 5 && is_const(&s->r[n + 1]) &&
			    s->r[n + 1].umin <= STACK_SIZE)
				hi = lo + (int64_t)s->r[n + 1].umin;
			if (hi > 0)
				hi = 0;
			for (; lo < hi; lo++)
				if (s->stk[lo + STACK_SIZE] != B_INIT) {
					s->stk[lo + STACK_SIZE] = B_INIT;
					s->spill[(lo + STACK_SIZE) / 8].type = T_NOT_INIT;
				}
			/* unknown size: whatever lies above may be written */
			for (lo = r->off; hi == 0 && lo < 0; lo++)
				if (s->stk[lo + STACK_SIZE] == B_UNINIT)
					s->stk[lo + STACK_SIZE] = B_MAYBE;
		}
	}
out:
	if (changes_pkt_data(id)) {
		for (n = 0; n < 11; n++)
			if (s->r[n].type == T_PKT || s->r[n].type == T_PKT_END) {
				set_type(&s->r[n], T_UNKNOWN);
				s->r[n].approx = true;
			}
		for (n = 0; n < SLOTS; n++)
			if (s->spill[n].type == T_PKT || s->spill[n].type == T_PKT_END) {
				set_type(&s->spill[n], T_UNKNOWN);
				s->spill[n].approx = true;
			}
	}
	for (n = 1; n <= 5; n++)
		set_type(&s->r[n], T_NOT_INIT);
	if (id == BPF_FUNC_get_local_storage && local_storage >= 0) {
		/* never NULL: the cgroup storage of the map in r1 */
		set_type(r0, T_MAP_VALUE);
		r0->map = (uint32_t)local_storage;
	} else if (id == BPF_FUNC_map_lookup_elem && m && !map_of_maps_or_socks(m->type)) {
		set_type(r0, T_MAP_VALUE_OR_NULL);
		r0->map = (uint32_t)(m - c->lp->maps);
		r0->id = (uint32_t)i + 1 + (1u << 31);
	} else if (id == BPF_FUNC_map_lookup_elem || returns_ptr(id)) {
		set_type(r0, T_UNKNOWN);
		r0->approx = true;
	} else {
		set_unknown_scalar(r0);
	}
}

