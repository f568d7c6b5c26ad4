/*
 * Kernel side of Plinth's own UEFI loader: the loader already filled a
 * struct boot_info (boot/efi/), so this only checks it before trusting it.
 * A loader built from another Plinth version could disagree on the layout,
 * and every count here later indexes a fixed-size table.
 */
#define LOG_TAG "boot"
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/uefi_handoff.h>

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static int check_counts(const struct boot_info *bi)
{
	if (bi->protocol != BOOT_PROTO_UEFI) {
		log_error("UEFI handoff: protocol %d, expected %d (UEFI)",
			  (int)bi->protocol, (int)BOOT_PROTO_UEFI);
		return -E_INVAL;
	}
	if (bi->mem_count > BOOT_MAX_MEM_REGIONS ||
	    bi->module_count > BOOT_MAX_MODULES ||
	    bi->efi_mem_count > BOOT_MAX_EFI_REGIONS) {
		log_error("UEFI handoff: %zu memory regions, %zu modules, %zu EFI descriptors: limits are %d, %d, %d",
			  bi->mem_count, bi->module_count, bi->efi_mem_count,
			  BOOT_MAX_MEM_REGIONS, BOOT_MAX_MODULES,
			  BOOT_MAX_EFI_REGIONS);
		return -E_INVAL;
	}
	if (bi->rsdp_len > BOOT_RSDP_MAX) {
		log_error("UEFI handoff: RSDP of %u bytes, at most %d",
			  (unsigned)bi->rsdp_len, BOOT_RSDP_MAX);
		return -E_INVAL;
	}
	return 0;
}

static int check_strings_and_modules(const struct boot_info *bi)
{
	if (!terminated(bi->loader_name, sizeof(bi->loader_name)) ||
	    !terminated(bi->cmdline, sizeof(bi->cmdline))) {
		log_error("UEFI handoff: loader name or command line is not NUL-terminated");
		return -E_INVAL;
	}
	for (size_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (!terminated(m->cmdline, sizeof(m->cmdline))) {
			log_error("UEFI handoff: module %zu's name is not NUL-terminated", i);
			return -E_INVAL;
		}
		if (m->end < m->start) {
			log_error("UEFI handoff: module %zu '%s' ends (%#llx) before it starts (%#llx)",
				  i, m->cmdline, (unsigned long long)m->end,
				  (unsigned long long)m->start);
			return -E_INVAL;
		}
	}
	return 0;
}

int uefi_handoff_copy(const struct uefi_handoff *h, struct boot_info *out)
{
	int err;

	if (h->magic != PLINTH_UEFI_MAGIC || h->version != PLINTH_HANDOFF_VERSION ||
	    h->size != sizeof(*h)) {
		log_error("UEFI handoff: magic %#x version %u size %llu, expected %#x version %u size %zu (loader and kernel from different builds?)",
			  h->magic, h->version, (unsigned long long)h->size,
			  PLINTH_UEFI_MAGIC, PLINTH_HANDOFF_VERSION, sizeof(*h));
		return -E_INVAL;
	}
	err = check_counts(&h->bi);
	if (!err)
		err = check_strings_and_modules(&h->bi);
	if (err)
		return err;
	memcpy(out, &h->bi, sizeof(*out));
	return 0;
}
