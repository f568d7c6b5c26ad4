# Emulated 8254 PIT and port 0x61 (drivers/vpit.c, docs/devices.md).
UNIT_SRCS_vpit := drivers/vpit.c
