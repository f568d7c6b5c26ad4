# Configuration file parser (core/config_*.c, docs/config.md).
UNIT_SRCS_config := core/config_lexer.c core/config_parse.c core/config_schema.c \
	core/password.c core/sha256.c core/cmdline.c core/format.c core/console_spec.c \
	drivers/uart_spec.c
