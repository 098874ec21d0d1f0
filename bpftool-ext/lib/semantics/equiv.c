// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Translation validation of two linked programs: interpreter tests, then
 * the symbolic checker, then a replay of its counterexample.  See
 * bpfext_equiv_progs() in bpfext_opt.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "bpfext_opt.h"

static void save_side(struct bpfext_equiv_side *s,
		      const struct bpfext_interp_output *o)
{
	memset(s, 0, sizeof(*s));
	s->status = o->status;
	s->r0 = o->r0;
	s->pkt_len = o->pkt_len < BPFEXT_EQUIV_PKT_MAX ? o->pkt_len :
							 BPFEXT_EQUIV_PKT_MAX;
	if (o->pkt && s->pkt_len)
		memcpy(s->pkt, o->pkt, s->pkt_len);
	s->redirect = o->redirect;
	s->redirect_ifindex = o->redirect_ifindex;
	s->tail_call_index = o->tail_call_index;
	snprintf(s->fault, sizeof(s->fault), "%s", o->fault);
}

/* Run both on @ip; 1 and the outcomes in @rep if they differ. */
static int run_pair(struct bpfext_interp *ia, struct bpfext_interp *ib,
		    const struct bpfext_interp_input *ip,
		    struct bpfext_equiv_report *rep)
{
	struct bpfext_interp_output oa, ob;
	int ret;

	ret = bpfext_interp__run(ia, ip, &oa);
	if (!ret)
		ret = bpfext_interp__run(ib, ip, &ob);
	if (ret)
		return ret;
	/* what the interpreter does not model tells nothing */
	if ((oa.status == BPFEXT_INTERP_FAULT && strstr(oa.fault, "not modelled")) ||
	    (ob.status == BPFEXT_INTERP_FAULT && strstr(ob.fault, "not modelled")))
		return 0;
	ret = bpfext_interp__cmp(ia, &oa, ib, &ob, rep->diff, sizeof(rep->diff));
	if (ret == 1) {
		save_side(&rep->side[0], &oa);
		save_side(&rep->side[1], &ob);
	}
	return ret;
}

static void test_ltv(struct bpfext_sym_cex *cex, const struct bpfext_linked_prog *lp,
		     uint64_t *seed)
{
	size_t i, k;

	for (i = 0; i < lp->nr_ltv && cex->nr_ltv < BPFEXT_SYM_MAX_LTV; i++) {
		for (k = 0; k < cex->nr_ltv; k++)
			if (!strcmp(cex->ltv[k].key, lp->ltv[i].key))
				break;
		if (k < cex->nr_ltv)
			continue;
		snprintf(cex->ltv[k].key, sizeof(cex->ltv[k].key), "%s", lp->ltv[i].key);
		cex->ltv[k].value = lp->ltv[i].field == BPFEXT_LTV_IMM64 ? bpfext_xorshift64(seed) :
				    bpfext_xorshift64(seed) % 64;
		cex->nr_ltv++;
	}
}

/*
 * Test input @i: a packet, or for tracing types random context bytes;
 * every other test, load-time values other than the local ones (the
 * same for both sides, as the loader gives them); every fourth, stack
 * bytes that are not zero.
 */
static void test_input(struct bpfext_sym_cex *cex, unsigned int i,
		       const struct bpfext_linked_prog *a,
		       const struct bpfext_linked_prog *b, uint64_t *seed,
		       struct bpfext_interp_input *ip)
{
	uint32_t k;

	memset(cex, 0, sizeof(*cex));
	if (bpfext_sym_opaque_ctx(a->type)) {
		/* twelve arguments (raw_tp, fentry) or registers: numbers */
		cex->ctx_len = BPFEXT_SYM_MAX_CTX;
		for (k = 0; k < 96; k++)
			cex->ctx[k] = k % 8 < 4 ? (uint8_t)bpfext_xorshift64(seed) : 0;
	} else {
		cex->pkt_len = bpfext_test_packet(cex->pkt, i, seed);
	}
	if (i % 2) {
		test_ltv(cex, a, seed);
		test_ltv(cex, b, seed);
	}
	if (i % 4 == 3) {
		for (k = 0; k < sizeof(cex->stack); k++)
			cex->stack[k] = (uint8_t)bpfext_xorshift64(seed);
	}
	bpfext_sym_cex__input(cex, ip);
}

int bpfext_equiv_progs(const struct bpfext_linked_prog *a,
		       const struct bpfext_linked_prog *b,
		       const struct bpfext_sym_opts *user_opts, unsigned int tests,
		       struct bpfext_equiv_report *rep,
		       struct bpfext_error *err)
{
	struct bpfext_interp *ia = NULL, *ib = NULL;
	struct bpfext_error serr = { "" };
	const struct bpfext_sym_opts *opts;
	struct bpfext_interp_input ip;
	uint64_t seed = 0x243f6a8885a308d3ull;
	struct bpfext_sym_opts o;
	unsigned int i;
	int ret;

	memset(rep, 0, sizeof(*rep));
	rep->verdict = BPFEXT_UNDECIDED;
	if (BPFEXT_OPTS_GET(&o, user_opts, bpfext_sym_opts))
		return bpfext_errf(err, EINVAL, "invalid bpfext_sym_opts");
	opts = &o;
	if (a->type != b->type)
		return bpfext_errf(err, EINVAL, "program types differ (%s, %s)",
				   bpfext_prog_type_name(a->type),
				   bpfext_prog_type_name(b->type));
	if (a->nr_maps != b->nr_maps)
		return bpfext_errf(err, EINVAL, "the programs use different maps");
	ia = bpfext_interp__new(a, err);
	ib = ia ? bpfext_interp__new(b, err) : NULL;
	if (!ia || !ib) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < tests; i++) {
		struct bpfext_sym_cex *cex = &rep->cex;

		test_input(cex, i, a, b, &seed, &ip);
		ret = run_pair(ia, ib, &ip, rep);
		rep->tests_run++;
		if (ret < 0) {
			bpfext_errf(err, -ret, "interpreter: %s", strerror(-ret));
			goto out;
		}
		if (ret == 1) {
			rep->verdict = BPFEXT_DIFFERENT;
			rep->by_test = true;
			snprintf(rep->reason, sizeof(rep->reason),
				 "test input %u", i);
			ret = 0;
			goto out;
		}
	}
	memset(&rep->cex, 0, sizeof(rep->cex));
	ret = bpfext_sym_equiv_prog(a, b, opts, &rep->cex, &serr);
	if (ret < 0) {
		if (ret == -ENOTSUP) {
			snprintf(rep->reason, sizeof(rep->reason),
				 "not supported by the checker: %s", serr.msg);
			ret = 0;
		} else {
			bpfext_errf(err, -ret, "%s", serr.msg);
		}
		goto out;
	}
	rep->verdict = ret;
	if (ret == BPFEXT_UNDECIDED) {
		snprintf(rep->reason, sizeof(rep->reason), "%s", serr.msg);
		ret = 0;
		goto out;
	}
	if (ret == BPFEXT_EQUIVALENT && bpfext_sym_opaque_ctx(a->type)) {
		snprintf(rep->reason, sizeof(rep->reason),
			 "proved for every context, load-time value, helper answer, CPU and initial map state");
		ret = 0;
		goto out;
	}
	if (ret == BPFEXT_EQUIVALENT) {
		snprintf(rep->reason, sizeof(rep->reason),
			 "proved for packets up to %u bytes, every context, load-time value, helper answer, CPU and initial map state",
			 opts && opts->max_pkt ? opts->max_pkt : 128);
		ret = 0;
		goto out;
	}
	bpfext_sym_cex__input(&rep->cex, &ip);
	ret = run_pair(ia, ib, &ip, rep);
	if (ret < 0) {
		bpfext_errf(err, -ret, "interpreter: %s", strerror(-ret));
		goto out;
	}
	snprintf(rep->reason, sizeof(rep->reason), "solver counterexample%s",
		 ret == 1 ? "" : rep->cex.beyond_interp ?
		 " with other field widths or with stack bytes a callee reads before writing, which the interpreter does not run" :
		 " (the interpreter does not reproduce it)");
	if (ret != 1)
		rep->verdict = BPFEXT_UNDECIDED;
	ret = 0;
out:
	bpfext_interp__free(ia);
	bpfext_interp__free(ib);
	return ret;
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void print_side(FILE *f, const char *indent, const char *name,
		       const struct bpfext_equiv_side *s)
{
	fprintf(f, "%s%s: ", indent, name);
	if (s->status == BPFEXT_INTERP_FAULT) {
		fprintf(f, "fault: %s\n", s->fault);
		return;
	}
	if (s->status == BPFEXT_INTERP_TAIL_CALL)
		fprintf(f, "tail call to index %u", s->tail_call_index);
	else
		fprintf(f, "r0 %llu (0x%llx)", (unsigned long long)s->r0,
			(unsigned long long)s->r0);
	if (s->redirect)
		fprintf(f, ", redirect to %llu", (unsigned long long)s->redirect_ifindex);
	if (s->pkt_len) {
		fprintf(f, ", packet %u bytes: ", s->pkt_len);
		hex(f, s->pkt, s->pkt_len);
	}
	fprintf(f, "\n");
}

void bpfext_equiv_report__print(const struct bpfext_equiv_report *rep,
				const struct bpfext_linked_prog *lp,
				const char *indent, FILE *f)
{
	const struct bpfext_sym_cex *c = &rep->cex;
	uint32_t k, nz;
	size_t i;

	if (rep->verdict != BPFEXT_DIFFERENT)
		return;
	fprintf(f, "%scounterexample (%s):\n", indent, rep->reason);
	if (c->pkt_len || !c->ctx_len) {
		fprintf(f, "%s  packet %u bytes: ", indent, c->pkt_len);
		hex(f, c->pkt, c->pkt_len);
		fprintf(f, "\n");
	}
	if (c->ctx_len) {
		uint32_t n = c->ctx_len;

		for (k = 0, nz = 0; k < c->ctx_len; k++)
			nz += c->ctx[k] != 0;
		if (nz <= 16) {
			fprintf(f, "%s  context (non-zero bytes):", indent);
			for (k = 0; k < c->ctx_len; k++)
				if (c->ctx[k])
					fprintf(f, " +%u=0x%02x", k, c->ctx[k]);
			fprintf(f, "\n");
		} else {
			/* an opaque context: its bytes, the zeros at the end left out */
			while (n && !c->ctx[n - 1])
				n--;
			fprintf(f, "%s  context %u bytes: ", indent, c->ctx_len);
			hex(f, c->ctx, n);
			fprintf(f, "%s\n", n < c->ctx_len ? " (then zeros)" : "");
		}
	} else {
		fprintf(f, "%s  context: BPF_PROG_TEST_RUN defaults\n", indent);
	}
	for (k = 0, nz = 0; k < sizeof(c->stack); k++)
		nz += c->stack[k] != 0;
	if (nz && nz <= 16) {
		fprintf(f, "%s  stack before the program (non-zero bytes):", indent);
		for (k = 0; k < sizeof(c->stack); k++)
			if (c->stack[k])
				fprintf(f, " r10-%zu=0x%02x", sizeof(c->stack) - k, c->stack[k]);
		fprintf(f, "\n");
	} else if (nz) {
		fprintf(f, "%s  stack before the program, from r10-%zu: ", indent,
			sizeof(c->stack));
		hex(f, c->stack, sizeof(c->stack));
		fprintf(f, "\n");
	}
	if (c->cpu)
		fprintf(f, "%s  cpu %u\n", indent, c->cpu);
	for (i = 0; i < c->nr_ltv; i++)
		fprintf(f, "%s  load-time value %s = %llu (0x%llx)\n", indent,
			c->ltv[i].key, (unsigned long long)c->ltv[i].value,
			(unsigned long long)c->ltv[i].value);
	for (i = 0; i < c->nr_calls; i++) {
		fprintf(f, "%s  helper %s answers 0x%llx", indent,
			bpfext_helper_name(c->calls[i].id) ?
			bpfext_helper_name(c->calls[i].id) : "?",
			(unsigned long long)c->calls[i].r0);
		if (c->calls[i].nr_out) {
			fprintf(f, ", bytes ");
			hex(f, c->calls[i].out, c->calls[i].nr_out);
		}
		fprintf(f, " (history 0x%016llx)\n", (unsigned long long)c->calls[i].key);
	}
	for (i = 0; i < c->nr_entries; i++) {
		const struct bpfext_map_desc *m = c->entries[i].map < lp->nr_maps ?
						  &lp->maps[c->entries[i].map] : NULL;

		if (!m)
			continue;
		fprintf(f, "%s  map %s: key ", indent, m->name);
		hex(f, c->entries[i].key, m->key_size);
		fprintf(f, " value ");
		hex(f, bpfext_sym_cex__value(c, i), m->value_size);
		fprintf(f, "\n");
	}
	fprintf(f, "%s  difference: %s\n", indent, rep->diff);
	print_side(f, indent, "  A", &rep->side[0]);
	print_side(f, indent, "  B", &rep->side[1]);
}
