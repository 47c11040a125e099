//! The steps a request runs, between the HTTP layer and the store:
//! transactions over the store's SQL, with what they send and log.

pub mod accounts;
pub mod mail;
pub mod seed;
