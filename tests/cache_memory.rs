//! The render cache's byte bound is a bound on memory: filled far past its capacity with
//! images the way the API fills it (encoder output with spare capacity, one clone kept by
//! the response, hits in between), the heap it holds stays under the configured capacity. A counting
//! allocator (this test has its own binary, so it measures nothing else) charges each
//! allocation what glibc's malloc takes for it: the size plus an 8-byte header, rounded
//! up to 16, at least 32.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use qrgate::render_cache::{Cached, RenderCache};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);

fn chunk(layout: Layout) -> usize {
    ((layout.size() + 8).div_ceil(16) * 16).max(32)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CURRENT.fetch_add(chunk(layout), Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(chunk(layout), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align(new_size, layout.align()).expect("layout");
        CURRENT.fetch_add(chunk(new), Ordering::SeqCst);
        CURRENT.fetch_sub(chunk(layout), Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// An encoder's output: `len` bytes in a vector grown by doubling, as `Vec::push` and
/// `io::Write` grow it.
fn encoded(len: usize, seed: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len.next_power_of_two());
    out.extend((0..len).map(|i| (i ^ seed) as u8));
    out
}

#[test]
fn the_cache_holds_no_more_memory_than_its_capacity() {
    const CAPACITY: usize = 8 * 1024 * 1024;
    let before = CURRENT.load(Ordering::SeqCst);
    let cache = RenderCache::new(CAPACITY);
    let mut peak = 0;
    // Sizes of real bodies: small PNGs and SVGs to styled PNGs (about 300 B to 48 KiB).
    for i in 0..60_000usize {
        let len = 300 + (i * 7919) % (if i % 10 == 0 { 48_000 } else { 4_000 });
        // The ETag form: a quoted 32-digit hex digest.
        let key = format!("\"{:032x}\"", i as u128 * 0x9e37_79b9_7f4a_7c15);
        let image = Cached::new(encoded(len, i), 3);
        let response = image.clone(); // the response's copy, as in the handler
        cache.insert(&key, image);
        drop(response);
        if i % 3 == 0 {
            // Hits reorder the recency list.
            let old = format!("\"{:032x}\"", (i / 2) as u128 * 0x9e37_79b9_7f4a_7c15);
            drop(cache.get(&old));
        }
        if i % 1000 == 999 {
            peak = peak.max(CURRENT.load(Ordering::SeqCst) - before);
        }
    }
    let held = CURRENT.load(Ordering::SeqCst) - before;
    peak = peak.max(held);
    assert!(cache.bytes() <= CAPACITY);
    assert!(
        peak <= CAPACITY,
        "the cache held {peak} bytes of heap at its peak, over its capacity of {CAPACITY}"
    );
    // And the overhead estimate is not so large that the cache wastes its room.
    assert!(
        held >= CAPACITY * 3 / 4,
        "a full cache held only {held} of {CAPACITY} bytes"
    );
    assert!(cache.len() > 1_000);
}
