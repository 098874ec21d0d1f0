// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mkbad MODE IN OUT: write a damaged copy of the BPF object IN, for the
 * bad-input tests.  MODE is one of:
 *   truncate    keep only the first third of the file
 *   shdr        point the section header table past the end of the file
 *   machine     claim to be an x86-64 object
 *   opcode      put an undefined opcode in the first program
 *   jump        make the first branch of the first program jump far away
 *   ldimm64     cut an ld_imm64 in half (second slot gets an opcode)
 *   fallthrough turn the first program's last exit into a move
 *   retval      a valid program that (for the bundled example) computes
 *               something else: the first "rN = K" sets K + 1
 *   stack-zero  a valid program: the first store of a register to the
 *               stack stores 0 instead
 *   stack-drop  the same store dropped: what is read there is whatever the
 *               stack held (equal to stack-zero only if it starts zeroed)
 *   legacy-offset-wrap, legacy-inner-self, legacy-inner-negative
 *               (IN: tests/progs/legacy_map_in_map.o) the outer map's
 *               offset wraps, its inner map is itself or out of range
 *   reloc-sym   make the first relocation name a symbol that is not there
 *   reloc-off   move the first relocation past the end of its section
 *   reloc-insn  move the first relocation onto a non-ld_imm64/call insn
 * Exits 2 if IN has nothing to damage in that way.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

static unsigned char *buf;
static long size;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)buf;
}

static Elf64_Shdr *sh(int i)
{
	return (Elf64_Shdr *)(buf + eh()->e_shoff) + i;
}

static const char *shname(int i)
{
	return (const char *)buf + sh(eh()->e_shstrndx)->sh_offset + sh(i)->sh_name;
}

/* First executable section other than .text, or .text. */
static int code_section(void)
{
	int i, text = -1;

	for (i = 1; i < eh()->e_shnum; i++) {
		if (sh(i)->sh_type != SHT_PROGBITS ||
		    !(sh(i)->sh_flags & SHF_EXECINSTR) || !sh(i)->sh_size)
			continue;
		if (strcmp(shname(i), ".text"))
			return i;
		text = i;
	}
	return text;
}

static int rel_section(void)
{
	int i;

	for (i = 1; i < eh()->e_shnum; i++)
		if (sh(i)->sh_type == SHT_REL && sh(i)->sh_size &&
		    (sh(sh(i)->sh_info)->sh_flags & SHF_EXECINSTR))
			return i;
	return -1;
}

static struct bpf_insn *insns(int sec, size_t *cnt)
{
	*cnt = sh(sec)->sh_size / sizeof(struct bpf_insn);
	return (struct bpf_insn *)(buf + sh(sec)->sh_offset);
}

/*
 * Legacy map definitions: the "maps" section, its symbols and the size of
 * one definition; the symbol of the last map of an array of maps.
 */
static int legacy_outer(Elf64_Sym **sym, uint32_t **def)
{
	Elf64_Sym *syms = NULL, *outer = NULL;
	size_t i, n = 0, nsyms = 0, def_size;
	int maps = -1;

	for (i = 1; i < eh()->e_shnum; i++) {
		if (!strcmp(shname(i), "maps"))
			maps = i;
		if (sh(i)->sh_type == SHT_SYMTAB) {
			syms = (Elf64_Sym *)(buf + sh(i)->sh_offset);
			nsyms = sh(i)->sh_size / sizeof(*syms);
		}
	}
	if (maps < 0 || !syms)
		return 2;
	for (i = 0; i < nsyms; i++)
		if (syms[i].st_shndx == maps && ELF64_ST_TYPE(syms[i].st_info) != STT_SECTION)
			n++;
	if (!n)
		return 2;
	def_size = sh(maps)->sh_size / n;
	for (i = 0; i < nsyms; i++) {
		uint32_t *d = (uint32_t *)(buf + sh(maps)->sh_offset + syms[i].st_value);

		if (syms[i].st_shndx == maps && ELF64_ST_TYPE(syms[i].st_info) != STT_SECTION &&
		    def_size >= 6 * sizeof(*d) && d[0] == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
			outer = &syms[i];
			*def = d;
		}
	}
	if (!outer)
		return 2;
	*sym = outer;
	return (int)def_size;
}

static int damage(const char *mode)
{
	struct bpf_insn *in;
	Elf64_Rel *rel;
	size_t i, cnt;
	int s;

	if (!strncmp(mode, "legacy-", 7)) {
		Elf64_Sym *sym;
		uint32_t *def = NULL;
		int def_size = legacy_outer(&sym, &def);

		if (def_size <= 2)
			return 2;
		if (!strcmp(mode, "legacy-offset-wrap")) {
			/* st_value + def_size wraps around to below the size */
			sym->st_value = UINT64_MAX / def_size * def_size;
			return 0;
		}
		if (!strcmp(mode, "legacy-inner-self")) {
			def[5] = sym->st_value / def_size;
			return 0;
		}
		if (!strcmp(mode, "legacy-inner-negative")) {
			def[5] = 0x80000000u;
			return 0;
		}

	}

	if (!strcmp(mode, "truncate")) {
		size /= 3;
		return 0;
	}
	if (!strcmp(mode, "shdr")) {
		eh()->e_shoff = size + 4096;
		return 0;
	}
	if (!strcmp(mode, "machine")) {
		eh()->e_machine = EM_X86_64;
		return 0;
	}
	if (!strcmp(mode, "retval")) {
		s = code_section();
		if (s < 0)
			return 2;
		in = insns(s, &cnt);
		for (i = 0; i < cnt; i++) {
			if ((in[i].code == (BPF_ALU64 | BPF_MOV | BPF_K) ||
			     in[i].code == (BPF_ALU | BPF_MOV | BPF_K))) {
				in[i].imm++;
				return 0;
			}
		}
		return 2;
	}
	if (!strcmp(mode, "stack-zero") || !strcmp(mode, "stack-drop")) {
		s = code_section();
		if (s < 0)
			return 2;
		in = insns(s, &cnt);
		for (i = 0; i < cnt; i++) {
			if (BPF_CLASS(in[i].code) != BPF_STX ||
			    BPF_MODE(in[i].code) != BPF_MEM || in[i].dst_reg != BPF_REG_10)
				continue;
			if (!strcmp(mode, "stack-zero")) {
				in[i].code = BPF_ST | BPF_MEM | BPF_SIZE(in[i].code);
				in[i].src_reg = 0;
				in[i].imm = 0;
			} else {
				memset(&in[i], 0, sizeof(in[i]));
				in[i].code = BPF_JMP | BPF_JA;
			}
			return 0;
		}
		return 2;
	}
	if (!strcmp(mode, "fallthrough")) {
		s = code_section();
		if (s < 0)
			return 2;
		in = insns(s, &cnt);
		for (i = cnt; i-- > 0;) {
			if (in[i].code == (BPF_JMP | BPF_EXIT)) {
				in[i].code = BPF_ALU64 | BPF_MOV | BPF_K;
				return 0;
			}
		}
		return 2;
	}
	if (!strcmp(mode, "opcode") || !strcmp(mode, "jump") ||
	    !strcmp(mode, "ldimm64")) {
		s = code_section();
		if (s < 0)
			return 2;
		in = insns(s, &cnt);
		for (i = 0; i < cnt; i++) {
			unsigned char cls = BPF_CLASS(in[i].code);

			if (!strcmp(mode, "opcode")) {
				in[i].code = 0xff;
				return 0;
			}
			if (!strcmp(mode, "ldimm64") &&
			    in[i].code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < cnt) {
				in[i + 1].code = BPF_ALU64 | BPF_MOV | BPF_K;
				return 0;
			}
			if (!strcmp(mode, "jump") && (cls == BPF_JMP || cls == BPF_JMP32) &&
			    BPF_OP(in[i].code) != BPF_CALL &&
			    BPF_OP(in[i].code) != BPF_EXIT) {
				in[i].off = 30000;
				return 0;
			}
		}
		return 2;
	}
	s = rel_section();
	if (s < 0)
		return 2;
	rel = (Elf64_Rel *)(buf + sh(s)->sh_offset);
	if (!strcmp(mode, "reloc-sym")) {
		rel->r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(rel->r_info));
		return 0;
	}
	if (!strcmp(mode, "reloc-off")) {
		rel->r_offset = sh(sh(s)->sh_info)->sh_size + 64;
		return 0;
	}
	if (!strcmp(mode, "reloc-insn")) {
		in = insns(sh(s)->sh_info, &cnt);
		for (i = 0; i < cnt; i++) {
			if (in[i].code == (BPF_ALU64 | BPF_MOV | BPF_X)) {
				rel->r_offset = i * sizeof(*in);
				return 0;
			}
		}
		return 2;
	}
	fprintf(stderr, "mkbad: unknown mode %s\n", mode);
	return 1;
}

int main(int argc, char **argv)
{
	FILE *f;
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: mkbad MODE IN OUT\n");
		return 1;
	}
	f = fopen(argv[2], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < (long)sizeof(Elf64_Ehdr)) {
		fprintf(stderr, "mkbad: cannot read %s\n", argv[2]);
		return 1;
	}
	rewind(f);
	buf = malloc(size);
	if (!buf || fread(buf, 1, size, f) != (size_t)size)
		return 1;
	fclose(f);
	ret = damage(argv[1]);
	if (ret)
		return ret;
	f = fopen(argv[3], "wb");
	if (!f || fwrite(buf, 1, size, f) != (size_t)size || fclose(f))
		return 1;
	free(buf);
	return 0;
}
