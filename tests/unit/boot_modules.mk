UNIT_SRCS_boot_modules := core/boot_modules.c
