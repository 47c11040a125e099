//! What the action and target pickers offer: the backend's scenarios
//! (`GET /audit/scenarios`, the actions it records by target type), or,
//! from a backend without them, the actions and target types this version
//! of Roster records.

use roster_core::audit::{
    ORGANIZATION_AUDIT_ACTIONS, ORGANIZATION_AUDIT_TARGET_TYPES as KNOWN_TARGET_TYPES,
};
use roster_core::wire::AuditScenarios;

/// The actions of each target type, in the backend's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenarios {
    targets: Vec<(String, Vec<String>)>,
}

impl Scenarios {
    /// The backend's scenarios; none listed reads as the fallback.
    pub fn from_backend(answer: AuditScenarios) -> Scenarios {
        let targets: Vec<(String, Vec<String>)> = answer
            .targets
            .into_iter()
            .filter(|t| !t.target_type.is_empty())
            .map(|t| (t.target_type, t.actions))
            .collect();
        if targets.is_empty() {
            Scenarios::known()
        } else {
            Scenarios { targets }
        }
    }

    /// What this version knows: every action for every target type.
    pub fn known() -> Scenarios {
        let actions: Vec<String> = ORGANIZATION_AUDIT_ACTIONS
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        Scenarios {
            targets: KNOWN_TARGET_TYPES
                .iter()
                .map(|t| ((*t).to_owned(), actions.clone()))
                .collect(),
        }
    }

    pub fn target_types(&self) -> Vec<String> {
        self.targets.iter().map(|(t, _)| t.clone()).collect()
    }

    /// The actions of `target_type`, or of every target type (each once,
    /// in the order first listed).
    pub fn actions(&self, target_type: Option<&str>) -> Vec<String> {
        let mut actions: Vec<String> = Vec::new();
        for (target, listed) in &self.targets {
            if target_type.is_some_and(|wanted| wanted != target) {
                continue;
            }
            for action in listed {
                if !actions.contains(action) {
                    actions.push(action.clone());
                }
            }
        }
        actions
    }

    /// Whether `action` can be recorded on `target_type` (an unknown
    /// target type: nothing is known against it).
    pub fn allows(&self, target_type: &str, action: &str) -> bool {
        self.targets
            .iter()
            .find(|(target, _)| target == target_type)
            .is_none_or(|(_, actions)| actions.iter().any(|a| a == action))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use roster_core::wire::AuditTargetScenario;

    fn scenario(target_type: &str, actions: &[&str]) -> AuditTargetScenario {
        AuditTargetScenario {
            target_type: target_type.into(),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn actions_are_those_of_the_chosen_target_or_all_once() {
        let scenarios = Scenarios::from_backend(AuditScenarios {
            targets: vec![
                scenario("organization", &["create", "update", "delete"]),
                scenario("organization_role", &["create", "update"]),
                scenario("api_key", &["create", "revoke"]),
            ],
        });
        assert_eq!(
            scenarios.target_types(),
            ["organization", "organization_role", "api_key"]
        );
        assert_eq!(
            scenarios.actions(None),
            ["create", "update", "delete", "revoke"]
        );
        assert_eq!(scenarios.actions(Some("api_key")), ["create", "revoke"]);
        assert!(scenarios.actions(Some("volume")).is_empty());
        assert!(scenarios.allows("organization", "delete"));
        assert!(!scenarios.allows("organization_role", "delete"));
        assert!(scenarios.allows("volume", "delete"));
    }

    #[test]
    fn without_scenarios_every_known_action_is_offered() {
        let empty = Scenarios::from_backend(AuditScenarios::default());
        assert_eq!(empty, Scenarios::known());
        assert_eq!(empty.actions(None), ORGANIZATION_AUDIT_ACTIONS);
        assert_eq!(
            empty.actions(Some("organization_user")),
            ORGANIZATION_AUDIT_ACTIONS
        );
        assert_eq!(empty.target_types(), KNOWN_TARGET_TYPES);
    }
}
