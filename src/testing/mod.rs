//! Everything the browser tests share, compiled for tests only: the page
//! they run in ([`browser`]: a container to mount into, keyboard events,
//! the check `#[page_test]` wraps every test in) and the data they are
//! written against ([`fixtures`]).
//!
//! Any module's tests may import it; no other code does.

pub mod browser;
pub mod fixtures;
