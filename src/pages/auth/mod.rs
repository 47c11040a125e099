//! Authentication against Roster's own server: sign-in (with the demo
//! accounts in dev mode), sign-up and e-mail verification.

mod form;
mod sign_in;
mod sign_up;
mod verify_email;

pub use sign_in::SignIn;
pub use sign_up::SignUp;
pub use verify_email::VerifyEmail;
