UNIT_SRCS_cmdline := core/cmdline.c core/console_spec.c drivers/uart_spec.c
