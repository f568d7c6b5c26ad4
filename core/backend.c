/* Picks the virtualization backend the CPU supports. */
#define LOG_TAG "cpu"
#include <plinth/backend.h>
#include <plinth/log.h>
#include <plinth/string.h>

static const struct backend_ops *const backends[] = { &svm_backend, &vmx_backend };

const struct backend_ops *backend_select(struct virt_caps *caps)
{
	bool any = false;

	for (size_t i = 0; i < ARRAY_SIZE(backends); i++) {
		if (!backends[i]->cpu_has())
			continue;
		any = true;
		memset(caps, 0, sizeof(*caps));
		if (backends[i]->probe(caps) == 0) {
			log_info("virtualization backend: %s", backends[i]->long_name);
			return backends[i];
		}
	}
	if (!any)
		log_error("this CPU has neither Intel VT-x (VMX) nor AMD-V (SVM); Plinth needs one to run guests");
	return NULL;
}
