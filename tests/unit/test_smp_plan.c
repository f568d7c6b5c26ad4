/* Tests for smp_plan.c: which MADT CPUs are started, where the start-up page goes. */
#include "host_shim.h"

#include <stdlib.h>
#include <string.h>

#include "../../arch/x86/smp_plan.h"

static struct acpi_madt_info madt;
static struct smp_plan plan;

static void add_cpu(uint32_t apic_id, bool enabled, bool x2apic)
{
	assert_true(madt.ncpus < ACPI_MAX_CPUS);
	madt.cpus[madt.ncpus++] = (struct acpi_cpu){ .apic_id = apic_id, .enabled = enabled,
						      .x2apic = x2apic };
}

static int reset(void **state)
{
	(void)state;
	memset(&madt, 0, sizeof(madt));
	memset(&plan, 0xcc, sizeof(plan));
	return 0;
}

static void expect_ids(const uint32_t *ids, unsigned n)
{
	assert_int_equal(plan.count, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(plan.ids[i], ids[i]);
}

static void test_all_but_the_boot_cpu_in_table_order(void **state)
{
	(void)state;
	add_cpu(2, true, false);
	add_cpu(0, true, false);
	add_cpu(1, true, false);
	smp_plan_aps(&madt, 0, 0, 64, false, &plan);
	expect_ids((const uint32_t[]){ 2, 1 }, 2);
	assert_int_equal(plan.over_limit, 0);
}

static void test_disabled_cpus_are_not_started(void **state)
{
	(void)state;
	add_cpu(0, true, false);
	add_cpu(1, false, false);
	add_cpu(2, true, false);
	smp_plan_aps(&madt, 0, 0, 64, false, &plan);
	expect_ids((const uint32_t[]){ 2 }, 1);
	assert_int_equal(plan.disabled, 1);
}

static void test_a_cpu_listed_twice_is_started_once(void **state)
{
	(void)state;
	add_cpu(0, true, false);
	add_cpu(1, true, false);
	add_cpu(1, true, true); /* the same CPU as a local x2APIC entry */
	smp_plan_aps(&madt, 0, 0, 64, true, &plan);
	expect_ids((const uint32_t[]){ 1 }, 1);
}

static void test_limit_counts_the_boot_cpu(void **state)
{
	(void)state;
	for (uint32_t id = 0; id < 4; id++)
		add_cpu(id, true, false);
	smp_plan_aps(&madt, 0, 1, 64, false, &plan);
	assert_int_equal(plan.count, 0);
	assert_int_equal(plan.over_limit, 3);
	smp_plan_aps(&madt, 0, 2, 64, false, &plan);
	expect_ids((const uint32_t[]){ 1 }, 1);
	assert_int_equal(plan.over_limit, 2);
	smp_plan_aps(&madt, 0, 100, 3, false, &plan); /* max_cpus wins over a larger limit */
	expect_ids((const uint32_t[]){ 1, 2 }, 2);
}

static void test_boot_cpu_not_first_in_the_table(void **state)
{
	(void)state;
	add_cpu(0, true, false);
	add_cpu(4, true, false);
	add_cpu(6, true, false);
	smp_plan_aps(&madt, 4, 2, 64, false, &plan);
	expect_ids((const uint32_t[]){ 0 }, 1);
}

static void test_high_ids_need_x2apic(void **state)
{
	(void)state;
	add_cpu(0, true, false);
	add_cpu(254, true, false);
	add_cpu(255, true, true);
	add_cpu(300, true, true);
	smp_plan_aps(&madt, 0, 0, 64, false, &plan);
	expect_ids((const uint32_t[]){ 254 }, 1);
	assert_int_equal(plan.unreachable, 2);
	smp_plan_aps(&madt, 0, 0, 64, true, &plan);
	expect_ids((const uint32_t[]){ 254, 255, 300 }, 3);
	assert_int_equal(plan.unreachable, 0);
}

static void test_a_full_table(void **state)
{
	(void)state;
	for (uint32_t id = 0; id < ACPI_MAX_CPUS; id++)
		add_cpu(id, true, false);
	smp_plan_aps(&madt, 0, 0, ACPI_MAX_CPUS, false, &plan);
	assert_int_equal(plan.count, ACPI_MAX_CPUS - 1);
	assert_int_equal(plan.ids[ACPI_MAX_CPUS - 2], ACPI_MAX_CPUS - 1);
}

/* ---- The start-up page ---------------------------------------------------- */

static struct boot_info *bi;

static int bi_setup(void **state)
{
	(void)state;
	bi = calloc(1, sizeof(*bi));
	return bi ? 0 : -1;
}

static int bi_teardown(void **state)
{
	(void)state;
	free(bi);
	return 0;
}

static void add_region(uint64_t base, uint64_t size, uint32_t type)
{
	bi->mem[bi->mem_count++] = (struct mem_region){ base, size, type };
}

static void test_highest_usable_page_below_the_ebda(void **state)
{
	(void)state;
	add_region(0, 0x9FC00, MEM_USABLE); /* SeaBIOS: EBDA at 0x9FC00 */
	add_region(0x9FC00, 0x400, MEM_RESERVED);
	add_region(0xF0000, 0x10000, MEM_RESERVED);
	add_region(0x100000, 0x7F00000, MEM_USABLE);
	assert_int_equal(smp_plan_trampoline_page(bi), 0x9E000);
}

static void test_page_must_be_wholly_usable(void **state)
{
	(void)state;
	add_region(0x1000, 0x5800, MEM_USABLE); /* 0x1000-0x6800: the page at 0x6000 is cut */
	assert_int_equal(smp_plan_trampoline_page(bi), 0x5000);
}

static void test_other_types_and_modules_win(void **state)
{
	(void)state;
	add_region(0, 0x9F000, MEM_USABLE);
	add_region(0x9E800, 0x100, MEM_ACPI_NVS);   /* overlaps the page at 0x9E000 */
	bi->modules[bi->module_count++] = (struct boot_module){ .start = 0x9C000, .end = 0x9E000 };
	assert_int_equal(smp_plan_trampoline_page(bi), 0x9B000);
}

static void test_no_low_ram_gives_zero(void **state)
{
	(void)state;
	add_region(0, 0x1000, MEM_USABLE); /* only page 0, which is never used */
	add_region(0x100000, 0x100000, MEM_USABLE);
	assert_int_equal(smp_plan_trampoline_page(bi), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_but_the_boot_cpu_in_table_order, reset),
		cmocka_unit_test_setup(test_disabled_cpus_are_not_started, reset),
		cmocka_unit_test_setup(test_a_cpu_listed_twice_is_started_once, reset),
		cmocka_unit_test_setup(test_limit_counts_the_boot_cpu, reset),
		cmocka_unit_test_setup(test_boot_cpu_not_first_in_the_table, reset),
		cmocka_unit_test_setup(test_high_ids_need_x2apic, reset),
		cmocka_unit_test_setup(test_a_full_table, reset),
		cmocka_unit_test_setup_teardown(test_highest_usable_page_below_the_ebda, bi_setup, bi_teardown),
		cmocka_unit_test_setup_teardown(test_page_must_be_wholly_usable, bi_setup, bi_teardown),
		cmocka_unit_test_setup_teardown(test_other_types_and_modules_win, bi_setup, bi_teardown),
		cmocka_unit_test_setup_teardown(test_no_low_ram_gives_zero, bi_setup, bi_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
