UNIT_SRCS_cmdline := core/cmdline.c drivers/uart_spec.c
