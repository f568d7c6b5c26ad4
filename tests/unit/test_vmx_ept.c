/* The EPT entry format (arch/x86/vmx/vmx_ept.c), alone and under the generic mapper. */
#include "host_shim.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/pagetable.h>

#include "../../arch/x86/vmx/vmx.h"

struct vmx_features vmx_features;

static void test_entries(void **state)
{
	const struct pt_format *f = vmx_ept_format(3);

	(void)state;
	assert_non_null(f);
	assert_null(vmx_ept_format(0));
	assert_null(vmx_ept_format(4));
	/* 4 KiB RWX WB leaf: R|W|X, type 6 in bits 3-5, no large bit. */
	assert_int_equal(f->make_leaf(f, 0x123000, 1, PT_READ | PT_WRITE | PT_EXEC, PT_CACHE_WB),
			 0x123000 | 7 | 6 << 3);
	/* 2 MiB read-only UC leaf: R, type 0, bit 7. */
	assert_int_equal(f->make_leaf(f, 0x40000000, 2, PT_READ, PT_CACHE_UC), 0x40000000 | 1 | 1 << 7);
	/* Table entries grant everything, no memory type. */
	assert_int_equal(f->make_table(f, 0x5000), 0x5000 | 7);
	assert_false(f->is_present(f, 0));
	assert_true(f->is_present(f, 1));
	assert_true(f->is_leaf(f, 0x5000 | 7, 1));
	assert_false(f->is_leaf(f, 0x5000 | 7, 2));
	assert_true(f->is_leaf(f, 0x40000000 | 1 | 1 << 7, 3));
	uint64_t e = f->make_leaf(f, 0x200000, 2, PT_READ | PT_EXEC, PT_CACHE_WC);
	assert_int_equal(f->addr(f, e, 2), 0x200000);
	assert_int_equal(f->perms(f, e, 2), PT_READ | PT_EXEC);
	assert_int_equal(f->cache(f, e, 2), PT_CACHE_WC);
	assert_int_equal(f->cache(f, f->make_leaf(f, 0, 1, PT_READ, PT_CACHE_WT), 1), PT_CACHE_WT);
	assert_int_equal(f->valid_perms & PT_USER, 0);
	/* EPTP: WB, 4-level walk. */
	assert_int_equal(vmx_eptp(0x7000), 0x7000 | 3 << 3 | 6);
}

static void test_format_choice(void **state)
{
	struct virt_caps c = { .stage2 = true };

	(void)state;
	assert_int_equal(vmx_stage2_format(&c)->max_leaf_level, 1);
	c.stage2_2m = true;
	assert_int_equal(vmx_stage2_format(&c)->max_leaf_level, 2);
	c.stage2_1g = true;
	assert_int_equal(vmx_stage2_format(&c)->max_leaf_level, 3);
}

/* Table pages from the host heap; "physical" addresses are the pointers. */
static int alloc_table(void *ctx, paddr_t *out)
{
	void *p = aligned_alloc(4096, 4096);

	(void)ctx;
	if (!p)
		return -E_NOMEM;
	memset(p, 0, 4096);
	*out = (paddr_t)(uintptr_t)p;
	return 0;
}

static void free_table(void *ctx, paddr_t t)
{
	(void)ctx;
	free((void *)(uintptr_t)t);
}

static void *table_ptr(void *ctx, paddr_t t)
{
	(void)ctx;
	return (void *)(uintptr_t)t;
}

static void test_with_mapper(void **state)
{
	struct pt_memory mem = { alloc_table, free_table, table_ptr, NULL };
	struct pagetable pt;
	struct pt_translation tr;

	(void)state;
	assert_int_equal(pt_init(&pt, vmx_ept_format(2), &mem), 0);
	/* 16 MiB of guest RAM at GPA 0 from host 0x40000000: 2 MiB leaves. */
	assert_int_equal(pt_map(&pt, 0, 0x40000000, 16 << 20, PT_READ | PT_WRITE | PT_EXEC,
				PT_CACHE_WB), 0);
	assert_int_equal(pt_translate(&pt, 0x1234567 & 0xFFFFFF, &tr), 0);
	assert_int_equal(tr.pa, 0x40000000 + (0x1234567 & 0xFFFFFF));
	assert_int_equal(tr.level, 2);
	assert_int_equal(tr.perms, PT_READ | PT_WRITE | PT_EXEC);
	assert_int_equal(tr.entry & 0x38, 6 << 3);
	/* Split one 4 KiB page read-only. */
	assert_int_equal(pt_protect(&pt, 0x3000, 0x1000, PT_READ), 0);
	assert_int_equal(pt_translate(&pt, 0x3000, &tr), 0);
	assert_int_equal(tr.level, 1);
	assert_int_equal(tr.perms, PT_READ);
	assert_int_equal(tr.entry & 7, 1);
	assert_int_equal(pt_translate(&pt, 16 << 20, &tr), -E_NOENT);
	assert_int_equal(pt_map(&pt, 0, 0, 4096, PT_READ | PT_USER, PT_CACHE_WB), -E_INVAL);
	pt_destroy(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_format_choice),
		cmocka_unit_test(test_with_mapper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
