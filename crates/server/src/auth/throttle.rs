//! Throttling of failed sign-ins per e-mail address: the rule, over the
//! attempts recorded for an address. The attempts themselves are kept in
//! the database (`store::limits`), so every server instance on it counts
//! the same ones; `services::accounts` combines the two.
//!
//! After [`LIMIT`] failures within [`WINDOW`], further attempts are refused
//! until the oldest of them is a window old. An attempt counts as failed
//! from its start until a success clears the address, so parallel guesses
//! cannot all pass the check before the first failure is recorded.
//!
//! An address has at most [`LIMIT`] attempts recorded, one per numbered
//! slot: a new attempt takes a slot that is free (never used, or its
//! attempt is over), and two concurrent attempts cannot take the same one.

use chrono::{DateTime, TimeDelta, Utc};

/// Failed sign-ins per address within [`WINDOW`] before the next is refused.
pub const LIMIT: usize = 5;
/// How long a failed sign-in counts.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

/// An attempt recorded for an address: the slot it holds and its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub slot: i64,
    pub at: DateTime<Utc>,
}

/// Attempts started at or before this instant no longer count at `now`
/// (their slots are free again, and their records can be pruned).
pub fn over_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - WINDOW
}

/// Whether the attempt still counts at `now`.
fn counts(attempt: &Attempt, now: DateTime<Utc>) -> bool {
    attempt.at > over_by(now)
}

/// The slot a new attempt at `now` takes, given the attempts recorded for
/// its address, or (`Err`) the seconds to wait when [`LIMIT`] of them still
/// count.
pub fn begin(now: DateTime<Utc>, recorded: &[Attempt]) -> Result<i64, u64> {
    let slots = 0..LIMIT as i64;
    let counting: Vec<&Attempt> = recorded
        .iter()
        .filter(|a| slots.contains(&a.slot) && counts(a, now))
        .collect();
    if counting.len() >= LIMIT {
        // An attempt recorded ahead of this clock counts as just begun.
        let oldest = counting
            .iter()
            .map(|a| (now - a.at).max(TimeDelta::zero()))
            .max()
            .unwrap_or_default();
        let wait = (WINDOW - oldest).num_seconds().max(1);
        return Err(wait.unsigned_abs());
    }
    Ok(slots
        .into_iter()
        .find(|slot| !counting.iter().any(|a| a.slot == *slot))
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    /// Begins attempts at `now` as the store would record them.
    fn record(recorded: &mut Vec<Attempt>, now: DateTime<Utc>) -> Result<i64, u64> {
        let slot = begin(now, recorded)?;
        recorded.retain(|a| a.slot != slot);
        recorded.push(Attempt { slot, at: now });
        Ok(slot)
    }

    #[test]
    fn the_sixth_attempt_within_the_window_is_refused_until_the_first_is_over() {
        let mut recorded = Vec::new();
        // Five attempts begun and not cleared: five failures.
        for n in 0..5 {
            assert_eq!(record(&mut recorded, at(n * 60)), Ok(n));
        }
        // Refused until the first is fifteen minutes old.
        assert_eq!(record(&mut recorded, at(5 * 60)), Err(10 * 60));
        assert_eq!(record(&mut recorded, at(15 * 60 - 1)), Err(1));
        // Then its slot is free again, for one attempt.
        assert_eq!(record(&mut recorded, at(15 * 60)), Ok(0));
        assert_eq!(record(&mut recorded, at(15 * 60 + 1)), Err(59));
        // Another address is not affected; a success clears the address.
        assert_eq!(begin(at(15 * 60), &[]), Ok(0));
        recorded.clear();
        assert_eq!(record(&mut recorded, at(15 * 60 + 1)), Ok(0));
    }

    #[test]
    fn the_wait_is_at_least_a_second_and_at_most_the_window() {
        let now = at(0);
        let full: Vec<Attempt> = (0..5).map(|slot| Attempt { slot, at: now }).collect();
        assert_eq!(begin(now, &full), Err(15 * 60));
        // Recorded by an instance whose clock is ahead.
        let ahead: Vec<Attempt> = (0..5).map(|slot| Attempt { slot, at: at(30) }).collect();
        assert_eq!(begin(now, &ahead), Err(15 * 60));
        let old: Vec<Attempt> = (0..5)
            .map(|slot| Attempt {
                slot,
                at: now - WINDOW + TimeDelta::milliseconds(10),
            })
            .collect();
        assert_eq!(begin(now, &old), Err(1));
    }

    #[test]
    fn a_free_slot_is_one_never_used_or_whose_attempt_is_over() {
        let now = at(3600);
        let recorded = [
            Attempt { slot: 0, at: now },
            Attempt {
                slot: 1,
                at: over_by(now),
            },
            Attempt { slot: 2, at: now },
        ];
        assert_eq!(begin(now, &recorded), Ok(1));
        let recorded = [Attempt { slot: 0, at: now }, Attempt { slot: 1, at: now }];
        assert_eq!(begin(now, &recorded), Ok(2));
        // Slots beyond the limit (none are written) do not count.
        let recorded: Vec<Attempt> = (0..4)
            .chain([7, 9])
            .map(|slot| Attempt { slot, at: now })
            .collect();
        assert_eq!(begin(now, &recorded), Ok(4));
    }
}
