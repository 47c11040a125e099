//! Throttling of failed sign-ins per e-mail address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins per e-mail address: after `LIMIT` failures within
/// `WINDOW`, further attempts are refused until the window passes.
#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl SignInThrottle {
    const LIMIT: usize = 5;
    const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Addresses tracked before the expired ones are dropped.
    const PRUNE_AT: usize = 10_000;

    /// Starts an attempt for this address, counted as failed until
    /// [`clear`](Self::clear) (a success): parallel guesses cannot all pass
    /// the check before the first failure is recorded. `Err` is the seconds
    /// to wait.
    pub fn begin(&self, email: &str) -> Result<(), u64> {
        self.begin_at(email, Instant::now())
    }

    fn begin_at(&self, email: &str, now: Instant) -> Result<(), u64> {
        let recent_at = |t: &Instant| now.saturating_duration_since(*t) < Self::WINDOW;
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= Self::PRUNE_AT {
            failures.retain(|_, times| {
                times.retain(recent_at);
                !times.is_empty()
            });
        }
        let recent = failures.entry(email.to_string()).or_default();
        recent.retain(recent_at);
        if recent.len() >= Self::LIMIT {
            let oldest = recent
                .iter()
                .map(|t| now.saturating_duration_since(*t))
                .max()
                .unwrap_or_default();
            return Err(Self::WINDOW.saturating_sub(oldest).as_secs().max(1));
        }
        recent.push(now);
        Ok(())
    }

    /// Addresses with an attempt in the window (for tests of the bound).
    pub fn tracked(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn clear(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_refuses_the_sixth_attempt_and_clears_on_success() {
        let throttle = SignInThrottle::default();
        // Five attempts begun and not cleared: five failures.
        for _ in 0..5 {
            assert_eq!(throttle.begin("a@example.com"), Ok(()));
        }
        assert!(throttle.begin("a@example.com").is_err_and(|s| s > 0));
        assert_eq!(throttle.begin("b@example.com"), Ok(()));
        throttle.clear("a@example.com");
        assert_eq!(throttle.begin("a@example.com"), Ok(()));
    }

    #[test]
    fn throttle_forgets_addresses_whose_attempts_expired() {
        let throttle = SignInThrottle::default();
        let start = Instant::now();
        for n in 0..SignInThrottle::PRUNE_AT {
            throttle
                .begin_at(&format!("old{n}@example.com"), start)
                .unwrap();
        }
        let later = start + SignInThrottle::WINDOW + Duration::from_secs(1);
        throttle.begin_at("new@example.com", later).unwrap();
        assert_eq!(throttle.tracked(), 1);
    }
}
