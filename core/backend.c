/* Picks the virtualization backend the CPU supports. */
#define LOG_TAG "cpu"
#include <plinth/backend.h>
#include <plinth/log.h>
#include <plinth/string.h>

static const struct backend_ops *const backends[] = { &svm_backend, &vmx_backend };

const struct backend_ops *backend;
struct virt_caps backend_caps;

const struct backend_ops *backend_select(void)
{
	bool any = false;

	for (size_t i = 0; i < ARRAY_SIZE(backends); i++) {
		if (!backends[i]->cpu_has())
			continue;
		any = true;
		memset(&backend_caps, 0, sizeof(backend_caps));
		if (backends[i]->probe(&backend_caps) == 0) {
			log_info("virtualization backend: %s", backends[i]->long_name);
			backend = backends[i];
			return backend;
		}
	}
	if (!any)
		log_error("this CPU has neither Intel VT-x (VMX) nor AMD-V (SVM); Plinth needs one to run guests");
	return NULL;
}
