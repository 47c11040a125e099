//! The signed-in shell.
