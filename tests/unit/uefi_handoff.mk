# The kernel's check of the boot_info Plinth's UEFI loader hands over.
UNIT_SRCS_uefi_handoff := boot/uefi_handoff.c
