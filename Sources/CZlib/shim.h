#ifndef SWITCHPOINT_CZLIB_SHIM_H
#define SWITCHPOINT_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro; Swift cannot call macros. */
static inline int switchpoint_inflate_init_raw(z_streamp stream, int window_bits) {
    return inflateInit2(stream, -window_bits);
}
#endif
