#!/bin/sh
# Tie the proven bytes to the QEMU selftests (issue #6).
#
# kernel-selftests/kops/kops_test.c checks, for every op site it loads,
# that the JIT image contains expected_native(u): an encoding written
# independently of the JITs.  This script compiles those expected_native()
# functions (x86-64 and arm64 variants) on the host and compares them, for
# every proven row of out/emits.tsv, with the proven bytes:
#   equal      the selftest pattern is exactly the proven sequence, so a
#              passing selftest shows the JIT emits the proven bytes there
#   part       the pattern is a proper part of the proven sequence (the
#              selftest checks only part of what is proven)
#   DIFFERENT  the pattern is not in the proven bytes: the selftest and the
#              proofs disagree about what the JIT emits (fails)
#   none       the selftest has no pattern for this form
# Usage: scripts/selftest-tie.sh [path/to/kops_util.h] [out/emits.tsv]
# (the file that holds expected_native(), shared by the QEMU selftests)
set -eu
cd "$(dirname "$0")/.."
KT=${1:-../kernel-selftests/kops/kops_util.h}
TSV=${2:-out/emits.tsv}
if [ ! -f "$KT" ]; then
	echo "selftest-tie: $KT not found (the kops branch is not merged?); skipped"
	exit 0
fi
D=build/selftest-tie
mkdir -p $D
# the expected_native() block, from its heading to the #endif after #else
awk '/^\/\* Expected native encodings/ { on = 1 } on { print } on && /^#endif/ { exit }' "$KT" > $D/patterns.inc
for a in x86 a64; do
	if [ $a = x86 ]; then def='#define __x86_64__ 1'; undef='#undef __aarch64__'
	else def='#define __aarch64__ 1'; undef='#undef __x86_64__'; fi
	cat > $D/pat_$a.c <<EOT
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* the series' linux/bpf.h, which the host's predates */
#define BPF_PSEUDO_KOPS 1
#include "kops_insn.h"
static int have_bmi1 = 1, have_movbe = 1, ignore_features = 1;
$undef
$def
#define expected_native expected_native_$a
#include "patterns.inc"
int pattern_$a(int id, int d, int a, int b, int c, unsigned p, uint8_t *buf)
{
	struct kops_use u = { .id = id, .d = d, .a = a, .b = b, .c = c, .p = p };
	return expected_native_$a(&u, buf);
}
EOT
done
cat > $D/tie.c <<'EOT'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int pattern_x86(int id, int d, int a, int b, int c, unsigned p, uint8_t *buf);
int pattern_a64(int id, int d, int a, int b, int c, unsigned p, uint8_t *buf);
int main(void)
{
	char line[4096], op[32], arch[16], regs[128], verdict[16], hex[2048];
	long cnt[8][2][4] = { 0 };
	const char *opn[8] = { 0 };
	int bad = 0;

	if (!fgets(line, sizeof(line), stdin))
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		int id, d, a, b, c, n, k, ai, r;
		unsigned p, imm;
		uint8_t pat[1024], code[1024];

		if (sscanf(line, "%31s %15s %d %d %d %d %d %x %x %127s %15s %2047s", op, arch, &id,
			   &d, &a, &b, &c, &p, &imm, regs, verdict, hex) != 12 || strcmp(verdict, "proven"))
			continue;
		/* the QEMU selftests run little-endian kernels only */
		if (strcmp(arch, "x86-64") && strcmp(arch, "arm64"))
			continue;
		ai = !strcmp(arch, "arm64");
		n = strlen(hex) / 2;
		for (k = 0; k < n; k++)
			sscanf(hex + 2 * k, "%2hhx", &code[k]);
		r = (ai ? pattern_a64 : pattern_x86)(id, d, a, b, c, p, pat);
		opn[id & 7] = opn[id & 7] ? opn[id & 7] : strdup(op);
		if (r <= 0)
			k = 3;
		else if (r == n && !memcmp(pat, code, n))
			k = 0;
		else if (r < n && memmem(code, n, pat, r))
			k = 1;
		else
			k = 2;
		if (k == 2 && bad++ < 5) {
			fprintf(stderr, "DIFFERENT %s %s D=%d A=%d B=%d C=%d P=%#x proven %s selftest ", op, arch, d, a, b, c, p, hex);
			for (int q = 0; q < r; q++)
				fprintf(stderr, "%02x", pat[q]);
			fprintf(stderr, "\n");
		}
		cnt[id & 7][ai][k]++;
	}
	printf("%-8s %-6s %9s %9s %9s %9s\n", "op", "arch", "equal", "part", "DIFFERENT", "none");
	for (int i = 0; i < 8; i++)
		for (int ai = 0; ai < 2; ai++)
			if (opn[i] && cnt[i][ai][0] + cnt[i][ai][1] + cnt[i][ai][2] + cnt[i][ai][3])
				printf("%-8s %-6s %9ld %9ld %9ld %9ld\n", opn[i], ai ? "arm64" : "x86-64",
				       cnt[i][ai][0], cnt[i][ai][1], cnt[i][ai][2], cnt[i][ai][3]);
	return bad ? 1 : 0;
}
EOT
I=$(dirname "$KT")
for f in pat_x86 pat_a64; do
	# <linux/bpf_kops.h>: bpftool-ext's copy of the series' UAPI header
	${CC:-cc} -std=gnu11 -O1 -w -I"$I" -I$D -I../bpftool-ext/include/uapi \
		-c -o $D/$f.o $D/$f.c
done
${CC:-cc} -std=gnu11 -O1 -D_GNU_SOURCE -o $D/tie $D/tie.c $D/pat_x86.o $D/pat_a64.o
echo "selftest patterns ($KT) against the proven bytes ($TSV):"
$D/tie < "$TSV"
