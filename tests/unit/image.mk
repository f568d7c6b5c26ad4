# Guest image plans: ELF, multiboot1, flat, bzImage detection, format dispatch (core/image*.c).
UNIT_SRCS_image := core/image.c core/image_elf.c core/image_multiboot.c core/image_bzimage.c
