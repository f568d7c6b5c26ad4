# Emulated 8259A PIC pair (drivers/vpic.c, docs/devices.md).
UNIT_SRCS_vpic := drivers/vpic.c
