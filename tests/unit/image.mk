# Guest image plans: ELF, multiboot1, flat, format dispatch (core/image*.c).
UNIT_SRCS_image := core/image.c core/image_elf.c core/image_multiboot.c
