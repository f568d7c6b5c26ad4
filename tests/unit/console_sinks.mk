# The console fan-out to its sinks and the prompt redraw (core/console.c).
UNIT_SRCS_console_sinks := core/console.c
