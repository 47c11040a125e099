//! (being written)

use super::RouteList;

pub fn routes(_routes: &mut RouteList) {}
