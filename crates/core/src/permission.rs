//! The twenty-one organization permissions of Daytona's current contract
//! (v0.205) and the groups the UI shows them in.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One organization permission, spelled on the wire as `"write:registries"`.
///
/// The declaration order is the spec's order, so `Ord` (and therefore a
/// [`PermissionSet`]) lists permissions the way the product does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
// Parsing goes through `FromStr` so an unknown string is reported as
// "Unknown permission 'x'" rather than serde's list of variants.
#[serde(try_from = "String")]
pub enum Permission {
    #[serde(rename = "write:registries")]
    WriteRegistries,
    #[serde(rename = "delete:registries")]
    DeleteRegistries,
    #[serde(rename = "write:snapshots")]
    WriteSnapshots,
    #[serde(rename = "delete:snapshots")]
    DeleteSnapshots,
    #[serde(rename = "write:sandboxes")]
    WriteSandboxes,
    #[serde(rename = "delete:sandboxes")]
    DeleteSandboxes,
    #[serde(rename = "read:volumes")]
    ReadVolumes,
    #[serde(rename = "write:volumes")]
    WriteVolumes,
    #[serde(rename = "delete:volumes")]
    DeleteVolumes,
    #[serde(rename = "write:regions")]
    WriteRegions,
    #[serde(rename = "delete:regions")]
    DeleteRegions,
    #[serde(rename = "read:runners")]
    ReadRunners,
    #[serde(rename = "write:runners")]
    WriteRunners,
    #[serde(rename = "delete:runners")]
    DeleteRunners,
    #[serde(rename = "read:audit_logs")]
    ReadAuditLogs,
    #[serde(rename = "manage:api_keys")]
    ManageApiKeys,
    #[serde(rename = "manage:secrets")]
    ManageSecrets,
    #[serde(rename = "read:limits")]
    ReadLimits,
    #[serde(rename = "manage:sso")]
    ManageSso,
    #[serde(rename = "read:billing")]
    ReadBilling,
    #[serde(rename = "manage:billing")]
    ManageBilling,
}

/// A set of permissions, iterated in the spec's order.
pub type PermissionSet = BTreeSet<Permission>;

impl Permission {
    /// Every permission, in the spec's order.
    pub const ALL: [Permission; 21] = [
        Permission::WriteRegistries,
        Permission::DeleteRegistries,
        Permission::WriteSnapshots,
        Permission::DeleteSnapshots,
        Permission::WriteSandboxes,
        Permission::DeleteSandboxes,
        Permission::ReadVolumes,
        Permission::WriteVolumes,
        Permission::DeleteVolumes,
        Permission::WriteRegions,
        Permission::DeleteRegions,
        Permission::ReadRunners,
        Permission::WriteRunners,
        Permission::DeleteRunners,
        Permission::ReadAuditLogs,
        Permission::ManageApiKeys,
        Permission::ManageSecrets,
        Permission::ReadLimits,
        Permission::ManageSso,
        Permission::ReadBilling,
        Permission::ManageBilling,
    ];

    /// The wire spelling, e.g. `"write:registries"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::WriteRegistries => "write:registries",
            Permission::DeleteRegistries => "delete:registries",
            Permission::WriteSnapshots => "write:snapshots",
            Permission::DeleteSnapshots => "delete:snapshots",
            Permission::WriteSandboxes => "write:sandboxes",
            Permission::DeleteSandboxes => "delete:sandboxes",
            Permission::ReadVolumes => "read:volumes",
            Permission::WriteVolumes => "write:volumes",
            Permission::DeleteVolumes => "delete:volumes",
            Permission::WriteRegions => "write:regions",
            Permission::DeleteRegions => "delete:regions",
            Permission::ReadRunners => "read:runners",
            Permission::WriteRunners => "write:runners",
            Permission::DeleteRunners => "delete:runners",
            Permission::ReadAuditLogs => "read:audit_logs",
            Permission::ManageApiKeys => "manage:api_keys",
            Permission::ManageSecrets => "manage:secrets",
            Permission::ReadLimits => "read:limits",
            Permission::ManageSso => "manage:sso",
            Permission::ReadBilling => "read:billing",
            Permission::ManageBilling => "manage:billing",
        }
    }

    /// Human text for pickers and access diffs, e.g. "Write registries".
    pub const fn label(self) -> &'static str {
        match self {
            Permission::WriteRegistries => "Write registries",
            Permission::DeleteRegistries => "Delete registries",
            Permission::WriteSnapshots => "Write snapshots",
            Permission::DeleteSnapshots => "Delete snapshots",
            Permission::WriteSandboxes => "Write sandboxes",
            Permission::DeleteSandboxes => "Delete sandboxes",
            Permission::ReadVolumes => "Read volumes",
            Permission::WriteVolumes => "Write volumes",
            Permission::DeleteVolumes => "Delete volumes",
            Permission::WriteRegions => "Write regions",
            Permission::DeleteRegions => "Delete regions",
            Permission::ReadRunners => "Read runners",
            Permission::WriteRunners => "Write runners",
            Permission::DeleteRunners => "Delete runners",
            Permission::ReadAuditLogs => "Read audit logs",
            Permission::ManageApiKeys => "Manage API keys",
            Permission::ManageSecrets => "Manage secrets",
            Permission::ReadLimits => "Read limits",
            Permission::ManageSso => "Manage single sign-on",
            Permission::ReadBilling => "Read billing",
            Permission::ManageBilling => "Manage billing",
        }
    }

    /// The resource group the permission is shown under.
    pub const fn group(self) -> PermissionGroup {
        match self {
            Permission::WriteRegistries | Permission::DeleteRegistries => {
                PermissionGroup::Registries
            }
            Permission::WriteSnapshots | Permission::DeleteSnapshots => PermissionGroup::Snapshots,
            Permission::WriteSandboxes | Permission::DeleteSandboxes => PermissionGroup::Sandboxes,
            Permission::ReadVolumes | Permission::WriteVolumes | Permission::DeleteVolumes => {
                PermissionGroup::Volumes
            }
            Permission::WriteRegions | Permission::DeleteRegions => PermissionGroup::Regions,
            Permission::ReadRunners | Permission::WriteRunners | Permission::DeleteRunners => {
                PermissionGroup::Runners
            }
            Permission::ReadAuditLogs => PermissionGroup::AuditLogs,
            Permission::ManageApiKeys => PermissionGroup::ApiKeys,
            Permission::ManageSecrets => PermissionGroup::Secrets,
            Permission::ReadLimits => PermissionGroup::Limits,
            Permission::ManageSso => PermissionGroup::Sso,
            Permission::ReadBilling | Permission::ManageBilling => PermissionGroup::Billing,
        }
    }

    /// All twenty-one permissions as a set (what an owner effectively holds).
    pub fn all() -> PermissionSet {
        Permission::ALL.into_iter().collect()
    }

    /// Parses wire strings, skipping ones this version does not know: a
    /// newer backend may send permissions we cannot act on anyway.
    pub fn parse_known<I, S>(strings: I) -> PermissionSet
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        strings
            .into_iter()
            .filter_map(|s| s.as_ref().parse().ok())
            .collect()
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPermission(pub String);

impl fmt::Display for UnknownPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Unknown permission '{}'", self.0)
    }
}

impl std::error::Error for UnknownPermission {}

impl FromStr for Permission {
    type Err = UnknownPermission;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPermission(s.to_owned()))
    }
}

impl TryFrom<String> for Permission {
    type Error = UnknownPermission;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The resource groups of the permission picker, in the order it shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermissionGroup {
    Sandboxes,
    Snapshots,
    Registries,
    Volumes,
    Regions,
    Runners,
    Secrets,
    ApiKeys,
    Limits,
    Billing,
    Sso,
    AuditLogs,
}

impl PermissionGroup {
    /// Every group, in the picker's order.
    pub const ALL: [PermissionGroup; 12] = [
        PermissionGroup::Sandboxes,
        PermissionGroup::Snapshots,
        PermissionGroup::Registries,
        PermissionGroup::Volumes,
        PermissionGroup::Regions,
        PermissionGroup::Runners,
        PermissionGroup::Secrets,
        PermissionGroup::ApiKeys,
        PermissionGroup::Limits,
        PermissionGroup::Billing,
        PermissionGroup::Sso,
        PermissionGroup::AuditLogs,
    ];

    /// Heading text, e.g. "Audit logs".
    pub const fn label(self) -> &'static str {
        match self {
            PermissionGroup::Sandboxes => "Sandboxes",
            PermissionGroup::Snapshots => "Snapshots",
            PermissionGroup::Registries => "Registries",
            PermissionGroup::Volumes => "Volumes",
            PermissionGroup::Regions => "Regions",
            PermissionGroup::Runners => "Runners",
            PermissionGroup::Secrets => "Secrets",
            PermissionGroup::ApiKeys => "API keys",
            PermissionGroup::Limits => "Limits",
            PermissionGroup::Billing => "Billing",
            PermissionGroup::Sso => "Single sign-on",
            PermissionGroup::AuditLogs => "Audit logs",
        }
    }

    /// A stable identifier for element ids and keys, e.g. `"audit_logs"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PermissionGroup::Sandboxes => "sandboxes",
            PermissionGroup::Snapshots => "snapshots",
            PermissionGroup::Registries => "registries",
            PermissionGroup::Volumes => "volumes",
            PermissionGroup::Regions => "regions",
            PermissionGroup::Runners => "runners",
            PermissionGroup::Secrets => "secrets",
            PermissionGroup::ApiKeys => "api_keys",
            PermissionGroup::Limits => "limits",
            PermissionGroup::Billing => "billing",
            PermissionGroup::Sso => "sso",
            PermissionGroup::AuditLogs => "audit_logs",
        }
    }

    /// The group's permissions, in the spec's order.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| p.group() == self)
            .collect()
    }
}

impl fmt::Display for PermissionGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_spec_order_with_wire_spelling() {
        let spelled: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            spelled,
            [
                "write:registries",
                "delete:registries",
                "write:snapshots",
                "delete:snapshots",
                "write:sandboxes",
                "delete:sandboxes",
                "read:volumes",
                "write:volumes",
                "delete:volumes",
                "write:regions",
                "delete:regions",
                "read:runners",
                "write:runners",
                "delete:runners",
                "read:audit_logs",
                "manage:api_keys",
                "manage:secrets",
                "read:limits",
                "manage:sso",
                "read:billing",
                "manage:billing",
            ]
        );
    }

    #[test]
    fn set_iterates_in_spec_order() {
        let set: PermissionSet = [Permission::ReadAuditLogs, Permission::WriteRegistries]
            .into_iter()
            .collect();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [Permission::WriteRegistries, Permission::ReadAuditLogs]
        );
    }

    #[test]
    fn parses_and_displays_every_permission() {
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>(), Ok(p));
            assert_eq!(p.to_string(), p.as_str());
        }
    }

    #[test]
    fn unknown_permission_has_clear_message() {
        let err = "write:everything".parse::<Permission>().unwrap_err();
        assert_eq!(err.to_string(), "Unknown permission 'write:everything'");
        // Case matters on the wire.
        assert!("WRITE:REGISTRIES".parse::<Permission>().is_err());
    }

    #[test]
    fn serde_uses_wire_spelling_and_reports_unknown_strings() {
        assert_eq!(
            serde_json::to_string(&Permission::ReadAuditLogs).unwrap(),
            "\"read:audit_logs\""
        );
        let parsed: Vec<Permission> =
            serde_json::from_str(r#"["delete:runners","read:volumes"]"#).unwrap();
        assert_eq!(parsed, [Permission::DeleteRunners, Permission::ReadVolumes]);

        let err = serde_json::from_str::<Permission>("\"admin\"").unwrap_err();
        assert!(
            err.to_string().contains("Unknown permission 'admin'"),
            "{err}"
        );
    }

    #[test]
    fn labels_are_human_text() {
        assert_eq!(Permission::WriteRegistries.label(), "Write registries");
        assert_eq!(Permission::ReadAuditLogs.label(), "Read audit logs");
        assert_eq!(PermissionGroup::AuditLogs.label(), "Audit logs");
    }

    #[test]
    fn groups_partition_the_permissions_in_picker_order() {
        let labels: Vec<&str> = PermissionGroup::ALL.iter().map(|g| g.label()).collect();
        assert_eq!(
            labels,
            [
                "Sandboxes",
                "Snapshots",
                "Registries",
                "Volumes",
                "Regions",
                "Runners",
                "Secrets",
                "API keys",
                "Limits",
                "Billing",
                "Single sign-on",
                "Audit logs"
            ]
        );
        assert_eq!(
            PermissionGroup::Sandboxes.permissions(),
            [Permission::WriteSandboxes, Permission::DeleteSandboxes]
        );
        assert_eq!(
            PermissionGroup::Runners.permissions(),
            [
                Permission::ReadRunners,
                Permission::WriteRunners,
                Permission::DeleteRunners
            ]
        );
        assert_eq!(
            PermissionGroup::AuditLogs.permissions(),
            [Permission::ReadAuditLogs]
        );
        let mut covered: Vec<Permission> = PermissionGroup::ALL
            .iter()
            .flat_map(|g| g.permissions())
            .collect();
        covered.sort();
        assert_eq!(covered, Permission::ALL);
    }

    #[test]
    fn parse_known_skips_unknown_strings() {
        let set = Permission::parse_known(["write:sandboxes", "write:everything", "read:runners"]);
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [Permission::WriteSandboxes, Permission::ReadRunners]
        );
    }
}
