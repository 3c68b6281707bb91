#ifndef SWITCHPOINT_CBUILDINFO_H
#define SWITCHPOINT_CBUILDINFO_H

/// What `git describe --always --dirty` said of the checkout when the Makefile built it,
/// or "unknown" (built without make, or outside a git checkout).
const char *switchpoint_git_version(void);

#endif
