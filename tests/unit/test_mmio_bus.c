/* The MMIO bus (core/mmio_bus.c): registration rules and dispatch. */
#include "host_shim.h"

#include <plinth/errno.h>
#include <plinth/mmio_bus.h>

struct fake {
	uint64_t last_gpa, last_value;
	uint8_t last_size;
	bool last_write;
	unsigned calls;
	uint64_t reg;
};

static void fake_access(struct guest *g, void *opaque, uint64_t gpa, uint8_t size, bool write,
			uint64_t *value)
{
	struct fake *f = opaque;

	(void)g;
	f->calls++;
	f->last_gpa = gpa;
	f->last_size = size;
	f->last_write = write;
	if (write)
		f->reg = *value;
	else
		*value = f->reg;
}

static struct fake a, b;

static void test_register_and_dispatch(void **state)
{
	(void)state;
	struct mmio_device da = { "a", 0xFEC00000, 0x1000, fake_access, &a };
	struct mmio_device db = { "b", 0xFED00000, 0x400, fake_access, &b };
	struct mmio_device overlap = { "c", 0xFEC00FF8, 0x10, fake_access, &b };
	struct mmio_device empty = { "d", 0x1000, 0, fake_access, &b };
	struct mmio_device wraps = { "e", ~0ULL - 4, 0x10, fake_access, &b };

	assert_int_equal(mmio_bus_register(&da), 0);
	assert_int_equal(mmio_bus_register(&db), 0);
	assert_int_equal(mmio_bus_register(&overlap), -E_EXIST);
	assert_int_equal(mmio_bus_register(&empty), -E_INVAL);
	assert_int_equal(mmio_bus_register(&wraps), -E_INVAL);

	uint64_t v = 0x1122334455667788ULL;
	assert_true(mmio_bus_access(NULL, 0xFEC00010, 4, true, &v));
	assert_int_equal(a.calls, 1);
	assert_true(a.last_write);
	assert_int_equal(a.last_gpa, 0xFEC00010);
	assert_int_equal(a.last_size, 4);
	v = 0;
	assert_true(mmio_bus_access(NULL, 0xFEC00FF8, 8, false, &v));
	assert_int_equal(v, 0x1122334455667788ULL);
	assert_true(mmio_bus_access(NULL, 0xFED003FF, 1, false, &v));
	assert_int_equal(b.calls, 1);
}

static void test_unclaimed_and_straddling(void **state)
{
	(void)state;
	uint64_t v = 0;
	unsigned before = a.calls + b.calls;

	assert_false(mmio_bus_access(NULL, 0xFEBFFFFF, 1, false, &v));   /* just below a */
	assert_false(mmio_bus_access(NULL, 0xFEC01000, 4, false, &v));   /* just above a */
	assert_false(mmio_bus_access(NULL, 0xFEC00FFC, 8, true, &v));    /* runs past a's end */
	assert_false(mmio_bus_access(NULL, 0xFED00400, 2, false, &v));   /* just above b */
	assert_int_equal(a.calls + b.calls, before);
}

static void test_full(void **state)
{
	(void)state;
	struct mmio_device d = { "n", 0, 0x10, fake_access, &b };
	int err = 0;

	for (uint64_t i = 0; i < 64 && !err; i++) {
		d.base = 0x100000000ULL + i * 0x1000;
		err = mmio_bus_register(&d);
	}
	assert_int_equal(err, -E_NOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_dispatch),
		cmocka_unit_test(test_unclaimed_and_straddling),
		cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
