UNIT_SRCS_format := core/format.c
