//! Roster domain.
