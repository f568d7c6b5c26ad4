# Linux bzImage plans, initrd placement and the zero page (core/image_bzimage.c).
UNIT_SRCS_image_bzimage := core/image.c core/image_elf.c core/image_multiboot.c core/image_bzimage.c
