// SPDX-License-Identifier: GPL-2.0
/*
 * Kops end-to-end test, run as /init of a QEMU initramfs by
 * scripts/kops-e2e.sh (or as a normal program on a Kops kernel):
 *
 *   kops_e2e [BLOB] [jitdump]
 *
 * BLOB (default /kops_e2e.bin, written by bpftool-ext/tests/kops_e2e_pack)
 * holds programs compiled with clang -O2, each as built and as rewritten by
 * `bpftool-ext prog optimize ... kops auto`, and test packets.  For every
 * program: both versions load; the Kops version's JIT image holds the
 * native instruction of every Kops site (where the CPU has the feature);
 * over every packet, the original, the Kops version and the Kops version
 * with native emits off (/sys/kernel/bpf_kops/native = 0) and in the
 * interpreter give the same return value and output packet as the
 * original; and a deliberately wrong Kops version is caught by the same
 * comparison.  Output is kselftest TAP, then
 * "KOPS-E2E-RESULT: PASS|FAIL".  Also printed, for the benchmarks:
 * "# size NAME ORIG KOPS" (jited_prog_len), and with "jitdump" (also as
 * a kernel command-line word when /init) the JIT images as lines
 * "KOPS-JIT NAME orig|kops OFFSET HEX".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kops_util.h"

#define NAME_LEN	32
#define PKT_OUT_MAX	4096
#define IMG_MAX		(1 << 16)

struct packet {
	uint32_t len;
	const uint8_t *data;
};

struct prog {
	char name[NAME_LEN];
	uint32_t type;
	uint32_t n_orig, n_kops;
	const struct bpf_insn *orig, *kops;
};

/* The outcome of one test run. */
struct outcome {
	int err;
	uint32_t retval, size;
	uint8_t data[PKT_OUT_MAX];
};

static struct packet *packets;
static uint32_t nr_packets;

static int run_xdp(int fd, const struct packet *p, struct outcome *o)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = (uintptr_t)p->data;
	attr.test.data_size_in = p->len;
	attr.test.data_out = (uintptr_t)o->data;
	attr.test.data_size_out = sizeof(o->data);
	attr.test.repeat = 1;
	o->err = sys_bpf(BPF_PROG_TEST_RUN, &attr) ? -errno : 0;
	o->retval = o->err ? 0 : attr.test.retval;
	o->size = o->err ? 0 : attr.test.data_size_out;
	return o->err;
}

static int same(const struct outcome *a, const struct outcome *b)
{
	return a->err == b->err && a->retval == b->retval && a->size == b->size &&
	       !memcmp(a->data, b->data, a->size);
}

static void diag_outcome(const char *what, uint32_t i, const struct outcome *o)
{
	uint32_t j;

	printf("# packet %u (%u bytes), %s: err %d retval %u, %u bytes out:",
	       i, packets[i].len, what, o->err, o->retval, o->size);
	for (j = 0; j < o->size && j < 64; j++)
		printf(" %02x", o->data[j]);
	printf("\n");
}

/*
 * Run @fd (and @fd2 if >= 0) over every packet against @ref; return the
 * number of packets on which they differ, and in @by_ret those where the
 * return value differs.  With @show, the first difference is told.
 */
static uint32_t compare(int ref, int fd, int fd2, int show, uint32_t *by_ret)
{
	static struct outcome a, b, c;
	uint32_t i, diff = 0;

	*by_ret = 0;

	for (i = 0; i < nr_packets; i++) {
		run_xdp(ref, &packets[i], &a);
		run_xdp(fd, &packets[i], &b);
		if (fd2 >= 0)
			run_xdp(fd2, &packets[i], &c);
		if (same(&a, &b) && (fd2 < 0 || same(&a, &c)))
			continue;
		if (a.retval != b.retval || (fd2 >= 0 && a.retval != c.retval))
			(*by_ret)++;
		if (show && !diff) {
			diag_outcome("original", i, &a);
			diag_outcome("Kops", i, &b);
			if (fd2 >= 0)
				diag_outcome("Kops, native emits off", i, &c);
		}
		diff++;
	}
	return diff;
}

static int is_marker(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA | BPF_K) &&
	       in->src_reg == BPF_PSEUDO_KOPS && in->off == 0;
}

static struct kops_use decode(const struct bpf_insn *in)
{
	uint32_t imm = in->imm;
	struct kops_use u = {
		.id = imm & 0xff, .d = in->dst_reg, .a = (imm >> 8) & 0xf,
		.b = (imm >> 12) & 0xf, .c = (imm >> 16) & 0xf, .p = imm >> 20,
	};

	return u;
}

static const char *op_name(int id)
{
	static const char *const names[] = {
		"?", "rotate", "select", "bfext", "ldbswap", "prefetch", "memcpy", "lea",
	};

	return id > 0 && id <= BPF_EINSN_LEA ? names[id] : "?";
}

/*
 * The native code of every Kops site of @p must be in @img; sites whose
 * native emit needs a CPU feature this machine lacks are counted apart.
 */
static void check_native(const struct prog *p, const uint8_t *img, int len)
{
	int sites = 0, want = 0, found = 0, fallback = 0, by_op[BPF_EINSN_LEA + 1] = { 0 };
	uint8_t pat[32];
	char ops[128] = "";
	uint32_t i;
	int n, id;

	for (i = 0; i < p->n_kops; i++) {
		struct kops_use u;

		if (!is_marker(&p->kops[i]))
			continue;
		u = decode(&p->kops[i]);
		sites++;
		if (u.id > 0 && u.id <= BPF_EINSN_LEA)
			by_op[u.id]++;
		n = expected_native(&u, pat);
		if (n <= 0) {
			fallback++;
			continue;
		}
		want++;
		if (contains(img, len, pat, n)) {
			found++;
		} else {
			printf("# %s: no native code for insn %u (%s d=%d a=%d b=%d c=%d p=%#x):",
			       p->name, i, op_name(u.id), u.d, u.a, u.b, u.c, u.p);
			for (id = 0; id < n; id++)
				printf(" %02x", pat[id]);
			printf("\n");
		}
	}
	for (id = 1; id <= BPF_EINSN_LEA; id++)
		if (by_op[id])
			snprintf(ops + strlen(ops), sizeof(ops) - strlen(ops), "%s%s %d",
				 ops[0] ? ", " : "", op_name(id), by_op[id]);
	tap(sites > 0 && found == want,
	    "%s: JIT image has the native code of %d of %d Kops sites (%s; %d need a CPU feature it lacks)",
	    p->name, found, want, ops, fallback);
}

/*
 * A wrong Kops version of @p: its first rotate, select, bit-field extract
 * or copy changed (rotate amount, negated condition, narrower field, one
 * word fewer), the proof sequence re-emitted to match, so that the kernel
 * still accepts it.  Return 0 and @what, or -1 if @p has none of those.
 */
static int mutate(const struct prog *p, struct bpf_insn *out, char *what, size_t size)
{
	static const uint8_t negate[16] = {
		[1] = 5, [5] = 1, [2] = 0xb, [0xb] = 2, [3] = 0xa, [0xa] = 3,
		[6] = 0xd, [0xd] = 6, [7] = 0xc, [0xc] = 7, [4] = 1,
	};
	struct bpf_insn tmp[1 + 2 * 16];
	unsigned int clobber;
	uint32_t i;
	int n, j;

	memcpy(out, p->kops, p->n_kops * sizeof(*out));
	for (i = 0; i < p->n_kops; i++) {
		struct kops_use u, w;

		if (!is_marker(&out[i]))
			continue;
		u = w = decode(&out[i]);
		switch (u.id) {
		case BPF_EINSN_ROTATE: {
			int k = u.p & 0x3f;

			w.p = (u.p & ~0x3fu) | (k == 1 ? 2 : k - 1);
			break;
		}
		case BPF_EINSN_SELECT:
			w.p = (u.p & ~0xfu) | negate[u.p & 0xf];
			break;
		case BPF_EINSN_BFEXT:
			if ((u.p >> 6) < 2)
				continue;
			w.p = u.p - (1 << 6);
			break;
		case BPF_EINSN_MEMCPY:
			if (u.c < 1)
				continue;
			w.c = u.c - 1;
			break;
		default:
			continue;
		}
		n = kops_emit(&w, out + i, &clobber);
		/* a shorter copy: the two slots it leaves become no-ops */
		for (j = n; j < kops_emit(&u, tmp, &clobber); j++)
			out[i + j] = JMP_A(0);
		snprintf(what, size, "%s at insn %u, p %#x c %d instead of p %#x c %d",
			 op_name(u.id), i, w.p, w.c, u.p, u.c);
		return 0;
	}
	return -1;
}

static void dump_jit(const char *name, const char *which, const uint8_t *img, int len)
{
	int i, j;

	for (i = 0; i < len; i += 64) {
		printf("KOPS-JIT %s %s %d ", name, which, i);
		for (j = i; j < len && j < i + 64; j++)
			printf("%02x", img[j]);
		printf("\n");
	}
}

static void test_prog(const struct prog *p, int jitdump)
{
	static uint8_t img_o[IMG_MAX], img_k[IMG_MAX], img_p[IMG_MAX];
	static struct bpf_insn bad[BPF_MAXINSNS];
	int fd_o, fd_k, fd_p, fd_i, fd_m, len_o = 0, len_k = 0, len_p = 0;
	char what[128];
	uint32_t diff, by_ret;

	fd_o = load(p->orig, p->n_orig, p->type);
	tap(fd_o >= 0, "%s: original (%u insns) loads (%d)", p->name, p->n_orig, fd_o);
	if (fd_o < 0)
		diag(vlog);
	set_native(1);
	fd_k = load(p->kops, p->n_kops, p->type);
	tap(fd_k >= 0, "%s: Kops form (%u insns) loads (%d)", p->name, p->n_kops, fd_k);
	if (fd_k < 0)
		diag(vlog);
	set_native(0);
	fd_p = load(p->kops, p->n_kops, p->type);
	set_native(1);
	tap(fd_p >= 0, "%s: Kops form loads with native emits off (%d)", p->name, fd_p);
	if (fd_o < 0 || fd_k < 0 || fd_p < 0)
		goto out;

	len_o = jited(fd_o, img_o, sizeof(img_o));
	len_k = jited(fd_k, img_k, sizeof(img_k));
	len_p = jited(fd_p, img_p, sizeof(img_p));
	tap(len_o > 0 && len_k > 0 && len_p > 0, "%s: JIT-ed (%d, %d, %d bytes)",
	    p->name, len_o, len_k, len_p);
	printf("# size %s %d %d %d\n", p->name, len_o, len_k, len_p);
	if (len_k > 0)
		check_native(p, img_k, len_k);
	if (jitdump && len_o > 0 && len_k > 0) {
		dump_jit(p->name, "orig", img_o, len_o);
		dump_jit(p->name, "kops", img_k, len_k);
	}

	diff = compare(fd_o, fd_k, fd_p, 1, &by_ret);
	tap(!diff, "%s: original == Kops == Kops without native emits on %u packets (%u differ, %u in return value)",
	    p->name, nr_packets, diff, by_ret);

	/* the interpreter runs the proof sequences */
	set_jit(0);
	fd_i = load(p->kops, p->n_kops, p->type);
	set_jit(1);
	tap(fd_i >= 0 && jited(fd_i, img_p, sizeof(img_p)) == 0,
	    "%s: Kops form loads with the JIT off (%d)", p->name, fd_i);
	if (fd_i >= 0) {
		diff = compare(fd_o, fd_i, -1, 1, &by_ret);
		tap(!diff, "%s: original == Kops in the interpreter on %u packets (%u differ)",
		    p->name, nr_packets, diff);
		close(fd_i);
	}

	if (p->n_kops > BPF_MAXINSNS || mutate(p, bad, what, sizeof(what))) {
		tap(1, "%s: a wrong Kops form is caught # SKIP no rotate, select, bfext or memcpy", p->name);
		goto out;
	}
	fd_m = load(bad, p->n_kops, p->type);
	if (fd_m < 0) {
		tap(0, "%s: wrong Kops form (%s) loads (%d)", p->name, what, fd_m);
		diag(vlog);
		goto out;
	}
	diff = compare(fd_o, fd_m, -1, 0, &by_ret);
	tap(diff > 0, "%s: a wrong Kops form (%s) is caught on %u of %u packets (%u by return value)",
	    p->name, what, diff, nr_packets, by_ret);
	close(fd_m);
out:
	if (fd_o >= 0)
		close(fd_o);
	if (fd_k >= 0)
		close(fd_k);
	if (fd_p >= 0)
		close(fd_p);
}

static uint8_t *read_all(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		close(fd);
		free(buf);
		return NULL;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

/* Parse the blob (see kops_e2e_pack.c); return the number of programs. */
static int parse(const uint8_t *b, size_t size, struct prog **progs)
{
	size_t off = 16;
	uint32_t nr_progs, i;

	if (size < 16 || memcmp(b, "KOPSE2E1", 8))
		return -1;
	memcpy(&nr_progs, b + 8, 4);
	memcpy(&nr_packets, b + 12, 4);
	packets = calloc(nr_packets, sizeof(*packets));
	*progs = calloc(nr_progs, sizeof(**progs));
	if (!packets || !*progs)
		return -1;
	for (i = 0; i < nr_packets; i++) {
		if (off + 4 > size)
			return -1;
		memcpy(&packets[i].len, b + off, 4);
		packets[i].data = b + off + 4;
		off += 4 + packets[i].len;
		if (off > size || packets[i].len > PKT_OUT_MAX)
			return -1;
	}
	for (i = 0; i < nr_progs; i++) {
		struct prog *p = &(*progs)[i];

		if (off + NAME_LEN + 12 > size)
			return -1;
		memcpy(p->name, b + off, NAME_LEN);
		p->name[NAME_LEN - 1] = 0;
		memcpy(&p->type, b + off + NAME_LEN, 4);
		memcpy(&p->n_orig, b + off + NAME_LEN + 4, 4);
		memcpy(&p->n_kops, b + off + NAME_LEN + 8, 4);
		off += NAME_LEN + 12;
		if (off + (size_t)(p->n_orig + p->n_kops) * 8 > size)
			return -1;
		/* the blob is read into malloc()ed memory: 8-aligned + off */
		p->orig = (const struct bpf_insn *)(b + off);
		off += p->n_orig * 8;
		p->kops = (const struct bpf_insn *)(b + off);
		off += p->n_kops * 8;
	}
	return off == size ? (int)nr_progs : -1;
}

int main(int argc, char **argv)
{
	const char *path = "/kops_e2e.bin";
	struct prog *progs = NULL;
	int jitdump = 0, n = -1, i;
	uint8_t *blob;
	size_t size = 0;

	is_init = getpid() == 1;
	if (is_init) {
		mount("proc", "/proc", "proc", 0, NULL);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "jitdump"))
			jitdump = 1;
		else if (!is_init)
			path = argv[i];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("\nTAP version 13\n");
	cpu_features();
	write_file("/proc/sys/net/core/bpf_jit_harden", "0");
	set_jit(1);

	blob = read_all(path, &size);
	if (blob)
		n = parse(blob, size, &progs);
	tap(n > 0, "read %s: %d programs, %u packets", path, n, nr_packets);
	for (i = 0; i < n; i++)
		test_prog(&progs[i], jitdump);
	set_native(1);

	printf("1..%d\n", test_nr);
	printf("# kops e2e: %d tests, %d failures\n", test_nr, failures);
	printf("KOPS-E2E-RESULT: %s\n", failures ? "FAIL" : "PASS");
	fflush(stdout);
	if (is_init) {
		sync();
		reboot(RB_AUTOBOOT);
	}
	return failures ? 1 : 0;
}
