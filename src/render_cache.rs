//! An in-memory cache of rendered images, keyed by the request's ETag (which covers the
//! payload, every design option, the logo's content and the renderer version), bounded in
//! bytes of memory. The common case, an API URL in an `<img>` fetched by every visitor,
//! then costs a lookup instead of a render. Quota and rate limits are applied before the
//! lookup, so a cached image counts exactly like a fresh one.
//!
//! Bodies are not kept in allocations of their own: they are appended to large segments
//! (a thirty-second of the capacity, at most 4 MiB), and eviction drops the oldest segment
//! whole. A cache that turns over constantly (every request a new payload) then never
//! fragments the heap: with one allocation per image, a full cache freeing and allocating
//! images of other sizes left the process at twice the cache's size. The order is least
//! recently used at the grain of a segment: a hit on an image in the older half of the
//! segments copies it to the newest, so an image in use is never evicted; the copy left
//! behind goes with its segment. A hit hands out a reference-counted slice of the segment,
//! not a copy.
//!
//! The API offers an image rather than inserting it: an image is kept the second time
//! it is drawn, not the first (a bit per recently offered key, in a table of a
//! five-hundredth of the capacity, cleared when an eighth of its bits have been set, so
//! that at most one in eight new keys is taken for seen). An image
//! asked for once, the usual case for a system generating one code per order or
//! ticket, then costs a bit instead of a copy, an index entry and, in a full cache, the
//! eviction of an image that might have been asked for again; one asked for again is
//! drawn twice and then served from the cache.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use actix_web::web::{Bytes, BytesMut};

/// What an index entry costs beside its body and key: the hash map slot (with the slack
/// of a table that doubles), the key's reference-counted allocation and its place in the
/// segment's key list, and the allocator's headers: 150 to 250 bytes with glibc's malloc,
/// depending on how full the table is (`tests/cache_memory.rs`).
pub const ENTRY_OVERHEAD: usize = 256;

/// The largest segment; smaller caches use a thirty-second of their capacity.
const MAX_SEGMENT: usize = 4 << 20;

/// A cached image: its bytes and QR version.
#[derive(Clone)]
pub struct Cached {
    pub bytes: Bytes,
    pub version: u8,
}

impl Cached {
    pub fn new(bytes: Vec<u8>, version: u8) -> Self {
        Self {
            bytes: Bytes::from(bytes),
            version,
        }
    }
}

struct Entry {
    image: Cached,
    /// The sequence number of the segment holding the bytes.
    segment: u64,
}

struct Segment {
    /// The unwritten rest of the segment's allocation; written parts are split off as
    /// the entries' `Bytes`, which share the allocation.
    free: BytesMut,
    /// The keys whose bytes were written here (some may since have moved to a newer
    /// segment or been replaced).
    keys: Vec<Arc<str>>,
}

#[derive(Default)]
struct Inner {
    index: HashMap<Arc<str>, Entry>,
    /// Oldest first; the last one is written to.
    segments: VecDeque<Segment>,
    /// The sequence number of `segments[0]`.
    first: u64,
    /// Bytes charged for the index's entries and keys.
    index_bytes: usize,
    /// Keys offered once since the table was last cleared, a bit each by a hash of the
    /// key (a false "seen" only keeps an image on its first offer); allocated on the
    /// first offer.
    offered: Vec<u64>,
    /// Bits set in `offered`.
    offered_bits: usize,
}

pub struct RenderCache {
    capacity: usize,
    segment_size: usize,
    inner: Mutex<Inner>,
}

impl RenderCache {
    /// A cache of at most `capacity` bytes of memory (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            segment_size: (capacity / 32).clamp(capacity.min(4096), MAX_SEGMENT),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Cached> {
        if self.capacity == 0 {
            return None;
        }
        let mut inner = self.lock();
        let (stored, entry) = inner.index.get_key_value(key)?;
        let image = entry.image.clone();
        let age = inner.first + inner.segments.len() as u64 - entry.segment;
        if age > (inner.segments.len() as u64).div_ceil(2) {
            // In the older half: copy it forward, or it would be evicted while in use.
            let stored = Arc::clone(stored);
            self.append(&mut inner, stored, &image);
        }
        Some(image)
    }

    /// Stores an image. Images larger than a segment are not kept.
    pub fn insert(&self, key: &str, image: Cached) {
        self.store(key, image, false);
    }

    /// Stores an image the second time its key is offered (recently): the first time,
    /// only notes the key. See the module's comment.
    pub fn offer(&self, key: &str, image: Cached) {
        self.store(key, image, true);
    }

    /// `insert`, or with `on_second_offer` `offer`.
    fn store(&self, key: &str, image: Cached, on_second_offer: bool) {
        if self.capacity == 0 || image.bytes.len() > self.segment_size {
            return;
        }
        let mut inner = self.lock();
        let stored = inner.index.get_key_value(key).map(|(k, _)| Arc::clone(k));
        let key = match stored {
            Some(stored) => stored,
            None if on_second_offer && !self.seen(&mut inner, key) => return,
            None => Arc::from(key),
        };
        self.append(&mut inner, key, &image);
    }

    /// Bits in the table of offered keys: one per 64 bytes of capacity, a power of two.
    fn offered_table_bits(&self) -> usize {
        (self.capacity / 64).next_power_of_two().max(64)
    }

    /// Whether `key` was offered before; notes it if not.
    fn seen(&self, inner: &mut Inner, key: &str) -> bool {
        let bits = self.offered_table_bits();
        if inner.offered.is_empty() {
            inner.offered = vec![0; bits / 64];
        }
        // FNV-1a: the keys are digests, and a collision only keeps an image early.
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let bit = (hash as usize) & (bits - 1);
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if inner.offered[word] & mask != 0 {
            return true;
        }
        if inner.offered_bits >= bits / 8 {
            // An eighth full: forget them all, before false "seen"s become common.
            inner.offered.fill(0);
            inner.offered_bits = 0;
        }
        inner.offered[word] |= mask;
        inner.offered_bits += 1;
        false
    }

    /// Writes the image's bytes into the newest segment (starting one, and evicting the
    /// oldest, as needed) and points the key's entry at them.
    fn append(&self, inner: &mut Inner, key: Arc<str>, image: &Cached) {
        let len = image.bytes.len();
        let full = inner
            .segments
            .back()
            .is_none_or(|s| s.free.capacity() < len);
        if full {
            inner.segments.push_back(Segment {
                free: BytesMut::with_capacity(self.segment_size),
                keys: Vec::new(),
            });
        }
        let segment = inner.first + inner.segments.len() as u64 - 1;
        let newest = inner
            .segments
            .back_mut()
            .expect("a segment was just ensured");
        newest.free.extend_from_slice(&image.bytes);
        let bytes = newest.free.split().freeze();
        newest.keys.push(Arc::clone(&key));
        let cost = key.len() + ENTRY_OVERHEAD;
        let entry = Entry {
            image: Cached {
                bytes,
                version: image.version,
            },
            segment,
        };
        if inner.index.insert(key, entry).is_none() {
            inner.index_bytes += cost;
        }
        // The newest segment is never evicted: it holds what was just written.
        while self.charged(inner) > self.capacity && inner.segments.len() > 1 {
            self.evict_oldest(inner);
        }
    }

    fn charged(&self, inner: &Inner) -> usize {
        inner.segments.len() * self.segment_size + inner.index_bytes + inner.offered.len() * 8
    }

    fn evict_oldest(&self, inner: &mut Inner) {
        let Some(oldest) = inner.segments.pop_front() else {
            return;
        };
        let sequence = inner.first;
        inner.first += 1;
        for key in oldest.keys {
            // Only the keys whose current bytes are here: a moved entry lives on.
            if inner.index.get(&key).is_some_and(|e| e.segment == sequence) {
                inner.index.remove(&key);
                inner.index_bytes -= key.len() + ENTRY_OVERHEAD;
            }
        }
    }

    /// Bytes of memory charged (for tests and metrics).
    pub fn bytes(&self) -> usize {
        self.charged(&self.lock())
    }

    /// Images held.
    pub fn len(&self) -> usize {
        self.lock().index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(len: usize, fill: u8) -> Cached {
        Cached::new(vec![fill; len], 1)
    }

    /// A cache of `segments` segments of 4096 bytes, with room for the index.
    fn cache(segments: usize) -> RenderCache {
        let cache = RenderCache::new(segments * 4096 + 64 * (8 + ENTRY_OVERHEAD));
        assert_eq!(cache.segment_size, 4096);
        cache
    }

    #[test]
    fn an_image_comes_back_with_its_bytes() {
        let cache = cache(4);
        cache.insert("a", image(1000, 1));
        cache.insert("b", image(1000, 2));
        let a = cache.get("a").unwrap();
        assert_eq!(&a.bytes[..], &[1u8; 1000][..]);
        assert_eq!(&cache.get("b").unwrap().bytes[..], &[2u8; 1000][..]);
        assert!(cache.get("c").is_none());
    }

    #[test]
    fn an_image_in_use_outlives_one_that_is_not() {
        let cache = cache(4);
        cache.insert("hot", image(1000, 9));
        for i in 0..200u8 {
            cache.insert(&format!("cold{i}"), image(1000, i));
            assert!(cache.get("hot").is_some(), "evicted after {i} inserts");
        }
        assert_eq!(&cache.get("hot").unwrap().bytes[..], &[9u8; 1000][..]);
        assert!(cache.get("cold0").is_none(), "the oldest went");
        assert!(cache.get("cold199").is_some());
    }

    #[test]
    fn the_memory_bound_holds_whatever_is_inserted() {
        let cache = cache(8);
        for i in 0..2000usize {
            cache.insert(&format!("k{}", i % 300), image(i % 5000, i as u8));
            if i % 7 == 0 {
                cache.get(&format!("k{}", i % 50));
            }
            assert!(cache.bytes() <= cache.capacity, "{} bytes", cache.bytes());
        }
        // A replaced key answers with its latest bytes.
        cache.insert("k1", image(10, 77));
        assert_eq!(&cache.get("k1").unwrap().bytes[..], &[77u8; 10][..]);
    }

    #[test]
    fn an_offered_image_is_kept_the_second_time() {
        let cache = cache(4);
        cache.offer("a", image(1000, 1));
        assert!(cache.get("a").is_none(), "kept on its first offer");
        cache.offer("a", image(1000, 1));
        assert_eq!(&cache.get("a").unwrap().bytes[..], &[1u8; 1000][..]);
        // Once kept, a new offer replaces it at once.
        cache.offer("a", image(10, 2));
        assert_eq!(&cache.get("a").unwrap().bytes[..], &[2u8; 10][..]);
        assert!(cache.bytes() <= cache.capacity, "{} bytes", cache.bytes());
    }

    #[test]
    fn offers_once_each_keep_nothing_and_the_table_does_not_fill() {
        let cache = cache(4);
        let bits = cache.offered_table_bits();
        let offers = 4 * bits;
        let mut kept = 0;
        for i in 0..offers {
            let key = format!("\"{:032x}\"", i as u128 * 0x9e37_79b9_7f4a_7c15);
            cache.offer(&key, image(100, 0));
            kept += usize::from(cache.get(&key).is_some());
            assert!(
                cache.lock().offered_bits <= bits / 8,
                "cleared an eighth full"
            );
        }
        // Only a hash collision keeps an image offered once: with at most an eighth of
        // the bits set, about one in sixteen on average.
        assert!(
            kept < offers / 8,
            "{kept} of {offers} kept on a single offer"
        );
        assert!(cache.bytes() <= cache.capacity, "{} bytes", cache.bytes());
    }

    #[test]
    fn an_image_larger_than_a_segment_is_not_kept() {
        let cache = cache(4);
        cache.insert("big", image(4097, 0));
        assert!(cache.get("big").is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_zero_capacity_disables_the_cache() {
        let cache = RenderCache::new(0);
        cache.insert("a", image(1, 0));
        assert!(cache.get("a").is_none());
    }
}
