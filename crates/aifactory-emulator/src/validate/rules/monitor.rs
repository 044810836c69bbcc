//! Body rules of Azure Monitor's diagnostic settings (`Microsoft.Insights/diagnosticSettings`,
//! an extension resource) and of Defender for Cloud's plans (`Microsoft.Security/pricings`). The preview 2021-05-01-preview, because the stable 2016-09-01
//! lacks `categoryGroup`; what the service checks beyond the schema (categories, sinks,
//! limits) is in `crate::monitor`.
//!
//! Owns these facts only; must not hold code.

use crate::validate::schema::{opt, req, Style, Ty, TypeRules};

/// `DiagnosticSettingsResource`: every log and metric entry needs `enabled`; a retention
/// policy needs `enabled` and `days`; the destinations are ARM IDs (the workspace of type
/// `Microsoft.OperationalInsights/workspaces`).
pub const DIAGNOSTIC_SETTING: TypeRules = TypeRules {
    resource_type: "Microsoft.Insights/diagnosticSettings",
    api_versions: &["2021-05-01-preview"],
    spec: "monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json",
    style: Style::Arm,
    location_required: false,
    top: &["properties"],
    fields: &[
        opt("properties", Ty::Obj),
        opt(
            "properties.storageAccountId",
            Ty::Id(Some("Microsoft.Storage/storageAccounts")),
        ),
        opt("properties.serviceBusRuleId", Ty::Str),
        opt("properties.eventHubAuthorizationRuleId", Ty::Id(None)),
        opt("properties.eventHubName", Ty::Str),
        opt(
            "properties.workspaceId",
            Ty::Id(Some("Microsoft.OperationalInsights/workspaces")),
        ),
        opt("properties.marketplacePartnerId", Ty::Id(None)),
        opt("properties.logAnalyticsDestinationType", Ty::Str),
        opt("properties.logs", Ty::Arr),
        opt("properties.logs[].category", Ty::Str),
        opt("properties.logs[].categoryGroup", Ty::Str),
        req("properties.logs[].enabled", Ty::Bool),
        opt("properties.logs[].retentionPolicy", Ty::Obj),
        req("properties.logs[].retentionPolicy.enabled", Ty::Bool),
        req("properties.logs[].retentionPolicy.days", Ty::Int),
        opt("properties.metrics", Ty::Arr),
        opt("properties.metrics[].timeGrain", Ty::Str),
        opt("properties.metrics[].category", Ty::Str),
        req("properties.metrics[].enabled", Ty::Bool),
        opt("properties.metrics[].retentionPolicy", Ty::Obj),
        req("properties.metrics[].retentionPolicy.enabled", Ty::Bool),
        req("properties.metrics[].retentionPolicy.days", Ty::Int),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Pricing` (Defender for Cloud): `properties.pricingTier` required, `Free` or `Standard`
/// (an open enum in the spec, but the service has no other tier); extensions need `name`
/// and `isEnabled`.
pub const DEFENDER_PRICING: TypeRules = TypeRules {
    resource_type: "Microsoft.Security/pricings",
    api_versions: &["2024-01-01"],
    spec: "security/resource-manager/Microsoft.Security/stable/2024-01-01/pricings.json",
    style: Style::Arm,
    location_required: false,
    top: &["properties"],
    fields: &[
        req("properties", Ty::Obj),
        req("properties.pricingTier", Ty::OneOf(&["Free", "Standard"])),
        opt("properties.subPlan", Ty::Str),
        opt("properties.enforce", Ty::Str),
        opt("properties.extensions", Ty::Arr),
        req("properties.extensions[].name", Ty::Str),
        req("properties.extensions[].isEnabled", Ty::Str),
        opt(
            "properties.extensions[].additionalExtensionProperties",
            Ty::Obj,
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};
