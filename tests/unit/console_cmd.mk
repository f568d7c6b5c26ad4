# The management console's command-line parser and dispatcher (core/console_cmd.c).
UNIT_SRCS_console_cmd := core/console_cmd.c core/cmdline.c core/format.c
