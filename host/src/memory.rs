//! Handing freed heap memory back to the operating system between the phases of a run.
//!
//! A live `check` builds the snapshot on the heap (tens of megabytes on a large account), then
//! drops it before the packs run in linear memories that wasmtime maps separately. glibc keeps
//! freed heap pages resident for reuse by later `malloc` calls, which the packs never make, so
//! without a trim the two phases add up in the peak resident set instead of sharing it.

/// Returns the heap's free pages to the OS where the allocator supports it (glibc on Linux);
/// elsewhere a no-op.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only releases memory that is free in glibc's own bookkeeping;
        // it takes no pointers and has no preconditions.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}
