# The pure parts of Plinth's UEFI loader (boot/efi/): memory map conversion,
# kernel ELF checks and command line sources, with the boot_info helpers.
UNIT_SRCS_efi_loader := boot/efi/memmap.c boot/efi/kernel_elf.c boot/efi/cmdline_text.c \
	boot/boot_info.c
