//! The Blob service's XML documents, as text: the `<Error>` body and the `List Containers`
//! `EnumerationResults`, with XML escaping.
//!
//! Owns these document shapes; a leaf: must not touch the state or HTTP.

use std::collections::BTreeMap;

const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// `s` escaped for element text.
pub fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `s` escaped for a double-quoted attribute value.
pub fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;")
}

/// `<Error>` with `code`, `message` and further elements (`HeaderName`,
/// `AuthenticationErrorDetail`).
pub fn error(code: &str, message: &str, extra: &[(&str, String)]) -> String {
    let mut out = format!(
        "{DECLARATION}<Error><Code>{}</Code><Message>{}</Message>",
        text(code),
        text(message)
    );
    for (name, value) in extra {
        out.push_str(&format!("<{name}>{}</{name}>", text(value)));
    }
    out.push_str("</Error>");
    out
}

/// One container of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerItem<'a> {
    pub name: &'a str,
    /// RFC 1123.
    pub last_modified: String,
    pub etag: &'a str,
    pub public_access: Option<&'a str>,
    /// `Some` when the listing includes metadata.
    pub metadata: Option<&'a BTreeMap<String, String>>,
}

/// The query of a listing, echoed when given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery<'a> {
    pub prefix: Option<&'a str>,
    pub marker: Option<&'a str>,
    pub max_results: Option<usize>,
}

/// `EnumerationResults` of `List Containers` at `endpoint`; `next_marker` empty when done.
pub fn enumeration(
    endpoint: &str,
    q: &ListQuery,
    items: &[ContainerItem],
    next_marker: Option<&str>,
) -> String {
    let mut out = format!(
        "{DECLARATION}<EnumerationResults ServiceEndpoint=\"{}\">",
        attr(endpoint)
    );
    if let Some(p) = q.prefix {
        out.push_str(&format!("<Prefix>{}</Prefix>", text(p)));
    }
    if let Some(m) = q.marker {
        out.push_str(&format!("<Marker>{}</Marker>", text(m)));
    }
    if let Some(n) = q.max_results {
        out.push_str(&format!("<MaxResults>{n}</MaxResults>"));
    }
    out.push_str("<Containers>");
    for c in items {
        out.push_str(&container(c));
    }
    out.push_str("</Containers>");
    match next_marker {
        Some(m) => out.push_str(&format!("<NextMarker>{}</NextMarker>", text(m))),
        None => out.push_str("<NextMarker />"),
    }
    out.push_str("</EnumerationResults>");
    out
}

fn container(c: &ContainerItem) -> String {
    let mut p = format!(
        "<Last-Modified>{}</Last-Modified><Etag>{}</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>",
        text(&c.last_modified),
        text(c.etag)
    );
    if let Some(a) = c.public_access {
        p.push_str(&format!("<PublicAccess>{}</PublicAccess>", text(a)));
    }
    p.push_str(
        "<DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope><DenyEncryptionScopeOverride>false</DenyEncryptionScopeOverride><HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold><ImmutableStorageWithVersioningEnabled>false</ImmutableStorageWithVersioningEnabled>",
    );
    let mut out = format!(
        "<Container><Name>{}</Name><Properties>{p}</Properties>",
        text(c.name)
    );
    if let Some(m) = c.metadata {
        out.push_str("<Metadata>");
        for (k, v) in m {
            out.push_str(&format!("<{k}>{}</{k}>", text(v)));
        }
        out.push_str("</Metadata>");
    }
    out.push_str("</Container>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_error_documents() {
        assert_eq!(text("a<b>&c\"d"), "a&lt;b&gt;&amp;c\"d");
        assert_eq!(attr("a\"b"), "a&quot;b");
        assert_eq!(
            error("ContainerNotFound", "gone\nRequestId:r", &[("HeaderName", "x-ms-version".into())]),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code><Message>gone\nRequestId:r</Message><HeaderName>x-ms-version</HeaderName></Error>"
        );
    }

    #[test]
    fn enumeration_documents() {
        let meta = BTreeMap::from([("team".to_string(), "a&b".to_string())]);
        let items = [
            ContainerItem {
                name: "lake",
                last_modified: "Mon, 01 Jan 2024 00:00:00 GMT".into(),
                etag: "\"0x1\"",
                public_access: Some("blob"),
                metadata: Some(&meta),
            },
            ContainerItem {
                name: "raw",
                last_modified: "Mon, 01 Jan 2024 00:00:00 GMT".into(),
                etag: "\"0x2\"",
                public_access: None,
                metadata: None,
            },
        ];
        let q = ListQuery {
            prefix: Some("l"),
            marker: None,
            max_results: Some(2),
        };
        let doc = enumeration("https://h/blob/acct/", &q, &items, Some("tok"));
        assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"https://h/blob/acct/\"><Prefix>l</Prefix><MaxResults>2</MaxResults><Containers><Container><Name>lake</Name><Properties><Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified><Etag>\"0x1\"</Etag>"), "{doc}");
        assert!(doc.contains("<PublicAccess>blob</PublicAccess>"));
        assert!(doc.contains(
            "<Metadata><team>a&amp;b</team></Metadata></Container><Container><Name>raw</Name>"
        ));
        assert!(doc.ends_with("</Containers><NextMarker>tok</NextMarker></EnumerationResults>"));
        assert!(enumeration("e", &ListQuery::default(), &[], None)
            .ends_with("<Containers></Containers><NextMarker /></EnumerationResults>"));
    }
}
