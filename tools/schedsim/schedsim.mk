# Host tool schedsim (tools/schedsim/schedsim_main.c): the credit scheduler
# (sched/credit*.c) in the simulator of tests/unit/schedsim.c; `make schedsim`
# builds $(BUILD)/schedsim (docs/scheduler.md). Included from the Makefile
# (uses its CC, WARNINGS, BUILD and Q).
SCHEDSIM_SRCS := tools/schedsim/schedsim_main.c tests/unit/schedsim.c \
	sched/credit.c sched/credit_account.c sched/credit_stats.c

.PHONY: schedsim
schedsim: $(BUILD)/schedsim

$(BUILD)/schedsim: $(SCHEDSIM_SRCS) include/plinth/sched.h tests/unit/schedsim.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(CC) -std=gnu11 -O2 -g -DPLINTH_HOST_TEST -Iinclude -Itests/unit $(WARNINGS) \
		-o $@ $(SCHEDSIM_SRCS)
