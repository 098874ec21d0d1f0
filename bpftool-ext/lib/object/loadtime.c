// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Load-time values (issue #12): what an instruction computes that the
 * loader, not the compiler, decides.
 *
 *  - A CO-RE relocation record: libbpf rewrites the immediate of an ALU
 *    instruction or of an ld_imm64 (field byte offset, size, existence,
 *    signedness, bit-field shifts; type ids, existence, size, matches;
 *    enum value existence and value), or the offset of a load or store
 *    (and the width of a load, when the kernel's field is narrower or
 *    wider).  The object holds the program's local value.
 *  - An ELF relocation: ld_imm64 of a map, of global data (.rodata,
 *    .data, .bss: an address, and contents a skeleton may set before
 *    load), of a __kconfig extern (becomes a .kconfig map address) or a
 *    __ksym (an address or a BTF id), of a function; calls of
 *    subprograms and kfuncs.
 *  - An ld_imm64 with a pseudo source register (map fd or value, BTF id,
 *    function): already in the form the kernel fixes up.
 *
 * Every analysis asks this one place: such an instruction defines its
 * destination with a value nobody may assume (known bits), is never
 * part of a window the search rewrites or a rule folds, nor of a
 * clean-up or an EInsn idiom, and the program check gives it a symbol
 * both sides share (symbolic.c).
 */
#include <string.h>

#include "object/object.h"

static void mark(const struct bpfext_section *sec, uint8_t *lt, size_t s,
		 uint8_t why)
{
	if (s >= sec->cnt)
		return;
	lt[s] |= why;
	/* Both slots of an ld_imm64 carry its value. */
	if (bpfext_insn_is_ldimm64(&sec->insns[s]) && s + 1 < sec->cnt)
		lt[s + 1] |= why;
}

void bpfext_section__loadtime(const struct bpfext_section *sec, uint8_t *lt)
{
	size_t i;

	memset(lt, 0, sec->cnt);
	for (i = 0; i < sec->core_relo.cnt; i++)
		mark(sec, lt, sec->core_relo.recs[i].slot, BPFEXT_LT_CORE);
	for (i = 0; i < sec->nr_relocs; i++)
		mark(sec, lt, sec->relocs[i].slot, BPFEXT_LT_RELOC);
	for (i = 0; i < sec->cnt; i += bpfext_insn_slots(&sec->insns[i]))
		if (bpfext_insn_is_ldimm64(&sec->insns[i]) && sec->insns[i].src_reg)
			mark(sec, lt, i, BPFEXT_LT_PSEUDO);
}

static const char *const core_kinds[] = {
	[0] = "field_byte_offset", [1] = "field_byte_size",
	[2] = "field_exists", [3] = "field_signed",
	[4] = "field_lshift_u64", [5] = "field_rshift_u64",
	[6] = "type_id_local", [7] = "type_id_target",
	[8] = "type_exists", [9] = "type_size",
	[10] = "enumval_exists", [11] = "enumval_value",
	[12] = "type_matches",
};

const char *bpfext_core_kind_name(uint32_t kind)
{
	return kind < ARRAY_SIZE(core_kinds) ? core_kinds[kind] : "unknown";
}
