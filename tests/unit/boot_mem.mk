# Memory map normalisation and the boot summary (boot/boot_info.c).
UNIT_SRCS_boot_mem := boot/boot_info.c
