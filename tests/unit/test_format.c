/*
 * fmt_snprintf/fmt_vsnprintf (core/format.c) against the host C library.
 *
 * Each check formats the same format and arguments with both, at the full
 * buffer size and at a random smaller size, and compares the returned
 * lengths, the text with its NUL, and that nothing was written past the NUL.
 * The truncation test compares at every size from 0 to the length + 1.
 *
 * C leaves some combinations undefined ('0' with %s, '#' with %d, a
 * precision with %c) and the output of %p and of NULL strings to the
 * implementation. core/format.c follows glibc there; those cases are
 * compared only when the host C library is glibc, and the NULL cases also
 * have explicit expected strings. Formats the kernel does not support have
 * explicit expected strings too: they print as written.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <plinth/format.h>

#ifdef __GLIBC__
#define HOST_IS_GLIBC true
#else
#define HOST_IS_GLIBC false
#endif

#define BUF_SIZE 256
#define FILL 0x5a	 /* marks bytes that must not be written */
#define MAX_REPORTS 20	 /* mismatches printed per test */
#define RANDOM_RUNS 100000
#define RANDOM_SEED 0x706c696e7468ULL

/* ---- Comparing with the C library ---------------------------------------- */

/* What one call returned and the buffer it wrote (filled with FILL first). */
struct output {
	int len;
	char buf[BUF_SIZE];
};

static unsigned int mismatches; /* in the current test */
static unsigned long comparisons; /* in the current test */
static bool all_sizes;		/* compare at every size, not one random */
static int teardown(void **state)
{
	(void)state;
	if (comparisons)
		print_message("  %lu comparisons with libc\n", comparisons);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	mismatches = 0;
	comparisons = 0;
	all_sizes = false;
	rng_seed(RANDOM_SEED);
	return 0;
}

/* Returns what is wrong with `got` given libc's `want`, or NULL if nothing. */
static const char *output_problem(size_t size, const struct output *want,
				  const struct output *got)
{
	size_t stored = 0;

	if (want->len < 0)
		return "libc failed: the test built a bad format";
	if (got->len != want->len)
		return "returned length differs";
	if (size > 0) {
		stored = MIN((size_t)want->len, size - 1);
		if (memcmp(got->buf, want->buf, stored) != 0)
			return "text differs";
		if (got->buf[stored] != '\0')
			return "not NUL-terminated";
		stored++;
	}
	for (size_t i = stored; i < BUF_SIZE; i++) {
		if ((unsigned char)got->buf[i] != FILL)
			return "wrote past the end";
	}
	return NULL;
}

/* Printable copy of `n` bytes of `s`, for failure messages. */
static const char *escaped(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

static void report(const char *problem, const char *fmt, size_t size,
		   const struct output *want, const struct output *got)
{
	char f[BUF_SIZE * 4], w[BUF_SIZE * 4], g[BUF_SIZE * 4];
	size_t shown = size == 0 ? 0 : MIN(size, (size_t)BUF_SIZE);

	if (mismatches++ >= MAX_REPORTS)
		return;
	print_error("%s: format \"%s\" size %zu\n"
		    "  libc %d \"%s\"\n  fmt  %d \"%s\"\n",
		    problem, escaped(fmt, strlen(fmt), f, sizeof(f)), size,
		    want->len, escaped(want->buf, shown, w, sizeof(w)),
		    got->len, escaped(got->buf, shown, g, sizeof(g)));
}

/* Compares at one size; returns libc's length, or -1 after a mismatch. */
static int compare_at(size_t size, const char *fmt, va_list ap)
{
	struct output want, got;
	va_list for_libc, for_fmt;
	const char *problem;

	memset(want.buf, FILL, BUF_SIZE);
	memset(got.buf, FILL, BUF_SIZE);
	va_copy(for_libc, ap);
	va_copy(for_fmt, ap);
	want.len = vsnprintf(want.buf, size, fmt, for_libc);
	got.len = fmt_vsnprintf(got.buf, size, fmt, for_fmt);
	va_end(for_libc);
	va_end(for_fmt);

	comparisons++;
	problem = output_problem(size, &want, &got);
	if (problem) {
		report(problem, fmt, size, &want, &got);
		return -1;
	}
	return want.len;
}

static void check(const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = compare_at(BUF_SIZE, fmt, ap);
	if (len >= BUF_SIZE)
		fail_msg("format \"%s\" makes %d chars: too long for the test",
			 fmt, len);
	if (len >= 0 && all_sizes) {
		for (size_t size = 0; size <= (size_t)len + 1; size++) {
			if (compare_at(size, fmt, ap) < 0)
				break;
		}
	} else if (len >= 0) {
		compare_at(rng_below((uint64_t)len + 2), fmt, ap);
	}
	va_end(ap);
}

/* ---- Conversions with typed arguments ------------------------------------ */

enum arg_kind {
	ARG_INT,
	ARG_UINT,
	ARG_LONG,
	ARG_ULONG,
	ARG_LLONG,
	ARG_ULLONG,
	ARG_SSIZE,
	ARG_SIZE,
	ARG_PTRDIFF,
	ARG_INTMAX,
	ARG_UINTMAX,
	ARG_STRING,
	ARG_POINTER,
};

/* The argument one conversion takes, after up to two '*' values. */
struct conv_args {
	int nstars;
	int stars[2];
	enum arg_kind kind;
	uint64_t value; /* integers and pointers, converted to the kind */
	const char *string;
};

#define CHECK_WITH(a, arg)                                                \
	do {                                                              \
		if ((a)->nstars == 0)                                     \
			check(fmt, arg);                                  \
		else if ((a)->nstars == 1)                                \
			check(fmt, (a)->stars[0], arg);                   \
		else                                                      \
			check(fmt, (a)->stars[0], (a)->stars[1], arg);    \
	} while (0)

static void check_conversion(const char *fmt, const struct conv_args *a)
{
	uint64_t v = a->value;

	switch (a->kind) {
	case ARG_INT:
		CHECK_WITH(a, (int)v);
		break;
	case ARG_UINT:
		CHECK_WITH(a, (unsigned int)v);
		break;
	case ARG_LONG:
		CHECK_WITH(a, (long)v);
		break;
	case ARG_ULONG:
		CHECK_WITH(a, (unsigned long)v);
		break;
	case ARG_LLONG:
		CHECK_WITH(a, (long long)v);
		break;
	case ARG_ULLONG:
		CHECK_WITH(a, (unsigned long long)v);
		break;
	case ARG_SSIZE:
		CHECK_WITH(a, (ssize_t)v);
		break;
	case ARG_SIZE:
		CHECK_WITH(a, (size_t)v);
		break;
	case ARG_PTRDIFF:
		CHECK_WITH(a, (ptrdiff_t)v);
		break;
	case ARG_INTMAX:
		CHECK_WITH(a, (intmax_t)v);
		break;
	case ARG_UINTMAX:
		CHECK_WITH(a, (uintmax_t)v);
		break;
	case ARG_STRING:
		CHECK_WITH(a, a->string);
		break;
	case ARG_POINTER:
		CHECK_WITH(a, (void *)(uintptr_t)v);
		break;
	}
}

static bool is_signed_conv(char conv)
{
	return conv == 'd' || conv == 'i';
}

/* The C type a conversion with this length modifier reads. */
static enum arg_kind arg_kind_for(char conv, const char *length)
{
	bool is_signed = is_signed_conv(conv);

	if (conv == 'c')
		return ARG_INT;
	if (conv == 's')
		return ARG_STRING;
	if (conv == 'p')
		return ARG_POINTER;
	if (strcmp(length, "l") == 0)
		return is_signed ? ARG_LONG : ARG_ULONG;
	if (strcmp(length, "ll") == 0)
		return is_signed ? ARG_LLONG : ARG_ULLONG;
	if (strcmp(length, "z") == 0)
		return is_signed ? ARG_SSIZE : ARG_SIZE;
	if (strcmp(length, "t") == 0)
		return is_signed ? ARG_PTRDIFF : ARG_SIZE;
	if (strcmp(length, "j") == 0)
		return is_signed ? ARG_INTMAX : ARG_UINTMAX;
	return is_signed ? ARG_INT : ARG_UINT; /* none, h and hh: promoted */
}

/* A width or precision: a number, or one of these. */
#define FIELD_NONE (-1)
#define FIELD_STAR (-2)
#define PREC_DOT (-3) /* a '.' alone, which means precision 0 */

struct spec {
	const char *flags;
	int width;
	int prec;
	const char *length;
	char conv;
};

static void build_format(char *out, size_t cap, const char *before,
			 const struct spec *s, const char *after)
{
	int n = snprintf(out, cap, "%s%%%s", before, s->flags);

	if (s->width == FIELD_STAR)
		n += snprintf(out + n, cap - (size_t)n, "*");
	else if (s->width >= 0)
		n += snprintf(out + n, cap - (size_t)n, "%d", s->width);
	if (s->prec == FIELD_STAR)
		n += snprintf(out + n, cap - (size_t)n, ".*");
	else if (s->prec == PREC_DOT)
		n += snprintf(out + n, cap - (size_t)n, ".");
	else if (s->prec >= 0)
		n += snprintf(out + n, cap - (size_t)n, ".%d", s->prec);
	snprintf(out + n, cap - (size_t)n, "%s%c%s", s->length, s->conv, after);
}

/* The flags in `all` selected by the bits of `mask`. */
static const char *flag_subset(const char *all, unsigned int mask, char *out)
{
	size_t n = 0;

	for (size_t i = 0; all[i]; i++) {
		if (mask & (1u << i))
			out[n++] = all[i];
	}
	out[n] = '\0';
	return out;
}

/* ---- Test data ----------------------------------------------------------- */

static const uint64_t interesting_values[] = {
	0, 1, 2, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, 255, 256,
	32767, 32768, 65535, 65536, 999999, INT_MAX, (uint64_t)INT_MAX + 1,
	UINT_MAX, (uint64_t)UINT_MAX + 1, 0x123456789abcdefULL,
	1000000000000000000ULL, LLONG_MAX, (uint64_t)LLONG_MIN, ULLONG_MAX,
	(uint64_t)-2, (uint64_t)-10, (uint64_t)-128, (uint64_t)-129,
	(uint64_t)-32768, (uint64_t)INT_MIN, (uint64_t)INT_MIN - 1,
};

static const char *const lengths[] = {
	"", "hh", "h", "l", "ll", "z", "t", "j",
};
static const int widths[] = { FIELD_NONE, 1, 2, 6, 23 };
static const int precs[] = { FIELD_NONE, PREC_DOT, 0, 1, 4, 22 };

static const char long_text[] =
	"a string longer than any width the tests use: 0123456789 "
	"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char *const strings[] = {
	"", "x", "hello", "with space", "tab\there", "%d %s", "\xe9t\xe9",
	long_text,
};
static const int chars[] = { 'A', ' ', '%', '\0', 0x7f, 0xe9, 0x141, -1 };

/* ---- Integer conversions ------------------------------------------------- */

/* '#' is undefined with d, i and u; glibc ignores it (test_glibc_extras). */
static const char *flags_for(char conv)
{
	return (conv == 'o' || conv == 'x' || conv == 'X') ? "-+ #0" : "-+ 0";
}

/* Checks one spec with every test value its conversion takes. */
static void check_spec_values(const struct spec *s)
{
	struct conv_args a = { .kind = arg_kind_for(s->conv, s->length) };
	char fmt[64];

	build_format(fmt, sizeof(fmt), "[", s, "]");
	switch (s->conv) {
	case 'c':
		for (size_t i = 0; i < ARRAY_SIZE(chars); i++) {
			a.value = (uint64_t)chars[i];
			check_conversion(fmt, &a);
		}
		break;
	case 's':
		for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
			a.string = strings[i];
			check_conversion(fmt, &a);
		}
		if (HOST_IS_GLIBC) {
			a.string = NULL;
			check_conversion(fmt, &a);
		}
		break;
	default: /* integers; for %p the value 0 is NULL */
		for (size_t i = 0; i < ARRAY_SIZE(interesting_values); i++) {
			a.value = interesting_values[i];
			check_conversion(fmt, &a);
		}
		break;
	}
}

/* Every width and precision of the tables, for one conversion and flags. */
static void check_fields(const char *flags, const char *length, char conv)
{
	for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
		for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
			struct spec s = { flags, widths[w], precs[p], length,
					  conv };

			check_spec_values(&s);
		}
	}
}

static void test_integer_grid(void **state)
{
	char flags[8];
	(void)state;

	for (const char *conv = "diuoxX"; *conv; conv++) {
		const char *all = flags_for(*conv);

		for (size_t l = 0; l < ARRAY_SIZE(lengths); l++) {
			unsigned int sets = 1u << strlen(all);

			for (unsigned int mask = 0; mask < sets; mask++)
				check_fields(flag_subset(all, mask, flags),
					     lengths[l], *conv);
		}
	}
	assert_int_equal(mismatches, 0);
}

/* One format with '*' fields: every star value (or pair), a few arguments. */
static void check_star_format(const char *fmt)
{
	static const int star_values[] = { -30, -7, -1, 0, 1, 7, 30 };
	const size_t n = ARRAY_SIZE(star_values);
	const char *length = strstr(fmt, "ll") ? "ll" :
			     strstr(fmt, "hh") ? "hh" : "";
	char conv = fmt[strlen(fmt) - 1];
	struct conv_args a = { .kind = arg_kind_for(conv, length) };

	a.nstars = strchr(fmt, '*') == strrchr(fmt, '*') ? 1 : 2;
	/* With two stars, i walks every pair. */
	for (size_t i = 0; i < (a.nstars == 2 ? n * n : n); i++) {
		a.stars[0] = star_values[i % n];
		a.stars[1] = star_values[i / n];
		for (size_t v = 0; v < ARRAY_SIZE(chars); v++) {
			a.value = conv == 'c' ? (uint64_t)chars[v] :
						interesting_values[v * 4];
			a.string = strings[v % ARRAY_SIZE(strings)];
			check_conversion(fmt, &a);
		}
	}
}

/* '*' widths and precisions, negative ones included. */
static void test_star_fields(void **state)
{
	static const char *const star_formats[] = {
		"%*d", "%-*d", "%0*d", "%.*d", "%*.*d", "%-*.*i", "%+0*.*d",
		"%#*x", "%#.*o", "%0*.*llx", "%*.*hhu", "%*c", "%-*c", "%*s",
		"%.*s", "%-*.*s",
	};
	(void)state;

	for (size_t f = 0; f < ARRAY_SIZE(star_formats); f++)
		check_star_format(star_formats[f]);
	assert_int_equal(mismatches, 0);
}

/* ---- %c, %s and %% ------------------------------------------------------- */

static void test_char_and_string_grid(void **state)
{
	static const char *const flag_sets[] = { "", "-", "--", "- -+" };
	(void)state;

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		check_fields(flag_sets[f], "", 's');
		/* No precision: it is undefined with %c. */
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			struct spec c = { flag_sets[f], widths[w], FIELD_NONE,
					  "", 'c' };

			check_spec_values(&c);
		}
	}
	check("%%");
	check("100%% %d%%", 5);
	check("%%%%%%");
	assert_int_equal(mismatches, 0);
}

/* Several conversions in one format take their arguments in order. */
static void test_mixed_formats(void **state)
{
	int x = 0;
	(void)state;

	check("%d %s %x %c %p %% %lu %-5s|%05.2x|", -42, "str", 0xbeefu, 'z',
	      (void *)&x, 123456789UL, "ab", 7u);
	check("%hhd %hd %ld %lld %zd %td %jd", 300, 70000, -5L, LLONG_MIN,
	      (ssize_t)-3, (ptrdiff_t)-4, INTMAX_MIN);
	check("%hhx %hX %lo %llX %zu %tx %jx", 0x1ffu, 0x12345u, 8UL,
	      ULLONG_MAX, SIZE_MAX, (ptrdiff_t)PTRDIFF_MAX, UINTMAX_MAX);
	check("%*d|%-*s|%.*s|%*.*x", 5, 1, 6, "ab", 3, "abcdef", 8, 4, 0xabu);
	check("no conversions at all");
	check("");
	assert_int_equal(mismatches, 0);
}

/* ---- Truncation ---------------------------------------------------------- */

static void test_truncation(void **state)
{
	char buf[8];
	(void)state;

	all_sizes = true; /* check() compares at every size 0 .. length + 1 */
	check("hello");
	check("%d", INT_MIN);
	check("%-10s|", "ab");
	check("%#012llx", 0x1234ULL);
	check("[%c]", 'q');
	check("%s%s%s", "one", "two", "three");
	check("%c", '\0');
	check("%c%c", '\0', 'x');
	check("%5c%%", '\0');
	all_sizes = false;

	/* Size 0 may come with a NULL buffer. */
	assert_int_equal(fmt_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	/* Size 0 never writes; size 1 writes only the NUL. */
	memset(buf, FILL, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 0, "xyz"), 3);
	assert_int_equal((unsigned char)buf[0], FILL);
	assert_int_equal(fmt_snprintf(buf, 1, "xyz"), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal((unsigned char)buf[1], FILL);
	assert_int_equal(mismatches, 0);
}

/* ---- Randomized ---------------------------------------------------------- */

static const char *random_literal(void)
{
	static const char *const pieces[] = {
		"", "", "a", "xy", " ", "%%", "-",
	};

	return pieces[rng_below(ARRAY_SIZE(pieces))];
}

static uint64_t random_value(void)
{
	switch (rng_below(4)) {
	case 0:
		return interesting_values[rng_below(
			ARRAY_SIZE(interesting_values))];
	case 1:
		return rng_next() >> rng_below(64);
	case 2:
		return 0 - (rng_next() >> rng_below(64));
	default:
		return rng_below(1000);
	}
}

static int random_field(int max)
{
	switch (rng_below(4)) {
	case 0:
		return FIELD_NONE;
	case 1:
		return FIELD_STAR;
	default:
		return (int)rng_below((uint64_t)max + 1);
	}
}

static int random_star(void)
{
	return (int)rng_below(61) - 30;
}

/* Flags C defines for a conversion; with glibc, also what it ignores. */
static const char *random_flags(char conv, char *out)
{
	const char *all;
	size_t n = rng_below(4);

	if (HOST_IS_GLIBC)
		all = "-+ #0";
	else if (conv == 'c' || conv == 's')
		all = "-+ ";
	else
		all = flags_for(conv);
	for (size_t i = 0; i < n; i++)
		out[i] = all[rng_below(strlen(all))];
	out[n] = '\0';
	return out;
}

static void check_random_conversion(void)
{
	static const char convs_c[] = "diuoxXcs";
	static const char convs_glibc[] = "diuoxXcsp";
	const char *convs = HOST_IS_GLIBC ? convs_glibc : convs_c;
	char flags[8], fmt[96];
	char conv = convs[rng_below(strlen(convs))];
	bool numeric = conv != 'c' && conv != 's' && conv != 'p';
	struct spec s = {
		.flags = random_flags(conv, flags),
		.width = random_field(30),
		.prec = random_field(30),
		.length = numeric ? lengths[rng_below(ARRAY_SIZE(lengths))] :
				    "",
		.conv = conv,
	};
	struct conv_args a = { .kind = arg_kind_for(conv, s.length) };
	char before[8], after[8];

	/* A precision with %c is undefined; glibc ignores it. */
	if (conv == 'c' && !HOST_IS_GLIBC)
		s.prec = FIELD_NONE;
	if (s.prec == 0 && rng_below(2))
		s.prec = PREC_DOT;
	if (s.width == FIELD_STAR)
		a.stars[a.nstars++] = random_star();
	if (s.prec == FIELD_STAR)
		a.stars[a.nstars++] = random_star();
	a.value = conv == 'c' ? (uint64_t)chars[rng_below(ARRAY_SIZE(chars))] :
				random_value();
	if (conv == 'p' && rng_below(8) == 0)
		a.value = 0; /* NULL prints "(nil)" in glibc */
	a.string = strings[rng_below(ARRAY_SIZE(strings))];
	if (conv == 's' && HOST_IS_GLIBC && rng_below(8) == 0)
		a.string = NULL; /* "(null)" in glibc */

	snprintf(before, sizeof(before), "%s%s", random_literal(),
		 random_literal());
	snprintf(after, sizeof(after), "%s%s", random_literal(),
		 random_literal());
	build_format(fmt, sizeof(fmt), before, &s, after);
	check_conversion(fmt, &a);
}

static void test_random_formats(void **state)
{
	(void)state;
	for (int i = 0; i < RANDOM_RUNS && mismatches == 0; i++)
		check_random_conversion();
	if (mismatches)
		print_error("random formats: seed %#llx\n",
			    (unsigned long long)RANDOM_SEED);
	assert_int_equal(mismatches, 0);
}

/* ---- glibc's choices where C leaves them open ---------------------------- */

/*
 * glibc: "(null)" for a NULL %s (nothing if the precision is below 6),
 * "(nil)" for a NULL %p, "0x" and lowercase hex for other pointers, with
 * '+', ' ', '0' and a precision applied as for numbers. Spelled out here so
 * that the kernel's behaviour does not depend on the host libc.
 */
static void assert_formats_to(const char *want, const char *fmt, ...)
{
	char buf[BUF_SIZE];
	va_list ap;
	int len;

	memset(buf, FILL, sizeof(buf));
	va_start(ap, fmt);
	len = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len != (int)strlen(want) || strcmp(buf, want) != 0)
		fail_msg("format \"%s\": want %d \"%s\", got %d \"%s\"", fmt,
			 (int)strlen(want), want, len, buf);
}

static void test_null_and_pointers(void **state)
{
	const char *null_string = NULL;
	void *null_ptr = NULL;
	(void)state;

	assert_formats_to("(null)", "%s", null_string);
	assert_formats_to("  (null)|", "%8s|", null_string);
	assert_formats_to("(null)  |", "%-8s|", null_string);
	assert_formats_to("(null)", "%.6s", null_string);
	assert_formats_to("|", "%.5s|", null_string);
	assert_formats_to("   |", "%3.2s|", null_string);
	assert_formats_to("(nil)", "%p", null_ptr);
	assert_formats_to("   (nil)|", "%8p|", null_ptr);
	assert_formats_to("(nil)   |", "%-8p|", null_ptr);
	assert_formats_to("   (nil)", "%08p", null_ptr);
	assert_formats_to("(nil)", "%+.2p", null_ptr);
	assert_formats_to("0x1234", "%p", (void *)0x1234);
	assert_formats_to("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	assert_formats_to("+0x00000000abc", "%+014p", (void *)0xabc);
	assert_formats_to("  0x00abc", "%9.5p", (void *)0xabc);
	assert_formats_to("0xabc    |", "%-9p|", (void *)0xabc);
}

/*
 * What C leaves undefined and glibc ignores: '#' with d, i, u, c and s, '0'
 * with c and s, a precision with c; and %p with every flag.
 */
static void test_glibc_extras(void **state)
{
	static const char *const glibc_flags[] = {
		"", "#", "0", "+", " ", "-0", "#0", "+ #0", "-+ #0",
	};
	(void)state;

	if (!HOST_IS_GLIBC)
		skip();
	for (size_t f = 0; f < ARRAY_SIZE(glibc_flags); f++) {
		for (const char *conv = "diucsp"; *conv; conv++)
			check_fields(glibc_flags[f], "", *conv);
	}
	assert_int_equal(mismatches, 0);
}

/* ---- What the kernel does not support ------------------------------------ */

/*
 * Unsupported or malformed conversions print as written and take no
 * argument (not even for '*'): the %d after each one gets the 7.
 */
static void test_unsupported_prints_literally(void **state)
{
	static const char *const specs[] = {
		"%f", "%e", "%E", "%g", "%G", "%a", "%A", "%n", "%m", "%C",
		"%S",
		"%y", "%Lf", "%5.3y", "%-08.2f", "%*f", "%.*f", "%*.*e", "%lc",
		"%ls", "%hhs", "%lp", "%l%", "%5%", "%-%", "%.2%", "%5*",
		"%.-", "%q", "%lll", "%hhh", "%jz",
	};
	char fmt[32], want[32];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		snprintf(fmt, sizeof(fmt), "<%s|%%d>", specs[i]);
		snprintf(want, sizeof(want), "<%s|7>", specs[i]);
		assert_formats_to(want, fmt, 7);
	}
	assert_formats_to("%llld 7", "%llld %d", 7);
	assert_formats_to("%5*d 7", "%5*d %d", 7);
	assert_formats_to("%y7%", "%y%d%", 7);
	/* A format that ends inside a conversion. */
	assert_formats_to("abc%", "abc%");
	assert_formats_to("abc%-5", "abc%-5");
	assert_formats_to("abc%.", "abc%.");
	assert_formats_to("abc%ll", "abc%ll");
	assert_formats_to("%", "%");
}

/* fmt_snprintf without the format attribute: GCC would reject these. */
static int unchecked_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

/* Results longer than INT_MAX cannot be returned: -1, as glibc does. */
static void test_length_overflow(void **state)
{
	char buf[16];
	(void)state;

	assert_int_equal(unchecked_format(buf, sizeof(buf), "%2147483647d", 1),
			 INT_MAX);
	assert_string_equal(buf, "               ");
	assert_int_equal(unchecked_format(buf, sizeof(buf), "%.*d", INT_MAX, 1),
			 INT_MAX);
	assert_string_equal(buf, "000000000000000");
	/* A negative '*' width left-justifies. */
	assert_int_equal(unchecked_format(buf, 4, "%*d", INT_MIN + 1, 1),
			 INT_MAX);
	assert_string_equal(buf, "1  ");
	assert_int_equal(unchecked_format(NULL, 0, "%2147483647d%d", 1, 2), -1);
	assert_int_equal(unchecked_format(buf, 16, "ab%2147483648d", 1), -1);
	assert_string_equal(buf, "ab             ");
	assert_int_equal(unchecked_format(buf, sizeof(buf),
					  "%99999999999999999999d", 1), -1);
	assert_int_equal(unchecked_format(buf, sizeof(buf), "%.2147483648d", 1),
			 -1);
	assert_int_equal(unchecked_format(buf, 16, "%*d", INT_MIN, 1), -1);
	assert_int_equal(unchecked_format(buf, 16, "x%*d", INT_MIN + 1, 1), -1);
}

/* A few C rules spelled out, independent of any libc. */
static void test_c_rules(void **state)
{
	(void)state;
	assert_formats_to("0", "%#o", 0);
	assert_formats_to("0", "%#.0o", 0);
	assert_formats_to("010", "%#o", 8);
	assert_formats_to("00010", "%#.5o", 8);
	assert_formats_to("", "%.0d", 0);
	assert_formats_to("   ", "%3.0x", 0);
	assert_formats_to("0", "%#x", 0);
	assert_formats_to("0x00ff", "%#06x", 255);
	assert_formats_to("0X0FF", "%#.3X", 255);
	assert_formats_to("+005", "%+.3d", 5);
	assert_formats_to("+42   |", "%-+6d|", 42);
	assert_formats_to("     042", "%08.3d", 42);
	assert_formats_to("-0042", "%05d", -42);
	assert_formats_to(" 5", "% d", 5);
	assert_formats_to("+5", "%+ d", 5);
	assert_formats_to("7", "%+u", 7u);
	assert_formats_to("-1", "%hhd", 255);
	assert_formats_to("0", "%hhu", 256);
	assert_formats_to("-32768", "%hd", 32768);
	assert_formats_to("-9223372036854775808", "%jd", INTMAX_MIN);
	assert_formats_to("18446744073709551615", "%zu", SIZE_MAX);
	assert_formats_to("1777777777777777777777", "%llo", ULLONG_MAX);
	assert_formats_to("ab   |", "%-*s|", 5, "ab");
	assert_formats_to("   ab|", "%*s|", 5, "ab");
	assert_formats_to("ab   |", "%*s|", -5, "ab");
	assert_formats_to("abcdef", "%.*s", -1, "abcdef");
	assert_formats_to("abc", "%.*s", 3, "abcdef");
	assert_formats_to("5", "%.*d", INT_MIN, 5);
}

/* A %s precision bounds the read: the array need not be terminated. */
static void test_string_precision_reads_no_further(void **state)
{
	char *unterminated = malloc(4); /* ASan catches a read past it */
	(void)state;

	assert_non_null(unterminated);
	memcpy(unterminated, "abcd", 4);
	assert_formats_to("abcd", "%.4s", unterminated);
	assert_formats_to("ab", "%.2s", unterminated);
	assert_formats_to("  abcd", "%6.*s", 4, unterminated);
	free(unterminated);
}

/* The comparison reports every kind of difference, so the tests can fail. */
static void test_comparison_catches_differences(void **state)
{
	static struct output want, got;
	(void)state;

	memset(want.buf, FILL, BUF_SIZE);
	memcpy(want.buf, "hello", 6);
	want.len = 5;
	got = want;
	assert_null(output_problem(BUF_SIZE, &want, &got));

	got.len = 6;
	assert_non_null(output_problem(BUF_SIZE, &want, &got));
	got = want;
	got.buf[3] = 'L';
	assert_non_null(output_problem(BUF_SIZE, &want, &got));
	got = want;
	got.buf[5] = 'x';
	assert_non_null(output_problem(BUF_SIZE, &want, &got));
	got = want;
	got.buf[7] = 'x';
	assert_non_null(output_problem(BUF_SIZE, &want, &got));
	got = want;
	assert_non_null(output_problem(0, &want, &got)); /* size 0 wrote */
	want.len = -1;
	assert_non_null(output_problem(BUF_SIZE, &want, &got));

	/* Truncated to size 4: "hel" and the NUL, still returning 5. */
	memset(want.buf, FILL, BUF_SIZE);
	memcpy(want.buf, "hel", 4);
	want.len = 5;
	got = want;
	assert_null(output_problem(4, &want, &got));
	got.buf[4] = 'l'; /* the untruncated text went on */
	assert_non_null(output_problem(4, &want, &got));
	got = want;
	got.len = 3;
	assert_non_null(output_problem(4, &want, &got));
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(test_comparison_catches_differences),
		TEST(test_integer_grid),
		TEST(test_star_fields),
		TEST(test_char_and_string_grid),
		TEST(test_mixed_formats),
		TEST(test_truncation),
		TEST(test_random_formats),
		TEST(test_null_and_pointers),
		TEST(test_glibc_extras),
		TEST(test_unsupported_prints_literally),
		TEST(test_length_overflow),
		TEST(test_c_rules),
		TEST(test_string_precision_reads_no_further),
	};
#undef TEST

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
