/* The host's side of the ACPI parser (arch/x86/acpi_host.c). */
#ifndef PLINTH_ACPI_HOST_H
#define PLINTH_ACPI_HOST_H

#include <plinth/acpi.h>
#include <plinth/boot_info.h>

/* Reads physical memory through the hypervisor's identity map. */
extern const struct acpi_mem acpi_host_mem;

/*
 * Search the EBDA's first KiB and 0xE0000-0xFFFFF for the RSDP (ACPI 6.5,
 * 5.2.5.1); copy it to out (BOOT_RSDP_MAX bytes) and return its length, 0
 * if there is none.
 */
size_t acpi_find_rsdp_bios(const struct boot_info *bi, uint8_t *out);

#endif
