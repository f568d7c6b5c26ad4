# Test guests (included by the Makefile): freestanding flat binaries that run
# under Plinth and report through hypercalls; tests/boot/test_guests.py boots
# them as modules. Each is one file in tests/guests/ linked with the shared
# runtime in tests/guests/lib/ and the kernel's formatter (core/format.c).

GUEST_DIR := tests/guests
GUEST_OUT := $(BUILD)/guests

# Guests started in 32-bit protected mode at 1 MiB, and in real mode at 0x8000.
GUESTS_PROT32 := exits hostile isolation burn sleeper crash bench rtc echo
GUESTS_REAL   := realmode
GUEST_IMAGES  := $(patsubst %,$(GUEST_OUT)/%.bin,$(GUESTS_PROT32) $(GUESTS_REAL))

GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
	-mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387 \
	-fno-strict-aliasing -fno-common -fno-asynchronous-unwind-tables \
	-fno-delete-null-pointer-checks -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-Iinclude -I$(GUEST_DIR)/lib $(WARNINGS) -MMD -MP
GUEST_ASFLAGS := -Iinclude -D__ASSEMBLY__ -MMD -MP
# One RWX segment is fine for a flat binary (and realmode16.S keeps its data
# next to its code).
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(GUEST_DIR)/lib/guest.ld

GUEST_LIB_OBJS := $(patsubst %,$(GUEST_OUT)/obj/%.o, \
	$(GUEST_DIR)/lib/entry.S $(GUEST_DIR)/lib/runtime.c core/format.c core/string.c)

$(GUEST_OUT)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $@")
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

# Per guest: its objects and load address.
$(foreach g,$(GUESTS_PROT32),$(eval GUEST_OBJS_$(g) := $(GUEST_OUT)/obj/$(GUEST_DIR)/$(g).c.o))
$(foreach g,$(GUESTS_PROT32),$(eval GUEST_LOAD_$(g) := 0x100000))
# bench also boots without Plinth: its multiboot header links first after entry.S.
GUEST_OBJS_bench := $(GUEST_OUT)/obj/$(GUEST_DIR)/bench_mb.S.o $(GUEST_OUT)/obj/$(GUEST_DIR)/bench.c.o
GUEST_OBJS_realmode := $(GUEST_OUT)/obj/$(GUEST_DIR)/realmode16.S.o \
	$(GUEST_OUT)/obj/$(GUEST_DIR)/realmode.c.o
GUEST_LOAD_realmode := 0x8000

$(GUEST_OUT)/%.elf: $$(GUEST_OBJS_$$*) $(GUEST_LIB_OBJS) $(GUEST_DIR)/lib/guest.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(GUEST_LDFLAGS) --defsym=LOAD_ADDR=$(GUEST_LOAD_$*) -o $@ \
		$(GUEST_OBJS_$*) $(GUEST_LIB_OBJS)

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -O binary $< $@

# Keep objects and ELF files (symbols for objdump when a guest misbehaves):
# they are only named by pattern rules, which would make them intermediate.
.SECONDARY: $(patsubst %.bin,%.elf,$(GUEST_IMAGES)) $(GUEST_LIB_OBJS) \
	$(foreach g,$(GUESTS_PROT32) $(GUESTS_REAL),$(GUEST_OBJS_$(g)))
