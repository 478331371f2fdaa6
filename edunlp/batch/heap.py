"""Give a long batch run's freed memory back to the system, so its peak stays that of one batch.

glibc's malloc serves a large block (128 KiB and more, at first) with its own mmap and unmaps it
when freed, but on each such free it raises that threshold to the block's size, up to 32 MiB.
Past the first batch, the model's activations (MiBs each) then come from the heap, where freed
blocks stay, and batches of other shapes fragment it: the resident memory of `edunlp tag` grows
batch after batch to hundreds of MiB over what one batch needs. Fixing the threshold (mallopt)
stops that, at the cost of the page faults of mapping those blocks afresh
(evaluation/hostile_batch.py prints both). Other C libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from <malloc.h>
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept from then on


def steady_heap() -> bool:
    """Fix glibc's mmap threshold for this process; False where the C library is not glibc."""
    if platform.libc_ver()[0] != "glibc":
        return False
    return ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
