// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests for lib/analysis/safety.c: one hand-written unsafe program per rule, each
 * rejected with the expected reason at the expected instruction, and
 * its safe counterpart accepted; programs the analysis cannot decide
 * must come out "unknown", never "unsafe".  TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"

#include "asm.h"
#include "bpfext_opt.h"
#include "tap.h"

/* Parse ';'-separated instructions into @lp, with two maps. */
static int build(struct bpfext_linked_prog *lp, enum bpf_prog_type type,
		 const char *text)
{
	int ret = asm_linked(lp, type, text);

	if (ret)
		return ret;
	lp->maps = calloc(2, sizeof(*lp->maps));
	if (!lp->maps)
		return -ENOMEM;
	/* map 0: a hash of 4-byte keys and 8-byte values; map 1: .rodata */
	snprintf(lp->maps[0].name, sizeof(lp->maps[0].name), "hash");
	lp->maps[0].type = BPF_MAP_TYPE_HASH;
	lp->maps[0].key_size = 4;
	lp->maps[0].value_size = 8;
	lp->maps[0].max_entries = 16;
	snprintf(lp->maps[1].name, sizeof(lp->maps[1].name), ".rodata");
	lp->maps[1].type = BPF_MAP_TYPE_ARRAY;
	lp->maps[1].key_size = 4;
	lp->maps[1].value_size = 16;
	lp->maps[1].max_entries = 1;
	lp->maps[1].rdonly_prog = true;
	lp->maps[1].is_data = true;
	lp->nr_maps = 2;
	return 0;
}

static struct bpfext_safety_report check_opts(enum bpf_prog_type type,
					      const char *text,
					      const struct bpfext_safety_opts *opts)
{
	struct bpfext_safety_report rep;
	struct bpfext_linked_prog lp;
	struct bpfext_error err = { "" };

	memset(&rep, 0, sizeof(rep));
	if (build(&lp, type, text) ||
	    bpfext_safety_check_linked(&lp, opts, &rep, &err)) {
		rep.verdict = -1;
		snprintf(rep.reason, sizeof(rep.reason), "error: %s", err.msg);
	}
	bpfext_linked_prog__free(&lp);
	return rep;
}

static struct bpfext_safety_report check(enum bpf_prog_type type, const char *text)
{
	return check_opts(type, text, NULL);
}

/* @text must be unsafe at slot @insn with @why in the reason. */
static void unsafe_at(const char *rule, enum bpf_prog_type type, const char *text,
		      size_t insn, const char *why)
{
	struct bpfext_safety_report r = check(type, text);

	ok(r.verdict == BPFEXT_SAFETY_UNSAFE && r.insn == insn && strstr(r.reason, why),
	   "%s: unsafe at insn %zu (%s): got %s at insn %zu: %s", rule, insn, why,
	   bpfext_safety_name(r.verdict), r.insn, r.reason);
}

static void safe(const char *rule, enum bpf_prog_type type, const char *text)
{
	struct bpfext_safety_report r = check(type, text);

	ok(r.verdict == BPFEXT_SAFETY_SAFE, "%s: safe: got %s at insn %zu: %s", rule,
	   bpfext_safety_name(r.verdict), r.insn, r.reason);
}

static void unknown(const char *rule, enum bpf_prog_type type, const char *text)
{
	struct bpfext_safety_report r = check(type, text);

	ok(r.verdict == BPFEXT_SAFETY_UNKNOWN, "%s: unknown: got %s at insn %zu: %s",
	   rule, bpfext_safety_name(r.verdict), r.insn, r.reason);
}

#define XDP BPF_PROG_TYPE_XDP
#define TC BPF_PROG_TYPE_SCHED_CLS

/* r2 = data, r3 = data_end */
#define PKT "r2 = *(u32 *)(r1 +0); r3 = *(u32 *)(r1 +4);"
/* r0 = lookup(map 0, key 0 at fp-4): slots 0-5, the call at 5 */
#define LOOKUP "*(u32 *)(r10 -4) = 0; r2 = r10; r2 += -4; r1 = map[fd:0]; " \
	       "call bpf_map_lookup_elem#1;"

static void test_rules(void)
{
	/* uninitialized register */
	unsafe_at("uninit register", XDP, "r0 = r2; exit", 0, "R2 !read_ok");
	safe("uninit register", XDP, "r2 = 1; r0 = r2; exit");
	unsafe_at("uninit r0 at exit", XDP, "r1 = 0; exit", 1, "R0 !read_ok");
	unsafe_at("uninit register after a call", XDP,
		  "r6 = r1; call bpf_get_prandom_u32#7; r0 = r1; exit", 2, "R1 !read_ok");
	safe("callee-saved register after a call", XDP,
	     "r6 = r1; call bpf_get_prandom_u32#7; r0 = r6; r0 = 0; exit");

	/* uninitialized stack */
	unsafe_at("uninit stack", XDP, "r0 = *(u64 *)(r10 -8); exit", 0,
		  "invalid read from stack");
	unsafe_at("partly uninit stack", XDP,
		  "*(u32 *)(r10 -8) = 0; r0 = *(u64 *)(r10 -8); exit", 1,
		  "invalid read from stack off -8+4");
	safe("uninit stack", XDP, "*(u64 *)(r10 -8) = 0; r0 = *(u64 *)(r10 -8); exit");
	safe("spill and fill", XDP,
	     "*(u64 *)(r10 -16) = r1; r1 = 0; r1 = *(u64 *)(r10 -16); "
	     "r0 = *(u32 *)(r1 +0); r0 = 0; exit");

	/* packet without a bounds check, and one byte past the check */
	unsafe_at("packet without bounds check", XDP,
		  PKT "r0 = *(u8 *)(r2 +0); exit", 2, "invalid access to packet");
	unsafe_at("packet one byte past the range", XDP,
		  PKT "r4 = r2; r4 += 14; if r4 > r3 goto pc+2; "
		  "r0 = *(u8 *)(r2 +14); exit; r0 = 0; exit", 5,
		  "invalid access to packet, off=14 size=1");
	unsafe_at("packet word crossing the range", XDP,
		  PKT "r4 = r2; r4 += 14; if r4 > r3 goto pc+2; "
		  "r0 = *(u16 *)(r2 +12); r0 = *(u32 *)(r2 +12); exit; r0 = 0; exit", 6,
		  "invalid access to packet, off=12 size=4");
	safe("packet within the range", XDP,
	     PKT "r4 = r2; r4 += 14; if r4 > r3 goto pc+2; "
	     "r0 = *(u8 *)(r2 +13); exit; r0 = 0; exit");
	safe("packet range, reversed compare", XDP,
	     PKT "r4 = r2; r4 += 14; if r3 < r4 goto pc+2; "
	     "r0 = *(u16 *)(r4 -2); exit; r0 = 0; exit");
	unsafe_at("packet: range only on the checked branch", XDP,
		  PKT "r4 = r2; r4 += 14; if r4 > r3 goto pc+2; "
		  "r0 = 0; exit; r0 = *(u8 *)(r2 +0); exit", 7,
		  "invalid access to packet");

	/* map values: NULL check and bounds */
	unsafe_at("map value without NULL check", XDP,
		  LOOKUP "r0 = *(u32 *)(r0 +0); exit", 6, "map_value_or_null");
	safe("map value with NULL check", XDP,
	     LOOKUP "if r0 == 0x0 goto pc+2; r0 = *(u32 *)(r0 +4); exit; r0 = 0; exit");
	safe("map value NULL check on a copy", XDP,
	     LOOKUP "r6 = r0; if r6 != 0x0 goto pc+2; r0 = 0; exit; "
	     "r0 = *(u64 *)(r0 +0); r0 = 0; exit");
	unsafe_at("map value out of bounds", XDP,
		  LOOKUP "if r0 == 0x0 goto pc+2; r0 = *(u32 *)(r0 +8); exit; r0 = 0; exit",
		  7, "invalid access to map value, value_size=8 off=8 size=4");
	unsafe_at("map value negative offset", XDP,
		  LOOKUP "if r0 == 0x0 goto pc+2; r0 = *(u8 *)(r0 -1); exit; r0 = 0; exit",
		  7, "invalid access to map value");
	unsafe_at("map value index not bounded", XDP,
		  LOOKUP "if r0 == 0x0 goto pc+4; r6 = r0; call bpf_get_prandom_u32#7; "
		  "r6 += r0; r0 = *(u8 *)(r6 +0); exit; r0 = 0; exit", 10,
		  "invalid access to map value");
	safe("map value index bounded by a check", XDP,
	     LOOKUP "if r0 == 0x0 goto pc+6; r6 = r0; call bpf_get_prandom_u32#7; "
	     "if r0 > 0x7 goto pc+3; r6 += r0; r0 = *(u8 *)(r6 +0); exit; r0 = 0; exit");
	unsafe_at("write into .rodata", XDP,
		  "r1 = map[fd:1][0]+0; *(u32 *)(r1 +0) = 1; r0 = 0; exit", 2,
		  "write into map forbidden");
	unsafe_at("map key not initialized", XDP,
		  "r2 = r10; r2 += -4; r1 = map[fd:0]; call bpf_map_lookup_elem#1; "
		  "r0 = 0; exit", 4, "invalid indirect read from stack");
	unsafe_at("map key not a pointer", XDP,
		  "r2 = 0; r1 = map[fd:0]; call bpf_map_lookup_elem#1; r0 = 0; exit", 3,
		  "R2 type=scalar expected=fp");
	unsafe_at("map argument not a map", XDP,
		  "*(u32 *)(r10 -4) = 0; r2 = r10; r2 += -4; r1 = 0; "
		  "call bpf_map_lookup_elem#1; r0 = 0; exit", 4, "expected=map_ptr");

	/* context */
	unsafe_at("ctx write (xdp)", XDP, "*(u32 *)(r1 +0) = 0; r0 = 0; exit", 0,
		  "invalid bpf_context access");
	safe("ctx write of skb->mark (tc)", TC, "*(u32 *)(r1 +8) = 0; r0 = 0; exit");
	unsafe_at("ctx write of skb->len (tc)", TC, "*(u32 *)(r1 +0) = 0; r0 = 0; exit", 0,
		  "invalid bpf_context access");
	unsafe_at("ctx read past the end", XDP, "r0 = *(u32 *)(r1 +24); exit", 0,
		  "invalid bpf_context access");
	safe("kprobe registers are numbers", BPF_PROG_TYPE_KPROBE,
	     "r1 = *(u64 *)(r1 +112); r0 = r1; exit");
	unsafe_at("kprobe registers are not pointers", BPF_PROG_TYPE_KPROBE,
		  "r1 = *(u64 *)(r1 +112); r0 = *(u64 *)(r1 +0); exit", 1,
		  "invalid mem access 'scalar'");
	unsafe_at("kprobe context is read-only", BPF_PROG_TYPE_KPROBE,
		  "*(u64 *)(r1 +112) = 0; r0 = 0; exit", 0, "invalid bpf_context access");
	unsafe_at("modified ctx pointer", XDP, "r1 += 4; r0 = *(u32 *)(r1 +0); exit", 1,
		  "dereference of modified ctx ptr");

	/* pointer arithmetic */
	unsafe_at("pointer *= scalar", XDP, "r2 = r10; r2 *= 2; r0 = 0; exit", 1,
		  "pointer arithmetic with *= operator prohibited");
	unsafe_at("pointer += pointer", XDP, "r2 = r10; r3 = r1; r2 += r3; r0 = 0; exit", 2,
		  "pointer += pointer prohibited");
	unsafe_at("shifting a pointer", XDP, "r2 = r10; r2 <<= 1; r0 = 0; exit", 1,
		  "pointer arithmetic with <<= operator prohibited");
	unsafe_at("ALU32 on a pointer", XDP, "r2 = r10; w2 += 8; r0 = 0; exit", 1,
		  "32-bit pointer arithmetic prohibited");
	unsafe_at("arithmetic on pkt_end", XDP, PKT "r3 += 1; r0 = 0; exit", 2,
		  "pointer arithmetic on pkt_end prohibited");
	unsafe_at("arithmetic on map_value_or_null", XDP,
		  LOOKUP "r0 += 4; r0 = 0; exit", 6,
		  "pointer arithmetic on map_value_or_null prohibited");
	safe("pointer -= pointer (privileged)", XDP, PKT "r3 -= r2; r0 = r3; exit");
	safe("pointer += constant", XDP, "r2 = r10; r2 += -8; *(u64 *)(r2 +0) = 0; "
	     "r0 = *(u64 *)(r10 -8); exit");
	/* a byte-swapped constant is known: be16 of 0x1000 is 16, of 16 0x1000 */
	safe("pointer += swapped constant", XDP, "r4 = 4096; r4 = be16 r4; r2 = r10; "
	     "r2 += -32; r2 += r4; *(u64 *)(r2 +0) = 0; r0 = 0; exit");
	unsafe_at("pointer += swapped constant", XDP, "r4 = 16; r4 = be16 r4; r2 = r10; "
		  "r2 += -32; r2 += r4; *(u64 *)(r2 +0) = 0; r0 = 0; exit", 5,
		  "invalid stack off=4064 size=8");

	/* r0 at exit */
	unsafe_at("pointer returned", XDP, "r0 = r10; exit", 1, "R0 leaks addr");
	unsafe_at("ctx returned", XDP, "r0 = r1; exit", 1, "R0 leaks addr");
	safe("scalar returned", XDP, "r0 = r10; r0 = 2; exit");

	/* stack bounds and alignment */
	unsafe_at("stack below the frame", XDP, "*(u64 *)(r10 -520) = 0; r0 = 0; exit", 0,
		  "invalid stack off=-520 size=8");
	unsafe_at("stack above the frame pointer", XDP, "*(u32 *)(r10 +0) = 0; r0 = 0; exit",
		  0, "invalid stack off=0 size=4");
	safe("stack at the bottom of the frame", XDP,
	     "*(u64 *)(r10 -512) = 0; r0 = 0; exit");
	unsafe_at("misaligned stack access", XDP, "*(u32 *)(r10 -6) = 0; r0 = 0; exit", 0,
		  "misaligned stack access off -6 size 4");
	unsafe_at("misaligned stack read", XDP,
		  "*(u64 *)(r10 -8) = 0; r0 = *(u16 *)(r10 -7); exit", 1,
		  "misaligned stack access");
	safe("aligned narrow stack access", XDP,
	     "*(u64 *)(r10 -8) = 0; r0 = *(u16 *)(r10 -6); exit");

	/* variable stack offsets, as privileged programs may use them */
	safe("variable-offset stack read of initialized bytes", XDP,
	     "*(u64 *)(r10 -16) = 0; *(u64 *)(r10 -8) = 0; r1 = *(u32 *)(r1 +12); "
	     "r1 &= 6; r2 = r10; r2 += -16; r2 += r1; r0 = *(u16 *)(r2 +0); exit");
	unsafe_at("variable-offset stack read of uninitialized bytes", XDP,
		  "*(u64 *)(r10 -16) = 0; r1 = *(u32 *)(r1 +12); "
		  "r1 &= 6; r2 = r10; r2 += -16; r2 += r1; r0 = *(u32 *)(r2 +6); exit", 6,
		  "invalid variable-offset read from stack");
	unsafe_at("variable-offset stack access out of the frame", XDP,
		  "*(u64 *)(r10 -8) = 0; r1 = *(u32 *)(r1 +12); "
		  "r1 &= 15; r2 = r10; r2 += -8; r2 += r1; r0 = *(u8 *)(r2 +0); exit", 6,
		  "invalid variable-offset stack access");

	/* memory through a scalar */
	unsafe_at("load through a scalar", XDP, "r2 = 0; r0 = *(u32 *)(r2 +0); exit", 1,
		  "invalid mem access 'scalar'");
}

/* What the analysis cannot decide must not be called unsafe. */
static void test_unknown(void)
{
	/* initialized on one path only: the kernel might prove the other dead */
	unknown("maybe uninitialized", XDP,
		"r2 = *(u32 *)(r1 +12); if r2 == 0x0 goto pc+1; r5 = 1; r0 = r5; exit");
	/* a join of packet pointers of different offsets */
	unknown("joined packet pointers", XDP,
		PKT "r4 = *(u32 *)(r1 +12); r5 = r2; if r4 == 0x0 goto pc+1; r5 += 4; "
		"r0 = *(u8 *)(r5 +0); exit");
	unknown("BTF pointers of a tracing context", BPF_PROG_TYPE_TRACING,
		"r1 = *(u64 *)(r1 +8); r0 = *(u64 *)(r1 +0); exit");
	/* a loop: its index comes out of a join, so a violation is not exact */
	unknown("loop index past the map value", XDP,
		LOOKUP "if r0 == 0x0 goto pc+6; r1 = 0; r1 += 1; if r1 < 0x8 goto pc-2; "
		"r0 += r1; r0 = *(u8 *)(r0 +0); exit; r0 = 0; exit");
	safe("loop index within the map value", XDP,
	     LOOKUP "if r0 == 0x0 goto pc+6; r1 = 0; r1 += 1; if r1 < 0x7 goto pc-2; "
	     "r0 += r1; r0 = *(u8 *)(r0 +0); exit; r0 = 0; exit");
	/* packet pointers after a packet-changing helper are not usable */
	unknown("packet range lost by a packet-changing helper", XDP,
		PKT "r6 = r1; r7 = r2; r4 = r2; r4 += 14; if r4 > r3 goto pc+6; "
		"r1 = r6; r2 = 0; call bpf_xdp_adjust_head#44; r0 = *(u8 *)(r7 +0); "
		"r0 = 0; exit; r0 = 0; exit");
	/* a bounded loop needing no bounds is simply safe */
	safe("bounded loop", XDP, "r0 = 0; r1 = 0; r0 += r1; r1 += 1; "
	     "if r1 < 0xa goto pc-3; exit");
	/* the kernel's log of the same program may differ, but not the verdict */
	safe("subprogram call with a packet pointer", XDP,
	     PKT "r4 = r2; r4 += 4; if r4 > r3 goto pc+3; r1 = r2; call pc+3; exit; "
	     "r0 = 0; exit; r0 = *(u32 *)(r1 +0); r0 = 0; exit");
	safe("callee reads the caller's initialized stack", XDP,
	     "*(u64 *)(r10 -8) = 0; r1 = r10; r1 += -8; call pc+2; r0 = 0; exit; "
	     "r0 = *(u64 *)(r1 +0); r0 = 0; exit");
	unknown("callee reads the caller's uninitialized stack", XDP,
		"r1 = r10; r1 += -8; call pc+2; r0 = 0; exit; "
		"r0 = *(u64 *)(r1 +0); r0 = 0; exit");
	unsafe_at("callee writes past the caller's frame", XDP,
		  "r1 = r10; r1 += -8; call pc+2; r0 = 0; exit; "
		  "*(u64 *)(r1 +8) = 0; r0 = 0; exit", 5,
		  "invalid access to the caller's stack off=0 size=8");
	unsafe_at("subprogram: violation in the callee", XDP,
		  PKT "r4 = r2; r4 += 2; if r4 > r3 goto pc+3; r1 = r2; call pc+3; exit; "
		  "r0 = 0; exit; r0 = *(u32 *)(r1 +0); r0 = 0; exit", 10,
		  "invalid access to packet, off=0 size=4");
}

/* Candidate mode: ctx writes only as the original makes them. */
static void test_ctx_writes(void)
{
	const char *orig = "*(u32 *)(r1 +8) = 0; r0 = 0; exit";
	struct bpfext_safety_report o = check(TC, orig), r;
	BPFEXT_OPTS(bpfext_safety_opts, opts, .ctx_writes_given = true);

	ok(o.verdict == BPFEXT_SAFETY_SAFE && o.nr_ctx_writes == 1 &&
	   o.ctx_writes[0].off == 8 && o.ctx_writes[0].size == 4,
	   "the report lists the original's ctx write");
	opts.ctx_writes = o.ctx_writes;
	opts.nr_ctx_writes = o.nr_ctx_writes;
	r = check_opts(TC, "r2 = 0; *(u32 *)(r1 +8) = r2; r0 = 0; exit", &opts);
	ok(r.verdict == BPFEXT_SAFETY_SAFE, "a candidate making the same ctx write is safe: %s",
	   r.reason);
	r = check_opts(TC, "*(u32 *)(r1 +12) = 0; r0 = 0; exit", &opts);
	ok(r.verdict == BPFEXT_SAFETY_UNSAFE && r.insn == 0 &&
	   strstr(r.reason, "original program does not make"),
	   "a candidate writing another ctx field is unsafe: %s", r.reason);
	r = check_opts(TC, "*(u16 *)(r1 +8) = 0; r0 = 0; exit", &opts);
	ok(r.verdict == BPFEXT_SAFETY_UNSAFE,
	   "a candidate writing the same field with another size is unsafe: %s", r.reason);
}

/* A rewrite by hand: @text replaces slots [start, start + len). */
static void make_rewrite(struct bpfext_rewrite *rw, const struct bpfext_section *sec,
			 size_t start, size_t len, const char *text)
{
	struct bpfext_linked_prog lp;

	memset(rw, 0, sizeof(*rw));
	rw->shndx = sec->shndx;
	snprintf(rw->sec_name, sizeof(rw->sec_name), "%s", sec->name);
	rw->start = start;
	rw->len = len;
	memcpy(rw->old, &sec->insns[start], len * sizeof(*rw->old));
	if (!asm_linked(&lp, XDP, text)) {
		memcpy(rw->insns, lp.insns, lp.cnt * sizeof(*lp.insns));
		rw->cnt = lp.cnt;
	}
	bpfext_linked_prog__free(&lp);
}

/*
 * The pipeline's safety step: of two rewrites of the example, the one
 * shifting the context pointer goes, with the reason; the other stays.
 */
static void test_pipeline_filter(const char *path)
{
	struct bpfext_pipeline_result res = { 0 };
	struct bpfext_error err = { "" };
	struct bpfext_object *obj = bpfext_object__open(path, &err);
	const struct bpfext_prog *p;
	const void *img;
	size_t size;
	int ret;

	if (!obj) {
		skip("pipeline safety filter", "the example object is not built");
		return;
	}
	p = bpfext_object__prog(obj, 0);
	img = bpfext_object__image(obj, &size);
	res.rewrites = calloc(2, sizeof(*res.rewrites));
	if (!res.rewrites)
		abort();
	/* slot 0 rewritten as itself; slot 1 (r8 = data_end) into a shift */
	make_rewrite(&res.rewrites[0], p->sec, p->sec->funcs[p->func].start, 1, "w6 = 2");
	make_rewrite(&res.rewrites[1], p->sec, p->sec->funcs[p->func].start + 1, 1,
		     "r8 = r1; r8 <<= 1");
	res.nr_rewrites = 2;
	ret = bpfext_pipeline_safety_filter(img, size, path, NULL, &res, &err);
	ok(!ret && res.nr_rewrites == 1 && res.rewrites[0].cnt == 1 &&
	   res.rejected_by_safety == 1,
	   "pipeline: the unsafe rewrite is dropped, the other kept (%d, %s)", ret, err.msg);
	ok(res.rejected_by_safety == 1 && res.safety_drops[0].rw.cnt == 2 &&
	   res.safety_drops[0].insn == 2 &&
	   strstr(res.safety_drops[0].reason, "<<= operator prohibited") &&
	   !strcmp(res.safety_drops[0].prog, p->name),
	   "pipeline: the drop names the program, the slot and the reason: %s",
	   res.rejected_by_safety ? res.safety_drops[0].reason : "none");
	bpfext_pipeline_result__free(&res);
	bpfext_object__close(obj);
}

/*
 * Issue #12: at an instruction the loader rewrites the object's value is
 * not the kernel's: a violation there is unknown, and what it defines
 * is nothing known.
 */
static void test_loadtime(void)
{
	static const struct {
		const char *text;
		size_t slot;
		enum bpfext_ltv_field field;
		const char *why;
	} cases[] = {
		/* out of the context by the local offset, maybe not by the kernel's */
		{ "r0 = *(u32 *)(r1 +1000);exit", 0, BPFEXT_LTV_OFF, "offset the loader sets" },
		/* an offset of 4000 locally into a 16-byte value */
		{ "r2 = map[idx:1]+0;r3 = 4000;r2 += r3;r0 = *(u8 *)(r2 +0);exit", 2,
		  BPFEXT_LTV_IMM, "invalid access to map value" },
		/* a __ksym address read as memory */
		{ "r2 = 0x0;r0 = *(u8 *)(r2 +0);exit", 0, BPFEXT_LTV_IMM64, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpfext_safety_report rep = { 0 }, plain;
		struct bpfext_linked_prog lp;
		struct bpfext_error err = { "" };

		plain = check(XDP, cases[i].text);
		if (build(&lp, XDP, cases[i].text) || !(lp.ltv = calloc(1, sizeof(*lp.ltv)))) {
			ok(0, "load-time case %zu: cannot build", i);
			continue;
		}
		lp.ltv->slot = cases[i].slot;
		lp.ltv->field = cases[i].field;
		snprintf(lp.ltv->key, sizeof(lp.ltv->key), "core:test:%zu", i);
		lp.nr_ltv = 1;
		if (bpfext_safety_check_linked(&lp, NULL, &rep, &err))
			rep.verdict = -1;
		ok(plain.verdict == BPFEXT_SAFETY_UNSAFE && rep.verdict == BPFEXT_SAFETY_UNKNOWN &&
		   strstr(rep.reason, cases[i].why),
		   "load-time value %zu: unsafe by its local value (%s), unknown as the loader's (%s)",
		   i, plain.reason, rep.reason);
		bpfext_linked_prog__free(&lp);
	}
}

int main(int argc, char **argv)
{
	test_rules();
	test_unknown();
	test_loadtime();
	test_ctx_writes();
	/* run from the top of the tree, as check.sh does */
	test_pipeline_filter(argc > 1 ? argv[1] : "build/examples/xdp_count.o");
	return tap_finish();
}
