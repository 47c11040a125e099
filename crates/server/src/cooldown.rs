//! At most one action per key within a period (a resent invitation: one
//! mail per minute, so nobody can use Roster to flood an inbox).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Cooldown {
    period: Duration,
    last: Mutex<HashMap<String, Instant>>,
}

impl Cooldown {
    /// Keys remembered before those whose period is over are dropped.
    const PRUNE_AT: usize = 10_000;

    pub fn new(period: Duration) -> Self {
        Cooldown {
            period,
            last: Mutex::default(),
        }
    }

    /// Starts the action for `key`, or the seconds to wait.
    pub fn start(&self, key: &str) -> Result<(), u64> {
        self.start_at(key, Instant::now())
    }

    fn start_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.len() >= Self::PRUNE_AT {
            last.retain(|_, at| now.saturating_duration_since(*at) < self.period);
        }
        if let Some(at) = last.get(key) {
            let since = now.saturating_duration_since(*at);
            if since < self.period {
                return Err((self.period - since).as_secs().max(1));
            }
        }
        last.insert(key.to_string(), now);
        Ok(())
    }

    /// Forgets `key` (the action failed after it started).
    pub fn cancel(&self, key: &str) {
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_start_per_key_per_period() {
        let cooldown = Cooldown::new(Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(cooldown.start_at("a", start), Ok(()));
        assert_eq!(
            cooldown.start_at("a", start + Duration::from_secs(15)),
            Err(45)
        );
        assert_eq!(cooldown.start_at("b", start), Ok(()));
        assert_eq!(
            cooldown.start_at("a", start + Duration::from_secs(60)),
            Ok(())
        );
        cooldown.cancel("b");
        assert_eq!(cooldown.start_at("b", start), Ok(()));
    }
}
