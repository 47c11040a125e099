//! The bench's one error type: any error, reported and the run stopped.

pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;
