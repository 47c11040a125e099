//! At most one action per key within a period: one invitation mail per
//! organization and address per minute, so nobody can use Roster to flood
//! an inbox (invite, cancel, invite again; resend in a loop).
//!
//! An action can either be refused until its period is over
//! ([`Cooldown::start`]: an explicit resend answers 429) or booked for the
//! next free slot ([`Cooldown::book`]: a new invitation is created at once
//! and its mail waits in the outbox until then).

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
        let mut last = self.lock(now);
        if let Some(free) = last.get(key).map(|at| *at + self.period) {
            if free > now {
                return Err(free.duration_since(now).as_secs().max(1));
            }
        }
        last.insert(key.to_string(), now);
        Ok(())
    }

    /// Books the next free slot for `key`: now when its period is over,
    /// otherwise when it will be. Returns how long the action must wait and
    /// a guard that gives the slot back unless [`Booked::done`] is called.
    pub fn book(&self, key: &str) -> Booked<'_> {
        let now = Instant::now();
        let (slot, previous) = self.book_at(key, now);
        Booked {
            cooldown: self,
            key: Some(key.to_string()),
            slot,
            previous,
            wait: slot.saturating_duration_since(now),
        }
    }

    fn book_at(&self, key: &str, now: Instant) -> (Instant, Option<Instant>) {
        let mut last = self.lock(now);
        let previous = last.get(key).copied();
        let slot = previous.map_or(now, |at| (at + self.period).max(now));
        last.insert(key.to_string(), slot);
        (slot, previous)
    }

    fn lock(&self, now: Instant) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.len() >= Self::PRUNE_AT {
            // Booked slots can lie ahead: keep what is not over yet.
            last.retain(|_, at| *at + self.period > now);
        }
        last
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

/// A booked slot; see [`Cooldown::book`].
#[must_use = "dropping it gives the slot back"]
pub struct Booked<'a> {
    cooldown: &'a Cooldown,
    key: Option<String>,
    slot: Instant,
    previous: Option<Instant>,
    /// How long the action waits for its slot (zero: it may happen now).
    pub wait: Duration,
}

impl Booked<'_> {
    /// The action is committed to its slot.
    pub fn done(mut self) {
        self.key = None;
    }
}

impl Drop for Booked<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut last = self.cooldown.last.lock().unwrap_or_else(|p| p.into_inner());
        // Only this booking's own slot is given back, not a later one.
        if last.get(&key) == Some(&self.slot) {
            match self.previous {
                Some(previous) => last.insert(key, previous),
                None => last.remove(&key),
            };
        }
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
    fn bookings_take_the_next_free_slot_one_period_apart() {
        let period = Duration::from_secs(60);
        let cooldown = Cooldown::new(period);
        let start = Instant::now();
        assert_eq!(cooldown.book_at("a", start).0, start);
        let (second, _) = cooldown.book_at("a", start + Duration::from_secs(15));
        assert_eq!(second, start + period);
        let (third, _) = cooldown.book_at("a", start + Duration::from_secs(20));
        assert_eq!(third, start + 2 * period);
        // A refused start counts from the last booked slot.
        assert_eq!(
            cooldown.start_at("a", start + Duration::from_secs(30)),
            Err(150)
        );
        assert_eq!(cooldown.book_at("b", start + period).0, start + period);
    }

    #[test]
    fn a_booking_not_marked_done_gives_its_slot_back() {
        let cooldown = Cooldown::new(Duration::from_secs(60));
        cooldown.book("a").done();
        let second = cooldown.book("a");
        assert!(second.wait > Duration::from_secs(58));
        drop(second);
        let again = cooldown.book("a");
        assert!(again.wait > Duration::from_secs(58) && again.wait <= Duration::from_secs(60));
        drop(again);
        drop(cooldown.book("b"));
        assert_eq!(cooldown.book("b").wait, Duration::ZERO);
    }

    #[test]
    fn a_start_not_marked_done_is_taken_back() {
        let cooldown = Cooldown::new(Duration::from_secs(60));
        drop(cooldown.start("a").unwrap());
        cooldown.start("a").unwrap().done();
        assert!(cooldown.start("a").is_err());
    }
}
