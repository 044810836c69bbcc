//! The vocabulary of the body rules: a [`TypeRules`] per resource type (the api-versions it
//! was read from, the writable top-level members, the fields with their JSON types, closed
//! enums, ARM-ID references and required flags), written as data in `validate::rules`.
//!
//! Owns the shapes only; must not hold a rule of any resource type nor look at a request.
//! A leaf: imports nothing of the crate.

/// How the resource provider words a rejected body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// ARM and most resource providers: 400 `InvalidRequestContent` for a body that does
    /// not deserialize, the JSON path in the message.
    Arm,
    /// Microsoft.Network: 400 `InvalidRequestFormat` "Cannot parse the request." with the
    /// deserializer's complaint in `details[]` (`InvalidJson`).
    Network,
}

/// The JSON type a field must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    Bool,
    /// A JSON integer.
    Int,
    Obj,
    /// An array (of anything; its items have their own `[]` fields).
    Arr,
    /// An array of strings.
    StrArr,
    /// An object of string values (`tags`, `metadata`).
    StrMap,
    /// A closed enum (`x-ms-enum` with `modelAsString: false`): one of these strings,
    /// compared without case as .NET's enum converter does. Open enums are plain `Str`.
    OneOf(&'static [&'static str]),
    /// A GUID string.
    Uuid,
    /// A fully qualified ARM resource ID; `Some(type)` also requires that resource type
    /// (`Microsoft.Resources/resourceGroups` for a resource group).
    Id(Option<&'static str>),
    /// An object whose keys are ARM IDs of this type (`userAssignedIdentities`).
    IdKeys(&'static str),
}

/// One property: its path from the body's root (`.` between members, `[]` for every item
/// of an array: `properties.networkAcls.ipRules[].value`), its type, and whether the spec
/// requires it (checked on PUT only, and only where its parent object is present).
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub path: &'static str,
    pub ty: Ty,
    pub required: bool,
}

/// A required property.
pub const fn req(path: &'static str, ty: Ty) -> Field {
    Field {
        path,
        ty,
        required: true,
    }
}

/// An optional property.
pub const fn opt(path: &'static str, ty: Ty) -> Field {
    Field {
        path,
        ty,
        required: false,
    }
}

/// A rule of the resource provider beyond the spec: at least one of `paths` must be a
/// non-empty value on PUT, else `code` with `message` (`{id}` is replaced by the resource ID).
#[derive(Clone, Copy, Debug)]
pub struct AtLeastOne {
    pub paths: &'static [&'static str],
    pub code: &'static str,
    pub message: &'static str,
}

/// The body rules of one resource type.
#[derive(Clone, Copy, Debug)]
pub struct TypeRules {
    pub resource_type: &'static str,
    /// The api-versions these rules were read from (other versions get no body rules).
    pub api_versions: &'static [&'static str],
    /// Where the facts come from (`azure-rest-api-specs` path of one of the versions).
    pub spec: &'static str,
    pub style: Style,
    /// ARM's `LocationRequired` on PUT (tracked resources whose spec requires `location`).
    pub location_required: bool,
    /// Writable top-level members the spec declares (besides the read-only `id`, `name`,
    /// `type`, `etag` and `systemData`, which are accepted and ignored). [`ANY_MEMBER`] in
    /// the list: the spec allows additional properties, so no member is unknown.
    pub top: &'static [&'static str],
    pub fields: &'static [Field],
    /// The code of a missing required property.
    pub missing_code: &'static str,
    pub at_least_one: &'static [AtLeastOne],
}

/// In [`TypeRules::top`]: the type takes additional top-level properties.
pub const ANY_MEMBER: &str = "*";

/// Top-level members every resource body may carry and the resource provider ignores.
pub const READ_ONLY_TOP: [&str; 5] = ["id", "name", "type", "etag", "systemData"];
