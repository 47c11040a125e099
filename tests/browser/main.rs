//! Browser journeys: the real server, the built SPA, headless Chromium.

mod accessibility;
mod actions;
mod audit;
mod chunks;
mod crash;
mod deployment;
mod embedding;
mod export;
mod journeys;
mod members_at_scale;
mod oidc_api;
mod oidc_sign_in;
mod shell;
