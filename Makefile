# Plinth build. `make` builds build/plinth.elf; see README.md for the rest.

BUILD      := build
.DEFAULT_GOAL := all
.SECONDEXPANSION:
.DELETE_ON_ERROR:
PYTHON     ?= /usr/bin/python3
CC         := gcc
LD         := ld
OBJCOPY    := objcopy
NM         := nm

# Warnings shared by the kernel and host builds (the strict set peers use).
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wmissing-declarations -Wold-style-definition \
	-Wswitch-enum -Wpointer-arith -Wundef -Wvla -Wwrite-strings \
	-Wimplicit-fallthrough -Wformat=2 -Wno-format-nonliteral \
	-Wcast-qual -Wnested-externs -Wredundant-decls

# Freestanding kernel: no red zone (interrupts use the stack), no SSE/FPU
# state (never saved on exits), frame pointers for the panic backtrace.
KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
	-mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387 \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-strict-aliasing -fno-common -fno-asynchronous-unwind-tables \
	-fno-delete-null-pointer-checks -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-Iinclude $(WARNINGS) -MMD -MP $(EXTRA_CFLAGS)
KASFLAGS := -Iinclude -D__ASSEMBLY__ -MMD -MP $(EXTRA_CFLAGS)
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	-T linker.ld

# Kernel sources: every .c/.S under these directories except host-only ones.
KSRC_DIRS := boot arch/x86 arch/x86/svm arch/x86/vmx core mm sched drivers
KSRCS := $(foreach d,$(KSRC_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S))
KOBJS := $(patsubst %,$(BUILD)/k/%.o,$(KSRCS))

# The console font is a text file drawn by hand; tools/mkfont.py checks it
# and turns it into C (also linked into the screen unit test).
FONT_TXT := drivers/font/plinth8x8.txt
FONT_C   := $(BUILD)/gen/font_data.c
KOBJS    += $(BUILD)/k/gen/font_data.c.o
$(FONT_C): $(FONT_TXT) tools/mkfont.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/mkfont.py $(FONT_TXT) > $@
$(BUILD)/k/gen/font_data.c.o: $(FONT_C)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

KERNEL := $(BUILD)/plinth.elf

# The configuration parser's sources: the kernel, tools/plinth-cfg, the unit
# tests and bench-host all build these same files.
CONFIG_PARSER_SRCS := core/config_lexer.c core/config_parse.c core/config_schema.c \
	core/password.c core/sha256.c core/cmdline.c core/format.c core/console_spec.c \
	drivers/uart_spec.c
ISO    := $(BUILD)/plinth.iso

.PHONY: all iso usb usb-efi efi efi-test-loader run run-bochs test unit guests fuzz bench clean deps-check
all: $(KERNEL)

# `make V=1` shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# .incbin is not seen by -MMD.
$(BUILD)/k/core/config_demo.S.o: core/demo.toml

# Two-pass link: the first image gives the function addresses for the symbol
# table the panic backtrace uses. The table sits after .text, so linking it
# in does not move any function; tools/gensyms.py checks that it did not.
$(BUILD)/ksyms0.S:
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gensyms.py --empty > $@

$(BUILD)/plinth.pass1.elf: $(KOBJS) $(BUILD)/ksyms0.S.o linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/ksyms0.S.o

$(BUILD)/ksyms.S: $(BUILD)/plinth.pass1.elf tools/gensyms.py
	$(Q)$(NM) -n --defined-only $< | $(PYTHON) tools/gensyms.py > $@

$(BUILD)/%.S.o: $(BUILD)/%.S
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

$(KERNEL): $(KOBJS) $(BUILD)/ksyms.S.o linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/ksyms.S.o
	$(Q)$(NM) -n --defined-only $(BUILD)/plinth.pass1.elf > $(BUILD)/pass1.nm
	$(Q)$(NM) -n --defined-only $@ | $(PYTHON) tools/gensyms.py --check $(BUILD)/pass1.nm
	$(Q)$(PYTHON) tools/check-image.py $@

# ---- ISO (GRUB, BIOS + UEFI) ----------------------------------------------
GRUB_CMDLINE ?=
$(ISO): $(KERNEL) tools/mkiso.sh
	sh tools/mkiso.sh $@ $(KERNEL) "$(GRUB_CMDLINE)"
iso: $(ISO)

# ---- Plinth's own UEFI loader (boot/efi/, GNU-EFI) -------------------------
# A position-independent ELF shared object linked with GNU-EFI's crt0 and
# linker script, turned into a PE32+ application by objcopy (GNU-EFI's
# README.gnuefi). The pure loader parts and the kernel's formatter, string
# and memory map code are compiled in as well, so the map conversion is one
# code for both paths.
EFI_LOADER := $(BUILD)/BOOTX64.EFI
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
EFI_SRCS   := $(wildcard boot/efi/*.c) boot/boot_info.c core/format.c core/string.c
EFI_OBJS   := $(patsubst %.c,$(BUILD)/efi/%.o,$(EFI_SRCS))
EFI_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf -fpic \
	-fshort-wchar -fno-stack-protector -fno-strict-aliasing -mno-red-zone \
	-mgeneral-regs-only -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
	-isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 -Iinclude $(WARNINGS) -MMD -MP
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
	-j .rela -j .rel.* -j .rela.* -j .reloc

$(BUILD)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EFICC   $<")
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/loader.so: $(EFI_OBJS)
	@$(if $(Q),echo "  EFILD   $@")
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ -L$(EFI_LIB) -lgnuefi
	$(Q)! $(NM) -u $@ | grep . || { echo "loader has undefined symbols" >&2; exit 1; }

$(EFI_LOADER): $(BUILD)/efi/loader.so
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@
efi: $(EFI_LOADER)

# A test build of the loader that makes its first ExitBootServices fail with
# a stale map key (tests/boot/test_uefi_loader.py checks the retry).
EFI_TEST_LOADER := $(BUILD)/test/BOOTX64-stale-key.EFI
EFI_TEST_OBJS := $(patsubst %.c,$(BUILD)/efi-stale-key/%.o,$(EFI_SRCS))
$(BUILD)/efi-stale-key/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EFICC   $< (stale-key test build)")
	$(Q)$(CC) $(EFI_CFLAGS) -DPLINTH_EFI_TEST_STALE_MAP_KEY -c $< -o $@
$(BUILD)/efi-stale-key/loader.so: $(EFI_TEST_OBJS)
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $(EFI_TEST_OBJS) -o $@ -L$(EFI_LIB) -lgnuefi
$(EFI_TEST_LOADER): $(BUILD)/efi-stale-key/loader.so
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@
efi-test-loader: $(EFI_TEST_LOADER)

# ---- USB stick image (GPT: GRUB for BIOS and UEFI, FAT32 ESP; no root) -----
# tools/mkusb.sh; the demo configuration becomes /plinth/plinth.toml.
USB_FILES := $(BUILD)/guests/exits.bin $(BUILD)/linux/vmlinuz $(BUILD)/linux/initramfs.cpio.gz
$(BUILD)/usb/plinth.toml: core/demo.toml
	@mkdir -p $(dir $@)
	$(Q){ echo "# Plinth's configuration on the USB stick (docs/config.md); edit it from"; \
	echo "# any OS. kernel and initrd name files in /plinth/ on this partition."; \
	sed '1,/^\[/{/^#/d}' $<; } > $@
$(BUILD)/plinth-usb.img: $(KERNEL) $(USB_FILES) $(BUILD)/usb/plinth.toml tools/mkusb.sh
	sh tools/mkusb.sh $(if $(GRUB_CMDLINE),-a "$(GRUB_CMDLINE)") $@ $(KERNEL) $(BUILD)/usb/plinth.toml $(USB_FILES)
usb: $(BUILD)/plinth-usb.img
# The same stick with Plinth's own UEFI loader as EFI/BOOT/BOOTX64.EFI (GRUB
# stays for BIOS and as EFI/grub/grubx64.efi; docs/boot.md).
$(BUILD)/plinth-usb-efi.img: $(KERNEL) $(EFI_LOADER) $(USB_FILES) $(BUILD)/usb/plinth.toml tools/mkusb.sh
	sh tools/mkusb.sh -l $(EFI_LOADER) $(if $(GRUB_CMDLINE),-a "$(GRUB_CMDLINE)") $@ $(KERNEL) $(BUILD)/usb/plinth.toml $(USB_FILES)
usb-efi: $(BUILD)/plinth-usb-efi.img

# ---- Running ----------------------------------------------------------------
# make run: Plinth's built-in demo configuration (core/demo.toml: a Linux
# guest with a shell, and a test guest) with their files as boot modules; the
# Linux files are fetched on first use. CONFIG=FILE.toml boots your
# configuration instead; MODULES lists the files it names (docs/config.md).
CONFIG  ?=
LINUX_FILES := $(BUILD)/linux/vmlinuz $(BUILD)/linux/initramfs.cpio.gz
MODULES ?= $(LINUX_FILES) $(BUILD)/guests/exits.bin
comma := ,
empty :=
space := $(empty) $(empty)
RUN_MODULES = $(subst $(space),$(comma),$(strip $(CONFIG) $(MODULES)))
$(LINUX_FILES): tools/fetch-linux.sh tools/mkcpio.py
	sh tools/fetch-linux.sh

run: deps-check $(KERNEL) $(GUEST_IMAGES) $(LINUX_FILES)
	$(PYTHON) tools/run-qemu.py --kernel $(KERNEL) --modules "$(RUN_MODULES)" $(if $(CMDLINE),--append "$(CMDLINE)")

run-bochs: deps-check $(KERNEL) $(GUEST_IMAGES) $(LINUX_FILES)
	$(PYTHON) tools/run-bochs.py --kernel $(KERNEL) --modules "$(RUN_MODULES)"

deps-check:
	@sh tools/deps.sh

# ---- Host unit tests (cmocka, ASan + UBSan) -------------------------------
# tests/unit/test_NAME.c is linked with the kernel sources listed in
# tests/unit/NAME.mk as UNIT_SRCS_NAME, plus the host shim.
HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -DPLINTH_HOST_TEST \
	-Iinclude -Itests/unit $(WARNINGS) -Wno-missing-prototypes \
	-Wno-missing-declarations
-include $(wildcard tests/unit/*.mk)
UNIT_NAMES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_NAMES))

$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/host_shim.c $$(UNIT_SRCS_$$*) $(wildcard include/plinth/*.h) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< tests/unit/host_shim.c $(UNIT_SRCS_$*) -lcmocka $(UNIT_LIBS_$*)

unit: $(UNIT_BINS)

# ---- Test guests (tests/guests/guests.mk defines GUEST_IMAGES) -------------
GUEST_IMAGES :=
-include tests/guests/guests.mk
guests: $(GUEST_IMAGES)

# ---- Host tool (tools/plinth-cfg) and fuzzing (make fuzz, not in make test) --
-include tools/plinth-cfg/plinth-cfg.mk
-include tools/schedsim/schedsim.mk
-include tools/bench/bench.mk
-include tests/fuzz/fuzz.mk

# ---- Benchmarks (outside make test) ------------------------------------------
# tools/bench/run.py (docs/bench.md): exit costs and boot cost in instructions
# under QEMU -icount, Linux boot ratio, footprint, host microbenchmarks;
# build/bench/results.json and a table. tests/boot/test_bench_smoke.py runs it
# with tiny counts inside make test.
BENCH_DEPS := $(KERNEL) $(BUILD)/guests/bench.bin $(BUILD)/bench-host $(BUILD)/schedsim $(LINUX_FILES)
bench: deps-check $(BENCH_DEPS)
	$(PYTHON) tools/bench/run.py

# ---- Tests -----------------------------------------------------------------
# Unit tests and boot tests together; ends with "N passed, N failed".
test: deps-check $(KERNEL) $(EFI_LOADER) $(EFI_TEST_LOADER) $(UNIT_BINS) $(GUEST_IMAGES) \
		$(BUILD)/plinth-cfg $(BUILD)/bench-host $(BUILD)/schedsim
	$(PYTHON) tools/run-tests.py --unit $(UNIT_BINS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
