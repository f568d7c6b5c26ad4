/*
 * Plinth's command line from what the UEFI loader finds: the text of
 * \EFI\plinth\cmdline.txt or the image's load options (pure code, unit
 * tested on the host).
 */
#ifndef PLINTH_EFI_CMDLINE_TEXT_H
#define PLINTH_EFI_CMDLINE_TEXT_H

#include <plinth/types.h>

/*
 * `len` bytes of a text file (len < max) as one line in `out`: line breaks
 * and tabs become spaces, trailing spaces go, a NUL ends it early.
 */
void cmdline_from_text(char *out, size_t max, const char *text, size_t len);

#define CMDLINE_OPTIONS_TOO_LONG (-1)

/*
 * Load options of `bytes` bytes as a command line: only when they are
 * printable UCS-2 text (trailing NULs allowed), without a first word ending
 * in ".efi" (the UEFI shell passes the program's own name first). Returns
 * the length written (0: no usable options, `out` is ""), or
 * CMDLINE_OPTIONS_TOO_LONG when the text does not fit in `max`.
 */
int cmdline_from_load_options(char *out, size_t max, const uint16_t *w, size_t bytes);

#endif
