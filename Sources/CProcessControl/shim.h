// Non-variadic wrappers of Linux process-control calls that Swift cannot import (prctl is variadic).
#pragma once
#ifdef __linux__
#include <sys/prctl.h>
#include <signal.h>
/// Asks the kernel to send `sig` to this process when its parent exits (PR_SET_PDEATHSIG).
static inline int workbench_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
#else
static inline int workbench_set_parent_death_signal(int sig) { (void)sig; return -1; }
#endif
