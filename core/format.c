/*
 * printf-style formatting for the kernel (see plinth/format.h).
 *
 * Each conversion is parsed completely before any argument is read, so a
 * conversion we do not support can be printed as written without taking an
 * argument for it (not even for a '*' width).
 */
#include <plinth/format.h>
#include <plinth/string.h>

/* Outputs longer than this cannot be reported in an int. */
#define FMT_MAX_LEN ((size_t)__INT_MAX__)

_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t),
	       "%zd and %tu read the other type of the same width");

/*
 * Counts every character but stores only what fits (leaving room for the
 * NUL), which gives snprintf's "length the full output would have" for free.
 */
struct sink {
	char *buf;
	size_t size;
	size_t len;
};

enum length_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct conv_spec {
	bool left;	/* '-' */
	bool plus;	/* '+' */
	bool space;	/* ' ' */
	bool alt;	/* '#' */
	bool zero;	/* '0' */
	bool width_arg; /* width is '*' */
	bool prec_arg;	/* precision is '*' */
	bool has_prec;
	size_t width;
	size_t prec;
	enum length_mod length;
	char conv; /* conversion character, '\0' if the format ended early */
};

static void put_char(struct sink *out, char c)
{
	if (out->len + 1 < out->size)
		out->buf[out->len] = c;
	out->len++;
}

static void put_chars(struct sink *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(out, s[i]);
}

/* Widths can be huge ("%2000000000d"): store what fits, just count the rest. */
static void put_repeated(struct sink *out, char c, size_t count)
{
	for (; count > 0 && out->len + 1 < out->size; count--)
		out->buf[out->len++] = c;
	out->len += count;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Stops growing once past FMT_MAX_LEN: such a field overflows the result. */
static size_t parse_count(const char **p)
{
	size_t n = 0;

	for (; is_digit(**p); (*p)++) {
		if (n <= FMT_MAX_LEN)
			n = n * 10 + (size_t)(**p - '0');
	}
	return n;
}

static enum length_mod parse_length(const char **p)
{
	const char *s = *p;
	enum length_mod len = LEN_NONE;

	switch (*s) {
	case 'h':
		len = s[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		len = s[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'z':
		len = LEN_Z;
		break;
	case 't':
		len = LEN_T;
		break;
	case 'j':
		len = LEN_J;
		break;
	default:
		return LEN_NONE;
	}
	*p += (len == LEN_HH || len == LEN_LL) ? 2 : 1;
	return len;
}

/* Parses what follows a '%'; returns the first character after the spec. */
static const char *parse_spec(const char *p, struct conv_spec *spec)
{
	*spec = (struct conv_spec){ .length = LEN_NONE };
	for (;; p++) {
		if (*p == '-')
			spec->left = true;
		else if (*p == '+')
			spec->plus = true;
		else if (*p == ' ')
			spec->space = true;
		else if (*p == '#')
			spec->alt = true;
		else if (*p == '0')
			spec->zero = true;
		else
			break;
	}
	if (*p == '*') {
		spec->width_arg = true;
		p++;
	} else {
		spec->width = parse_count(&p);
	}
	if (*p == '.') {
		p++;
		spec->has_prec = true;
		if (*p == '*') {
			spec->prec_arg = true;
			p++;
		} else {
			spec->prec = parse_count(&p);
		}
	}
	spec->length = parse_length(&p);
	spec->conv = *p;
	return *p == '\0' ? p : p + 1;
}

static bool spec_is_supported(const struct conv_spec *spec, size_t spec_len)
{
	switch (spec->conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		return true;
	case 'c':
	case 's':
	case 'p':
		/* %lc and %ls would be wide characters. */
		return spec->length == LEN_NONE;
	case '%':
		return spec_len == 2; /* only a bare "%%" */
	default:
		return false;
	}
}

static intmax_t read_signed(enum length_mod length, va_list *ap)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_NONE:
		return va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z: /* the signed type of size_t's width */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	}
	return 0;
}

static uintmax_t read_unsigned(enum length_mod length, va_list *ap)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_NONE:
		return va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
	case LEN_T: /* the unsigned type of ptrdiff_t's width */
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	}
	return 0;
}

/* Width padding around text; the '0' flag and precision do not apply. */
static void format_text(struct sink *out, const struct conv_spec *spec,
			const char *s, size_t len)
{
	size_t pad = spec->width > len ? spec->width - len : 0;

	if (!spec->left)
		put_repeated(out, ' ', pad);
	put_chars(out, s, len);
	if (spec->left)
		put_repeated(out, ' ', pad);
}

static void format_string(struct sink *out, const struct conv_spec *spec,
			  const char *s)
{
	/* Like glibc: "(null)", but nothing if the precision would cut it. */
	if (!s)
		s = (!spec->has_prec || spec->prec >= 6) ? "(null)" : "";
	format_text(out, spec, s,
		    spec->has_prec ? strnlen(s, spec->prec) : strlen(s));
}

/*
 * Layout: [spaces] [sign] [0x] [zeros] digits [spaces]. The sign comes from
 * the caller so that %p can take '+' and ' ' as glibc does.
 */
static void format_integer(struct sink *out, const struct conv_spec *spec,
			   uintmax_t value, char sign)
{
	const char *digit_chars =
		spec->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = 10;
	const char *prefix = "";
	char digits[24]; /* 64 bits take 22 octal digits */
	char *first = digits + sizeof(digits);

	if (spec->conv == 'o')
		base = 8;
	else if (spec->conv == 'x' || spec->conv == 'X' || spec->conv == 'p')
		base = 16;
	if (value != 0 && (spec->alt || spec->conv == 'p') && base == 16)
		prefix = spec->conv == 'X' ? "0X" : "0x";

	/* C: a zero with precision 0 prints no digits at all. */
	if (value != 0 || !spec->has_prec || spec->prec != 0) {
		do {
			*--first = digit_chars[value % base];
			value /= base;
		} while (value != 0);
	}
	size_t ndigits = (size_t)(digits + sizeof(digits) - first);
	size_t zeros = spec->has_prec && spec->prec > ndigits ?
			       spec->prec - ndigits : 0;
	/* '#' with 'o' makes the first digit printed a zero. */
	if (spec->alt && base == 8 && zeros == 0 &&
	    (ndigits == 0 || *first != '0'))
		zeros = 1;

	size_t prefix_len = strlen(prefix);
	size_t body = (sign ? 1 : 0) + prefix_len + zeros + ndigits;
	size_t pad = spec->width > body ? spec->width - body : 0;
	/* '0' pads after sign and prefix; '-' or a precision turns it off. */
	if (spec->zero && !spec->left && !spec->has_prec) {
		zeros += pad;
		pad = 0;
	}

	if (!spec->left)
		put_repeated(out, ' ', pad);
	if (sign)
		put_char(out, sign);
	put_chars(out, prefix, prefix_len);
	put_repeated(out, '0', zeros);
	put_chars(out, first, ndigits);
	if (spec->left)
		put_repeated(out, ' ', pad);
}

static char sign_for(const struct conv_spec *spec, bool negative)
{
	if (negative)
		return '-';
	if (spec->plus)
		return '+';
	return spec->space ? ' ' : '\0';
}

static void format_conversion(struct sink *out, struct conv_spec *spec,
			      va_list *ap)
{
	if (spec->width_arg) {
		int width = va_arg(*ap, int);

		/* A negative '*' width means '-' and its magnitude. */
		if (width < 0)
			spec->left = true;
		spec->width = width < 0 ? 0u - (unsigned int)width :
					  (unsigned int)width;
	}
	if (spec->prec_arg) {
		int prec = va_arg(*ap, int);

		/* A negative '*' precision counts as no precision. */
		spec->has_prec = prec >= 0;
		spec->prec = prec >= 0 ? (size_t)prec : 0;
	}

	switch (spec->conv) {
	case 'd':
	case 'i': {
		intmax_t value = read_signed(spec->length, ap);
		/* Negate as unsigned: -INTMAX_MIN does not fit in intmax_t. */
		uintmax_t magnitude = value < 0 ? 0 - (uintmax_t)value :
						  (uintmax_t)value;

		format_integer(out, spec, magnitude, sign_for(spec, value < 0));
		break;
	}
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		format_integer(out, spec, read_unsigned(spec->length, ap),
			       '\0');
		break;
	case 'p': {
		const void *ptr = va_arg(*ap, const void *);

		if (ptr)
			format_integer(out, spec, (uintptr_t)ptr,
				       sign_for(spec, false));
		else
			format_text(out, spec, "(nil)", 5);
		break;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);

		format_text(out, spec, &c, 1);
		break;
	}
	case 's':
		format_string(out, spec, va_arg(*ap, const char *));
		break;
	default: /* '%' */
		put_char(out, '%');
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink out = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	/* A copy we can pass by pointer to the helpers that take arguments. */
	va_copy(args, ap);
	while (*fmt != '\0' && out.len <= FMT_MAX_LEN) {
		struct conv_spec spec;
		const char *end;

		if (*fmt != '%') {
			put_char(&out, *fmt++);
			continue;
		}
		end = parse_spec(fmt + 1, &spec);
		if (spec_is_supported(&spec, (size_t)(end - fmt)))
			format_conversion(&out, &spec, &args);
		else
			put_chars(&out, fmt, (size_t)(end - fmt));
		fmt = end;
	}
	va_end(args);

	if (size > 0)
		buf[out.len < size ? out.len : size - 1] = '\0';
	return out.len > FMT_MAX_LEN ? -1 : (int)out.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}
