# Multiboot1/2 parsers, with the boot_info helpers they call.
UNIT_SRCS_multiboot := boot/multiboot1.c boot/multiboot2.c boot/boot_info.c
