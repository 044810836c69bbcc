//! ARM resource IDs: the grammar every ID the provider sends must follow, and the URL
//! path built from one.
//!
//! An ID is a `/`-separated path: `/subscriptions/{s}`, `…/resourceGroups/{rg}`,
//! `…/providers/{Namespace}/{type}/{name}` with `/{childType}/{childName}` pairs and
//! extension scopes (`…/providers/…` after a resource), or tenant-level
//! `/providers/{Namespace}/{type}/{name}`. Parsing refuses what could make the request go
//! somewhere else than the ID says: empty segments, `.` and `..` segments in any
//! encoding (`..`, `%2e%2e`, `.%2E`, doubly encoded), control characters (raw or
//! encoded), and the characters ARM forbids in names (`< > % & : \ ? #`). The URL path
//! is then built segment by segment, each percent-encoded, so the request path is
//! exactly the ID.
//!
//! Must not: know Terraform, or guess (an ID that does not parse is an error, never
//! repaired).

use std::fmt;

use thiserror::Error;

/// Characters ARM forbids in resource names (besides `/` and control characters), and
/// `#`, which would end a URL's path.
const FORBIDDEN: [char; 8] = ['<', '>', '%', '&', ':', '\\', '?', '#'];

/// Why a string is not an ARM resource ID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("it must start with `/subscriptions/{{subscription ID}}` or `/providers/`")]
    Root,
    #[error("it has an empty segment (`//` or a trailing `/`) after {after:?}")]
    EmptySegment { after: String },
    #[error("segment {segment:?} is a relative path step (`.` or `..`), which could send the request to another resource")]
    DotSegment { segment: String },
    #[error("segment {segment:?} holds a control character (such as a newline or tab)")]
    ControlCharacter { segment: String },
    #[error("segment {segment:?} holds {character:?}, which ARM does not allow in IDs")]
    ForbiddenCharacter { segment: String, character: char },
    #[error("{0}")]
    Shape(String),
}

/// A parsed ARM resource ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmId {
    text: String,
    segments: Vec<String>,
}

impl fmt::Display for ArmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ArmId {
    /// Parse `id` against ARM's ID grammar (resources and their collections).
    pub fn parse(id: &str) -> Result<ArmId, IdError> {
        let parsed = ArmId::parse_path(id)?;
        check_shape(&parsed.segments)?;
        Ok(parsed)
    }

    /// Parse a Resource Manager request path: every segment safe (no empty, dot or
    /// control-character segment, no character ARM forbids), any shape. This is what the
    /// client builds URLs from, for resources and for the other paths ARM serves (a
    /// resource group's `resources`, a subscription's `locations`).
    pub fn parse_path(id: &str) -> Result<ArmId, IdError> {
        let Some(rest) = id.strip_prefix('/') else {
            return Err(IdError::Root);
        };
        let segments: Vec<String> = rest.split('/').map(str::to_string).collect();
        for (i, segment) in segments.iter().enumerate() {
            check_segment(segment, || segments[..i].join("/"))?;
        }
        Ok(ArmId {
            text: id.to_string(),
            segments,
        })
    }

    /// The ID as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path segments (without the leading empty one).
    pub fn segments(&self) -> &[String] {
        &self.segments
    }
}

fn check_segment(segment: &str, before: impl Fn() -> String) -> Result<(), IdError> {
    if segment.is_empty() {
        return Err(IdError::EmptySegment {
            after: format!("/{}", before()),
        });
    }
    // Every decoding of the segment, raw first: `%252e` decodes to `%2e`, then to `.`.
    let mut decoded = segment.to_string();
    for _ in 0..4 {
        if decoded.chars().any(char::is_control) {
            return Err(IdError::ControlCharacter {
                segment: segment.into(),
            });
        }
        if decoded.trim() == "." || decoded.trim() == ".." {
            return Err(IdError::DotSegment {
                segment: segment.into(),
            });
        }
        let next = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
        if next == decoded {
            break;
        }
        decoded = next;
    }
    if let Some(character) = segment.chars().find(|c| FORBIDDEN.contains(c)) {
        return Err(IdError::ForbiddenCharacter {
            segment: segment.into(),
            character,
        });
    }
    Ok(())
}

/// The ID's shape: `subscriptions/{s}`, then optionally `resourceGroups/{rg}`, then any
/// number of `providers/{Namespace}/{type}/{name}(/{type}/{name})*`; or the same
/// provider part at tenant level. A trailing `providers`, namespace or type is a
/// collection or registration (what list and provider-registration requests address).
fn check_shape(segments: &[String]) -> Result<(), IdError> {
    let is = |i: usize, word: &str| {
        segments
            .get(i)
            .is_some_and(|s| s.eq_ignore_ascii_case(word))
    };
    let mut i = 0;
    if is(0, "subscriptions") {
        if segments.len() < 2 {
            return Err(IdError::Shape(
                "`/subscriptions/` must be followed by a subscription ID".into(),
            ));
        }
        i = 2;
        if is(2, "resourceGroups") {
            // Without a name: the subscription's resource groups (a collection).
            i = segments.len().min(4);
        }
    } else if !is(0, "providers") {
        return Err(IdError::Root);
    }
    while i < segments.len() {
        if !is(i, "providers") {
            return Err(IdError::Shape(format!(
                "expected `providers/{{Namespace}}/{{type}}/{{name}}` after /{}, found {:?}",
                segments[..i].join("/"),
                segments[i]
            )));
        }
        i += 1;
        let Some(namespace) = segments.get(i) else {
            break;
        };
        if !namespace
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            return Err(IdError::Shape(format!(
                "{namespace:?} is not a resource provider namespace (letters, digits and dots, e.g. `Microsoft.Network`)"
            )));
        }
        i += 1;
        // Type/name pairs until the next extension scope.
        let start = i;
        while i < segments.len() && !((i - start) % 2 == 0 && i > start && is(i, "providers")) {
            let ty = &segments[i];
            if (i - start) % 2 == 0 && !ty.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(IdError::Shape(format!(
                    "{ty:?} is not a resource type (letters and digits, e.g. `virtualNetworks`)"
                )));
            }
            i += 1;
        }
    }
    Ok(())
}

impl ArmId {
    /// Parse an ID that must name one resource (a subscription, a resource group, or a
    /// provider resource with a name for every type), not a collection.
    pub fn parse_resource(id: &str) -> Result<ArmId, IdError> {
        let parsed = ArmId::parse(id)?;
        let segments = parsed.segments();
        let last_providers = segments
            .iter()
            .rposition(|s| s.eq_ignore_ascii_case("providers"));
        let names_every_type = match last_providers {
            None => segments.len() % 2 == 0,
            Some(p) => {
                let after = segments.len() - p - 1;
                // Namespace, then type/name pairs: at least one pair.
                after >= 3 && (after - 1) % 2 == 0
            }
        };
        if names_every_type {
            Ok(parsed)
        } else {
            Err(IdError::Shape(
                "it addresses a collection, not one resource: every resource type must be followed by a name".into(),
            ))
        }
    }
}

impl ArmId {
    /// The type of the resource the ID names, as ARM writes it: `Microsoft.Network/virtualNetworks/subnets`
    /// for a subnet, `Microsoft.Resources/resourceGroups` for a resource group,
    /// `Microsoft.Resources/subscriptions` for a subscription. Extension resources give the
    /// type after the last `providers` (`Microsoft.Authorization/roleAssignments`).
    pub fn resource_type(&self) -> String {
        let segments = &self.segments;
        match segments
            .iter()
            .rposition(|s| s.eq_ignore_ascii_case("providers"))
        {
            Some(p) => {
                let mut t = segments.get(p + 1).cloned().unwrap_or_default();
                for ty in segments[(p + 2).min(segments.len())..].iter().step_by(2) {
                    t.push('/');
                    t.push_str(ty);
                }
                t
            }
            None if segments.len() >= 4 => "Microsoft.Resources/resourceGroups".into(),
            None => "Microsoft.Resources/subscriptions".into(),
        }
    }

    /// Is this an ID of type `ty` (case-insensitive, as ARM compares types)?
    pub fn is_type(&self, ty: &str) -> bool {
        self.resource_type().eq_ignore_ascii_case(ty)
    }

    /// The subscription segment, when the ID is inside one.
    pub fn subscription(&self) -> Option<&str> {
        (self.segments.len() >= 2 && self.segments[0].eq_ignore_ascii_case("subscriptions"))
            .then(|| self.segments[1].as_str())
    }
}

/// Characters a URL path segment keeps as they are; everything else is percent-encoded.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'(')
    .remove(b')')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

impl ArmId {
    /// The URL path of this ID: each segment percent-encoded, so no segment can be read
    /// as anything but itself.
    pub fn url_path(&self) -> String {
        let mut path = String::with_capacity(self.text.len() + 8);
        for segment in &self.segments {
            path.push('/');
            path.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

    #[test]
    fn resource_types_as_arm_writes_them() {
        for (id, ty) in [
            (SUB.to_string(), "Microsoft.Resources/subscriptions"),
            (format!("{SUB}/resourceGroups/rg"), "Microsoft.Resources/resourceGroups"),
            (
                format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"),
                "Microsoft.Network/virtualNetworks/subnets",
            ),
            (
                format!("{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/providers/Microsoft.Authorization/roleAssignments/x"),
                "Microsoft.Authorization/roleAssignments",
            ),
        ] {
            let parsed = ArmId::parse_resource(&id).expect("parses");
            assert_eq!(parsed.resource_type(), ty, "{id}");
            assert!(parsed.is_type(&ty.to_lowercase()), "{id}");
        }
    }

    #[test]
    fn accepts_every_shape_arm_uses() {
        for id in [
            SUB.to_string(),
            format!("{SUB}/resourceGroups/rg-1"),
            format!("{SUB}/resourceGroups/rg(1)_x.y/providers/Microsoft.Network/virtualNetworks/vnt-1"),
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s1"),
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"),
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/providers/Microsoft.Authorization/roleAssignments/8b5d8c1e-0000-0000-0000-000000000000"),
            format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks"),
            "/providers/Microsoft.Management/managementGroups/mg1".to_string(),
        ] {
            let parsed = ArmId::parse(&id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(parsed.as_str(), id);
            assert_eq!(parsed.url_path(), id, "plain IDs travel unchanged");
        }
    }

    /// A path and the check its refusal must pass.
    type Case = (String, fn(&IdError) -> bool);

    #[test]
    fn refuses_escapes_and_garbage_with_the_reason() {
        let rg = format!("{SUB}/resourceGroups/approved-rg");
        let other = "subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/x";
        let cases: Vec<Case> = vec![
            (format!("{rg}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/{other}"), |e| {
                matches!(e, IdError::DotSegment { .. })
            }),
            (format!("{rg}/../../{other}"), |e| {
                matches!(e, IdError::DotSegment { .. })
            }),
            (format!("{rg}/.%2E/{other}"), |e| {
                matches!(e, IdError::DotSegment { .. })
            }),
            (format!("{rg}/%252e%252e/{other}"), |e| {
                matches!(e, IdError::DotSegment { .. })
            }),
            (
                format!("{rg}/./providers/Microsoft.Network/virtualNetworks/v"),
                |e| matches!(e, IdError::DotSegment { .. }),
            ),
            (format!("{rg}/.\n./{other}"), |e| {
                matches!(e, IdError::ControlCharacter { .. })
            }),
            (format!("{SUB}/resourceGroups/rel\nnl\ttab"), |e| {
                matches!(e, IdError::ControlCharacter { .. })
            }),
            (format!("{SUB}/resourceGroups/rel%0Anl"), |e| {
                matches!(e, IdError::ControlCharacter { .. })
            }),
            (
                format!("{SUB}/resourceGroups//providers/Microsoft.Network/virtualNetworks/v"),
                |e| matches!(e, IdError::EmptySegment { .. }),
            ),
            (format!("{rg}/"), |e| {
                matches!(e, IdError::EmptySegment { .. })
            }),
            (format!("{SUB}/resourceGroups/a?b"), |e| {
                matches!(e, IdError::ForbiddenCharacter { character: '?', .. })
            }),
            (format!("{SUB}/resourceGroups/a#b"), |e| {
                matches!(e, IdError::ForbiddenCharacter { character: '#', .. })
            }),
            (format!("{SUB}/resourceGroups/a%41"), |e| {
                matches!(e, IdError::ForbiddenCharacter { character: '%', .. })
            }),
            ("subscriptions/x".to_string(), |e| {
                matches!(e, IdError::Root)
            }),
            ("/resourceGroups/rg".to_string(), |e| {
                matches!(e, IdError::Root)
            }),
            (format!("{rg}/virtualNetworks/v"), |e| {
                matches!(e, IdError::Shape(_))
            }),
            (
                format!("{rg}/providers/Micro soft/virtualNetworks/v"),
                |e| matches!(e, IdError::Shape(_)),
            ),
            (
                format!("{rg}/providers/Microsoft.Network/virtual-networks/v"),
                |e| matches!(e, IdError::Shape(_)),
            ),
        ];
        for (id, expected) in cases {
            match ArmId::parse(&id) {
                Ok(_) => panic!("{id:?} parsed"),
                Err(e) => {
                    assert!(expected(&e), "{id:?}: unexpected {e:?}");
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn a_resource_id_names_every_type() {
        let rg = format!("{SUB}/resourceGroups/rg");
        for ok in [
            SUB.to_string(),
            rg.clone(),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/v"),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"),
            format!("{rg}/providers/Microsoft.Storage/storageAccounts/sa/providers/Microsoft.Authorization/roleAssignments/g"),
        ] {
            assert!(ArmId::parse_resource(&ok).is_ok(), "{ok}");
        }
        for collection in [
            format!("{SUB}/resourceGroups"),
            format!("{rg}/providers"),
            format!("{rg}/providers/Microsoft.Network"),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks"),
            format!("{rg}/providers/Microsoft.Network/virtualNetworks/v/subnets"),
        ] {
            assert!(
                ArmId::parse(&collection).is_ok(),
                "{collection} is a valid path"
            );
            assert!(
                matches!(ArmId::parse_resource(&collection), Err(IdError::Shape(_))),
                "{collection}"
            );
        }
    }

    #[test]
    fn request_paths_need_safe_segments_not_a_resource_shape() {
        let rg = format!("{SUB}/resourceGroups/rg");
        assert!(ArmId::parse_path(&format!("{rg}/resources")).is_ok());
        assert!(ArmId::parse_path(&format!("{SUB}/locations")).is_ok());
        assert!(matches!(
            ArmId::parse(&format!("{rg}/resources")),
            Err(IdError::Shape(_))
        ));
        for unsafe_path in [
            format!("{rg}/%2e%2e/x"),
            format!("{rg}/a\nb"),
            format!("{rg}//x"),
            "relative/path".to_string(),
        ] {
            assert!(ArmId::parse_path(&unsafe_path).is_err(), "{unsafe_path:?}");
        }
    }

    #[test]
    fn the_url_path_encodes_each_segment() {
        let id = ArmId::parse(&format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/a b=c"
        ))
        .expect("parses");
        assert!(
            id.url_path().ends_with("/privateDnsZones/a%20b=c"),
            "{}",
            id.url_path()
        );
        let decoded = percent_encoding::percent_decode_str(&id.url_path())
            .decode_utf8()
            .expect("utf-8")
            .into_owned();
        assert_eq!(decoded, id.as_str());
    }
}
