/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libbpfext: read BPF ELF objects, rewrite their programs, write them back,
 * load them in the running kernel, analyse and interpret them.  What
 * proves and optimizes (libbpfext_opt, with Z3) is in bpfext_opt.h.
 *
 * Conventions follow libbpf:
 * - Functions that can fail return a negative errno value; they also fill
 *   a caller-provided struct bpfext_error (which may be NULL) with a
 *   one-line reason that does not repeat the file name.
 * - Options structs start with their size, ->sz: declare them with
 *   BPFEXT_OPTS(), which sets it and zeroes what is not given.  A
 *   function refuses (-EINVAL) options whose ->sz is too small to hold
 *   it, or which set bytes past the fields it knows; fields past ->sz
 *   read as zero.
 * - Every symbol is prefixed bpfext_ (BPFEXT_ for macros and constants).
 * - There is no global state.
 */
#ifndef BPFEXT_H
#define BPFEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/bpf_kops.h>	/* the Kops series' UAPI; a copy in bpftool-ext/include */

#define BPFEXT_ERRMSG_MAX 512

struct bpfext_error {
	char msg[BPFEXT_ERRMSG_MAX];
};

/*
 * BPFEXT_OPTS(type, name, .field = value, ...): a struct bpfext_*_opts
 * with ->sz set and every other byte zero.
 */
#define BPFEXT_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };	\
	})

/*
 * The instruction set (isa/): classification, validation, printing in
 * the kernel verifier's notation, and parsing that notation back.
 *
 * All functions take instructions as the uapi struct bpf_insn.  A 64-bit
 * immediate load (BPF_LD | BPF_IMM | BPF_DW) occupies two slots; functions
 * that look at one instruction read the second slot only when it is passed
 * in (cnt >= 2) and say so.
 */

#define BPFEXT_INSN_STR_MAX 128

/* Number of slots the instruction at @insn occupies: 2 for LD_IMM64, else 1. */
int bpfext_insn_slots(const struct bpf_insn *insn);

bool bpfext_insn_is_ldimm64(const struct bpf_insn *insn);
/*
 * JMP/JMP32 with a pc-relative branch target (JA and conditionals).  The
 * target is in ->off, except for BPF_JMP32 | BPF_JA ("gotol", which the
 * Debian 6.1 kernel accepts) where it is in ->imm; see
 * bpfext_insn_branch_off().
 */
bool bpfext_insn_is_branch(const struct bpf_insn *insn);
bool bpfext_insn_is_cond_branch(const struct bpf_insn *insn);
/* Branch displacement of a branch: target = index + off + 1. */
int32_t bpfext_insn_branch_off(const struct bpf_insn *insn);
bool bpfext_insn_is_exit(const struct bpf_insn *insn);
/* BPF_CALL with src_reg 0: a helper call, imm is the helper id. */
bool bpfext_insn_is_helper_call(const struct bpf_insn *insn);
/* BPF_CALL with src_reg BPF_PSEUDO_CALL: bpf-to-bpf call, imm is pc-relative. */
bool bpfext_insn_is_pseudo_call(const struct bpf_insn *insn);
bool bpfext_insn_is_kfunc_call(const struct bpf_insn *insn);
/* LD_IMM64 with src_reg BPF_PSEUDO_FUNC: address of a subprogram. */
bool bpfext_insn_is_pseudo_func(const struct bpf_insn *insn);
/* "goto pc+0" with every other field zero: a slot a rewrite emptied. */
bool bpfext_insn_is_nop(const struct bpf_insn *insn);
/* LDX, ST or STX: an access to memory through a register. */
bool bpfext_insn_is_mem(const struct bpf_insn *insn);
/*
 * Does the instruction read src_reg as a register?  (For BPF_ST and
 * BPF_END the BPF_X bit of the opcode means a size or a byte order.)
 */
bool bpfext_insn_src_is_reg(const struct bpf_insn *insn);

/*
 * bpfext_insn_check - validate the instruction at @insns[0]
 * @insns: the instruction; for LD_IMM64 the following slot too
 * @cnt: slots available from @insns (1 is enough except for LD_IMM64)
 * @err: the reason when invalid, may be NULL
 *
 * Accepts exactly the encodings Linux 6.1's verifier accepts in the
 * opcode, register, offset and immediate fields (register numbers up to
 * r10, r10 never written, reserved fields zero, valid BPF_END sizes,
 * shift amounts and nonzero K divisors, atomic op codes, pseudo source
 * registers for LD_IMM64 and calls, ...).  Rules that need the running
 * kernel (map fds, BTF ids, program type) are not checked, except those
 * no kernel can satisfy (kfunc BTF id < 0, or 0 with a module BTF).  It does not check
 * branch targets; see bpfext_insns_check().
 *
 * Return: number of slots (1 or 2) on success, -EINVAL if invalid.
 */
int bpfext_insn_check(const struct bpf_insn *insns, size_t cnt,
		      struct bpfext_error *err);

/*
 * bpfext_insns_check - validate a sequence of instructions
 *
 * Every instruction passes bpfext_insn_check(), no branch (nor
 * bpf-to-bpf call, nor BPF_PSEUDO_FUNC reference) leaves [0, cnt) or
 * lands on the second slot of an LD_IMM64, and no LD_IMM64 is cut off
 * at the end.  On failure, *@bad_idx is the offending slot.
 *
 * Return: 0 or -EINVAL.
 */
int bpfext_insns_check(const struct bpf_insn *insns, size_t cnt,
		       size_t *bad_idx, struct bpfext_error *err);

/* Name of helper @id ("map_lookup_elem"), or NULL if unknown. */
const char *bpfext_helper_name(int id);
/* Helper id for @name (with or without the "bpf_" prefix), or -1. */
int bpfext_helper_id(const char *name);

/*
 * bpfext_insn_print - render one instruction in verifier-log notation
 *
 * The text matches kernel/bpf/disasm.c as seen in the verifier log and
 * in `bpftool prog dump xlated`, without the "(op) " prefix or index:
 *   "r1 = *(u32 *)(r2 +4)", "if r1 > 0x5 goto pc+3",
 *   "call bpf_map_lookup_elem#1", "r1 = 0x1234", "r0 = be16 r0".
 * The kernel prints no " ll" suffix for LD_IMM64 (that is LLVM's
 * notation; the parser accepts it).  Where the kernel notation loses
 * encoding bits, it is extended so that the text round-trips:
 *   LD_IMM64 pseudo loads, after bpftool's forms with fds instead of ids:
 *     "r1 = map[fd:3]", "r1 = map[fd:3][0]+8" (MAP_VALUE),
 *     "r1 = map[idx:2]", "r1 = map[idx:2]+8" (MAP_IDX_VALUE),
 *     "r1 = btf_id[123]", "r1 = subprog[+5]" (BPF_PSEUDO_FUNC);
 *   kfunc calls: "call kernel-function#123" (as disasm.c prints them
 *     without BTF);
 *   BPF_JMP32 | BPF_JA: "gotol pc+5" (newer kernels' notation);
 *   fields the verifier accepts but the kernel does not print are
 *     appended as " [name=value]": "exit [off=3]",
 *     "call kernel-function#123 [off=2]" (module BTF fd_array index),
 *     "r1 = btf_id[123] [imm2=4]" (module BTF fd).
 * For LD_IMM64, @cnt must be >= 2.  Never writes more than @len bytes
 * and always NUL-terminates (when @len > 0).
 *
 * Return: slots consumed (1 or 2), or -EINVAL for an invalid encoding
 * (in which case @buf holds a raw "invalid insn 0x.." text).
 */
int bpfext_insn_print(const struct bpf_insn *insns, size_t cnt,
		      char *buf, size_t len);

/*
 * bpfext_insn_parse - parse one instruction in the notation printed by
 * bpfext_insn_print()
 * @text: one instruction, surrounding blanks ignored
 * @out: room for two slots
 *
 * bpfext_insn_parse(print(x)) reproduces x bit for bit for every valid
 * instruction x.  The optional "(op) " prefix (and a "N: " index before
 * it) is accepted and ignored, as are a trailing " ll" on 64-bit
 * immediate loads and bpftool's "map[id:N]" (read as map[fd:N]).  A
 * hexadecimal "rN = 0x.." is a 64-bit immediate load, a decimal one a
 * BPF_MOV.  6.1 disasm.c's "if w0 jmp 0x5 goto pc+0" for gotol is
 * accepted too.  Immediates of 64-bit operations must be written as
 * s32 (they are sign-extended); 32-bit ones and jump comparisons may
 * also be written as u32.  The result is validated with
 * bpfext_insn_check().
 *
 * Return: slots written (1 or 2), or -EINVAL with a reason in @err.
 */
int bpfext_insn_parse(const char *text, struct bpf_insn out[2],
		      struct bpfext_error *err);

/* Kops markers and EInsn ops (isa/kops_ops.c). */
#define BPFEXT_EINSN_NR		(BPF_EINSN_LEA + 1)	/* ids are 1..7 */

/* Name of EInsn op @id ("rotate"), or NULL. */
const char *bpfext_einsn_name(unsigned int id);
/* EInsn id of @name, or -1. */
int bpfext_einsn_id(const char *name);

/* The longest window the optimizer rewrites, in slots. */
#define BPFEXT_WIN_MAX_INSNS	24

/*
 * Objects (object/).
 */

/* An ELF symbol of the object. */
struct bpfext_sym {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint16_t shndx;
	uint8_t type;		/* STT_* */
	uint8_t bind;		/* STB_* */
};

/* One Elf64_Rel entry against an instruction of a program section. */
struct bpfext_reloc {
	size_t slot;		/* instruction slot the entry patches */
	uint32_t type;		/* R_BPF_* */
	uint32_t sym;		/* index into the object's symbols */
};

/* A .BTF.ext record (func_info, line_info or CO-RE relocation). */
struct bpfext_ext_rec {
	size_t slot;		/* instruction the record describes */
	uint8_t *raw;		/* rec_size bytes, insn_off first */
	int32_t rel;		/* its .rel.BTF.ext entry, -1 if none */
};

struct bpfext_ext_recs {
	struct bpfext_ext_rec *recs;
	size_t cnt;
};

/* A function (STT_FUNC symbol) inside a program section. */
struct bpfext_func {
	size_t sym;		/* index into the object's symbols */
	size_t start;		/* first slot */
	size_t cnt;		/* slots */
};

/* An executable section holding BPF instructions. */
struct bpfext_section {
	size_t shndx;		/* ELF section index */
	const char *name;
	struct bpf_insn *insns;
	size_t cnt;		/* slots */
	size_t rel_shndx;	/* index of its .rel section, 0 if none */
	struct bpfext_reloc *relocs;
	size_t nr_relocs;
	struct bpfext_func *funcs;
	size_t nr_funcs;
	struct bpfext_ext_recs func_info;
	struct bpfext_ext_recs line_info;
	struct bpfext_ext_recs core_relo;
	bool dirty;		/* changed since the object was read */
};

/* An entry point: a function in a non-.text section. */
struct bpfext_prog {
	const char *name;
	struct bpfext_section *sec;
	size_t func;			/* index into sec->funcs */
	enum bpf_prog_type type;
	enum bpf_attach_type attach_type;
	bool type_known;		/* false: could not infer the type */
};

/* A map defined the pre-libbpf-1.0 way, in a "maps" section. */
struct bpfext_legacy_map {
	const char *name;
	size_t sym;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	int32_t inner_map_idx;		/* -1 if none */
	uint32_t numa_node;		/* used with BPF_F_NUMA_NODE */
};

struct bpfext_object;

/**
 * bpfext_object__open - read a BPF ELF object
 * @path: file to read
 * @err: reason on failure, may be NULL
 *
 * Reads every executable section, its relocations, the symbol table,
 * .BTF.ext records and legacy map definitions, and validates every
 * instruction and every branch.  Programs get a type from their section
 * name (libbpf's rules, then common legacy prefixes).
 *
 * Return: the object, or NULL with errno set.
 */
struct bpfext_object *bpfext_object__open(const char *path,
					  struct bpfext_error *err);

/* Same, from a memory image; @name is used in messages. */
struct bpfext_object *bpfext_object__open_mem(const void *buf, size_t size,
					      const char *name,
					      struct bpfext_error *err);

void bpfext_object__close(struct bpfext_object *obj);

const char *bpfext_object__name(const struct bpfext_object *obj);
/* The bytes the object was read from (unchanged by later edits). */
const void *bpfext_object__image(const struct bpfext_object *obj, size_t *size);
size_t bpfext_object__prog_cnt(const struct bpfext_object *obj);
struct bpfext_prog *bpfext_object__prog(struct bpfext_object *obj, size_t i);
struct bpfext_prog *bpfext_object__find_prog(struct bpfext_object *obj,
					     const char *name);
size_t bpfext_object__section_cnt(const struct bpfext_object *obj);
struct bpfext_section *bpfext_object__section(struct bpfext_object *obj,
					      size_t i);
const struct bpfext_sym *bpfext_object__sym(const struct bpfext_object *obj,
					    size_t i);
/* The .text section, or NULL. */
struct bpfext_section *bpfext_object__text(struct bpfext_object *obj);
bool bpfext_object__has_legacy_maps(const struct bpfext_object *obj);
size_t bpfext_object__legacy_map_cnt(const struct bpfext_object *obj);
const struct bpfext_legacy_map *
bpfext_object__legacy_map(const struct bpfext_object *obj, size_t i);
/* Contents of the "license" section, "" if absent. */
const char *bpfext_object__license(const struct bpfext_object *obj);
uint32_t bpfext_object__kern_version(const struct bpfext_object *obj);
/* ELF section index of a symbol's section name, for messages. */
const char *bpfext_object__shname(const struct bpfext_object *obj,
				  size_t shndx);

/*
 * Name of what the relocation at @slot of @sec refers to (a map, a global
 * variable, the function a call lands in), or NULL if there is none.
 */
const char *bpfext_object__reloc_name(struct bpfext_object *obj,
				      const struct bpfext_section *sec,
				      size_t slot);

/**
 * bpfext_prog__set_type - override the inferred program type
 * @type: a name as accepted by `bpftool prog load ... type TYPE`
 *        ("xdp", "socket", "tracepoint", "classifier", ...)
 *
 * Return: 0, or -EINVAL if @type is unknown.
 */
int bpfext_prog__set_type(struct bpfext_prog *prog, const char *type);
/* Instruction slots of the program's own function. */
size_t bpfext_prog__insn_cnt(const struct bpfext_prog *prog);
/* Slots of the program and every subprogram it can reach, as loaded. */
/*
 * Does @prog run the function named @func of section @shndx: its own, or
 * a .text subprogram it can call?
 */
bool bpfext_prog__runs_func(struct bpfext_object *obj,
			    const struct bpfext_prog *prog, size_t shndx,
			    const char *func);
size_t bpfext_prog__loaded_insn_cnt(struct bpfext_object *obj,
				    const struct bpfext_prog *prog);
const char *bpfext_prog_type_name(enum bpf_prog_type type);

/*
 * Load-time values (object/loadtime.c): slots whose value the loader,
 * not the compiler, decides.  Bits of one entry say why.
 */
#define BPFEXT_LT_CORE		(1u << 0)	/* a CO-RE relocation record */
#define BPFEXT_LT_RELOC		(1u << 1)	/* an ELF relocation (map, data, extern, function) */
#define BPFEXT_LT_PSEUDO	(1u << 2)	/* ld_imm64 with a pseudo source register */

/*
 * bpfext_section__loadtime - which slots of @sec hold load-time values
 * @lt: sec->cnt entries; 0, or BPFEXT_LT_* bits (both slots of an
 *      ld_imm64 alike)
 *
 * No analysis may take the instruction at such a slot for what the
 * object says: a CO-RE-relocated immediate or offset is the local
 * flavour's, an ld_imm64 of a map, of global data or of an extern is
 * a placeholder, and global data itself may be set before load.
 */
void bpfext_section__loadtime(const struct bpfext_section *sec, uint8_t *lt);

/* Name of a CO-RE relocation kind (enum bpf_core_relo_kind), "unknown". */
const char *bpfext_core_kind_name(uint32_t kind);

/*
 * Program rewriting.  A patch replaces slots [start, start + len) of a
 * section by @cnt new slots.  Patches given to one call must not overlap
 * and must not cross a function boundary or split an LD_IMM64.
 *
 * Branch targets of instructions outside every patch are fixed up
 * automatically.  A branch (or same-section pseudo call) inside a
 * replacement names its target in ->target: an original slot of the
 * section (a jump to the start of a patched range lands on the start of
 * its replacement; to the middle of one is an error), or
 * BPFEXT_LOCAL(k) for the k-th slot of this replacement (k == cnt means
 * the slot after it).
 *
 * ->orig names the original slot whose relocation, CO-RE relocation and
 * line info the new slot takes over (-1 for none).  The relocation of
 * an original slot that no new slot takes over is dropped, as is its
 * CO-RE record; its line info moves to the start of the replacement.
 */
#define BPFEXT_LOCAL(k)		(-2 - (int32_t)(k))
#define BPFEXT_IS_LOCAL(t)	((t) <= -2)
#define BPFEXT_LOCAL_IDX(t)	((size_t)(-2 - (t)))

struct bpfext_new_insn {
	struct bpf_insn insn;
	int32_t orig;
	int32_t target;
};

struct bpfext_patch {
	size_t start;
	size_t len;
	const struct bpfext_new_insn *insns;
	size_t cnt;
};

/*
 * Original target slot of the branch or same-section pseudo call at @slot
 * (slot + off + 1, or slot + imm + 1), or -1 if @slot is neither.
 */
long bpfext_section__branch_target(const struct bpfext_section *sec,
				   size_t slot);

/**
 * bpfext_section__apply - apply patches to a section
 *
 * Rewrites the section and every reference to it: branch offsets,
 * same-section and cross-section call immediates, symbol values and sizes,
 * relocation offsets and .BTF.ext records.  On failure nothing changes.
 *
 * Return: 0 or a negative errno.
 */
int bpfext_section__apply(struct bpfext_object *obj,
			  struct bpfext_section *sec,
			  const struct bpfext_patch *patches, size_t n,
			  struct bpfext_error *err);

/**
 * bpfext_object__write_mem - serialise the object
 * @buf: receives a malloc()ed ELF image
 * @size: its size
 *
 * Sections that were not changed are copied byte for byte.
 *
 * Return: 0 or a negative errno.
 */
int bpfext_object__write_mem(struct bpfext_object *obj, void **buf,
			     size_t *size, struct bpfext_error *err);

/* Write the image atomically (temporary file in the same directory, then
 * rename); nothing is left behind on failure.
 */
/* Fail early, before any work, if @path cannot be written as
 * bpfext_write_file_atomic() would write it (a directory, or a directory
 * that does not exist or does not allow files to be created).
 */
int bpfext_output_probe(const char *path, struct bpfext_error *err);

int bpfext_write_file_atomic(const char *path, const void *buf, size_t size,
			     struct bpfext_error *err);

/* Trivially safe clean-ups: no-op jumps, self moves, unreachable code.
 * Return: slots removed, or a negative errno.
 */
int bpfext_cleanup_section(struct bpfext_object *obj,
			   struct bpfext_section *sec,
			   struct bpfext_error *err);

/* Loading in the running kernel. */
struct bpfext_load_result {
	bool loaded;
	uint32_t verified_insns;
	uint32_t xlated_len;		/* bytes */
	uint32_t jited_len;		/* bytes */
	struct bpf_insn *xlated;	/* malloc()ed when requested */
	char *log_tail;			/* malloc()ed verifier log tail */
	int prog_fd;			/* >= 0 when kept open */
	bool no_log;			/* refused before the verifier wrote a log */
};

/* A size a program's own loader gives a map (bpf_map__set_max_entries()) */
struct bpfext_map_size {
	const char *name;
	uint32_t max_entries;
};

struct bpfext_load_opts {
	size_t sz;			/* BPFEXT_OPTS() sets it */
	bool want_xlated;
	bool keep_fd;
	const char *pin_path;		/* pin the program here */
	const char *pinmaps_dir;	/* pin maps under this directory */
	/* CO-RE relocations against this BTF instead of the kernel's */
	const char *btf_custom_path;
	/*
	 * Non-zero: before load, change the initial contents of .rodata,
	 * .data and .bss as a skeleton may (each byte XOR-ed with 0-3 from
	 * a stream this seed and the section name fix, the same for every
	 * build of the object).
	 */
	uint64_t data_seed;
	/* maps to size before loading, by name; a name the object lacks is an error */
	const struct bpfext_map_size *map_sizes;
	size_t nr_map_sizes;
};
#define bpfext_load_opts__last_field nr_map_sizes

/**
 * bpfext_object__load - load programs into the running kernel
 * @only: one program to load, or NULL for every program of the object
 *        (sharing its maps, as `bpftool prog loadall` does)
 * @res: one result, or bpfext_object__prog_cnt() results indexed like
 *       the object's programs when @only is NULL
 *
 * Objects libbpf accepts are loaded through libbpf from the serialised
 * image (CO-RE, BTF, global data); objects with legacy map definitions
 * are relocated here.  A verifier rejection is not an error: ->loaded is
 * false and ->log_tail holds the end of the verifier log.
 *
 * Return: 0, or a negative errno if loading could not be attempted.
 */
int bpfext_object__load(struct bpfext_object *obj,
			const struct bpfext_prog *only,
			const struct bpfext_load_opts *opts,
			struct bpfext_load_result *res,
			struct bpfext_error *err);

void bpfext_load_result__free(struct bpfext_load_result *res);

#define BPFEXT_TEST_PKT_MAX	1600

/*
 * bpfext_test_packet - the @i-th test packet of a stream
 * @p: room for BPFEXT_TEST_PKT_MAX bytes
 * @seed: xorshift state, advanced
 *
 * One in ten is random bytes; the others are crafted Ethernet (some with
 * a VLAN tag), ARP, IPv4 or IPv6 headers over TCP, UDP or ICMP, with
 * sometimes a truncation or a flipped bit.
 *
 * Return: the packet's length.
 */
uint32_t bpfext_test_packet(uint8_t *p, unsigned int i, uint64_t *seed);

/* Can programs of type @t be run with BPF_PROG_TEST_RUN on a packet? */
bool bpfext_prog_type_timeable(enum bpf_prog_type t);

/**
 * bpfext_measure - time builds of one object with BPF_PROG_TEST_RUN
 * @objs, @nobj: the builds (the same programs, in the same order)
 * @only: time only this program, or NULL
 * @repeat: runs per timing
 * @ns: out, @nobj rows of bpfext_object__prog_cnt() entries: the median
 *      ns per run (of 5 rounds, builds timed in turns), summed over 8
 *      representative packets; 0 where a program cannot be timed (its
 *      type has no packet test_run, or a build does not load)
 *
 * Return: 0, or a negative errno if loading could not be attempted.
 */
int bpfext_measure(struct bpfext_object *const *objs, size_t nobj,
		   const char *only, uint32_t repeat, uint64_t *ns,
		   struct bpfext_error *err);

/*
 * Kops: the BPF operations a kernel with the Kops series offers, as listed
 * in /sys/kernel/bpf_kops/ops (a directory per op with a file per value:
 * id, form, len, archs, flags, users, owner) or in a target description
 * file (one op per line, space-separated key=value fields with the same
 * names and name=; archs comma-separated; unknown keys are ignored, '#'
 * starts a comment).
 */
#define BPFEXT_KOPS_SYSFS "/sys/kernel/bpf_kops/ops"
#define BPFEXT_KOPS_NAME_MAX 32

struct bpfext_kops_op {
	uint32_t id;
	char name[BPFEXT_KOPS_NAME_MAX];
	char form[128];			/* FIELD:role pairs */
	uint32_t len;			/* longest proof sequence */
	char archs[64];			/* "x86_64,arm64" or "none" */
	bool perfmon;			/* its users need CAP_PERFMON */
	int32_t users;			/* loaded programs using it, -1 unknown */
	char owner[64];			/* "vmlinux" or a module */
};

/**
 * bpfext_kops_read - read an op table
 * @path: BPFEXT_KOPS_SYSFS for the running kernel, or a target file
 * @ops: receives a malloc()ed array
 * @cnt: its length
 *
 * The ops come sorted by id.
 *
 * Return: 0; -ENOENT if @path does not exist (for the sysfs path: the
 * kernel has no Kops); -EINVAL with a reason for a malformed line or
 * value.
 */
int bpfext_kops_read(const char *path, struct bpfext_kops_op **ops,
		     size_t *cnt, struct bpfext_error *err);

/* True if @op has a native emit for @arch ("x86_64", "arm64"). */
bool bpfext_kops_op__has_arch(const struct bpfext_kops_op *op,
			      const char *arch);

/*
 * Static safety analysis (analysis/safety.c), in the spirit of the kernel
 * verifier: register types (scalar with bounds, ctx, packet with a
 * verified range, packet end, stack, map pointer, map value and map value
 * or NULL), initialized stack bytes and spilled registers, alignment,
 * helper arguments of the map helpers.  It runs before any kernel load;
 * the kernel verifier stays the final check.
 *
 * Verdicts: SAFE (no violation found), UNSAFE (a violation on a path with
 * exact values: the kernel would refuse it too, except that reads of
 * uninitialized stack and a pointer returned in r0 are unsafe as for an
 * unprivileged loader, while Linux 6.1 lets root do both), UNKNOWN (a construct the
 * analysis does not model, or a violation only after a lossy join; the
 * kernel verifier decides).
 */
enum bpfext_safety {
	BPFEXT_SAFETY_SAFE = 0,
	BPFEXT_SAFETY_UNSAFE,
	BPFEXT_SAFETY_UNKNOWN,
};

#define BPFEXT_SAFETY_CTX_WRITES_MAX 32

/* A store into the program's context. */
struct bpfext_ctx_write {
	int32_t off;
	uint32_t size;
};

struct bpfext_safety_opts {
	size_t sz;			/* BPFEXT_OPTS() sets it */
	/*
	 * With ctx_writes_given, a context store is allowed only if it is in
	 * ctx_writes (the writes the original program makes, from its report);
	 * otherwise the program type's writable fields decide.
	 */
	bool ctx_writes_given;
	const struct bpfext_ctx_write *ctx_writes;
	size_t nr_ctx_writes;
	uint64_t max_steps;		/* instructions interpreted, 0: 2,000,000 */
};
#define bpfext_safety_opts__last_field max_steps

struct bpfext_safety_report {
	enum bpfext_safety verdict;
	size_t insn;			/* slot of the violation or of the unknown */
	char reason[256];
	uint64_t steps;			/* abstract instructions interpreted */
	/* context stores seen (on every path explored) */
	struct bpfext_ctx_write ctx_writes[BPFEXT_SAFETY_CTX_WRITES_MAX];
	size_t nr_ctx_writes;
	bool ctx_writes_truncated;
};

/*
 * Linked programs (object/link.c).
 *
 * A linked program is what the kernel runs after libbpf has appended the
 * .text subprograms an entry point reaches and resolved its relocations:
 * one instruction array whose bpf-to-bpf calls are pc-relative inside the
 * array, plus a table of the maps it uses.  Map references are rewritten
 * to BPF_PSEUDO_MAP_IDX (imm = index into ->maps) and global data
 * references to BPF_PSEUDO_MAP_IDX_VALUE (imm = index, next slot's imm =
 * offset into the value).  The interpreter and the checker read
 * BPF_PSEUDO_MAP_FD and BPF_PSEUDO_MAP_VALUE the same way (the "fd" is an
 * index), so hand-written programs can say map[fd:N] too.
 */
/* A map as the interpreter sees it. */
struct bpfext_map_desc {
	char name[64];
	uint32_t type;			/* BPF_MAP_TYPE_* */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint8_t *init;			/* global data: initial value, else NULL */
	bool rdonly_prog;		/* .rodata */
	bool is_data;			/* a global data section */
};

/*
 * A load-time value of a linked program (loadtime.c) that is a number:
 * a CO-RE-relocated immediate or memory offset, or the address of a
 * __ksym.  The instruction holds the object's local value; the checker
 * makes it a symbol named by ->key, which two builds of a program share
 * (the same relocation, or the same extern, gets the same value from
 * the loader), and an interpreter input may set it
 * (bpfext_interp_input.ltv).  Maps, global data and __kconfig externs
 * are map pointers instead (maps of the linked program).
 */
enum bpfext_ltv_field {
	BPFEXT_LTV_IMM,			/* ALU immediate (32 bits) */
	BPFEXT_LTV_IMM64,		/* ld_imm64 value */
	BPFEXT_LTV_OFF,			/* load or store offset (16 bits) */
};

#define BPFEXT_LTV_KEY_MAX	128

struct bpfext_ltv {
	size_t slot;			/* in the linked program */
	enum bpfext_ltv_field field;
	char key[BPFEXT_LTV_KEY_MAX];	/* "core:KIND:TYPE:ACCESS", "ksym:NAME" */
};

struct bpfext_linked_prog {
	char name[64];
	enum bpf_prog_type type;
	enum bpf_attach_type attach_type;
	struct bpf_insn *insns;
	size_t cnt;
	struct bpfext_map_desc *maps;
	size_t nr_maps;
	bool has_core_relos;		/* CO-RE records were not applied */
	struct bpfext_ltv *ltv;		/* load-time numbers, by slot */
	size_t nr_ltv;
};

/**
 * bpfext_prog__linked_insns - link a program as the kernel would run it
 * @obj: the object
 * @prog: one of its programs
 * @out: filled on success; release with bpfext_linked_prog__free()
 * @err: reason on failure, may be NULL
 *
 * Appends every .text function @prog reaches (directly or through
 * BPF_PSEUDO_FUNC references), fixes bpf-to-bpf call and function
 * address immediates, and rewrites map and global data references as
 * described above.  Maps come, in this order, from a legacy "maps"
 * section (map i is the object's legacy map i), from BTF (".maps") and
 * from .data/.rodata/.bss sections; __kconfig externs
 * live in a read-only ".kconfig" map, as libbpf lays them out (each
 * extern at its own offset, zero initially).  CO-RE records and __ksym
 * externs become load-time values (->ltv).
 *
 * Return: 0, or a negative errno (-ENOTSUP for relocations against
 * other externs, kfunc calls or other unsupported symbols).
 */
int bpfext_prog__linked_insns(struct bpfext_object *obj,
			      const struct bpfext_prog *prog,
			      struct bpfext_linked_prog *out,
			      struct bpfext_error *err);

void bpfext_linked_prog__free(struct bpfext_linked_prog *lp);

/**
 * bpfext_safety_check - analyse one program of an object
 * @obj: the object
 * @prog: one of its programs; it is linked with the subprograms it calls
 *        (see bpfext_prog__linked_insns()) and analysed from its entry
 * @opts: may be NULL
 * @rep: the verdict; ->insn counts slots from the program's first
 *       instruction, as `prog dump` does
 *
 * A program that cannot be linked (unsupported relocations, map
 * definitions that cannot be read) is UNKNOWN.
 *
 * Return: 0 (see @rep->verdict), or a negative errno.
 */
int bpfext_safety_check(struct bpfext_object *obj, const struct bpfext_prog *prog,
			const struct bpfext_safety_opts *opts,
			struct bpfext_safety_report *rep, struct bpfext_error *err);

/* The same on an already linked program. */
int bpfext_safety_check_linked(const struct bpfext_linked_prog *lp,
			       const struct bpfext_safety_opts *opts,
			       struct bpfext_safety_report *rep,
			       struct bpfext_error *err);

/* "safe", "unsafe" or "unknown". */
const char *bpfext_safety_name(enum bpfext_safety v);

/*
 * The interpreter (semantics/interp.c) runs a linked program on a
 * concrete input (context fields, packet bytes, initial map contents,
 * helper results) and reports every output that matters for
 * equivalence: r0, the packet,
 * the context, the maps, redirect and tail-call targets, perf output.
 * Every memory access is checked against the region it falls in; a bad
 * access, an unsupported helper or running out of the instruction
 * budget ends the run with a fault outcome, never undefined behaviour.
 *
 * Memory model: pointers are (region << 32 | offset) with region >= 1,
 * so NULL is 0 and pointer arithmetic and comparisons within a region
 * behave as in the kernel.  Regions: the context, the packet buffer
 * (with XDP headroom), one 512-byte stack per call frame, and one region
 * per map value.  Maps start empty (arrays read as zeroes) except for
 * the entries the input supplies and global data, which starts with the
 * object's initial contents.
 */

/* Longest helper buffer the interpreter and the checker model, bytes. */
#define BPFEXT_HELPER_BUF_MAX	512

/* Initial map entry supplied by an input. */
struct bpfext_interp_kv {
	uint32_t map;			/* index into the linked program's maps */
	const uint8_t *key;		/* key_size bytes */
	const uint8_t *value;		/* value_size bytes */
};

/* A load-time value an input sets (bpfext_linked_prog.ltv, by key). */
struct bpfext_interp_ltv {
	const char *key;
	uint64_t value;			/* the immediate, 64-bit value or offset */
};

/*
 * The answer to one opaque helper call (helper_proto.h): the call whose
 * history key chain, the call included, is ->key.
 */
struct bpfext_interp_call {
	uint64_t key;
	uint64_t r0;
	const uint8_t *out;		/* its output buffer's bytes */
	uint32_t nr_out;
};

#define BPFEXT_INTERP_STACK	512	/* bytes of a stack frame */

/*
 * One input.  Everything not supplied is zero.  Helper result streams are
 * consumed in order; when a stream runs out, its last value repeats (0 if
 * empty).
 */
struct bpfext_interp_input {
	const uint8_t *pkt;		/* packet bytes as given to test_run */
	uint32_t pkt_len;
	/*
	 * Context: raw bytes of the program type's context structure
	 * (struct xdp_md, struct __sk_buff, a tracepoint record, ...).
	 * Packet pointer fields (data, data_end, data_meta) are ignored and
	 * derived from the packet.  NULL: the defaults BPF_PROG_TEST_RUN
	 * uses without ctx_in (see bpfext_interp__default_ctx()).
	 */
	const uint8_t *ctx;
	uint32_t ctx_len;
	/*
	 * The entry frame's BPFEXT_INTERP_STACK bytes before the program
	 * runs (r10 points past the last): nothing clears them in the
	 * kernel.  NULL: zeroes.  Callee frames start zeroed.
	 */
	const uint8_t *stack;
	const struct bpfext_interp_kv *entries;
	size_t nr_entries;
	const uint64_t *prandom;	/* bpf_get_prandom_u32 results */
	size_t nr_prandom;
	const uint64_t *ktime;		/* bpf_ktime_get_*ns results */
	size_t nr_ktime;
	uint32_t cpu;			/* bpf_get_smp_processor_id */
	bool tail_call_ok;		/* prog arrays hold every index */
	bool perf_ok;			/* perf event arrays are connected */
	uint64_t max_insns;		/* budget; 0: 1,000,000 */
	/* load-time values; those not given keep the object's local value */
	const struct bpfext_interp_ltv *ltv;
	size_t nr_ltv;
	/*
	 * Helpers by prototype (helper_proto.h): every helper with such a
	 * prototype is an opaque call, answered from @calls by its history
	 * key, or by bpfext_call_default() of it (time and random numbers
	 * included, instead of the streams above).
	 */
	bool opaque;
	const struct bpfext_interp_call *calls;
	size_t nr_calls;
};

enum bpfext_interp_status {
	BPFEXT_INTERP_EXIT = 0,		/* the program returned */
	BPFEXT_INTERP_TAIL_CALL,	/* left through a successful tail call */
	BPFEXT_INTERP_FAULT,		/* bad access, helper misuse, budget */
};

struct bpfext_interp_output {
	enum bpfext_interp_status status;
	uint64_t r0;
	/* Packet from data to data_end after the run; points into the
	 * interpreter, valid until the next run. */
	const uint8_t *pkt;
	uint32_t pkt_len;
	int32_t head_delta;		/* data moved by adjust_head */
	const uint8_t *ctx;		/* context after the run */
	uint32_t ctx_len;
	bool redirect;			/* a redirect helper succeeded */
	uint64_t redirect_ifindex;
	uint64_t redirect_flags;
	int32_t redirect_map;		/* map index, -1: bpf_redirect */
	uint32_t tail_call_map;
	uint32_t tail_call_index;
	uint32_t perf_events;		/* successful perf_event_output calls */
	uint64_t perf_hash;		/* FNV-1a of their data, in order */
	uint64_t insns;			/* instructions executed */
	uint64_t calls_key;		/* history of the opaque calls (opaque) */
	uint32_t opaque_calls;
	size_t fault_pc;		/* linked-program slot of a fault */
	char fault[128];		/* its reason */
};

struct bpfext_interp;

/**
 * bpfext_interp__new - prepare a linked program for interpretation
 * @lp: the program; must stay valid while the interpreter exists
 *
 * Validates and predecodes the instructions.  Programs of types without
 * a context model get a raw read-only context of up to 4 KiB.
 *
 * Return: the interpreter, or NULL with errno set and a reason in @err.
 */
struct bpfext_interp *bpfext_interp__new(const struct bpfext_linked_prog *lp,
					 struct bpfext_error *err);
void bpfext_interp__free(struct bpfext_interp *in);

/**
 * bpfext_interp__run - run the program once
 *
 * Resets the machine (maps, stack, packet) from @input and runs.  A fault
 * of the program is an outcome in @out, not an error.
 *
 * Return: 0, or a negative errno for an invalid input (packet over 3,000
 * bytes, a map entry naming a bad map, out of memory).
 */
int bpfext_interp__run(struct bpfext_interp *in,
		       const struct bpfext_interp_input *input,
		       struct bpfext_interp_output *out);

/* Context size of the program type (0 for a raw context). */
uint32_t bpfext_interp__ctx_size(const struct bpfext_interp *in);

/*
 * Map state after the last run.  Arrays list only the elements the run
 * or the input touched; an absent array element reads as zeroes.
 */
size_t bpfext_interp__map_entry_cnt(const struct bpfext_interp *in,
				    uint32_t map);
int bpfext_interp__map_entry(const struct bpfext_interp *in, uint32_t map,
			     size_t i, const uint8_t **key,
			     const uint8_t **value);

/**
 * bpfext_interp__cmp - compare the last outcomes of two interpreters
 *
 * The two must run programs with the same maps (same count, types and
 * sizes).  Compares status, r0, packet, context, redirect, tail-call and
 * perf outputs and the final map contents.
 *
 * Return: 0 if equal, 1 if they differ (with the first difference
 * described in @why), or a negative errno.
 */
int bpfext_interp__cmp(const struct bpfext_interp *a,
		       const struct bpfext_interp_output *oa,
		       const struct bpfext_interp *b,
		       const struct bpfext_interp_output *ob,
		       char *why, size_t len);

/*
 * JIT code size (kernel/jit_probe.c): instruction sizes measured on the
 * running kernel's JIT.
 */
struct bpfext_jit_probe;

/*
 * A prober for the running kernel.  Needs the privilege to load BPF
 * programs and the JIT on.
 * Return: the prober, or NULL with @err saying why not.
 */
struct bpfext_jit_probe *bpfext_jit_probe__new(struct bpfext_error *err);
void bpfext_jit_probe__free(struct bpfext_jit_probe *jp);

/*
 * Native bytes the running kernel's JIT emits for @x (measured once per
 * shape; the 6.1 x86-64 model where a probe cannot be loaded).
 * Thread-safe.
 */
int bpfext_jit_probe__bytes(struct bpfext_jit_probe *jp, const struct bpf_insn *x);

/*
 * Load @insns as a socket filter and return its jited_prog_len, or
 * -errno (-ENOTSUP when the JIT is off).
 */
int bpfext_jited_len(const struct bpf_insn *insns, size_t cnt);

/* Probe programs loaded so far. */
unsigned int bpfext_jit_probe__probes(const struct bpfext_jit_probe *jp);

#endif /* BPFEXT_H */
