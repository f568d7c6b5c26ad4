/* Shared by drivers/acpi.c and drivers/acpi_madt.c; not a public interface. */
#ifndef PLINTH_ACPI_INTERNAL_H
#define PLINTH_ACPI_INTERNAL_H

#include <plinth/acpi.h>
#include <plinth/string.h>
#include <plinth/unaligned.h>

#define ACPI_SDT_HEADER_LEN 36
#define ACPI_MADT_HEADER_LEN 44 /* SDT header, local APIC address, flags */

/* Writes the message into err (ACPI_ERR_LEN bytes) and returns -code. */
int acpi_fail(char *err, int code, const char *fmt, ...) __printf(3, 4);

/*
 * Decodes a MADT whose header, length (>= ACPI_SDT_HEADER_LEN, all of it
 * mapped at `madt`) and checksum acpi.c has already checked.
 */
int acpi_madt_decode(const uint8_t *madt, size_t len, uint64_t phys,
		     struct acpi_madt_info *out, char *err);

#endif
