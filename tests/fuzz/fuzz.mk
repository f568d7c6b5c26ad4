# libFuzzer run of the configuration parser (tests/fuzz/fuzz_config.c).
#   make -f tests/fuzz/fuzz.mk fuzz [FUZZ_SECONDS=600]
# or from the Makefile once included. Needs clang with libFuzzer
# (Debian: clang, whose libclang-rt / libclang-common package ships it).
BUILD        ?= build
FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Iinclude -Wall -Wextra -Werror
FUZZ_CONFIG_SRCS := tests/fuzz/fuzz_config.c $(CONFIG_PARSER_SRCS)

.PHONY: fuzz
$(BUILD)/fuzz/fuzz_config: $(FUZZ_CONFIG_SRCS) include/plinth/config.h core/config_internal.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_CONFIG_SRCS)

fuzz: $(BUILD)/fuzz/fuzz_config
	@mkdir -p $(BUILD)/fuzz/corpus-config
	$(BUILD)/fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		-dict=tests/fuzz/config.dict -print_final_stats=1 \
		$(BUILD)/fuzz/corpus-config tests/fuzz/corpus/config
