/*
 * ELF32/ELF64 executables (System V gABI): PT_LOAD segments placed at their
 * physical addresses, every header field checked against the file before it
 * is used (docs/images.md).
 */
#define LOG_TAG "image"

#include <plinth/errno.h>
#include <plinth/image.h>
#include <plinth/log.h>
#include <plinth/string.h>

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1
#define PN_XNUM 0xffff

#define EHDR32_SIZE 52
#define EHDR64_SIZE 64
#define PHDR32_SIZE 32
#define PHDR64_SIZE 56

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void read_phdr(const uint8_t *p, bool is64, struct elf_phdr *ph)
{
	if (is64) {
		ph->type = le32_at(p);
		ph->flags = le32_at(p + 4);
		ph->offset = le64_at(p + 8);
		ph->vaddr = le64_at(p + 16);
		ph->paddr = le64_at(p + 24);
		ph->filesz = le64_at(p + 32);
		ph->memsz = le64_at(p + 40);
	} else {
		ph->type = le32_at(p);
		ph->offset = le32_at(p + 4);
		ph->vaddr = le32_at(p + 8);
		ph->paddr = le32_at(p + 12);
		ph->filesz = le32_at(p + 16);
		ph->memsz = le32_at(p + 20);
		ph->flags = le32_at(p + 24);
	}
}

int image_plan_elf(const char *name, const uint8_t *img, size_t size,
		   uint64_t ram, struct image_plan *out)
{
	if (size < EI_VERSION + 1 || img[0] != 0x7f || img[1] != 'E' ||
	    img[2] != 'L' || img[3] != 'F') {
		log_error("%s: not an ELF file (no \\x7fELF magic)", name);
		return -E_INVAL;
	}
	unsigned cls = img[EI_CLASS];
	if (cls != ELFCLASS32 && cls != ELFCLASS64) {
		log_error("%s: ELF class %u is neither ELF32 nor ELF64", name, cls);
		return -E_INVAL;
	}
	bool is64 = cls == ELFCLASS64;
	size_t ehsize = is64 ? EHDR64_SIZE : EHDR32_SIZE;
	size_t phsize = is64 ? PHDR64_SIZE : PHDR32_SIZE;
	if (img[EI_DATA] != ELFDATA2LSB) {
		log_error("%s: ELF data encoding %u is not little-endian", name,
			  img[EI_DATA]);
		return -E_INVAL;
	}
	if (size < ehsize) {
		log_error("%s: truncated: %zu bytes, shorter than the %zu-byte ELF header",
			  name, size, ehsize);
		return -E_INVAL;
	}
	uint16_t type = le16_at(img + 16), machine = le16_at(img + 18);
	uint32_t version = le32_at(img + 20);
	uint16_t want = is64 ? EM_X86_64 : EM_386;
	if (img[EI_VERSION] != EV_CURRENT || version != EV_CURRENT) {
		log_error("%s: ELF version %u/%u is not 1", name, img[EI_VERSION],
			  version);
		return -E_INVAL;
	}
	if (machine != want) {
		log_error("%s: ELF machine %u, expected %u (%s)", name, machine,
			  want, is64 ? "x86-64" : "i386");
		return -E_INVAL;
	}
	if (type != ET_EXEC) {
		log_error("%s: ELF type %u is not an executable (ET_EXEC); relocatable and shared objects are not loaded",
			  name, type);
		return -E_INVAL;
	}
	uint64_t entry = is64 ? le64_at(img + 24) : le32_at(img + 24);
	uint64_t phoff = is64 ? le64_at(img + 32) : le32_at(img + 28);
	uint16_t eh = le16_at(img + (is64 ? 52 : 40));
	uint16_t phentsize = le16_at(img + (is64 ? 54 : 42));
	uint16_t phnum = le16_at(img + (is64 ? 56 : 44));
	if (eh < ehsize) {
		log_error("%s: e_ehsize %u is smaller than an ELF%u header (%zu)",
			  name, eh, is64 ? 64 : 32, ehsize);
		return -E_INVAL;
	}
	if (phnum == 0 || phnum == PN_XNUM) {
		log_error("%s: %s program headers (e_phnum %u)", name,
			  phnum ? "extended numbering of" : "no", phnum);
		return phnum ? -E_NOTSUP : -E_INVAL;
	}
	if (phentsize < phsize) {
		log_error("%s: e_phentsize %u is smaller than a program header (%zu)",
			  name, phentsize, phsize);
		return -E_INVAL;
	}
	/* phnum*phentsize < 2^32: no overflow in 64 bits. */
	uint64_t phbytes = (uint64_t)phnum * phentsize;
	if (phoff > size || phbytes > size - phoff) {
		log_error("%s: program headers at %#llx (%u x %u bytes) extend past the %zu-byte file",
			  name, (unsigned long long)phoff, phnum, phentsize, size);
		return -E_INVAL;
	}

	uint64_t vaddr[IMAGE_MAX_SEGMENTS];
	bool exec[IMAGE_MAX_SEGMENTS];
	for (unsigned i = 0; i < phnum; i++) {
		struct elf_phdr ph;
		read_phdr(img + phoff + (uint64_t)i * phentsize, is64, &ph);
		if (ph.type != PT_LOAD)
			continue;
		if (ph.filesz > ph.memsz) {
			log_error("%s: program header %u: p_filesz %#llx > p_memsz %#llx",
				  name, i, (unsigned long long)ph.filesz,
				  (unsigned long long)ph.memsz);
			return -E_INVAL;
		}
		if (ph.offset > size || ph.filesz > size - ph.offset) {
			log_error("%s: program header %u: file bytes %#llx+%#llx extend past the %zu-byte file",
				  name, i, (unsigned long long)ph.offset,
				  (unsigned long long)ph.filesz, size);
			return -E_INVAL;
		}
		if (ph.paddr > ram || ph.memsz > ram - ph.paddr) {
			log_error("%s: program header %u: %#llx+%#llx is outside the guest's %llu KiB of RAM",
				  name, i, (unsigned long long)ph.paddr,
				  (unsigned long long)ph.memsz,
				  (unsigned long long)(ram >> 10));
			return -E_RANGE;
		}
		if (ph.memsz == 0)
			continue;
		size_t k = out->segments;
		int rc = image_add_segment(name, out, ph.paddr, ph.offset,
					   ph.filesz, ph.memsz);
		if (rc)
			return rc;
		vaddr[k] = ph.vaddr;
		exec[k] = ph.flags & PF_X;
	}
	if (out->segments == 0) {
		log_error("%s: no PT_LOAD segment with contents", name);
		return -E_INVAL;
	}

	/*
	 * e_entry is a virtual address. Identity-linked kernels have it inside
	 * a segment's physical range; higher-half ones (vaddr != paddr) are
	 * translated through the segment whose virtual range holds it.
	 */
	bool found = false;
	for (int pass = 0; pass < 2 && !found; pass++) {
		for (size_t k = 0; k < out->segments && !found; k++) {
			const struct image_segment *s = &out->seg[k];
			uint64_t base = pass == 0 ? s->gpa : vaddr[k];
			if (!exec[k] || entry < base || entry - base >= s->file_size)
				continue;
			out->entry = s->gpa + (entry - base);
			found = true;
		}
	}
	if (!found) {
		log_error("%s: entry point %#llx is not in the loaded bytes of an executable segment",
			  name, (unsigned long long)entry);
		return -E_INVAL;
	}
	if (out->entry > UINT32_MAX) {
		log_error("%s: entry point %#llx is above 4 GiB: the guest starts in 32-bit protected mode",
			  name, (unsigned long long)out->entry);
		return -E_RANGE;
	}
	out->start_mode = VCPU_START_PROT32;
	return 0;
}
