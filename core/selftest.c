/*
 * Self-tests run inside the hypervisor at the end of boot (`test=NAME`).
 * The "fault" family must end in the panic dump; the others report PASS or
 * FAIL. Either way the emulator is ended with a status.
 */
#define LOG_TAG "test"
#include <plinth/cmdline.h>
#include <plinth/emu_exit.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/selftest.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>

#include "selftest_cases.h"

static const struct selftest *chosen;

static const struct selftest *find(const char *name)
{
	for (size_t i = 0; i < selftest_count; i++)
		if (strcmp(selftests[i].name, name) == 0)
			return &selftests[i];
	return NULL;
}

void selftest_select(const char *cmdline)
{
	char name[32];

	if (cmdline_get(cmdline, "test", name, sizeof(name)) != 0)
		return;
	chosen = find(name);
	if (chosen)
		return;
	log_error("test=%s: no such self-test; known tests:", name);
	for (size_t i = 0; i < selftest_count; i++)
		log_error("  %-16s %s", selftests[i].name, selftests[i].what);
	emu_exit(EMU_EXIT_FAIL);
}

bool selftest_active(void)
{
	return chosen != NULL;
}

void selftest_fail_if_active(const char *why)
{
	if (!chosen)
		return;
	log_error("self-test %s: FAIL (%s)", chosen->name, why);
	emu_exit(EMU_EXIT_FAIL);
}

void selftest_run(void)
{
	if (!chosen)
		return;
	log_info("self-test %s: %s", chosen->name, chosen->what);
	bool ok = chosen->run();
	log_printf(ok ? LOG_INFO : LOG_ERROR, LOG_TAG, "self-test %s: %s", chosen->name,
		   ok ? "PASS" : "FAIL");
	emu_exit(ok ? EMU_EXIT_PASS : EMU_EXIT_FAIL);
}
