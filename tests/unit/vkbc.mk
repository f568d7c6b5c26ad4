# Emulated i8042 keyboard controller (drivers/vkbc.c, docs/devices.md).
UNIT_SRCS_vkbc := drivers/vkbc.c
