# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Top-level build for the BPF optimizing pipeline.
#
#   make            build build/bpftool-ext
#   make deps       install the Debian packages everything needs
#   make check      install what is missing, build, run every test
#   make vmtest     boot the Kops kernel series on x86_64 and arm64 in QEMU
#   make bench      run the benchmarks
#   make install    install bpftool-ext (PREFIX, DESTDIR honoured)

CC       ?= cc
O        := build
PREFIX   ?= /usr/local
VERSION  := 0.1.0

WARNINGS := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
            -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -DBPFTOOL_EXT_VERSION='"$(VERSION)"'
CPPFLAGS += -Ibpftool-ext/lib -Ibpftool-ext/src
LDLIBS   += -lbpf -lelf -lz3 -lz -lpthread -lm

# SAN=1 builds everything with ASan and UBSan into build/san.
ifeq ($(SAN),1)
O        := build/san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRCS  := $(sort $(wildcard bpftool-ext/lib/*.c))
CMD_SRCS  := $(sort $(wildcard bpftool-ext/src/*.c))
TEST_SRCS := $(sort $(wildcard bpftool-ext/tests/test_*.c))

LIB_OBJS  := $(patsubst bpftool-ext/%.c,$(O)/obj/%.o,$(LIB_SRCS))
CMD_OBJS  := $(patsubst bpftool-ext/%.c,$(O)/obj/%.o,$(CMD_SRCS))
TEST_BINS := $(patsubst bpftool-ext/tests/%.c,$(O)/tests/%,$(TEST_SRCS))
LIBA      := $(O)/libbpfext.a
BIN       := $(O)/bpftool-ext

.PHONY: all deps check test bench install clean fuzz corpus
all: $(BIN) $(TEST_BINS)

$(O)/obj/%.o: bpftool-ext/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(LIBA) $(LDLIBS)

$(O)/tests/%: $(O)/obj/tests/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(patsubst %,$(O)/obj/tests/%.d,$(notdir $(TEST_BINS)))

deps:
	scripts/install-deps.sh

check: deps
	scripts/check.sh

bench: deps all
	scripts/bench.sh

corpus: deps
	scripts/build-corpus.sh

# The Kops kernel series (patches/): build, boot and test both
# architectures under QEMU.  KOPS_BUILD sets the build directory.
.PHONY: vmtest
vmtest:
	scripts/vmtest.sh x86_64
	scripts/vmtest.sh arm64

check: vmtest

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/bpftool-ext

clean:
	rm -rf build
