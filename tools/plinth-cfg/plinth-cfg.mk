# Host tool plinth-cfg (tools/plinth-cfg/plinth-cfg.c): the kernel's
# configuration parser (core/config_*.c, docs/config.md) built for the host.
# Included from the Makefile (uses its CC, WARNINGS, BUILD and Q).
PLINTH_CFG_SRCS := tools/plinth-cfg/plinth-cfg.c $(CONFIG_PARSER_SRCS)

$(BUILD)/plinth-cfg: $(PLINTH_CFG_SRCS) include/plinth/config.h \
		core/config_internal.h include/plinth/cmdline.h include/plinth/uart.h \
		include/plinth/console_spec.h include/plinth/password.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(CC) -std=gnu11 -O2 -g -Iinclude $(WARNINGS) -o $@ $(PLINTH_CFG_SRCS)
