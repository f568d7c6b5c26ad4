/* SVM detection (svm_probe.c), for the ops table and the rest of arch/x86/svm. */
#ifndef PLINTH_SVM_PROBE_H
#define PLINTH_SVM_PROBE_H

#include <plinth/backend.h>

#include "svm_caps.h"

bool svm_cpu_has(void);
int svm_probe(struct virt_caps *caps);

/* Filled by svm_probe(); read-only afterwards. */
extern struct svm_features svm_features;

#endif
