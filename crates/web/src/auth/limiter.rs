//! A small in-memory rate limiter: at most N requests per key (the
//! client's address, with the login name for logins) in a fixed
//! one-minute window. One process serves a deployment, so memory is the
//! right place; the map is pruned as it grows.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Requests allowed per minute.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub login_per_minute: u32,
    pub lookup_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            login_per_minute: 10,
            lookup_per_minute: 60,
        }
    }
}

#[derive(Debug)]
pub struct Limiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(per_minute: u32) -> Limiter {
        Limiter {
            max: per_minute,
            window: Duration::from_secs(60),
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `key`; over the limit, the error is the number
    /// of seconds until the window ends (for `Retry-After`).
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 <= self.max {
            Ok(())
        } else {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            Err(left.as_secs().max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_limit_is_refused_per_key() {
        let l = Limiter::new(2);
        assert!(l.check("a").is_ok() && l.check("a").is_ok());
        assert!(l.check("a").is_err());
        assert!(l.check("b").is_ok());
        let wait = l.check("a").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
    }
}
