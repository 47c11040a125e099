//! At most one action per key within a period: one invitation mail per
//! organization and address per minute, so nobody can use Roster to flood
//! an inbox (invite, cancel, invite again; resend in a loop).

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

    /// Starts the action for `key`, or the seconds to wait. The start is
    /// taken back when the guard is dropped before [`Started::done`] (the
    /// action failed or its request was abandoned).
    pub fn start(&self, key: &str) -> Result<Started<'_>, u64> {
        self.start_at(key, Instant::now())?;
        Ok(Started {
            cooldown: self,
            key: Some(key.to_string()),
        })
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

    /// Forgets every key, as if every period were over.
    pub fn clear(&self) {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Forgets `key`: the next start is allowed at once.
    pub fn cancel(&self, key: &str) {
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// A started action; see [`Cooldown::start`].
#[must_use = "dropping it takes the start back"]
pub struct Started<'a> {
    cooldown: &'a Cooldown,
    key: Option<String>,
}

impl Started<'_> {
    /// The action happened: its period runs.
    pub fn done(mut self) {
        self.key = None;
    }
}

impl Drop for Started<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.cooldown.cancel(&key);
        }
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

    #[test]
    fn a_start_not_marked_done_is_taken_back() {
        let cooldown = Cooldown::new(Duration::from_secs(60));
        drop(cooldown.start("a").unwrap());
        cooldown.start("a").unwrap().done();
        assert!(cooldown.start("a").is_err());
    }
}
