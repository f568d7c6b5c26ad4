# Emulated 16550A UART (drivers/vuart.c, docs/devices.md).
UNIT_SRCS_vuart := drivers/vuart.c
