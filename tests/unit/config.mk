# Configuration file parser (core/config_*.c, docs/config.md).
UNIT_SRCS_config := $(CONFIG_PARSER_SRCS)
