#include "CBuildInfo.h"

// The Makefile writes git-version.h (ignored by git) and touches this file when the
// version changes, so a new commit recompiles one C file and relinks, nothing more.
// Without it (a plain `swift build`, a source tarball) the version is "unknown".
#if __has_include("git-version.h")
#include "git-version.h"
#endif

#ifndef SWITCHPOINT_GIT_VERSION
#define SWITCHPOINT_GIT_VERSION "unknown"
#endif

const char *switchpoint_git_version(void) { return SWITCHPOINT_GIT_VERSION; }
