/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libbpfext: read BPF ELF objects, rewrite their programs, write them back
 * and load them in the running kernel.
 *
 * Conventions follow libbpf: functions that can fail return a negative
 * errno value; they also fill a caller-provided struct bpfext_error (which
 * may be NULL) with a one-line reason that does not repeat the file name.
 * There is no global state.
 */
#ifndef BPFEXT_H
#define BPFEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "isa/insn.h"

#define BPFEXT_ERRMSG_MAX 512

struct bpfext_error {
	char msg[BPFEXT_ERRMSG_MAX];
};

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
 * Load-time values (lib/object/loadtime.c): slots whose value the loader, not
 * the compiler, decides.  Bits of one entry say why.
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
};

struct bpfext_load_opts {
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
};

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
 * Static safety analysis (lib/analysis/safety.c), in the spirit of the kernel
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

#endif /* BPFEXT_H */
