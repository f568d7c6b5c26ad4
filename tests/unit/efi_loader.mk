# The pure parts of Plinth's UEFI loader (boot/efi/): memory map conversion
# and the kernel ELF checks, with the boot_info helpers they call.
UNIT_SRCS_efi_loader := boot/efi/memmap.c boot/efi/kernel_elf.c boot/boot_info.c
