// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The superoptimizer's pieces on windows written as text: liveness,
 * the window safety rules, and the search itself, which must find the
 * known shorter forms of reducible windows (re-checked here by the
 * solver), find nothing for windows that are already minimal, and give
 * the same answer for the same seed.
 */
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"
#include "analysis/liveness.h"
#include "superopt/rules.h"
#include "superopt/search.h"
#include "analysis/knownbits.h"
#include "superopt/cmp_imm.h"
#include "superopt/proof_cache.h"
#include "semantics/symbolic.h"
#include "tap.h"
#include "asm.h"

#define R(n) (1u << (n))

struct reducible {
	const char *what;
	const char *code;
	uint16_t live_in, live_out;
	size_t want_at_most;
};

static const struct reducible reducible[] = {
	{ "zero extension by shifts becomes a 32-bit move",
	  "r1 <<= 32; r1 >>= 32", R(1), R(1), 1 },
	{ "an overwritten constant disappears",
	  "r2 = 0; r2 = 5", 0, R(2), 1 },
	{ "a repeated store disappears",
	  "*(u64 *)(r10 -8) = r1; *(u64 *)(r10 -8) = r1", R(1), 0, 1 },
	{ "a detour through a dead register disappears",
	  "r3 = r1; r3 &= 255; r1 = r3", R(1), R(1), 1 },
	{ "a reload of a just-stored value becomes a move",
	  "*(u64 *)(r10 -16) = r4; r5 = *(u64 *)(r10 -16); r0 = r5", R(4),
	  R(0), 2 },
	{ "xdp1's repeated zeroing of r2 goes",
	  "r2 = 0; *(u64 *)(r10 -16) = r2; r3 = r10; r3 += -64; r2 = 0; r4 = 60",
	  0, R(2) | R(3) | R(4), 5 },
};

static struct bpfext_search_opts opts(uint64_t seed)
{
	struct bpfext_search_opts o = {
		.seed = seed,
		.iters = 300000,
		.cost = BPFEXT_COST_INSNS,
		.solver_timeout_ms = 10000,
	};

	return o;
}

static void test_liveness(void)
{
	struct bpf_insn p[16];
	uint16_t live[16];
	size_t n = asm_text("r2 = 1; if r1 > 0x5 goto pc+2; r0 = r2; exit;"
			    "r0 = r3; exit", p, 16);

	ok(!bpfext_liveness(p, n, live), "liveness runs");
	ok(live[0] == (R(1) | R(3) | R(10)),
	   "live before slot 0: r1 (branch), r3 (one path), r10 (0x%x)", live[0]);
	ok(live[2] == (R(2) | R(10)), "live on the fall-through path: r2 (0x%x)",
	   live[2]);
	ok(live[4] == (R(3) | R(10)), "live on the taken path: r3 (0x%x)", live[4]);
	n = asm_text("r1 = 1; call bpf_ktime_get_ns#5; r0 += r6; exit", p, 16);
	bpfext_liveness(p, n, live);
	ok(!(live[0] & R(1)) && (live[0] & R(6)),
	   "a call clobbers r1-r5 but r6 survives it (0x%x)", live[0]);
	n = asm_text("call bpf_map_lookup_elem#1; exit", p, 16);
	bpfext_liveness(p, n, live);
	ok(live[0] == (R(1) | R(2) | R(10)),
	   "a helper reads the arguments of its prototype only (0x%x)", live[0]);
	n = asm_text("call bpf_trace_printk#6; exit", p, 16);
	bpfext_liveness(p, n, live);
	ok((live[0] & 0x3e) == 0x3e, "a variadic helper reads all five (0x%x)",
	   live[0]);
	n = asm_text("call helper#100000; exit", p, 16);
	bpfext_liveness(p, n, live);
	ok((live[0] & 0x3e) == 0x3e, "an unknown helper reads all five (0x%x)",
	   live[0]);
}

static void test_safety(void)
{
	struct bpf_insn o[8], c[8];
	size_t n = asm_text("r0 = *(u32 *)(r1 +4); *(u64 *)(r10 -8) = r0", o, 8);

	ok(bpfext_window_safe(o, n, o, n, R(1), NULL), "a window is as safe as itself");
	ok(!bpfext_window_safe(o, n, c, asm_text("r0 = r2", c, 8), R(1), NULL),
	   "reading a register that is not live in is refused");
	c[0] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
				  .dst_reg = 10 };	/* the parser refuses it */
	ok(!bpfext_window_safe(o, n, c, 1, R(1), NULL),
	   "writing the frame pointer is refused");
	ok(!bpfext_window_safe(o, n, c, asm_text("r0 = *(u32 *)(r1 +8)", c, 8), R(1), NULL),
	   "a load from bytes the window never touched is refused");
	ok(!bpfext_window_safe(o, n, c, asm_text("*(u32 *)(r1 +4) = 0", c, 8), R(1), NULL),
	   "a store to bytes the window only read is refused");
	ok(bpfext_window_safe(o, n, c, asm_text("r0 = *(u16 *)(r1 +4)", c, 8), R(1), NULL),
	   "a narrower load of bytes the window read is allowed");
	ok(bpfext_window_safe(o, n, c,
			      asm_text("r2 = r1; r2 += 4; r0 = *(u32 *)(r2 +0)", c, 8),
			      R(1), NULL),
	   "the same bytes through a computed pointer are allowed");
	ok(!bpfext_window_safe(o, n, c,
			       asm_text("r1 += 8; r0 = *(u32 *)(r1 +0)", c, 8), R(1), NULL),
	   "other bytes through a computed pointer are refused");
	ok(!bpfext_window_safe(o, n, c,
			       asm_text("r1 <<= 1; r0 = *(u32 *)(r1 +4)", c, 8), R(1), NULL),
	   "an access through a pointer that is not a sum is refused");
	n = asm_text("r3 = r10; r3 += -64; r3 += r1; r0 = *(u16 *)(r3 +2)", o, 8);
	ok(bpfext_window_safe(o, n, c,
			      asm_text("r3 = r1; r3 += r10; r0 = *(u16 *)(r3 -62)", c, 8),
			      R(1), NULL),
	   "sums compare whatever order they were added in");
	ok(!bpfext_window_safe(o, n, c,
			       asm_text("r3 = r1; r3 += r10; r0 = *(u32 *)(r3 -62)", c, 8),
			       R(1), NULL),
	   "a wider access through the same sum is refused");
	n = asm_text("r7 = *(u32 *)(r1 +0); r8 = r7; r8 += 14; r0 = *(u8 *)(r7 +12)",
		     o, 8);
	ok(bpfext_window_safe(o, n, o, n, R(1), NULL),
	   "a pointer loaded in the window is a base like an input register");
	ok(bpfext_window_safe(o, n, c,
			      asm_text("r7 = *(u32 *)(r1 +0); r0 = *(u8 *)(r7 +12)", c, 8),
			      R(1), NULL),
	   "the same pointer loaded the same way reaches the same bytes");
	ok(!bpfext_window_safe(o, n, c,
			       asm_text("r7 = *(u32 *)(r1 +4); r0 = *(u8 *)(r7 +12)", c, 8),
			       R(1), NULL),
	   "a pointer loaded from elsewhere is refused");
}

static void test_reducible(void)
{
	size_t i;

	for (i = 0; i < sizeof(reducible) / sizeof(reducible[0]); i++) {
		const struct reducible *r = &reducible[i];
		struct bpfext_search_opts o = opts(42);
		struct bpfext_search_result res;
		BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 20000);
		struct bpfext_error err = { "" };
		struct bpf_insn w[BPFEXT_WIN_MAX_INSNS];
		size_t n = asm_text(r->code, w, BPFEXT_WIN_MAX_INSNS);
		int v;

		if (bpfext_search_window(w, n, r->live_in, r->live_out, &o, &res,
					 &err)) {
			ok(0, "%s: search failed: %s", r->what, err.msg);
			continue;
		}
		ok(res.improved && res.cnt <= r->want_at_most,
		   "%s: %zu -> %zu slots", r->what, n, res.cnt);
		v = bpfext_sym_equiv_window(w, n, res.insns, res.cnt, r->live_out,
					    &so, NULL, &err);
		ok(v == BPFEXT_EQUIVALENT, "%s: the result is equivalent (%d)",
		   r->what, v);
		ok(bpfext_window_safe(w, n, res.insns, res.cnt, r->live_in, NULL),
		   "%s: the result passes the safety rules", r->what);
	}
}

static size_t nops_out(const struct bpf_insn *in, size_t n, struct bpf_insn *out)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (in[i].code != (BPF_JMP | BPF_JA))
			out[m++] = in[i];
	return m;
}

static void test_rules(void)
{
	BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 20000);
	struct bpf_insn w[8], r[8], c[8];
	struct bpfext_error err;
	size_t n, m;

	/* xdp_fwd's Ethernet protocol, read a byte at a time. */
	n = asm_text("r3 = *(u8 *)(r7 +12); r9 = *(u8 *)(r7 +13); r9 <<= 8; r9 |= r3",
		     w, 8);
	ok(bpfext_rules_apply(w, n, R(9), NULL, NULL, NULL, r) == 1, "two byte loads are combined");
	m = nops_out(r, n, c);
	ok(m == 1 && c[0].code == (BPF_LDX | BPF_MEM | BPF_H) && c[0].off == 12 &&
	   c[0].dst_reg == 9, "into one 16-bit load of the same bytes");
	ok(bpfext_sym_equiv_window(w, n, c, m, R(9), &so, NULL, &err) ==
	   BPFEXT_EQUIVALENT, "which the solver proves equivalent");
	ok(bpfext_rules_apply(w, n, R(9) | R(3), NULL, NULL, NULL, r) == 0,
	   "not when the low byte is still needed");
	n = asm_text("r2 = *(u16 *)(r1 +4); r3 = *(u16 *)(r1 +6); r3 <<= 16;"
		     "r3 |= r2; r4 = *(u16 *)(r1 +8)", w, 8);
	ok(bpfext_rules_apply(w, n, R(3) | R(4), NULL, NULL, NULL, r) == 1 &&
	   bpfext_sym_equiv_window(w, n, c, nops_out(r, n, c), R(3) | R(4), &so,
				   NULL, &err) == BPFEXT_EQUIVALENT,
	   "two 16-bit halves become one 32-bit load");
	n = asm_text("r2 = *(u8 *)(r1 +4); r3 = *(u8 *)(r1 +6); r3 <<= 8; r3 |= r2",
		     w, 8);
	ok(bpfext_rules_apply(w, n, R(3), NULL, NULL, NULL, r) == 0,
	   "bytes that are not adjacent are left alone");
	n = asm_text("r1 = *(u32 *)(r8 +16); *(u8 *)(r10 -12) = r1; r1 = *(u32 *)(r8 +16);"
		     "r1 >>= 8; *(u8 *)(r10 -11) = r1", w, 8);
	ok(bpfext_rules_apply(w, n, 0, NULL, NULL, NULL, r) == 3 && nops_out(r, n, c) == 2 &&
	   c[1].code == (BPF_STX | BPF_MEM | BPF_H),
	   "bytes of a reloaded value become one store, the dead reload goes");
	/* xdp_fwd: the high half of a field stored before the low half. */
	n = asm_text("r2 = r1; r2 >>= 16; *(u16 *)(r7 +8) = r2; *(u16 *)(r7 +6) = r1",
		     w, 8);
	ok(bpfext_rules_apply(w, n, 0, NULL, NULL, NULL, r) >= 1 &&
	   nops_out(r, n, c) == 1 && c[0].code == (BPF_STX | BPF_MEM | BPF_W) &&
	   c[0].off == 6 && c[0].src_reg == 1,
	   "stores of a field's halves in either order become one");
	n = asm_text("*(u16 *)(r10 -6) = r1; r1 >>= 16; *(u16 *)(r10 -4) = r1", w, 8);
	ok(bpfext_rules_apply(w, n, 0, NULL, NULL, NULL, r) == 0,
	   "not into a misaligned stack store");
}

/* Recomputed addresses, and dead code with side exits. */
static void test_rules_exits(void)
{
	struct bpfext_win_exits ex = { .n = 1, .live = { R(2) | R(3) | R(10) } };
	struct bpfext_search_opts o = opts(1);
	struct bpf_insn w[16], r[16];
	unsigned int calls = 0;
	size_t n, i, nops = 0;

	n = asm_text("r3 = r10; r3 += -64; r3 += r1; r5 = r3; r3 = r10; r3 += -64;"
		     "r3 += r1", w, 16);
	ok(bpfext_rules_apply(w, n, R(3) | R(5), NULL, NULL, NULL, r) == 1 &&
	   nops_out(r, n, r) == 4, "an address recomputed in the register holding it goes");

	/* xdp1: the address plus 4 was compared; the address itself is loaded from. */
	n = asm_text("r4 = r1; r4 += 4; r3 = r10; r3 += -64; r3 += r4;"
		     "if r3 > r2 goto pc+37; r3 = r10; r3 += -64; r3 += r1;"
		     "r3 = *(u16 *)(r3 +2); r1 = r4", w, 16);
	o.exits = &ex;
	ok(bpfext_rules_apply(w, n, R(1) | R(2) | R(3), &ex, NULL, NULL, r) == 3 &&
	   bpfext_insn_is_nop(&r[6]) && bpfext_insn_is_nop(&r[7]) &&
	   bpfext_insn_is_nop(&r[8]) && r[9].off == -2,
	   "after a bounds check, the address is the compared one minus 4, "
	   "folded into the load");
	ok(bpfext_insn_is_nop(&r[0]) && r[1].dst_reg == 1 && r[4].src_reg == 1 &&
	   bpfext_insn_is_nop(&r[10]),
	   "and r4 = r1 ... r1 = r4 is worked on in place");
	ok(bpfext_window_safe(w, n, r, n, R(1) | R(2) | R(10), &ex) &&
	   bpfext_window_prove(w, n, r, n, R(1) | R(2) | R(3), &o, &calls, NULL) ==
	   BPFEXT_EQUIVALENT, "which is safe and proven at the exit and the end");

	n = asm_text("r4 = r1; r4 += 7; if r2 > r3 goto pc+9; r4 = 0; r0 = r4", w, 16);
	ex.live[0] = R(2) | R(3) | R(4);
	bpfext_rules_apply(w, n, R(0), &ex, NULL, NULL, r);
	for (i = 0; i < n; i++)
		nops += bpfext_insn_is_nop(&r[i]);
	ok(!bpfext_insn_is_nop(&r[0]) && !bpfext_insn_is_nop(&r[1]) && nops == 0,
	   "a register live where an exit goes is not dead code (%zu dropped)", nops);

	n = asm_text("r4 = r1; r4 += 4; if r4 > r2 goto pc+5; r1 = r4", w, 16);
	ex.live[0] = R(2) | R(4);
	ok(bpfext_rules_apply(w, n, R(1), &ex, NULL, NULL, r) == 0,
	   "a copy is kept where a side exit reads it");
	ex.live[0] = R(1) | R(2);
	n = asm_text("r4 = r1; r4 += 4; r5 = r4; r1 = r4", w, 16);
	ok(bpfext_rules_apply(w, n, R(1) | R(4) | R(5), NULL, NULL, NULL, r) == 0,
	   "and where it is live after the copy back");

	n = asm_text("r3 += -4; r3 = *(u16 *)(r3 +2)", w, 16);
	ok(bpfext_rules_apply(w, n, R(3), NULL, NULL, NULL, r) == 1 && nops_out(r, n, r) == 1 &&
	   r[0].code == (BPF_LDX | BPF_MEM | BPF_H) && r[0].off == -2,
	   "an added constant goes into the offset of the load through it");
	n = asm_text("r3 += -4; r0 = *(u16 *)(r3 +2)", w, 16);
	ok(bpfext_rules_apply(w, n, R(0) | R(3), NULL, NULL, NULL, r) == 0,
	   "not while the register is live after the load");
	n = asm_text("r3 += 8; *(u32 *)(r3 +0) = 1; r0 = r3", w, 16);
	ok(bpfext_rules_apply(w, n, R(0), NULL, NULL, NULL, r) == 0,
	   "nor when its value is used");
	n = asm_text("r3 += 8; *(u32 *)(r3 +0) = 1; if r1 > r2 goto pc+4; "
		     "*(u32 *)(r3 +4) = 1", w, 16);
	ex.live[0] = R(1) | R(2) | R(3);
	ok(bpfext_rules_apply(w, n, 0, &ex, NULL, NULL, r) == 0,
	   "nor when a side exit goes where it is live");
}

static void test_minimal(void)
{
	struct bpfext_search_opts o = opts(7);
	struct bpfext_search_result res;
	struct bpfext_error err;
	struct bpf_insn w[8];
	size_t n = asm_text("r0 = r1; r0 += r2; r0 ^= r3", w, 8);

	int ret = bpfext_search_window(w, n, R(1) | R(2) | R(3), R(0), &o, &res,
				       &err);

	ok(!ret && !res.improved && res.cnt == n && res.iters == o.iters,
	   "an already minimal window is left alone (%zu proposals)",
	   (size_t)res.iters);
}

static void test_deterministic(void)
{
	struct bpfext_search_result a, b;
	struct bpfext_search_opts o = opts(1234);
	struct bpfext_error err;
	struct bpf_insn w[8];
	size_t n = asm_text("r3 = r1; r3 &= 255; r1 = r3", w, 8);

	o.iters = 50000;
	bpfext_search_window(w, n, R(1), R(1), &o, &a, &err);
	bpfext_search_window(w, n, R(1), R(1), &o, &b, &err);
	ok(a.cnt == b.cnt && !memcmp(a.insns, b.insns, a.cnt * sizeof(*a.insns)) &&
	   a.iters == b.iters && a.solver_calls == b.solver_calls,
	   "the same seed gives the same search");
}

/* The proven-pair cache answers the second search of a window. */
static void test_proof_cache(void)
{
	struct bpfext_proof_cache *pc = bpfext_proof_cache__new();
	struct bpfext_search_result a, b;
	struct bpfext_search_opts o = opts(99);
	struct bpfext_error err;
	struct bpf_insn w[8], v[8];
	size_t n = asm_text("r3 = r1; r3 &= 255; r1 = r3", w, 8), m;

	o.iters = 50000;
	o.proofs = pc;
	bpfext_search_window(w, n, R(1), R(1), &o, &a, &err);
	bpfext_search_window(w, n, R(1), R(1), &o, &b, &err);
	ok(a.improved && a.solver_calls > 0 && b.solver_calls == 0 &&
	   b.cnt == a.cnt && bpfext_proof_cache__hits(pc) > 0,
	   "the second search of a window proves nothing again (%u, then %u solver calls)",
	   a.solver_calls, b.solver_calls);
	m = asm_text("r1 &= 255", v, 8);
	ok(bpfext_proof_cache__has(pc, w, n, v, m, R(1), NULL) &&
	   !bpfext_proof_cache__has(pc, w, n, v, m, R(1) | R(3), NULL) &&
	   !bpfext_proof_cache__has(pc, w, n - 1, v, m, R(1), NULL),
	   "pairs are matched exactly: window, candidate and live-out registers");
	bpfext_proof_cache__free(pc);
}

/*
 * Known-zero bits: a 16-bit load on both paths into a join leaves the
 * upper bits zero there, and a window may use that.
 */
static void test_known_zero(void)
{
	struct bpf_insn p[16], w[4];
	uint64_t kz[17][11], pre[11] = { 0 };
	struct bpfext_search_opts o = opts(5);
	struct bpfext_search_result res;
	struct bpfext_error err;
	size_t n = asm_text("r3 = *(u16 *)(r10 -8); if r3 == 0x5 goto pc+1; "
			    "r3 = *(u16 *)(r10 -16); r3 &= 65535; w4 = w3; "
			    "r4 >>= 4; r0 = r3; exit", p, 16), m;

	ok(!bpfext_known_bits(p, n, NULL, kz, NULL) && kz[3][3] == ~0xffffull &&
	   kz[5][4] == ~0xffffull && kz[6][4] == ~0xfffull,
	   "known-zero bits after loads, a join, 32-bit moves and shifts");
	m = asm_text("r3 &= 65535", w, 4);
	o.iters = 20000;
	bpfext_search_window(w, m, R(3), R(3), &o, &res, &err);
	ok(!res.improved, "without what is known, the mask stays");
	pre[3] = kz[3][3];
	o.known_zero = pre;
	bpfext_search_window(w, m, R(3), R(3), &o, &res, &err);
	ok(res.improved && res.cnt == 0, "with the upper bits known zero, it goes");
}

/*
 * Known constants: the same value on every path into a join is known
 * there, and a window may drop setting a register to the value it holds.
 */
static void test_known_const(void)
{
	struct bpf_insn p[16], w[4], r[4];
	uint64_t kz[17][11], ko[17][11];
	struct bpfext_search_opts o = opts(5);
	unsigned int calls = 0;
	size_t n = asm_text("w0 = 2; if r1 > r2 goto pc+2; r3 = r1; goto pc+1; "
			    "r3 = r2; r3 += 1; w0 = 2; exit", p, 16), m;

	ok(!bpfext_known_bits(p, n, NULL, kz, ko) && kz[5][0] == ~2ull && ko[5][0] == 2 &&
	   !ko[5][3] && !kz[5][3],
	   "r0 is 2 on both paths into the join, r3 is not known");
	m = asm_text("r3 += 1; w0 = 2", w, 4);
	ok(bpfext_rules_apply(w, m, R(0) | R(3), NULL, kz[5], ko[5], r) == 1 &&
	   bpfext_insn_is_nop(&r[1]), "so setting it to 2 again goes");
	o.known_zero = kz[5];
	o.known_one = ko[5];
	ok(bpfext_window_prove(w, m, r, m, R(0) | R(3), &o, &calls, NULL) ==
	   BPFEXT_EQUIVALENT, "proven with the constant as a precondition");
	o.known_one = NULL;
	o.known_zero = NULL;
	ok(bpfext_window_prove(w, m, r, m, R(0) | R(3), &o, &calls, NULL) ==
	   BPFEXT_DIFFERENT, "and refuted without it");
}

/* Does @c compute the registers @live of @w at side exit @e? */
static bool same_at_exit(const struct bpf_insn *w, size_t n,
			 const struct bpf_insn *c, size_t m, size_t e,
			 uint16_t live)
{
	BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 20000);
	struct bpf_insn a[BPFEXT_WIN_MAX_INSNS], b[BPFEXT_WIN_MAX_INSNS];
	struct bpfext_error err;
	size_t i, na = 0, nb = 0, k = 0;

	for (i = 0; i < n && !bpfext_win_insn_is_exit(&w[i]) && i < e; i++)
		a[na++] = w[i];
	for (i = 0; i < m; i++) {
		if (bpfext_win_insn_is_exit(&c[i]) && k++ == 0)
			break;
		b[nb++] = c[i];
	}
	return i < m && bpfext_sym_equiv_window(a, na, b, nb, live, &so, NULL,
						 &err) == BPFEXT_EQUIVALENT;
}

/*
 * Side exits: a window runs through a conditional jump that leaves it,
 * what it computed before the jump is reused after it, the state at the
 * jump stays the original's, and no access moves above the jump.
 */
static void test_side_exits(void)
{
	struct bpfext_win_exits ex = { .n = 1 };
	struct bpfext_search_opts o = opts(7);
	struct bpfext_search_result res;
	struct bpfext_error err = { "" };
	struct bpf_insn w[BPFEXT_WIN_MAX_INSNS], c[BPFEXT_WIN_MAX_INSNS];
	size_t n, m, i;
	int v;

	/* xdp1: the same stack address recomputed after a bounds check. */
	n = asm_text("r3 = r10; r3 += -64; r3 += r1; if r3 > r2 goto pc+20; "
		     "r3 = r10; r3 += -64; r3 += r1; r0 = *(u16 *)(r3 +2)", w, 16);
	ex.live[0] = R(2) | R(3) | R(10);
	o.exits = &ex;
	v = bpfext_search_window(w, n, R(1) | R(2) | R(10), R(0) | R(10), &o,
				 &res, &err);
	ok(!v && res.improved && res.cnt <= 5,
	   "a value computed before a side exit is reused after it: %zu -> %zu slots%s%s",
	   n, res.cnt, v ? ": " : "", v ? err.msg : "");
	for (i = 0, m = 0; i < res.cnt; i++)
		m += bpfext_win_insn_is_exit(&res.insns[i]) &&
		     res.insns[i].off == 20 - (int)(n - res.cnt);
	ok(m == 1, "the exit stays, its offset counting the slots that went");
	ok(same_at_exit(w, n, res.insns, res.cnt, 3, ex.live[0]),
	   "the registers live at the exit's target are the original's");

	/* r4 is dead at the end but live where the jump goes. */
	n = asm_text("r4 = r1; r4 += 7; if r2 > r3 goto pc+9; r4 = 0; r0 = r4",
		     w, 16);
	ex.live[0] = R(2) | R(3) | R(4);
	o.seed = 3;
	v = bpfext_search_window(w, n, R(1) | R(2) | R(3), R(0), &o, &res, &err);
	ok(!v && res.improved && res.cnt == 4 &&
	   same_at_exit(w, n, res.insns, res.cnt, 2, ex.live[0]),
	   "a register live only at the exit is kept: %zu -> %zu slots", n,
	   res.cnt);

	/* A load may not move above the bounds check that guards it. */
	n = asm_text("r4 = 1; if r3 > r2 goto pc+5; r0 = *(u8 *)(r3 +0)", w, 16);
	ex.live[0] = R(2) | R(3) | R(4);
	ok(bpfext_window_safe(w, n, w, n, R(2) | R(3), &ex),
	   "with a side exit, a window is as safe as itself");
	m = asm_text("r0 = *(u8 *)(r3 +0); if r3 > r2 goto pc+5; r4 = 1", c, 16);
	ok(!bpfext_window_safe(w, n, c, m, R(2) | R(3), &ex),
	   "a load moved above a side exit is refused");
	ok(!bpfext_window_safe(w, n, w, n, R(2) | R(3), NULL),
	   "a window with a jump but no side exits given is refused");
}

/*
 * xdp_monitor: a zero-extended 32-bit errno compared with a 64-bit
 * constant becomes one 32-bit comparison with an immediate.
 */
static void test_cmp_imm(void)
{
	uint64_t kz[11] = { 0 };
	BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 20000, .known_zero = kz);
	struct bpf_insn x[4], r, wrong;
	size_t n = asm_text("r2 = 0xffffffa5 ll; if r1 s> r2 goto pc+11", x, 4);

	ok(n == 3 && !bpfext_cmp_imm(x, R(1), 0, 11, &r),
	   "not without the upper half of the compared register known zero");
	kz[1] = 0xffffffff00000000ull;
	ok(!bpfext_cmp_imm(x, R(1) | R(2), kz[1], 11, &r),
	   "not while the constant's register is live after the jump");
	ok(bpfext_cmp_imm(x, R(1), kz[1], 11, &r) &&
	   r.code == (BPF_JMP32 | BPF_JGT | BPF_K) && r.dst_reg == 1 &&
	   r.imm == -91 && r.off == 11,
	   "a signed 64-bit comparison becomes an unsigned 32-bit one");
	ok(bpfext_cmp_imm_prove(x, &r, R(1), &so) == BPFEXT_EQUIVALENT,
	   "which the solver proves, given the known-zero upper half");
	wrong = r;
	wrong.code = BPF_JMP32 | BPF_JSGT | BPF_K;
	ok(bpfext_cmp_imm_prove(x, &wrong, R(1), &so) == BPFEXT_DIFFERENT,
	   "a signed 32-bit comparison would not decide the same");
	kz[1] = 0;
	ok(bpfext_cmp_imm_prove(x, &r, R(1), &so) == BPFEXT_DIFFERENT,
	   "nor does the unsigned one without the known-zero upper half");
	asm_text("r2 = 0x1ffffffa5 ll; if r1 == r2 goto pc+3", x, 4);
	ok(!bpfext_cmp_imm(x, R(1), 0xffffffff00000000ull, 3, &r),
	   "a constant of more than 32 bits is left alone");
}

/* Switching offset concretization on changes no verdict. */
static void test_no_offset_conc(void)
{
	BPFEXT_OPTS(bpfext_sym_opts, on,
		    .timeout_ms = 20000,
		    .flags = BPFEXT_SYM_OFFSET_CONC);
	BPFEXT_OPTS(bpfext_sym_opts, off, .timeout_ms = 20000);
	struct bpfext_error err;
	struct bpf_insn a[8], b[8];
	size_t n = asm_text("*(u64 *)(r10 -16) = r4; r5 = *(u64 *)(r10 -16); r0 = r5", a, 8);
	size_t m = asm_text("*(u64 *)(r10 -16) = r4; r0 = r4", b, 8);
	size_t k;
	int v1, v2;

	v1 = bpfext_sym_equiv_window(a, n, b, m, R(0), &on, NULL, &err);
	v2 = bpfext_sym_equiv_window(a, n, b, m, R(0), &off, NULL, &err);
	k = asm_text("*(u64 *)(r10 -8) = r4; r0 = r4", b, 8);
	ok(v1 == BPFEXT_EQUIVALENT && v2 == BPFEXT_EQUIVALENT &&
	   bpfext_sym_equiv_window(a, n, b, k, R(0), &off, NULL, &err) == BPFEXT_DIFFERENT &&
	   bpfext_sym_equiv_window(a, n, b, k, R(0), &on, NULL, &err) == BPFEXT_DIFFERENT,
	   "with offset concretization the verdicts stay the same");
}

int main(void)
{
	test_proof_cache();
	test_no_offset_conc();
	test_known_zero();
	test_known_const();
	test_side_exits();
	test_rules_exits();
	test_cmp_imm();
	test_liveness();
	test_safety();
	test_reducible();
	test_rules();
	test_minimal();
	test_deterministic();
	return tap_finish();
}
