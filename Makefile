# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Top-level build for the BPF optimizing pipeline.
#
#   make            build build/bpftool-ext
#   make deps       install the Debian packages everything needs
#   make check      install what is missing, build, run every test
#   make vmtest     boot the Kops kernel series on x86_64 and arm64 in QEMU
#   make bench      run the benchmarks (Kops: on the kernels make vmtest built)
#   make install    install bpftool-ext (PREFIX, DESTDIR honoured)
#   make proofs     prove the EInsn native emits (proofs/, issue #6)
#   make fresh-check the README's two commands in a new Debian 12 chroot

CC       ?= cc
O        := build
PREFIX   ?= /usr/local
VERSION  := 0.1.0

WARNINGS := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
            -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -DBPFTOOL_EXT_VERSION='"$(VERSION)"'
CPPFLAGS += -Ibpftool-ext/lib -Ibpftool-ext/src -Ibuild/gen -Ibpftool-ext/include/uapi
LDLIBS   += -lbpf -lelf -lz -lpthread -lm

ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif

# SAN=1 builds everything with ASan and UBSan into build/san.
ifeq ($(SAN),1)
O        := build/san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif

# The library's layers, lowest first: a file includes only its own layer
# and those below it (scripts/check-layers.sh; README "Layout").
LIB_LAYERS := util isa object kernel analysis semantics superopt
LIB_SRCS  := $(sort $(wildcard $(patsubst %,bpftool-ext/lib/%/*.c,$(LIB_LAYERS)) \
			       bpftool-ext/lib/*.c))
LIB_HDRS  := $(wildcard bpftool-ext/lib/*.h bpftool-ext/lib/*/*.h)
# Two archives: libbpfext.a reads, edits, writes, loads, analyses and
# interprets objects without Z3; libbpfext_opt.a is what proves and
# optimizes (the Z3 encoding, equivalence, the superoptimizer, the
# pipeline), and only what links it links Z3.
OPT_SRCS  := $(filter bpftool-ext/lib/semantics/symbolic%.c bpftool-ext/lib/semantics/equiv%.c \
			bpftool-ext/lib/superopt/%.c bpftool-ext/lib/pipeline%.c,$(LIB_SRCS))
BASE_SRCS := $(filter-out $(OPT_SRCS),$(LIB_SRCS))
CMD_SRCS  := $(sort $(wildcard bpftool-ext/src/*.c))
TEST_SRCS := $(sort $(wildcard bpftool-ext/tests/*.c))

BASE_OBJS := $(patsubst bpftool-ext/%.c,$(O)/obj/%.o,$(BASE_SRCS))
OPT_OBJS  := $(patsubst bpftool-ext/%.c,$(O)/obj/%.o,$(OPT_SRCS))
LIB_OBJS  := $(BASE_OBJS) $(OPT_OBJS)
CMD_OBJS  := $(patsubst bpftool-ext/%.c,$(O)/obj/%.o,$(CMD_SRCS))
TEST_BINS := $(patsubst bpftool-ext/tests/%.c,$(O)/tests/%,$(TEST_SRCS))
BENCH_BINS := $(patsubst bpftool-ext/bench/%.c,$(O)/bench/%,$(wildcard bpftool-ext/bench/*.c))
LIBA      := $(O)/libbpfext.a
LIBOPT    := $(O)/libbpfext_opt.a
# Programs that never prove or optimize: they link libbpfext.a alone,
# without Z3 (the link fails if the archive ever needs it).
BASE_PROGS := test_insn test_interp test_roundtrip test_safety_corpus test_jit_cost \
	      test_interp_kernel mkbad bench_interp bench_latency bench_kops_jit \
	      fuzz_insn fuzz_object
Z3_LIBS   := $(LIBOPT) $(LIBA) -lz3
BIN       := $(O)/bpftool-ext

BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall \
              -idirafter /usr/include/$(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
EXAMPLES   := $(patsubst bpftool-ext/examples/%.c,$(O)/examples/%.o,$(wildcard bpftool-ext/examples/*.c))
# BPF programs of the tests; core_matches needs a clang that emits the
# "type matches" CO-RE relocation (15 or later), clang-19 when installed.
CLANG_MATCHES := $(shell command -v clang-19 2>/dev/null)
TEST_PROGS := $(patsubst bpftool-ext/tests/progs/%.c,$(O)/tests/progs/%.o,\
		$(filter-out $(if $(CLANG_MATCHES),,%/core_matches.c),\
			     $(wildcard bpftool-ext/tests/progs/*.c)))
FUZZERS    := $(patsubst bpftool-ext/fuzz/%.c,build/fuzz/%,$(wildcard bpftool-ext/fuzz/*.c))

.PHONY: all deps check test bench install clean fuzz corpus examples demo man proofs
all: $(BIN) $(TEST_BINS) $(BENCH_BINS) $(EXAMPLES) $(TEST_PROGS)

examples: $(EXAMPLES)

$(O)/examples/%.o: bpftool-ext/examples/%.c
	@mkdir -p $(dir $@)
	clang $(BPF_CFLAGS) -c -o $@ $<

$(O)/tests/progs/%.o: bpftool-ext/tests/progs/%.c
	@mkdir -p $(dir $@)
	clang $(BPF_CFLAGS) -c -o $@ $<

$(O)/tests/progs/core_matches.o: bpftool-ext/tests/progs/core_matches.c
	@mkdir -p $(dir $@)
	$(CLANG_MATCHES) $(BPF_CFLAGS) -c -o $@ $<

# libFuzzer harnesses, always with clang and both sanitizers.
fuzz: $(FUZZERS)

build/fuzz/%: bpftool-ext/fuzz/%.c $(LIB_SRCS) $(LIB_HDRS) build/gen/helper_args.h
	@mkdir -p $(dir $@)
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(CPPFLAGS) -o $@ $< \
		$(if $(filter $*,$(BASE_PROGS)),$(BASE_SRCS),$(LIB_SRCS) -lz3) $(LDLIBS)

# How many of r1-r5 each helper reads, from libbpf's helper prototypes.
HELPER_DEFS ?= /usr/include/bpf/bpf_helper_defs.h
build/gen/helper_args.h: $(HELPER_DEFS) scripts/gen-helper-args.sh
	@mkdir -p $(dir $@)
	scripts/gen-helper-args.sh $< >$@.tmp && mv $@.tmp $@

$(O)/obj/lib/analysis/liveness.o: build/gen/helper_args.h

$(O)/obj/%.o: bpftool-ext/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(BASE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBOPT): $(OPT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJS) $(LIBOPT) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(Z3_LIBS) $(LDLIBS)

LINK_PROG = $(CC) $(LDFLAGS) -o $@ $< \
	    $(if $(filter $(notdir $@),$(BASE_PROGS)),$(LIBA),$(Z3_LIBS)) $(LDLIBS)

$(O)/tests/%: $(O)/obj/tests/%.o $(LIBOPT) $(LIBA)
	@mkdir -p $(dir $@)
	$(LINK_PROG)

$(O)/bench/%: $(O)/obj/bench/%.o $(LIBOPT) $(LIBA)
	@mkdir -p $(dir $@)
	$(LINK_PROG)

# Keep the objects of the tests and benchmarks (intermediate files of a
# chain of pattern rules); only those, so that a missing archive or
# object is rebuilt, not taken as up to date.
.SECONDARY: $(patsubst bpftool-ext/%.c,$(O)/obj/%.o,$(TEST_SRCS) $(wildcard bpftool-ext/bench/*.c))
-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(patsubst %,$(O)/obj/tests/%.d,$(notdir $(TEST_BINS)))

deps:
	scripts/install-deps.sh

# The main job on the bundled example.
demo: deps
	$(MAKE) all
	scripts/demo.sh

check: deps
	scripts/check.sh

# Z3 + cvc5 proofs of the EInsn native emits; see proofs/README.md.
proofs: deps
	$(MAKE) -C proofs

bench: deps
	$(MAKE) all
	scripts/bench.sh
	scripts/bench-kops.sh

corpus: deps
	scripts/build-corpus.sh

# The Kops kernel series (patches/): build, boot and test both
# architectures under QEMU.  KOPS_BUILD sets the build directory, the
# same for vmtest, bench and check (scripts/check.sh), so the kernels one
# of them built serve the others.
KOPS_BUILD ?= $(HOME)/.cache/bpftool-ext/kops
export KOPS_BUILD
.PHONY: vmtest fresh-check
vmtest:
	scripts/vmtest.sh x86_64
	scripts/vmtest.sh arm64

# `make demo` and `make check` on a root file system built from nothing but
# Debian's packages (scripts/fresh-check.sh; long: the kernels build cold).
fresh-check:
	scripts/fresh-check.sh

MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MAN8        := $(patsubst bpftool-ext/doc/%.rst,$(O)/man/%.8,$(wildcard bpftool-ext/doc/*.rst))

man: $(MAN8)

$(O)/man/%.8: bpftool-ext/doc/%.rst
	@mkdir -p $(dir $@)
	rst2man --halt=warning --strip-comments $< >$@.tmp && mv $@.tmp $@

install: $(BIN) $(MAN8)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/bpftool-ext
	install -d -m 0755 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 bpftool-ext/bash-completion/bpftool-ext \
		$(DESTDIR)$(BASHCOMPDIR)/bpftool-ext

clean:
	rm -rf build
