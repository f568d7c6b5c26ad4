UNIT_SRCS_guest_modules := core/guest_modules.c core/cmdline.c core/image.c core/image_elf.c core/image_multiboot.c
