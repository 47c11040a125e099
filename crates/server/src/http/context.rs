//! The organization context of a request: the organization named in the
//! path, the caller's membership in it and what that membership may do.
//! Loaded once per request (by the access gate) and reused by the handler;
//! loading it records, at most once an hour, that the member was active.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use roster_core::wire::OrganizationRole;
use roster_core::{Capabilities, Membership, Role};

use crate::audit::AuditSlot;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::services::members::{self, no_longer_member};
use crate::state::AppState;
use crate::store::assignments;
use crate::store::organizations::{self, OrganizationRow};

#[derive(Clone, Debug)]
pub struct OrgContext {
    pub user: CurrentUser,
    pub organization: OrganizationRow,
    pub role: Role,
    pub capabilities: Capabilities,
}

impl OrgContext {
    pub fn id(&self) -> &str {
        &self.organization.id
    }
}

impl FromRequestParts<AppState> for OrgContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(context) = parts.extensions.get::<OrgContext>() {
            return Ok(context.clone());
        }
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(ApiError::from)?;
        let organization_id = params
            .get("organizationId")
            .ok_or_else(|| ApiError::internal("organization route without {organizationId}"))?;
        let context = load(state, &user, organization_id).await?;
        if let Some(audit) = parts.extensions.get::<AuditSlot>() {
            audit.set_organization(context.id());
        }
        parts.extensions.insert(context.clone());
        Ok(context)
    }
}

async fn load(
    state: &AppState,
    user: &CurrentUser,
    organization_id: &str,
) -> Result<OrgContext, ApiError> {
    let membership = organizations::membership(&state.db, organization_id, &user.id)
        .await?
        .ok_or_else(no_longer_member)?;
    members::record_activity(
        &state.db,
        organization_id,
        &user.id,
        membership.last_active_at,
        chrono::Utc::now(),
    )
    .await;
    let assigned: Vec<OrganizationRole> =
        assignments::held_by(&state.db, organization_id, &user.id).await?;
    let member = Membership::new(
        membership.role,
        &assigned,
        membership.organization.personal,
        membership.owner_count,
    );
    Ok(OrgContext {
        user: user.clone(),
        role: membership.role,
        capabilities: Capabilities::of(&member),
        organization: membership.organization,
    })
}
