//! At most one action per key within a period: one invitation mail per
//! organization and address per minute, so nobody can use Roster to flood
//! an inbox (invite, cancel, invite again; resend in a loop).
//!
//! An action can either be refused until its period is over
//! ([`Cooldown::start`]: an explicit resend answers 429) or booked for the
//! next free slot ([`Cooldown::book`]: a new invitation is created at once
//! and its mail waits in the outbox until then).
//!
//! This is the rule only: what is known about a key is when it is free
//! again (`None`: never used, or so long ago that nobody remembers). The
//! caller keeps that instant where every server instance sees it (the
//! database, `store::limits`), and records the new one in the same
//! transaction as the action, so an action that fails or is abandoned
//! takes nothing.

use chrono::{DateTime, TimeDelta, Utc};

#[derive(Clone, Copy, Debug)]
pub struct Cooldown {
    period: TimeDelta,
}

/// A slot booked by [`Cooldown::book`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Booking {
    /// When the action happens: now, or when the key's period is over.
    pub at: DateTime<Utc>,
    /// When the key is free again after it.
    pub free_at: DateTime<Utc>,
}

impl Booking {
    /// Whether the action may happen at once (at `now`).
    pub fn is_now(&self, now: DateTime<Utc>) -> bool {
        self.at <= now
    }
}

impl Cooldown {
    pub const fn new(period: TimeDelta) -> Self {
        Cooldown { period }
    }

    /// Starts the action at `now` for a key free again at `free_at`:
    /// when the key is free again after it, or the seconds to wait.
    pub fn start(
        &self,
        now: DateTime<Utc>,
        free_at: Option<DateTime<Utc>>,
    ) -> Result<DateTime<Utc>, u64> {
        match free_at {
            Some(free) if free > now => Err((free - now).num_seconds().max(1).unsigned_abs()),
            _ => Ok(now + self.period),
        }
    }

    /// Books the next free slot at `now` for a key free again at
    /// `free_at`: now when its period is over, otherwise when it will be.
    pub fn book(&self, now: DateTime<Utc>, free_at: Option<DateTime<Utc>>) -> Booking {
        let at = free_at.map_or(now, |free| free.max(now));
        Booking {
            at,
            free_at: at + self.period,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    const MINUTE: Cooldown = Cooldown::new(TimeDelta::minutes(1));

    #[test]
    fn one_start_per_key_per_period() {
        let free = MINUTE.start(at(0), None).unwrap();
        assert_eq!(free, at(60));
        assert_eq!(MINUTE.start(at(15), Some(free)), Err(45));
        assert_eq!(
            MINUTE.start(at(59) + TimeDelta::milliseconds(500), Some(free)),
            Err(1)
        );
        assert_eq!(MINUTE.start(at(60), Some(free)), Ok(at(120)));
        // A key whose period is long over is as good as a new one.
        assert_eq!(MINUTE.start(at(600), Some(free)), Ok(at(660)));
    }

    #[test]
    fn bookings_take_the_next_free_slot_one_period_apart() {
        let first = MINUTE.book(at(0), None);
        assert_eq!(
            first,
            Booking {
                at: at(0),
                free_at: at(60)
            }
        );
        assert!(first.is_now(at(0)));
        let second = MINUTE.book(at(15), Some(first.free_at));
        assert_eq!(
            second,
            Booking {
                at: at(60),
                free_at: at(120)
            }
        );
        assert!(!second.is_now(at(15)));
        let third = MINUTE.book(at(20), Some(second.free_at));
        assert_eq!(third.at, at(120));
        // A refused start counts from the last booked slot.
        assert_eq!(MINUTE.start(at(30), Some(third.free_at)), Err(150));
        // Once the slots are over, a booking is now again.
        assert_eq!(MINUTE.book(at(500), Some(third.free_at)).at, at(500));
    }
}
