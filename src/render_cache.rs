//! An in-memory LRU of rendered images, keyed by the request's ETag (which covers the
//! payload, every design option, the logo's content and the renderer version), bounded in
//! bytes. The common case, an API URL in an `<img>` fetched by every visitor, then costs a
//! lookup instead of a render. Quota and rate limits are applied before the lookup, so a
//! cached image counts exactly like a fresh one.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use actix_web::web::Bytes;

/// A cached image: its bytes and QR version.
#[derive(Clone)]
pub struct Cached {
    pub bytes: Bytes,
    pub version: u8,
}

struct Entry {
    image: Cached,
    /// Position in the recency order.
    tick: u64,
}

#[derive(Default)]
struct Lru {
    entries: HashMap<String, Entry>,
    /// tick → key, oldest first.
    order: BTreeMap<u64, String>,
    bytes: usize,
    next_tick: u64,
}

pub struct RenderCache {
    capacity: usize,
    lru: Mutex<Lru>,
}

impl RenderCache {
    /// A cache of at most `capacity` bytes of images (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            lru: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        self.lru.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Cached> {
        if self.capacity == 0 {
            return None;
        }
        let mut lru = self.lock();
        let tick = lru.next_tick;
        let entry = lru.entries.get_mut(key)?;
        let old = std::mem::replace(&mut entry.tick, tick);
        let image = entry.image.clone();
        lru.next_tick += 1;
        lru.order.remove(&old);
        lru.order.insert(tick, key.to_owned());
        Some(image)
    }

    /// Stores an image, evicting the least recently used ones to make room. Images
    /// larger than an eighth of the cache are not kept (they would evict too much).
    pub fn insert(&self, key: String, image: Cached) {
        let size = image.bytes.len() + key.len();
        if size > self.capacity / 8 {
            return;
        }
        let mut lru = self.lock();
        if let Some(old) = lru.entries.remove(&key) {
            lru.order.remove(&old.tick);
            lru.bytes -= old.image.bytes.len() + key.len();
        }
        while lru.bytes + size > self.capacity {
            let Some((_, oldest)) = lru.order.pop_first() else {
                break;
            };
            if let Some(evicted) = lru.entries.remove(&oldest) {
                lru.bytes -= evicted.image.bytes.len() + oldest.len();
            }
        }
        let tick = lru.next_tick;
        lru.next_tick += 1;
        lru.order.insert(tick, key.clone());
        lru.entries.insert(key, Entry { image, tick });
        lru.bytes += size;
    }

    /// Bytes held (for tests and metrics).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(len: usize) -> Cached {
        Cached {
            bytes: Bytes::from(vec![0u8; len]),
            version: 1,
        }
    }

    #[test]
    fn the_least_recently_used_image_is_evicted_first() {
        let cache = RenderCache::new(1000);
        cache.insert("a".into(), image(99));
        cache.insert("b".into(), image(99));
        cache.insert("c".into(), image(99));
        assert!(cache.get("a").is_some()); // a is now the most recent
        for key in ["d", "e", "f", "g", "h", "i", "j", "k"] {
            cache.insert(key.into(), image(99));
        }
        assert!(cache.get("b").is_none(), "b was the oldest");
        assert!(cache.get("a").is_some(), "a was used recently");
        assert!(cache.bytes() <= 1000);
    }

    #[test]
    fn the_byte_bound_holds_whatever_is_inserted() {
        let cache = RenderCache::new(10_000);
        for i in 0..1000 {
            cache.insert(format!("k{i}"), image(i % 1300));
            assert!(cache.bytes() <= 10_000);
        }
    }

    #[test]
    fn a_zero_capacity_disables_the_cache() {
        let cache = RenderCache::new(0);
        cache.insert("a".into(), image(1));
        assert!(cache.get("a").is_none());
    }
}
