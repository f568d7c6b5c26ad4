# Host program bench-host (tools/bench/bench_host.c) for `make bench`: the
# stage-2 mapper and the configuration parser built from the kernel's own
# sources, plus the sizes of its per-guest structures (docs/bench.md).
# Included from the Makefile (uses its CC, WARNINGS, BUILD and Q).
BENCH_HOST_SRCS := tools/bench/bench_host.c mm/pagetable.c arch/x86/pt_x86.c $(CONFIG_PARSER_SRCS)

$(BUILD)/bench-host: $(BENCH_HOST_SRCS) $(wildcard include/plinth/*.h) \
		$(wildcard arch/x86/svm/*.h) $(wildcard arch/x86/vmx/*.h) core/config_internal.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(CC) -std=gnu11 -O2 -g -DPLINTH_HOST_TEST -Iinclude $(WARNINGS) \
		-Wno-missing-prototypes -Wno-missing-declarations -o $@ $(BENCH_HOST_SRCS)
