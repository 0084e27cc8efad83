//! Shaped captions by (text, font): a repeated caption costs a hash lookup. Bounded: at
//! most `CAPACITY` entries (a caption is at most 48 characters, so an entry is a few
//! kilobytes of outline); when full, the oldest half goes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};

use super::{CaptionFont, Shaped, TextError, shape_uncached};

const CAPACITY: usize = 512;

type Key = (String, CaptionFont);

#[derive(Default)]
struct Cache {
    entries: HashMap<Key, Arc<Shaped>>,
    order: VecDeque<Key>,
}

// Shaping is a pure function of its key, so one cache for the process changes no
// behaviour between apps; it only saves work.
static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

pub fn shaped(text: &str, font: CaptionFont) -> Result<Arc<Shaped>, TextError> {
    let key = (text.to_owned(), font);
    if let Ok(cache) = CACHE.lock()
        && let Some(hit) = cache.entries.get(&key)
    {
        return Ok(Arc::clone(hit));
    }
    let shaped = Arc::new(shape_uncached(text, font)?);
    if let Ok(mut cache) = CACHE.lock() {
        if cache.entries.len() >= CAPACITY {
            for _ in 0..CAPACITY / 2 {
                if let Some(old) = cache.order.pop_front() {
                    cache.entries.remove(&old);
                }
            }
        }
        if cache
            .entries
            .insert(key.clone(), Arc::clone(&shaped))
            .is_none()
        {
            cache.order.push_back(key);
        }
    }
    Ok(shaped)
}

#[cfg(test)]
fn len() -> usize {
    CACHE.lock().map_or(0, |c| c.entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_caption_is_the_same_shaped_outline() {
        let a = shaped("Repeat after me", CaptionFont::Bold).unwrap();
        let b = shaped("Repeat after me", CaptionFont::Bold).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn the_cache_stays_bounded() {
        for i in 0..CAPACITY + 50 {
            shaped(&format!("caption {i}"), CaptionFont::Regular).unwrap();
        }
        assert!(len() <= CAPACITY);
    }
}
